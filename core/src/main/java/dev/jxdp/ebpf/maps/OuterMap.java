package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.BpfException;

/**
 * What ARRAY_OF_MAPS and HASH_OF_MAPS share (kernel/bpf/map_in_map.c): values that are inner maps, each
 * matching the outer map's inner map template (the kernel's inner_map_meta, made from the inner map
 * libbpf creates from the {@code __array(values, struct inner_def)} definition). A program's lookup
 * answers the inner map's handle (the kernel's struct bpf_map pointer), what {@code r1 = map[...]} would
 * hold for it, or 0; programs may not update or delete (the verifier refuses those helpers on these
 * types). From user space the kernel takes an inner map's fd and answers its id; jxdp has no fds, so
 * inner maps go in with {@link #put} and a byte update is refused with -EINVAL, as {@link ProgArray}'s.
 */
public abstract sealed class OuterMap extends BaseMap permits ArrayOfMaps, HashOfMaps {

    OuterMap(MapSpec spec) {
        super(spec);
    }

    /** The template every inner map must match. */
    public final MapSpec template() { return spec.inner(); }

    /**
     * Mirrors the outer map's alloc check and bpf_map_meta_alloc(): value size 4 (an fd), a template
     * that is not itself a map-in-map (one level only: EINVAL) and of a type the kernel can nest (types
     * without map_meta_equal, among jxdp's PROG_ARRAY, are ENOTSUPP), and that could be created.
     */
    static void checkOuter(MapSpec spec) {
        MapMath.requireEntries(spec);
        if (spec.valueSize() != 4) {
            throw MapMath.invalid(spec, "value size " + spec.valueSize() + ": want 4 (an inner map fd)");
        }
        MapSpec t = spec.inner();
        if (t == null) {
            throw MapMath.invalid(spec, "no inner map template: a " + spec.mapType().kernelName() + " is created "
                    + "from an inner map (declare it with __array(values, struct inner_def))");
        }
        if (t.isMapInMap()) {
            throw MapMath.invalid(spec, "inner map template " + t.name() + " is a " + t.mapType().kernelName()
                    + ": map-in-map nests one level only (the kernel says EINVAL)");
        }
        MapType tt = t.mapType();
        if (tt == MapType.PROG_ARRAY) {
            throw MapMath.invalid(spec, "inner map template " + t.name() + ": a " + tt.kernelName()
                    + " cannot be an inner map (the kernel says ENOTSUPP)");
        }
        // libbpf creates the template as a real map first; whatever that refuses is refused here
        Maps.create(t).close();
    }

    /**
     * Why {@code inner} may not go into this outer map, or null when it may: bpf_map_meta_equal() (type,
     * key size, value size and map_flags equal) and, for arrays, array_map_meta_equal()'s equal
     * max_entries unless the template has BPF_F_INNER_MAP; a map-in-map never matches (its type differs).
     */
    public final String mismatch(BpfMap inner) {
        MapSpec t = template();
        MapSpec m = inner.spec();
        if (m.type() != t.type()) {
            return "type " + inner.type().kernelName() + " is not the template's " + t.mapType().kernelName();
        }
        if (m.keySize() != t.keySize()) {
            return "key size " + m.keySize() + " is not the template's " + t.keySize();
        }
        if (m.valueSize() != t.valueSize()) {
            return "value size " + m.valueSize() + " is not the template's " + t.valueSize();
        }
        if (m.flags() != t.flags()) {
            return "map_flags 0x" + Integer.toHexString(m.flags()) + " are not the template's 0x"
                    + Integer.toHexString(t.flags());
        }
        boolean array = t.mapType() == MapType.ARRAY || t.mapType() == MapType.PERCPU_ARRAY;
        if (array && (t.flags() & MapFlags.BPF_F_INNER_MAP) == 0 && m.maxEntries() != t.maxEntries()) {
            return "max_entries " + m.maxEntries() + " is not the template's " + t.maxEntries()
                    + " (an array template without BPF_F_INNER_MAP fixes it)";
        }
        return null;
    }

    /**
     * BPF_MAP_UPDATE_ELEM with an inner map's fd: 0 or -errno (-EINVAL when the map does not match the
     * template, {@link #mismatch} says why).
     */
    public abstract int put(byte[] key, BpfMap inner, long flags);

    /** The inner map at this key, or null. */
    public abstract BpfMap innerAt(byte[] key);

    /** A byte update would carry an fd, which jxdp does not have: -EINVAL (use {@link #put}). */
    @Override
    public final synchronized int userUpdate(byte[] key, byte[] value, long flags) {
        userKey(key);
        checkLength("value", value, 4);
        return -Errno.EINVAL;
    }

    /** bpf_map_fd_sys_lookup_elem(): the inner map's id. */
    @Override
    public final synchronized byte[] userLookup(byte[] key) {
        BpfMap m = innerAt(key);
        return m == null ? null : ArrayKeys.u32(m.id());
    }

    // ---- program side: only lookups pass the verifier ----

    @Override
    public final int update(long keyAddr, long valueAddr, long flags, int cpu) { return -Errno.EINVAL; }

    @Override
    public final int delete(long keyAddr, int cpu) { return -Errno.EINVAL; }

    /** The inner map, checked against the template, or an exception naming both maps. */
    final void requireMatch(BpfMap inner) {
        String why = mismatch(inner);
        if (why != null) {
            throw new BpfException("map " + name() + ": inner map " + inner.name() + " does not match the template: "
                    + why);
        }
    }
}
