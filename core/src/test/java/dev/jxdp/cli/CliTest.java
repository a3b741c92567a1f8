package dev.jxdp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CliTest {

    static final Path REPO = Path.of(System.getProperty("jxdp.repo", "."));
    static final Path DEMO = REPO.resolve("examples/xdp_demo.o");

    /** An ICMP echo request 10.0.0.1 > 10.0.0.2 and what the kernel made of it (test-run --engine kernel, 6.18). */
    static final String PING = "02000000000202000000000108004500002400000000400166d70a0000010a00000208006668000100016162636465666768";
    static final String PONG = "02000000000102000000000208004500002400000000400166d70a0000020a00000100006e68000100016162636465666768";

    @TempDir
    Path tmp;

    record Run(int status, String out, String err) {}

    static Run jxdp(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    Path file(String name, byte[] bytes) throws Exception {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    /** A JSON object's field names, in order: what a row of a bench suite's JSON contract names. */
    static java.util.List<String> fields(JsonNode o) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (java.util.Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }

    /** The file is a PNG: its signature's "PNG" after the first byte. */
    static void assertPng(Path file) throws java.io.IOException {
        byte[] head = Files.readAllBytes(file);
        assertTrue(head.length > 8 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G', file + ": a PNG");
    }

    static void assertOneLineError(Run r, String expectedPart) {
        assertEquals(2, r.status(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("jxdp: "), r.err());
        assertTrue(r.err().contains(expectedPart), r.err());
    }

    @Test
    void devmapAndCpumapProgramsAreNotTestRunAsInTheKernel() throws Exception {
        // bpf_prog_test_run_xdp() refuses BPF_XDP_DEVMAP and BPF_XDP_CPUMAP programs with EINVAL
        Path frame = file("ping.bin", HexFormat.of().parseHex(PING));
        Path obj = REPO.resolve("core/src/test/bpf/maps_devmap_prog.o");
        assertOneLineError(jxdp("test-run", "--obj", obj.toString(), "--prog", "xdp_egress_mark", "--data-in",
                frame.toString()), "(attach type BPF_XDP_DEVMAP): BPF_PROG_TEST_RUN does not run it, the kernel says EINVAL");
        obj = REPO.resolve("core/src/test/bpf/maps_cpumap_prog.o");
        assertOneLineError(jxdp("test-run", "--obj", obj.toString(), "--prog", "xdp_cpu_stage", "--data-in",
                frame.toString()), "(attach type BPF_XDP_CPUMAP): BPF_PROG_TEST_RUN does not run it");
    }

    @Test
    void testRunJsonMatchesTheKernelOnAnEchoRequest() throws Exception {
        Path frame = file("ping.bin", HexFormat.of().parseHex(PING));
        Run r = jxdp("test-run", "--obj", DEMO.toString(), "--data-in", frame.toString(), "--json");
        assertEquals(0, r.status(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(3, j.get("retval").asInt());
        assertEquals(PONG, j.get("data_out").asText());
        assertEquals("01000000000000003200000000000000", j.get("maps").get("stats").get(3).get("value").asText());
        assertTrue(j.get("duration_ns").isNumber());
    }

    @Test
    void testRunWritesDataOut() throws Exception {
        Path frame = file("ping.bin", HexFormat.of().parseHex(PING));
        Path out = tmp.resolve("out.bin");
        Run r = jxdp("test-run", "--obj", DEMO.toString(), "--data-in", frame.toString(), "--data-out", out.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals(PONG, HexFormat.of().formatHex(Files.readAllBytes(out)));
        assertTrue(r.out().contains("XDP_TX"), r.out());
    }

    @Test
    void repeatSharesMapsAcrossRuns() throws Exception {
        Path frame = file("ping.bin", HexFormat.of().parseHex(PING));
        Run r = jxdp("test-run", "--obj", DEMO.toString(), "--data-in", frame.toString(), "--repeat", "5", "--json");
        assertEquals(0, r.status(), r.err());
        // the first run turns the request into a reply in the shared buffer; the next four see a reply and
        // pass it (the kernel: retval 2, stats[TX] = 1 packet 50 bytes, stats[PASS] = 4 packets 200 bytes)
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(2, j.get("retval").asInt());
        JsonNode stats = j.get("maps").get("stats");
        assertEquals("01000000000000003200000000000000", stats.get(3).get("value").asText());
        assertEquals("0400000000000000c800000000000000", stats.get(2).get("value").asText());
    }

    @Test
    void mapInitFillsAHash() throws Exception {
        Path frame = file("ping.bin", HexFormat.of().parseHex(PING));
        Path init = file("init.json", "{\"maps\": {\"blocklist\": [{\"key\": \"0a000001\", \"value\": \"0000000000000000\"}]}}".getBytes());
        Run r = jxdp("test-run", "--obj", DEMO.toString(), "--data-in", frame.toString(), "--map-init", init.toString(), "--json");
        assertEquals(0, r.status(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(1, j.get("retval").asInt());
        assertEquals("0100000000000000", j.get("maps").get("blocklist").get(0).get("value").asText());
    }

    @Test
    void demoShowsActionsCountersAndCode() {
        Run r = jxdp("demo", "--obj", DEMO.toString());
        assertEquals(0, r.status(), r.err());
        for (String s : new String[] {"XDP_TX", "XDP_DROP", "XDP_PASS", "XDP_ABORTED", "echo reply", "dropped 2 packets",
                "= *(u32 *)(r6 +4)"}) {
            assertTrue(r.out().contains(s), () -> "missing " + s + " in\n" + r.out());
        }
    }

    @Test
    void disasmListsEveryProgram() {
        Run r = jxdp("disasm", DEMO.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("xdp_demo (section xdp"), r.out());
        assertTrue(r.out().contains("exit"), r.out());
        assertTrue(r.out().contains("@ xdp_demo.c:"), r.out());
    }

    static final Path BPF = REPO.resolve("core/src/test/bpf");

    @Test
    void unknownHelperIdIsRefusedAtLoad() throws Exception {
        Path frame = file("f.bin", new byte[64]);
        assertOneLineError(jxdp("test-run", "--obj", BPF.resolve("elf_bad_helper.o").toString(), "--data-in", frame.toString()),
                "elf_bad_helper.o: program xdp_bad_helper: instruction 0: invalid helper 999");
    }

    @Test
    void unsupportedHelperIsNamed() throws Exception {
        Path frame = file("f.bin", new byte[64]);
        assertOneLineError(jxdp("test-run", "--obj", BPF.resolve("elf_unsupported_helper.o").toString(), "--data-in", frame.toString()),
                "helper bpf_sk_lookup_udp#85 is not supported");
    }

    @Test
    void unsupportedMapTypeIsNamed() throws Exception {
        Path frame = file("f.bin", new byte[64]);
        assertOneLineError(jxdp("test-run", "--obj", BPF.resolve("elf_bad_maptype.o").toString(), "--data-in", frame.toString()),
                "map socks: map type 15 (sockmap) is not supported");
    }

    @Test
    void traceShowsRingBufferRecords() throws Exception {
        Path frame = file("ping.bin", HexFormat.of().parseHex(PING));
        Run r = jxdp("test-run", "--obj", BPF.resolve("ringbuf_out.o").toString(), "--data-in", frame.toString(), "--trace");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("ringbuf samples record 0"), r.out());
    }

    @Test
    void disasmOfAMissingProgram() {
        assertOneLineError(jxdp("disasm", DEMO.toString(), "--prog", "nope"), "no program nope (programs: xdp_demo)");
    }

    @Test
    void missingRequiredOption() {
        assertOneLineError(jxdp("test-run", "--obj", DEMO.toString()), "--data-in");
    }

    @Test
    void unknownCommand() {
        assertOneLineError(jxdp("frobnicate"), "frobnicate");
    }

    @Test
    void missingObjectFile() throws Exception {
        Path frame = file("f.bin", new byte[64]);
        assertOneLineError(jxdp("test-run", "--obj", tmp.resolve("nope.o").toString(), "--data-in", frame.toString()), "nope.o: no such file");
    }

    @Test
    void garbageObject() throws Exception {
        Path obj = file("garbage.o", "this is not an ELF file at all, just text".getBytes());
        Path frame = file("f.bin", new byte[64]);
        assertOneLineError(jxdp("test-run", "--obj", obj.toString(), "--data-in", frame.toString()), "garbage.o: ");
    }

    @Test
    void frameShorterThanAnEthernetHeader() throws Exception {
        Path frame = file("short.bin", new byte[13]);
        assertOneLineError(jxdp("test-run", "--obj", DEMO.toString(), "--data-in", frame.toString()), "13 bytes");
    }

    @Test
    void frameLongerThanTheKernelTakes() throws Exception {
        Path frame = file("long.bin", new byte[3521]);
        assertOneLineError(jxdp("test-run", "--obj", DEMO.toString(), "--data-in", frame.toString()), "3521 bytes");
    }

    @Test
    void largestFrameRuns() throws Exception {
        Path frame = file("max.bin", new byte[3520]);
        assertEquals(0, jxdp("test-run", "--obj", DEMO.toString(), "--data-in", frame.toString(), "--json").status());
    }

    @Test
    void mapInitNamingAnUnknownMap() throws Exception {
        Path frame = file("f.bin", new byte[64]);
        Path init = file("init.json", "{\"maps\": {\"nosuch\": []}}".getBytes());
        assertOneLineError(jxdp("test-run", "--obj", DEMO.toString(), "--data-in", frame.toString(), "--map-init", init.toString()),
                "unknown map nosuch (maps: ");
    }

    @Test
    void mapInitWithAWrongKeySize() throws Exception {
        Path frame = file("f.bin", new byte[64]);
        Path init = file("init.json", "{\"maps\": {\"blocklist\": [{\"key\": \"0a00\", \"value\": \"0000000000000000\"}]}}".getBytes());
        assertOneLineError(jxdp("test-run", "--obj", DEMO.toString(), "--data-in", frame.toString(), "--map-init", init.toString()),
                "want 4 bytes");
    }

    @Test
    void mapInitThatIsNotJson() throws Exception {
        Path frame = file("f.bin", new byte[64]);
        Path init = file("init.json", "{\"maps\": ".getBytes());
        assertOneLineError(jxdp("test-run", "--obj", DEMO.toString(), "--data-in", frame.toString(), "--map-init", init.toString()),
                "init.json: not JSON");
    }

    @Test
    void mapInitInNoEncodingJsonMayUse() throws Exception {
        // found by MapInitFuzzTest: Jackson takes these bytes for UTF-32 and refuses them with an IOException
        // that is not a JsonProcessingException; it is bad text, not a file that cannot be read
        Path frame = file("f.bin", new byte[64]);
        Path init = file("init.json", new byte[] {0x7b, 0, 0, 0, 0x07});
        assertOneLineError(jxdp("test-run", "--obj", DEMO.toString(), "--data-in", frame.toString(), "--map-init", init.toString()),
                "init.json: not JSON: ");
    }

    @Test
    void badRepeat() throws Exception {
        Path frame = file("f.bin", new byte[64]);
        assertOneLineError(jxdp("test-run", "--obj", DEMO.toString(), "--data-in", frame.toString(), "--repeat", "0"), "--repeat");
        assertOneLineError(jxdp("test-run", "--obj", DEMO.toString(), "--data-in", frame.toString(), "--repeat", "lots"), "lots");
    }

    @Test
    void unknownProgramListsTheOnesThereAre() throws Exception {
        Path frame = file("f.bin", new byte[64]);
        assertOneLineError(jxdp("test-run", "--obj", DEMO.toString(), "--prog", "nope", "--data-in", frame.toString()),
                "no program nope (programs: xdp_demo)");
    }

    @Test
    void noDataOutLeftBehindOnError() throws Exception {
        Path frame = file("short.bin", new byte[5]);
        Path out = tmp.resolve("out.bin");
        Run r = jxdp("test-run", "--obj", DEMO.toString(), "--data-in", frame.toString(), "--data-out", out.toString());
        assertEquals(2, r.status());
        assertFalse(Files.exists(out));
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count(), "only the input frame is there");
        }
    }

    @Test
    void unwritableDataOut() throws Exception {
        Path frame = file("ping.bin", HexFormat.of().parseHex(PING));
        Run r = jxdp("test-run", "--obj", DEMO.toString(), "--data-in", frame.toString(), "--data-out",
                tmp.resolve("no/such/dir/out.bin").toString());
        assertOneLineError(r, "out.bin: cannot write");
    }
}
