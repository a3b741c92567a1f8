package dev.jxdp.ebpf.maps;

import java.util.List;

/**
 * A map as an object file declares it: plain data, no memory (the spec half of the spec/live split).
 *
 * @param name         the map's name: the variable name for BTF and legacy maps, libbpf's name for global
 *                     data ({@code .data}, {@code .rodata}, {@code .bss}, {@code .rodata.str1.1}, ...)
 * @param type         kernel map type id ({@link MapType#byId}; kept raw so an unknown id can be reported)
 * @param keySize      bytes
 * @param valueSize    bytes
 * @param maxEntries   capacity
 * @param flags        map_flags (BPF_F_NO_PREALLOC, BPF_F_RDONLY_PROG, ...)
 * @param initialData  for global data: the section's bytes, the value of key 0 (null otherwise)
 * @param readOnly     frozen for programs (.rodata and friends): program writes fault
 * @param initialSlots for a PROG_ARRAY, ARRAY_OF_MAPS or HASH_OF_MAPS declared with
 *                     {@code __array(values, ...)}: slot (the key) → the program or inner map it holds
 * @param section      the ELF section that declared it, for messages
 * @param inner        for ARRAY_OF_MAPS and HASH_OF_MAPS: the inner map template (libbpf's
 *                     {@code NAME.inner}, the kernel's inner_map_meta) every inner map must match; null
 *                     otherwise
 * @param spinLockOff  where the value's {@code struct bpf_spin_lock} is (its BTF type says, as
 *                     btf_parse_fields() finds it), {@link #NO_SPIN_LOCK} when the value type has none,
 *                     {@link #NO_BTF} when the map has no BTF value type (a legacy or size-only map)
 * @param btfKeyType   the BTF type id of the key ({@code __type(key, ...)}), 0 when BTF does not say
 * @param btfValueType the BTF type id of the value ({@code __type(value, ...)}; for global data the section's
 *                     DATASEC), 0 when BTF does not say
 */
public record MapSpec(String name, int type, int keySize, int valueSize, int maxEntries, int flags,
                      byte[] initialData, boolean readOnly, List<Slot> initialSlots, String section,
                      MapSpec inner, int spinLockOff, int btfKeyType, int btfValueType) {

    /** A map whose key and value types BTF does not name. */
    public MapSpec(String name, int type, int keySize, int valueSize, int maxEntries, int flags,
                   byte[] initialData, boolean readOnly, List<Slot> initialSlots, String section,
                   MapSpec inner, int spinLockOff) {
        this(name, type, keySize, valueSize, maxEntries, flags, initialData, readOnly, initialSlots, section, inner,
                spinLockOff, 0, 0);
    }

    /** {@link #spinLockOff}: the value's BTF type holds no bpf_spin_lock */
    public static final int NO_SPIN_LOCK = -1;
    /** {@link #spinLockOff}: the map has no BTF value type (the kernel's map->btf is NULL) */
    public static final int NO_BTF = -2;
    /** sizeof(struct bpf_spin_lock) */
    public static final int SPIN_LOCK_SIZE = 4;

    /** A map that is not a map-in-map, with its value's spin lock (or none). */
    public MapSpec(String name, int type, int keySize, int valueSize, int maxEntries, int flags,
                   byte[] initialData, boolean readOnly, List<Slot> initialSlots, String section, int spinLockOff) {
        this(name, type, keySize, valueSize, maxEntries, flags, initialData, readOnly, initialSlots, section, null,
                spinLockOff);
    }

    /** A map without BTF for its value, a map-in-map when {@code inner} is its template. */
    public MapSpec(String name, int type, int keySize, int valueSize, int maxEntries, int flags,
                   byte[] initialData, boolean readOnly, List<Slot> initialSlots, String section, MapSpec inner) {
        this(name, type, keySize, valueSize, maxEntries, flags, initialData, readOnly, initialSlots, section, inner,
                NO_BTF);
    }

    /** Whether the value holds a bpf_spin_lock. */
    public boolean hasSpinLock() { return spinLockOff >= 0; }

    /** A map that is not a map-in-map, without BTF for its value. */
    public MapSpec(String name, int type, int keySize, int valueSize, int maxEntries, int flags,
                   byte[] initialData, boolean readOnly, List<Slot> initialSlots, String section) {
        this(name, type, keySize, valueSize, maxEntries, flags, initialData, readOnly, initialSlots, section, null,
                NO_BTF);
    }

    /**
     * One initial entry of a PROG_ARRAY or map-in-map: {@code slot} holds the program (PROG_ARRAY) or the
     * inner map (ARRAY_OF_MAPS, HASH_OF_MAPS: the u32 key {@code slot}) named {@code target}.
     */
    public record Slot(int slot, String target) {}

    public MapType mapType() { return MapType.byId(type); }

    /** Whether this is an ARRAY_OF_MAPS or HASH_OF_MAPS (its values are inner maps). */
    public boolean isMapInMap() {
        return type == MapType.ARRAY_OF_MAPS.id() || type == MapType.HASH_OF_MAPS.id();
    }

    /** The same map with this initial value (global data's bytes). */
    public MapSpec withInitialData(byte[] data) {
        return new MapSpec(name, type, keySize, valueSize, maxEntries, flags, data, readOnly, initialSlots, section,
                inner, spinLockOff, btfKeyType, btfValueType);
    }

    /** The same map with these initial slots. */
    public MapSpec withInitialSlots(List<Slot> slots) {
        return new MapSpec(name, type, keySize, valueSize, maxEntries, flags, initialData, readOnly, slots, section,
                inner, spinLockOff, btfKeyType, btfValueType);
    }

    /** The same map with this capacity (libbpf's bpf_map__set_max_entries() before load). */
    public MapSpec withMaxEntries(int entries) {
        return new MapSpec(name, type, keySize, valueSize, entries, flags, initialData, readOnly, initialSlots, section,
                inner, spinLockOff, btfKeyType, btfValueType);
    }

    /** The same map with the BTF type ids of its key and value. */
    public MapSpec withBtfTypes(int keyType, int valueType) {
        return new MapSpec(name, type, keySize, valueSize, maxEntries, flags, initialData, readOnly, initialSlots, section,
                inner, spinLockOff, keyType, valueType);
    }
}
