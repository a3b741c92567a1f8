package dev.jxdp.ebpf.maps;

/** A loaded program as a PROG_ARRAY slot holds it; the runtime's live program implements it. */
public interface ProgramRef {
    String name();

    /** The program's id, what BPF_MAP_LOOKUP_ELEM on a PROG_ARRAY reports; 0 when the runtime has none. */
    default int id() { return 0; }
}
