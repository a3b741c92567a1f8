package dev.jxdp;

/**
 * One map as an object file declares it (plain data, nothing allocated). Global variables are maps too,
 * named as libbpf names them ({@code .bss}, {@code .data}, {@code .rodata} prefixed with up to 8
 * characters of the object's name, e.g. {@code global_d.bss}).
 *
 * @param name       the map's name: the variable's for a map of {@code SEC(".maps")}
 * @param type       the map type as the kernel and bpftool spell it: {@code hash}, {@code array},
 *                   {@code percpu_array}, {@code lpm_trie}, {@code devmap}, ...
 * @param keySize    bytes per key
 * @param valueSize  bytes per value (per CPU, for a per-CPU map)
 * @param maxEntries capacity
 * @param flags      {@code map_flags} ({@code BPF_F_NO_PREALLOC} = 1, {@code BPF_F_RDONLY_PROG} = 0x80, ...)
 * @param keyType    the key's C type as BTF names it ({@code __u32}, {@code struct tuple}), or null when
 *                   the object's BTF does not say
 * @param valueType  the value's C type as BTF names it ({@code struct conn}; for global data the
 *                   section, {@code .bss}), or null when the object's BTF does not say
 */
public record MapSpec(String name, String type, int keySize, int valueSize, int maxEntries, int flags,
                      String keyType, String valueType) {

    /**
     * Whether the map keeps a value per CPU ({@code percpu_hash}, {@code percpu_array},
     * {@code lru_percpu_hash}).
     *
     * @return true for a per-CPU map
     */
    public boolean perCpu() {
        return type.startsWith("percpu_") || type.startsWith("lru_percpu_");
    }

    static MapSpec of(dev.jxdp.ebpf.maps.MapSpec m, dev.jxdp.ebpf.elf.Btf btf) {
        dev.jxdp.ebpf.maps.MapType t = m.mapType();
        return new MapSpec(m.name(), t == null ? "type " + m.type() : t.kernelName(), m.keySize(), m.valueSize(),
                m.maxEntries(), m.flags(), BtfCodec.typeName(btf, m.btfKeyType()), BtfCodec.typeName(btf, m.btfValueType()));
    }
}
