package dev.jxdp.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bpf_conformance plugin protocol, with programs written here in the suite's hex format. */
class BpfConformancePluginTest {

    record Result(int status, String out, String err) {}

    static Result plugin(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = BpfConformancePlugin.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.US_ASCII)),
                new PrintStream(out, true), new PrintStream(err, true));
        return new Result(status, out.toString().strip(), err.toString().strip());
    }

    // ldxw r0, [r1+0]; exit
    static final String LOAD_WORD = "61 10 00 00 00 00 00 00  95 00 00 00 00 00 00 00";

    @Test
    void printsR0InHex() {
        Result r = plugin(LOAD_WORD, "00 01 02 03  ");
        assertEquals(0, r.status(), r.err());
        assertEquals("3020100", r.out());
    }

    @Test
    void r2HoldsTheMemoryLength() {
        // mov r0, r2; exit
        assertEquals("5", plugin("bf 20 00 00 00 00 00 00 95 00 00 00 00 00 00 00", "aa bb cc dd ee").out());
    }

    @Test
    void noMemoryArgumentMeansEmptyMemory() {
        // mov r0, -1; exit
        Result r = plugin("b7 00 00 00 ff ff ff ff\n95 00 00 00 00 00 00 00\n");
        assertEquals("ffffffffffffffff", r.out());
    }

    @Test
    void engineOptionIsAccepted() {
        assertEquals("3020100", plugin(LOAD_WORD, "00 01 02 03", "--engine", "interp").out());
    }

    @Test
    void ktimeHelperIsAvailable() {
        // call 5; mov r0, 2; exit
        assertEquals("2", plugin("85 00 00 00 05 00 00 00 b7 00 00 00 02 00 00 00 95 00 00 00 00 00 00 00").out());
    }

    @Test
    void faultPrintsTheReasonAndFails() {
        // ldxw r0, [r1+8] on 4 bytes of memory
        Result r = plugin("61 10 08 00 00 00 00 00 95 00 00 00 00 00 00 00", "00 01 02 03");
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("insn 0: "), r.err());
        assertEquals("", r.out());
    }

    @Test
    void unknownHelperDoesNotLoad() {
        Result r = plugin("85 00 00 00 e7 03 00 00 95 00 00 00 00 00 00 00");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("invalid helper 999"), r.err());
    }

    @Test
    void jitEngineRunsTheProgram() {
        assertEquals("3020100", plugin(LOAD_WORD, "00 01 02 03", "--engine", "jit").out());
        Result r = plugin("61 10 08 00 00 00 00 00 95 00 00 00 00 00 00 00", "00 01 02 03", "--engine", "jit");
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("insn 0: "), r.err());
    }

    @Test
    void unknownEngineIsRefused() {
        assertEquals(2, plugin(LOAD_WORD, "00 01 02 03", "--engine", "turbo").status());
    }

    @Test
    void badHexIsRefused() {
        assertEquals(2, plugin("61 1", "00").status());
        assertEquals(2, plugin("zz 00 00 00 00 00 00 00").status());
    }

    @Test
    void partialInstructionIsRefused() {
        Result r = plugin("61 10 00 00");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("not a multiple of 8"), r.err());
    }

    @Test
    void elfObjectRunsItsProgram() throws Exception {
        Path obj = Path.of(System.getProperty("jxdp.repo", "."), "core/src/test/bpf/elf_loop.o");
        String hex = HexFormat.ofDelimiter(" ").formatHex(Files.readAllBytes(obj));
        Result r = plugin(hex, "--elf");
        assertEquals(0, r.status(), r.err());
        assertEquals("2", r.out());
    }
}
