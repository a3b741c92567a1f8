package dev.jxdp.ebpf.verifier;

/**
 * The verdict on one program.
 *
 * @param accepted whether the program is proven safe
 * @param insn     the instruction the rejection is about, -1 when accepted or not tied to one
 * @param message  the kernel's verifier-log message ({@code R1 invalid mem access 'scalar'}), null when accepted
 * @param context  the rejected instruction as the kernel's log shows it, with its C source line before it
 *                 ({@code ; return *p; @ prog.c:12} then {@code 7: (61) r0 = *(u32 *)(r1 +0)}), "" when none
 * @param log      the per-instruction state log when asked for, else ""
 * @param processed instructions the abstract interpreter processed (0 in {@link Verifier.Mode#CFG_ONLY})
 * @param facts    what the proof established per instruction, for the JIT; null unless accepted in
 *                 {@link Verifier.Mode#FULL}
 */
public record VerifierResult(boolean accepted, int insn, String message, String context, String log, int processed,
                             VerifierFacts facts) {

    static VerifierResult ok(String log, int processed, VerifierFacts facts) {
        return new VerifierResult(true, -1, null, "", log, processed, facts);
    }

    /** The report as the CLI prints it: context lines, then the message as the last line. */
    public String describe() {
        if (accepted) {
            return "accepted";
        }
        return context.isEmpty() ? message : context + "\n" + message;
    }
}
