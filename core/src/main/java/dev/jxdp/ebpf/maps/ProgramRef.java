package dev.jxdp.ebpf.maps;

/** A loaded program as a PROG_ARRAY slot holds it; the runtime's live program implements it. */
public interface ProgramRef {
    String name();
}
