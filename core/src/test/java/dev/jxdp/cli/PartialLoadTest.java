package dev.jxdp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.runtime.BpfCollection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An object loads program by program, as libbpf's does: load_partial.o's xdp_sock_lookup calls
 * bpf_sk_lookup_tcp, which the kernel allows XDP programs and jxdp lacks; xdp_udp_count beside it loads,
 * verifies and runs (its runs are compared with the kernel's in KernelDifferentialTest, load_partial.json).
 */
final class PartialLoadTest {

    static final Path OBJ = CliTest.BPF.resolve("load_partial.o");
    /** IPv4 UDP 10.0.0.1:40000 > 10.0.0.2:5000, 13 bytes of payload. */
    static final String UDP = "02000000000202000000000108004500002812344000401100000a0000010a0000029c4013880014000068656c6c6f68656c6c6f68656c";

    @TempDir
    Path tmp;

    @Test
    void theCollectionKeepsTheProgramItCannotLoadWithItsReason() {
        try (BpfCollection c = BpfCollection.load(ElfLoader.load(OBJ))) {
            assertNull(c.program("xdp_udp_count").unsupported());
            assertTrue(c.program("xdp_udp_count").runnable());
            assertEquals("instruction 33: helper bpf_sk_lookup_tcp#84 is not supported",
                    c.program("xdp_sock_lookup").unsupported());
            BpfException e = assertThrows(BpfException.class, () -> JitCompiler.verifying().program(c.program("xdp_sock_lookup")));
            assertEquals("program xdp_sock_lookup cannot be loaded by jxdp: instruction 33: helper bpf_sk_lookup_tcp#84"
                    + " is not supported", e.getMessage());
        }
    }

    @Test
    void theOtherProgramRuns() throws Exception {
        Path frame = Files.write(tmp.resolve("udp.bin"), HexFormat.of().parseHex(UDP));
        CliTest.Run r = CliTest.jxdp("test-run", "--obj", OBJ.toString(), "--prog", "xdp_udp_count",
                "--data-in", frame.toString(), "--json");
        assertEquals(0, r.status(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(1, j.get("retval").asInt(), "XDP_DROP, as the kernel answers (load_partial.json ipv4_udp)");
        assertEquals("0100000000000000", j.at("/maps/udp_seen/1/value").asText());
        assertEquals("", r.err());
    }

    @Test
    void choosingTheProgramItCannotLoadIsOneLineAndExit2() throws Exception {
        Path frame = Files.write(tmp.resolve("udp.bin"), HexFormat.of().parseHex(UDP));
        for (String cmd : new String[] {"test-run", "run", "jit"}) {
            String[] args = switch (cmd) {
                case "test-run" -> new String[] {"test-run", "--obj", OBJ.toString(), "--prog", "xdp_sock_lookup",
                        "--data-in", frame.toString()};
                case "run" -> new String[] {"run", "--obj", OBJ.toString(), "--prog", "xdp_sock_lookup",
                        "--in", "pktgen:flows=1,size=64", "--count", "1"};
                default -> new String[] {"jit", OBJ.toString(), "--prog", "xdp_sock_lookup"};
            };
            CliTest.assertOneLineError(CliTest.jxdp(args), "load_partial.o: program xdp_sock_lookup cannot be loaded by"
                    + " jxdp: instruction 33: helper bpf_sk_lookup_tcp#84 is not supported");
        }
        CliTest.assertOneLineError(CliTest.jxdp("verify", OBJ.toString(), "--prog", "xdp_sock_lookup"),
                "load_partial.o: program xdp_sock_lookup: not loaded: jxdp cannot load it: instruction 33: helper"
                        + " bpf_sk_lookup_tcp#84 is not supported");
    }

    @Test
    void withoutProgTheChoiceDoesNotDependOnWhatJxdpSupports() throws Exception {
        Path frame = Files.write(tmp.resolve("udp.bin"), HexFormat.of().parseHex(UDP));
        CliTest.assertOneLineError(CliTest.jxdp("test-run", "--obj", OBJ.toString(), "--data-in", frame.toString()),
                "load_partial.o: several XDP programs (xdp_udp_count, xdp_sock_lookup [jxdp cannot load it]); choose one with --prog");
    }

    @Test
    void withoutProgTheOnlyXdpProgramIsChosenBesideOthers() throws Exception {
        // elf_multi.o has four XDP programs and a tc one; with --type xdp all five are XDP
        Path frame = Files.write(tmp.resolve("udp.bin"), HexFormat.of().parseHex(UDP));
        CliTest.assertOneLineError(CliTest.jxdp("test-run", "--obj", CliTest.BPF.resolve("elf_multi.o").toString(),
                "--data-in", frame.toString()), "several XDP programs (xdp_first, xdp_second, xdp_third, xdp_frags);");
    }

    @Test
    void verifyReportsEveryProgramAndTheOneItCannotLoad() {
        CliTest.Run r = CliTest.jxdp("verify", OBJ.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("xdp_udp_count: accepted (processed 60 insns)\n"
                + "xdp_sock_lookup: not loaded: jxdp cannot load it: instruction 33: helper bpf_sk_lookup_tcp#84 is not supported\n",
                r.out());
    }

    @Test
    void itCannotBePutInAProgArray() throws Exception {
        Path init = Files.writeString(tmp.resolve("init.json"), "{\"maps\": {\"next_stage\": [{\"key\": \"00000000\", "
                + "\"prog\": \"xdp_sock_lookup\"}]}}");
        Path frame = Files.write(tmp.resolve("udp.bin"), HexFormat.of().parseHex(UDP));
        CliTest.assertOneLineError(CliTest.jxdp("test-run", "--obj", OBJ.toString(), "--prog", "xdp_udp_count",
                "--data-in", frame.toString(), "--map-init", init.toString()),
                "init.json: map next_stage key 00000000: program xdp_sock_lookup cannot be loaded by jxdp: instruction 33:");
    }

    @Test
    void aProgramOfAnotherTypeIsNamedWithItsSection() throws Exception {
        Path frame = Files.write(tmp.resolve("udp.bin"), HexFormat.of().parseHex(UDP));
        CliTest.assertOneLineError(CliTest.jxdp("test-run", "--obj", CliTest.BPF.resolve("elf_multi.o").toString(),
                "--prog", "tc_prog", "--data-in", frame.toString()),
                "elf_multi.o: program tc_prog is in section tc, not an XDP one: test-run runs XDP programs only"
                        + " (--type xdp loads every program as XDP");
        CliTest.Run v = CliTest.jxdp("verify", CliTest.BPF.resolve("elf_multi.o").toString());
        assertEquals(0, v.status(), v.err());
        assertTrue(v.out().contains("tc_prog: not verified: section tc is not an XDP one"), v.out());
    }
}
