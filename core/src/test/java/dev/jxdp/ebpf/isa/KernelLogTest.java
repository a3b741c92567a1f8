package dev.jxdp.ebpf.isa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Against the real kernel: every instruction line its verifier printed for our test objects
 * (recorded in kernel-verifier-lines.txt) assembles to the opcode the kernel printed, passes
 * InsnCheck, and disassembles to the kernel's exact text (lddw adds only its {@code ll}).
 */
class KernelLogTest {

    @Test
    void disassemblyEqualsTheKernelsVerifierLog() throws IOException {
        List<String> lines = kernelLines();
        assertTrue(lines.size() > 500, "recorded kernel lines: " + lines.size());
        List<String> wrong = new ArrayList<>();
        for (String line : lines) {
            String kernelText = line.substring(5);
            Insn[] p = Asm.assemble(line); // checks the (xx) opcode against the encoding
            String ours = Disasm.insn(p, 0);
            String expected = p[0].isLddw() ? kernelText + " ll" : kernelText;
            if (!ours.equals(expected) || !InsnCheck.isValid(p[0])) {
                wrong.add(line + "  ->  " + ours + "  " + InsnCheck.reason(p[0]));
            }
        }
        assertEquals(List.of(), wrong);
    }

    private static List<String> kernelLines() throws IOException {
        try (InputStream in = KernelLogTest.class.getResourceAsStream("kernel-verifier-lines.txt")) {
            List<String> out = new ArrayList<>();
            for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!l.isBlank() && !l.startsWith("#")) {
                    out.add(l);
                }
            }
            return out;
        }
    }
}
