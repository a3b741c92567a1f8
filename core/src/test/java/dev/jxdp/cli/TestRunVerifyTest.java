package dev.jxdp.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** test-run verifies the object's programs before it runs anything, as the kernel's load does. */
class TestRunVerifyTest {

    private static final Path BPF = Path.of(System.getProperty("jxdp.repo", "."), "core/src/test/bpf");

    @TempDir
    Path tmp;

    // 14-byte Ethernet header only: the unchecked IP read is past data_end
    private Path shortFrame() throws Exception {
        Path frame = tmp.resolve("eth.bin");
        Files.write(frame, new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0});
        return frame;
    }

    @Test
    void aProgramTheVerifierRejectsIsNotRun() throws Exception {
        Path obj = BPF.resolve("elf_bad_verify_pkt.o");
        for (String engine : new String[] {"jit", "interp"}) {
            CliTest.Run r = CliTest.jxdp("test-run", "--obj", obj.toString(), "--data-in", shortFrame().toString(),
                    "--engine", engine, "--json");
            assertEquals(2, r.status(), r.err());
            assertEquals("", r.out());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("jxdp: " + obj + ": the verifier rejects program xdp_short_check at insn "), r.err());
            assertTrue(r.err().contains("invalid access to packet"), r.err());
            assertTrue(r.err().contains("--no-verify"), r.err());
        }
    }

    @Test
    void noVerifyRunsItWithEveryAccessCheckedAndTheFaultExplained() throws Exception {
        Path obj = BPF.resolve("elf_bad_verify_pkt.o");
        CliTest.Run r = CliTest.jxdp("test-run", "--no-verify", "--obj", obj.toString(), "--data-in",
                shortFrame().toString(), "--json");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("{\"retval\":0,"), "XDP_ABORTED: " + r.out());
        assertTrue(r.err().contains("program xdp_short_check aborted"), r.err());
    }

    @Test
    void rodataIsFrozenAfterLoadSoMapInitCannotChangeWhatTheVerifierTookAsConstant() throws Exception {
        // the kernel: an update of a frozen map is EPERM (test-run --engine kernel exits 2 too)
        Path init = tmp.resolve("ro.json");
        Files.writeString(init, "{\"maps\":{\"global_d_rodata\":[{\"key\":\"00000000\",\"value\":\"18000000dc0500006a78647000\"}]}}");
        Path frame = tmp.resolve("udp.bin");
        Files.write(frame, java.util.HexFormat.of().parseHex(
                "02000000000202000000000108004500003200010000401100000a0000010a00000204d20035001e0000"
                        + "00000000000000000000000000000000000000000000"));
        CliTest.Run r = CliTest.jxdp("test-run", "--obj", BPF.resolve("global_data.o").toString(), "--data-in",
                frame.toString(), "--map-init", init.toString(), "--json");
        assertEquals(2, r.status(), r.err());
        assertEquals("jxdp: " + init + ": map global_d_rodata key 00000000: update failed: EPERM (.rodata is frozen after load, "
                + "as libbpf does)", r.err().strip());
    }
}
