package dev.jxdp.kernel;

import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.isa.HelperIds;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The committed objects that call jxdp's extension helpers ({@link HelperIds#JXDP_FIRST} and up), which
 * the kernel does not have: its verifier refuses them ("invalid func unknown#65536") and jxdp runs them.
 * The suites that compare jxdp with the kernel (VerifierDifferentialTest, KernelDifferentialTest,
 * EveryObjectBothEnginesTest) accept that difference for these objects only, and only when the kernel's
 * refusal is that very call ({@link #isExtensionRefusal}); any other object the kernel refuses and jxdp
 * accepts still fails them.
 */
public final class JxdpExtensionObjects {
    private JxdpExtensionObjects() {}

    private static final String REDIRECT_XSK = "jxdp extension helper 0x10000 (bpf_redirect_xsk, "
            + "include/jxdp_helpers.h): the kernel has no such helper";

    /** Repository-relative object path: why the kernel cannot load it. */
    public static final Map<String, String> OBJECTS = Map.of(
            "core/src/test/bpf/xsk_redirect_xsk.o", REDIRECT_XSK,
            "core/src/main/resources/dev/jxdp/bench/xdp_bench_redirect_xsk.o", REDIRECT_XSK);

    // the kernel verifier's words for a helper id it does not have
    private static final Pattern UNKNOWN_FUNC = Pattern.compile("^invalid func unknown#(\\d+)$");

    /**
     * True when the kernel refused program {@code p} at instruction {@code insn} with {@code message}
     * because that instruction calls a jxdp extension helper: the one refusal the list excuses.
     */
    public static boolean isExtensionRefusal(ProgramSpec p, int insn, String message) {
        Matcher m = UNKNOWN_FUNC.matcher(message);
        if (!m.matches() || insn < 0 || insn >= p.insns().length) {
            return false;
        }
        int id = Integer.parseInt(m.group(1));
        Insn in = p.insns()[insn];
        return HelperIds.isJxdpExtension(id) && in.opcode() == (Op.JMP | Op.CALL) && in.src() == Op.CALL_HELPER
                && in.imm() == id;
    }

    /** The kernel engine's refusal of a program ({@code jxdp test-run} prints it) names an extension helper. */
    public static boolean isExtensionRefusal(String stderr) {
        return stderr.contains("the kernel rejected it at insn ")
                && stderr.contains(": invalid func unknown#" + HelperIds.JXDP_REDIRECT_XSK);
    }
}
