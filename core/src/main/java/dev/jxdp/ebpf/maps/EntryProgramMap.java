package dev.jxdp.ebpf.maps;

/**
 * DEVMAP, DEVMAP_HASH and CPUMAP: maps whose entries may carry a second XDP program, named in the value's
 * {@code bpf_prog} field ({@code struct bpf_devmap_val}, {@code struct bpf_cpumap_val}): a fd on the way in,
 * the program's id on the way out. jxdp has no fds, so the user side passes the program itself to
 * {@link #updateWithProgram}; a byte update with a positive fd answers as the kernel does for an fd that
 * names no fitting program.
 */
public interface EntryProgramMap {

    /** The attach type an entry's program must have: XDP_DEVMAP or XDP_CPUMAP. */
    AttachType entryAttachType();

    /**
     * BPF_MAP_UPDATE_ELEM of the value {@code {first, bpf_prog}}: {@code first} is the ifindex or qsize,
     * {@code prog} the entry's program (null: none). The kernel's codes, as the byte update gives them; a
     * program of the wrong attach type, or one on a map whose 4-byte values have no {@code bpf_prog} field,
     * is refused as the kernel refuses its fd.
     */
    int updateWithProgram(byte[] key, long first, ProgramRef prog, long flags);

    /** The program of the entry under {@code key} (a u32), or null: none, or no such entry. Allocation-free. */
    ProgramRef entryProgram(long key);
}
