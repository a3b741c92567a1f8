package dev.jxdp.ebpf.maps;

/**
 * A loaded program as a map entry holds it (PROG_ARRAY slots, DEVMAP and CPUMAP entries' second program);
 * the runtime's live program implements it.
 */
public interface ProgramRef {
    String name();

    /** The program's id, what a user-space lookup of a slot holding it reports; 0 when the runtime has none. */
    default int id() { return 0; }

    /** Where the program may run; DEVMAP and CPUMAP entries take only their own kind. */
    default AttachType expectedAttachType() { return AttachType.NONE; }
}
