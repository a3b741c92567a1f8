package dev.jxdp.kernel;

import dev.jxdp.ebpf.BpfException;

/**
 * The kernel refused something jxdp asked of it through bpf(): a program the verifier rejected (its log
 * carried whole in {@link #log()}), a map or BTF it would not create. The message is one line naming the
 * thing, the errno and, for a program, the verifier's last word.
 */
public final class KernelRejection extends BpfException {

    private final String program;
    private final String log;
    private final int errno;
    private final int insn;
    private final String reason;

    public KernelRejection(String message, String program, String log, int errno) {
        this(message, program, log, errno, -1, message);
    }

    /** A program the verifier rejected at {@code insn} (-1: at none) for {@code reason}, its last word. */
    public KernelRejection(String message, String program, String log, int errno, int insn, String reason) {
        super(message);
        this.program = program;
        this.log = log == null ? "" : log;
        this.errno = errno;
        this.insn = insn;
        this.reason = reason;
    }

    /** The instruction the verifier stopped at, or -1. */
    public int insn() { return insn; }

    /** The verifier's last word (or the whole message when it was not the verifier). */
    public String reason() { return reason; }

    /** The program the kernel rejected, or null when it was not a program. */
    public String program() { return program; }

    /** The kernel's verifier log for the rejected load ("" when there is none). */
    public String log() { return log; }

    /** The errno bpf() returned. */
    public int errno() { return errno; }
}
