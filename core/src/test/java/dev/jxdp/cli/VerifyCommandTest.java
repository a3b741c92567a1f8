package dev.jxdp.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VerifyCommandTest {

    static final Path BPF = Path.of(System.getProperty("jxdp.repo", "."), "core/src/test/bpf");

    record Run(int status, String out, String err) {}

    static Run jxdp(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void acceptedProgramsExitZero() {
        Run r = jxdp("verify", BPF.resolve("tail_dispatch.o").toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("xdp_dispatch: accepted"), r.out());
    }

    @Test
    void rejectedProgramExitsOneWithTheMessageLast() {
        Run r = jxdp("verify", BPF.resolve("elf_bad_helper.o").toString());
        assertEquals(1, r.status(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals("invalid func unknown#999", lines[lines.length - 1]);
        assertEquals("0: (85) call unknown#999", lines[lines.length - 2]);
    }

    @Test
    void unsafePacketReadIsRejectedWithTheKernelsMessage() {
        Run r = jxdp("verify", BPF.resolve("elf_bad_verify_pkt.o").toString());
        assertEquals(1, r.status(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals("R1 offset is outside of the packet", lines[lines.length - 1]);
        assertEquals("invalid access to packet, off=23 size=1, R1(id=0,off=23,r=14)", lines[lines.length - 2]);
        assertEquals("6: (71) r1 = *(u8 *)(r1 +23)", lines[lines.length - 3]);
        assertTrue(lines[lines.length - 4].endsWith("@ elf_bad_verify_pkt.c:14"), r.out());
    }

    @Test
    void cfgModeChecksOnlyTheStructure() {
        Run r = jxdp("verify", "--mode", "cfg", BPF.resolve("elf_bad_verify_pkt.o").toString());
        assertEquals(0, r.status(), r.out() + r.err());
    }

    @Test
    void logShowsTheStatesAfterEachInstruction() {
        Run r = jxdp("verify", "--log", BPF.resolve("elf_tail.o").toString(), "--prog", "tail_entry");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("R1=ctx(id=0,off=0)"), r.out());
        assertTrue(r.out().strip().endsWith("tail_entry: accepted (processed 6 insns)"), r.out());
    }

    @Test
    void unknownProgramIsBadInput() {
        Run r = jxdp("verify", BPF.resolve("tail_dispatch.o").toString(), "--prog", "nope");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("no program nope"), r.err());
    }

    @Test
    void missingFileIsBadInput() {
        assertEquals(2, jxdp("verify", BPF.resolve("nope.o").toString()).status());
    }
}
