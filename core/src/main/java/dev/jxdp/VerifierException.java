package dev.jxdp;

/**
 * The verifier rejected a program at load, as the kernel's {@code BPF_PROG_LOAD} would. The fields carry
 * what the kernel's verifier log says: the instruction it stopped at, the reason in the kernel's words,
 * and the C source line when the object has BTF line info.
 *
 * <pre>{@code
 * try (XdpObject obj = ObjectSpec.read(path).load()) {
 *     ...
 * } catch (VerifierException e) {
 *     System.err.println(e.program() + " rejected at insn " + e.insn() + ": " + e.reason());
 *     System.err.println(e.log());
 * }
 * }</pre>
 */
public final class VerifierException extends JxdpException {

    private static final long serialVersionUID = 1L;

    /** The rejected program's name. */
    private final String program;
    /** The instruction index the rejection is about, or -1. */
    private final int insn;
    /** The verifier's message. */
    private final String reason;
    /** The log as the kernel prints it. */
    private final String log;
    /** The C source line of the rejected instruction, or null. */
    private final String sourceLine;

    /**
     * A rejection.
     *
     * @param program    the rejected program's name
     * @param insn       the instruction index the rejection is about, -1 when it is about none
     * @param reason     the kernel's message for it ({@code R1 invalid mem access 'scalar'})
     * @param log        the log as the kernel prints it: the rejected instruction in the kernel's
     *                   syntax with its C source line before it, then the message
     * @param sourceLine the C source line of the rejected instruction ({@code ; return *p; @ prog.c:12}),
     *                   or null when the object has no line info for it
     */
    public VerifierException(String program, int insn, String reason, String log, String sourceLine) {
        super("program " + program + ": the verifier rejects it" + (insn >= 0 ? " at insn " + insn : "") + ": "
                + reason.replace("\n", "; "));
        this.program = program;
        this.insn = insn;
        this.reason = reason;
        this.log = log;
        this.sourceLine = sourceLine;
    }

    /**
     * The rejected program.
     *
     * @return the program's name
     */
    public String program() { return program; }

    /**
     * The instruction the rejection is about.
     *
     * @return its index in the program (as {@code llvm-objdump} and the kernel's log number them), or -1
     */
    public int insn() { return insn; }

    /**
     * Why: the verifier's message as the kernel words it.
     *
     * @return the reason, e.g. {@code invalid access to packet, off=12 size=2, R2(id=0,off=12,r=0)}
     */
    public String reason() { return reason; }

    /**
     * The verifier log as the kernel shows it for the rejection: source line, instruction, message.
     *
     * @return the log, several lines
     */
    public String log() { return log; }

    /**
     * The C source line of the rejected instruction, from the object's BTF line info.
     *
     * @return the line ({@code ; if (*p > 3) @ prog.c:17}), or null when the object has none for it
     */
    public String sourceLine() { return sourceLine; }
}
