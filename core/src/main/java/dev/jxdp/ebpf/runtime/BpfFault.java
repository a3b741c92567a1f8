package dev.jxdp.ebpf.runtime;

/**
 * A run that had to stop: an access outside every region the program may reach, a helper given a bad
 * pointer, the instruction limit. The kernel's verifier would have rejected such a program; jxdp stops
 * it with XDP_ABORTED and this explanation instead of crashing. {@code insn} is the index of the
 * instruction at fault, or -1 when not known; the engine that catches it adds the disassembly and
 * source line.
 */
public final class BpfFault extends RuntimeException {
    private final int insn;

    public BpfFault(String message) {
        this(-1, message);
    }

    public BpfFault(int insn, String message) {
        super(message, null, false, false);
        this.insn = insn;
    }

    public int insn() { return insn; }

    public BpfFault at(int insnIndex, String explained) {
        return new BpfFault(insnIndex, explained);
    }
}
