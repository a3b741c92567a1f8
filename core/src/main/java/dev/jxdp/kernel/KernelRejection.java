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

    public KernelRejection(String message, String program, String log, int errno) {
        super(message);
        this.program = program;
        this.log = log == null ? "" : log;
        this.errno = errno;
    }

    /** The program the kernel rejected, or null when it was not a program. */
    public String program() { return program; }

    /** The kernel's verifier log for the rejected load ("" when there is none). */
    public String log() { return log; }

    /** The errno bpf() returned. */
    public int errno() { return errno; }
}
