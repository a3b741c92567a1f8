package dev.jxdp;

import dev.jxdp.ebpf.elf.Btf;
import dev.jxdp.ebpf.maps.Errno;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A map of a loaded {@link XdpObject}, seen from user space as the {@code bpf()} system call sees it
 * ({@code BPF_MAP_LOOKUP_ELEM}, {@code UPDATE_ELEM}, {@code DELETE_ELEM}, {@code GET_NEXT_KEY}); what a
 * program wrote is there, and what is written here the next run sees. Two views:
 * <ul>
 * <li><b>raw</b>: keys and values as little-endian {@code byte[]}, exactly {@link MapSpec#keySize()} and
 *     {@link MapSpec#valueSize()} bytes; for a per-CPU map a value is {@link #cpus()} slots of
 *     {@code valueSize} rounded up to 8 bytes, CPU 0 first, as the kernel copies them;</li>
 * <li><b>decoded</b> through the object's BTF: integers as {@code Integer} (8-, 16-bit and signed 32-bit
 *     types) or {@code Long} (unsigned 32-bit and 64-bit; a {@code __u64} keeps its 64 bits), enums as the
 *     enumerator's name, structs and unions as {@code Map<String, Object>} in member order, arrays as
 *     {@code List}, global-data sections as a {@code Map} of their variables. A per-CPU map's decoded value
 *     is a {@code List} with one value per CPU; {@link #lookupSummed(Object)} adds them up. Encoding takes
 *     any {@code Number} that fits, an enumerator's name, {@code byte[]} or {@code String} for a byte array,
 *     and zeroes struct members not given.</li>
 * </ul>
 *
 * <pre>{@code
 * XdpMap conns = obj.map("conns");
 * conns.updateDecoded(Map.of("saddr", 0x0100000a, "daddr", 0x0200000a, "sport", 80, "dport", 4242, "proto", 6),
 *                     Map.of("packets", 1, "state", 4));
 * Map<String, Object> conn = (Map<String, Object>) conns.lookupDecoded(key).orElseThrow();
 * long hits = obj.map("stats").lookupLong(2).orElse(0);   // per-CPU: summed over CPUs
 * }</pre>
 *
 * <p>Errors the kernel would answer with an errno (a full map, {@link #NOEXIST} on a present key, a
 * frozen {@code .rodata}) throw a {@link JxdpException} naming the map and the errno.
 */
public final class XdpMap {

    /** Update flag {@code BPF_ANY}: create the entry or replace it. */
    public static final long ANY = 0;
    /** Update flag {@code BPF_NOEXIST}: create only; an existing key is {@code EEXIST}. */
    public static final long NOEXIST = 1;
    /** Update flag {@code BPF_EXIST}: replace only; a missing key is {@code ENOENT}. */
    public static final long EXIST = 2;

    private final XdpObject owner;
    private final MapSpec spec;
    private final int keyType;
    private final int valueType;
    private final boolean valueIsSection;
    private final BtfCodec codec;
    private final Backend.RawMap raw;

    XdpMap(XdpObject owner, dev.jxdp.ebpf.maps.MapSpec internal, Btf btf, Backend.RawMap raw) {
        this.owner = owner;
        this.spec = MapSpec.of(internal, btf);
        this.keyType = btf == null ? 0 : internal.btfKeyType();
        this.valueType = btf == null ? 0 : internal.btfValueType();
        this.valueIsSection = valueType > 0 && btf.type(valueType).kind() == Btf.KIND_DATASEC;
        this.codec = new BtfCodec(btf, "map " + internal.name());
        this.raw = raw;
    }

    /**
     * The map's name.
     *
     * @return the name, as {@link MapSpec#name()}
     */
    public String name() { return spec.name(); }

    /**
     * What the object file declares for this map.
     *
     * @return the map's spec
     */
    public MapSpec spec() { return spec; }

    /**
     * The CPUs a per-CPU value has a slot for (the machine's possible CPUs; 1 for other maps' purposes).
     *
     * @return the number of per-CPU slots in a raw per-CPU value
     */
    public int cpus() {
        return owner.use(raw::cpus);
    }

    // ---- raw ----

    /**
     * The value stored at a key.
     *
     * @param key {@link MapSpec#keySize()} bytes
     * @return the value's bytes (all CPUs' for a per-CPU map), or empty when the key is absent
     */
    public Optional<byte[]> lookup(byte[] key) {
        checkKey(key);
        return Optional.ofNullable(owner.use(() -> raw.lookup(key)));
    }

    /**
     * Stores a value at a key, creating or replacing the entry ({@link #ANY}).
     *
     * @param key   {@link MapSpec#keySize()} bytes
     * @param value {@link MapSpec#valueSize()} bytes; for a per-CPU map {@link #cpus()} slots of
     *              {@code valueSize} rounded up to 8
     */
    public void update(byte[] key, byte[] value) {
        update(key, value, ANY);
    }

    /**
     * Stores a value at a key.
     *
     * @param key   {@link MapSpec#keySize()} bytes
     * @param value the value bytes, as {@link #update(byte[], byte[])} takes them
     * @param flags {@link #ANY}, {@link #NOEXIST} or {@link #EXIST}
     */
    public void update(byte[] key, byte[] value, long flags) {
        checkKey(key);
        int want = rawValueSize();
        if (value.length != want) {
            throw new JxdpException("map " + name() + ": value of " + value.length + " bytes, want " + want
                    + (spec.perCpu() ? " (" + cpus() + " CPUs of " + stride() + ")" : ""));
        }
        check("update", owner.use(() -> raw.update(key, value, flags)));
    }

    /**
     * Deletes the entry at a key.
     *
     * @param key {@link MapSpec#keySize()} bytes
     * @return true when there was one, false when the key was absent
     */
    public boolean delete(byte[] key) {
        checkKey(key);
        int rc = owner.use(() -> raw.delete(key));
        if (rc == -Errno.ENOENT) {
            return false;
        }
        check("delete", rc);
        return true;
    }

    /**
     * Every key, in the map's own order (an array's indices; a hash's bucket order), as
     * {@code BPF_MAP_GET_NEXT_KEY} walks them.
     *
     * @return the keys
     */
    public List<byte[]> keys() {
        return owner.use(() -> {
            List<byte[]> out = new ArrayList<>();
            for (byte[] k = raw.nextKey(null); k != null; k = raw.nextKey(k)) {
                out.add(k);
            }
            return Collections.unmodifiableList(out);
        });
    }

    /**
     * A key and its raw value.
     *
     * @param key   the key's bytes
     * @param value the value's bytes (all CPUs' for a per-CPU map)
     */
    public record Entry(byte[] key, byte[] value) {}

    /**
     * Every entry, in the map's own order; for an array every index.
     *
     * @return the entries
     */
    public List<Entry> entries() {
        return owner.use(() -> {
            List<Entry> out = new ArrayList<>();
            for (byte[] k = raw.nextKey(null); k != null; k = raw.nextKey(k)) {
                byte[] v = raw.lookup(k);
                if (v != null) {
                    out.add(new Entry(k, v));
                }
            }
            return Collections.unmodifiableList(out);
        });
    }

    // ---- decoded ----

    /**
     * The value at a key, decoded through BTF.
     *
     * @param key the key as {@link #encodeKey(Object)} takes it (e.g. an {@code Integer} for a {@code __u32})
     * @return the value (for a per-CPU map a {@code List} with one value per CPU), or empty when absent
     */
    public Optional<Object> lookupDecoded(Object key) {
        return lookup(encodeKey(key)).map(this::decodeValue);
    }

    /**
     * The value at a key decoded, a per-CPU map's values added up over CPUs: integers summed (wrapping
     * at 64 bits), struct members and array elements each summed, anything else (an enum, a bool) taken
     * from CPU 0. For a map that is not per-CPU, the same as {@link #lookupDecoded(Object)}.
     *
     * @param key the key, as {@link #lookupDecoded(Object)} takes it
     * @return the summed value, or empty when absent
     */
    public Optional<Object> lookupSummed(Object key) {
        Optional<Object> v = lookupDecoded(key);
        if (!spec.perCpu() || v.isEmpty()) {
            return v;
        }
        List<?> perCpu = (List<?>) v.get();
        Object sum = perCpu.getFirst();
        for (int i = 1; i < perCpu.size(); i++) {
            sum = add(sum, perCpu.get(i));
        }
        return Optional.of(sum);
    }

    /**
     * The value at a key as a number: an integer value (or, per CPU, its sum over CPUs), the small
     * convenience for counters.
     *
     * @param key the key, as {@link #lookupDecoded(Object)} takes it
     * @return the number, or empty when the key is absent
     * @throws JxdpException when the value is not an integer (a struct, say)
     */
    public OptionalLong lookupLong(Object key) {
        Optional<Object> v = lookupSummed(key);
        if (v.isEmpty()) {
            return OptionalLong.empty();
        }
        if (!(v.get() instanceof Integer || v.get() instanceof Long)) {
            throw new JxdpException("map " + name() + ": the value is " + (spec.valueType() == null ? "not an integer"
                    : "a " + spec.valueType()) + ", not an integer: use lookupDecoded");
        }
        return OptionalLong.of(((Number) v.get()).longValue());
    }

    /**
     * Stores a value at a key, both encoded through BTF, creating or replacing the entry.
     *
     * @param key   the key, as {@link #encodeKey(Object)} takes it
     * @param value the value in the decoded shapes (for a per-CPU map either a {@code List} with one value
     *              per CPU, or one value that every CPU gets, as {@code bpftool map update} does; for a
     *              global-data section a {@code Map} of the variables to change, the others kept)
     */
    public void updateDecoded(Object key, Object value) {
        updateDecoded(key, value, ANY);
    }

    /**
     * Stores a value at a key, both encoded through BTF.
     *
     * @param key   the key, as {@link #encodeKey(Object)} takes it
     * @param value the value, as {@link #updateDecoded(Object, Object)} takes it
     * @param flags {@link #ANY}, {@link #NOEXIST} or {@link #EXIST}
     */
    public void updateDecoded(Object key, Object value, long flags) {
        byte[] k = encodeKey(key);
        update(k, encodeValue(k, value), flags);
    }

    /**
     * Deletes the entry at a key given in the decoded shape.
     *
     * @param key the key, as {@link #encodeKey(Object)} takes it
     * @return true when there was one
     */
    public boolean deleteDecoded(Object key) {
        return delete(encodeKey(key));
    }

    /**
     * Every entry decoded, in the map's own order.
     *
     * @return keys to values (per-CPU: a {@code List} per key), an insertion-ordered map
     */
    public Map<Object, Object> entriesDecoded() {
        Map<Object, Object> out = new LinkedHashMap<>();
        for (Entry e : entries()) {
            out.put(codec.decode(keyType, e.key(), 0, e.key().length), decodeValue(e.value()));
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * A key in the decoded shape as the map's raw bytes: through the key's BTF type, or without one an
     * integer for a key of 1, 2, 4 or 8 bytes, a {@code byte[]} of the key's size otherwise.
     *
     * @param key the key
     * @return {@link MapSpec#keySize()} bytes
     */
    public byte[] encodeKey(Object key) {
        if (key instanceof byte[] b && (keyType == 0 || b.length == spec.keySize())) {
            return b;
        }
        byte[] out = new byte[spec.keySize()];
        codec.encode(keyType, key, out, 0, out.length, "key");
        return out;
    }

    private byte[] encodeValue(byte[] key, Object value) {
        int size = spec.valueSize();
        if (!spec.perCpu()) {
            byte[] out = valueIsSection ? owner.use(() -> raw.lookup(key)) : null;  // a section's variables not given stay
            if (out == null) {
                out = new byte[size];
            }
            codec.encode(valueType, value, out, 0, size, "value");
            return out;
        }
        int cpus = cpus();
        int stride = stride();
        byte[] out = new byte[cpus * stride];
        List<?> each = value instanceof List<?> l && l.size() == cpus && !listIsOneValue() ? l : null;
        byte[] one = new byte[size];
        for (int c = 0; c < cpus; c++) {
            if (each != null || c == 0) {
                codec.encode(valueType, each != null ? each.get(c) : value, one, 0, size, each != null ? "value[cpu " + c + "]" : "value");
            }
            System.arraycopy(one, 0, out, c * stride, size);
        }
        return out;
    }

    // a per-CPU map whose value type is itself an array: a List is one value, unless it is a list of lists
    private boolean listIsOneValue() {
        return spec.valueType() != null && spec.valueType().endsWith("]");
    }

    private Object decodeValue(byte[] v) {
        if (!spec.perCpu()) {
            return codec.decode(valueType, v, 0, spec.valueSize());
        }
        int stride = stride();
        List<Object> out = new ArrayList<>(v.length / stride);
        for (int off = 0; off + spec.valueSize() <= v.length; off += stride) {
            out.add(codec.decode(valueType, v, off, spec.valueSize()));
        }
        return Collections.unmodifiableList(out);
    }

    @SuppressWarnings("unchecked")
    private static Object add(Object a, Object b) {
        if (a instanceof Integer x && b instanceof Integer y) {
            return x + y;
        }
        if (a instanceof Long x && b instanceof Long y) {
            return x + y;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : x.entrySet()) {
                out.put((String) e.getKey(), add(e.getValue(), y.get(e.getKey())));
            }
            return out;
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            List<Object> out = new ArrayList<>(x.size());
            for (int i = 0; i < x.size(); i++) {
                out.add(add(x.get(i), y.get(i)));
            }
            return Collections.unmodifiableList(out);
        }
        return a;
    }

    private int stride() {
        return (spec.valueSize() + 7) & ~7;
    }

    private int rawValueSize() {
        return spec.perCpu() ? cpus() * stride() : spec.valueSize();
    }

    private void checkKey(byte[] key) {
        if (key.length != spec.keySize()) {
            throw new JxdpException("map " + name() + ": key of " + key.length + " bytes, want " + spec.keySize());
        }
    }

    private void check(String op, int rc) {
        if (rc != 0) {
            throw new JxdpException("map " + name() + ": " + op + " failed: " + errno(-rc));
        }
    }

    /** An errno as the kernel's headers name it, with what it means for a map. */
    static String errno(int e) {
        return switch (e) {
            case Errno.ENOENT -> "ENOENT (no such key)";
            case Errno.EEXIST -> "EEXIST (the key exists and the flags say NOEXIST)";
            case Errno.E2BIG -> "E2BIG (the map is full, or the key is beyond max_entries)";
            case Errno.EINVAL -> "EINVAL (the kernel refuses this key, value or flags)";
            case Errno.EPERM -> "EPERM (the map is frozen: programs only read it)";
            case Errno.ENOMEM -> "ENOMEM";
            case Errno.EBUSY -> "EBUSY";
            case Errno.EOPNOTSUPP, Errno.ENOTSUPP -> "EOPNOTSUPP (this map type does not support it)";
            default -> "errno " + e;
        };
    }

    @Override
    public String toString() {
        return "XdpMap[" + spec.name() + ", " + spec.type() + "]";
    }
}
