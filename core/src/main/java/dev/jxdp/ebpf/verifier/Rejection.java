package dev.jxdp.ebpf.verifier;

/**
 * Why the verifier refuses a program: the kernel's verifier-log message and the instruction it is
 * about (-1 when it concerns the whole program). Thrown inside the verifier, turned into a
 * {@link VerifierResult} at its edge.
 */
final class Rejection extends RuntimeException {
    final int insn;

    Rejection(int insn, String message) {
        super(message, null, false, false);
        this.insn = insn;
    }
}
