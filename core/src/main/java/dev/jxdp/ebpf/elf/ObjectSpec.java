package dev.jxdp.ebpf.elf;

import dev.jxdp.ebpf.maps.MapSpec;

import java.util.List;

/**
 * Everything an eBPF object file declares, as plain data: its maps (BTF-defined, legacy and global data,
 * in one list whose index is the map index {@code lddw} instructions name) and its programs.
 *
 * @param path     the file it came from, for messages
 * @param maps     every map; programs name them by index with PSEUDO_MAP_IDX / PSEUDO_MAP_IDX_VALUE
 * @param programs every program, in section then offset order
 * @param license  the {@code license} section's string, or "" when absent
 * @param btf      the object's {@code .BTF} types and strings, or null when it has none
 */
public record ObjectSpec(String path, List<MapSpec> maps, List<ProgramSpec> programs, String license, Btf btf) {

    /** An object without BTF. */
    public ObjectSpec(String path, List<MapSpec> maps, List<ProgramSpec> programs, String license) {
        this(path, maps, programs, license, null);
    }

    public ProgramSpec program(String name) {
        for (ProgramSpec p : programs) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }

    /**
     * This object with {@code const volatile} globals set before load ({@code NAME -> VALUE}, see
     * {@link RodataConstants#apply}), as a libbpf skeleton or cilium/ebpf's RewriteConstants sets them.
     */
    public ObjectSpec withConstants(java.util.Map<String, String> values) {
        return RodataConstants.apply(this, values);
    }

    /** Every program loaded as XDP whatever its section, as {@code bpftool prog load ... type xdp} does. */
    public ObjectSpec asXdp() {
        List<ProgramSpec> typed = new java.util.ArrayList<>();
        programs.forEach(p -> typed.add(p.asXdp()));
        return new ObjectSpec(path, maps, List.copyOf(typed), license, btf);
    }

    /** The sections that are XDP by libbpf 0.x's prefix rule only ({@link ProgramSpec#legacyXdp()}), each once. */
    public List<String> legacyXdpSections() {
        return programs.stream().filter(ProgramSpec::legacyXdp).map(ProgramSpec::section).distinct().toList();
    }

    public int mapIndex(String name) {
        for (int i = 0; i < maps.size(); i++) {
            if (maps.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }
}
