package dev.jxdp.kernel;

import dev.jxdp.ebpf.maps.Cpus;
import dev.jxdp.ebpf.maps.MapSpec;
import dev.jxdp.ebpf.maps.MapType;
import dev.jxdp.ebpf.maps.UserMap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A map in the kernel, owned through its file descriptor. The user-side calls answer as jxdp's
 * {@link dev.jxdp.ebpf.maps.BpfMap} does: a lookup gives the value bytes (every possible CPU's, each
 * rounded up to 8 bytes, for a per-CPU map) or null, an update or delete 0 or {@code -errno}, next-key the
 * following key or null at the end.
 */
public final class KernelMap implements UserMap, AutoCloseable {

    private final MapSpec spec;
    private final int fd;
    private final boolean btf;
    private int id;

    KernelMap(MapSpec spec, int fd, boolean btf) {
        this.spec = spec;
        this.fd = fd;
        this.btf = btf;
    }

    public MapSpec spec() { return spec; }

    public String name() { return spec.name(); }

    /** The name test-run's JSON gives the map (its bpffs pin name: '.' as '_'), as MapJson names jxdp's maps. */
    public String jsonName() { return spec.name().replace('.', '_'); }

    public int fd() { return fd; }

    /** Whether the kernel took the map with its BTF key and value types. */
    public boolean hasBtf() { return btf; }

    public MapType type() { return MapType.byId(spec.type()); }

    public int keySize() { return spec.keySize(); }

    public int valueSize() { return spec.valueSize(); }

    public int maxEntries() { return spec.maxEntries(); }

    /** The kernel's possible CPUs: the slots a per-CPU value has. */
    @Override
    public int userCpus() { return Cpus.kernelPossible(); }

    /** Bytes a lookup's value takes from user space: every possible CPU's, 8-byte aligned, for a per-CPU map. */
    public int userValueSize() {
        MapType t = type();
        return t != null && t.isPerCpu() ? ((spec.valueSize() + 7) & ~7) * Cpus.kernelPossible() : spec.valueSize();
    }

    /** The kernel's id of this map (what an outer map's lookup answers). */
    public int id() {
        if (id == 0) {
            id = KernelObject.infoId(fd, "map " + name());
        }
        return id;
    }

    /** BPF_MAP_LOOKUP_ELEM: the value, or null when the kernel has none (ENOENT) or refuses the lookup. */
    public byte[] userLookup(byte[] key) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment value = a.allocate(Math.max(1, userValueSize()), 8);
            long rc = elem(a, Bpf.MAP_LOOKUP_ELEM, key, value, 0);
            return rc < 0 ? null : value.asSlice(0, userValueSize()).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** BPF_MAP_UPDATE_ELEM: 0 or -errno. For a per-CPU map {@code value} holds every possible CPU's value. */
    public int userUpdate(byte[] key, byte[] value, long flags) {
        try (Arena a = Arena.ofConfined()) {
            return (int) elem(a, Bpf.MAP_UPDATE_ELEM, key, BpfAttr.bytes(a, value), flags);
        }
    }

    /** BPF_MAP_DELETE_ELEM: 0 or -errno. */
    public int userDelete(byte[] key) {
        try (Arena a = Arena.ofConfined()) {
            return (int) elem(a, Bpf.MAP_DELETE_ELEM, key, null, 0);
        }
    }

    /** BPF_MAP_GET_NEXT_KEY: the key after {@code key} (the first when null), or null at the end. */
    public byte[] userNextKey(byte[] key) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment next = a.allocate(Math.max(1, spec.keySize()), 8);
            long rc = elem(a, Bpf.MAP_GET_NEXT_KEY, key, next, 0);
            return rc < 0 ? null : next.asSlice(0, spec.keySize()).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** BPF_MAP_FREEZE: no more writes from user space (what libbpf does to .rodata after filling it). */
    int freeze() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(BpfAttr.MapElem.SIZE, 8);
            BpfAttr.u32(attr, BpfAttr.MapElem.MAP_FD, fd);
            return (int) Bpf.call(Bpf.MAP_FREEZE, attr, BpfAttr.MapElem.SIZE);
        }
    }

    private long elem(Arena a, int cmd, byte[] key, MemorySegment value, long flags) {
        MemorySegment attr = a.allocate(BpfAttr.MapElem.SIZE, 8);
        BpfAttr.u32(attr, BpfAttr.MapElem.MAP_FD, fd);
        if (key != null) {
            BpfAttr.ptr(attr, BpfAttr.MapElem.KEY, BpfAttr.bytes(a, key));
        }
        if (value != null) {
            BpfAttr.ptr(attr, BpfAttr.MapElem.VALUE, value);
        }
        BpfAttr.u64(attr, BpfAttr.MapElem.FLAGS, flags);
        return Bpf.call(cmd, attr, BpfAttr.MapElem.SIZE);
    }

    @Override
    public void close() {
        Bpf.close(fd);
    }

    @Override
    public String toString() {
        return "map " + name() + " (fd " + fd + ")";
    }
}
