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
 * @param initialSlots for PROG_ARRAY declared with {@code __array(values, ...)}: slot → program name
 * @param section      the ELF section that declared it, for messages
 */
public record MapSpec(String name, int type, int keySize, int valueSize, int maxEntries, int flags,
                      byte[] initialData, boolean readOnly, List<Slot> initialSlots, String section) {

    /** One initial entry of a PROG_ARRAY: {@code slot} holds the program named {@code program}. */
    public record Slot(int slot, String program) {}

    public MapType mapType() { return MapType.byId(type); }
}
