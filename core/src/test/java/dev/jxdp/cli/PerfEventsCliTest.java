package dev.jxdp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

import static dev.jxdp.cli.CliTest.assertOneLineError;
import static dev.jxdp.cli.CliTest.jxdp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * test-run --perf-events and run --perf-out jsonl:FILE with perf_sample.c's sampler (a {cookie 0xdead,
 * pkt_len} meta, then the first 64 bytes of the frame, to this CPU's reader).
 */
class PerfEventsCliTest {

    private static final Path SAMPLER = CliTest.REPO.resolve("core/src/test/bpf/perf_sample.o");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path frame(int n) throws Exception {
        byte[] f = new byte[n];
        for (int i = 0; i < n; i++) {
            f[i] = (byte) (i + 1);
        }
        return Files.write(tmp.resolve("f" + n + ".bin"), f);
    }

    /** The raw sample for a frame of n bytes: meta, min(n, 64) frame bytes, zeros up to 4 + len = 0 mod 8. */
    private static String sample(int n) {
        int cap = Math.min(n, 64);
        byte[] s = new byte[((4 + cap + 4 + 7) & ~7) - 4];
        s[0] = (byte) 0xad;
        s[1] = (byte) 0xde;
        s[2] = (byte) n;
        s[3] = (byte) (n >> 8);
        for (int i = 0; i < cap; i++) {
            s[4 + i] = (byte) (i + 1);
        }
        return HexFormat.of().formatHex(s);
    }

    private static long answer(JsonNode j) {
        String v = j.get("maps").get("answer").get(0).get("value").asText();
        return Long.reverseBytes(Long.parseUnsignedLong(v, 16));
    }

    @Test
    void withoutTheOptionTestRunAnswersAsTheKernelAndListsNoSamples() throws Exception {
        CliTest.Run r = jxdp("test-run", "--obj", SAMPLER.toString(), "--prog", "xdp_sampler", "--data-in",
                frame(60).toString(), "--json");
        assertEquals(0, r.status(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(-2, answer(j), "-ENOENT: no perf event attached");
        assertFalse(j.has("perf_events"), "test-run's contract, unchanged");
    }

    @Test
    void aMapInitValueIsRefusedAsTheKernelRefusesAnFdThatIsNoPerfEvent() throws Exception {
        Path init = Files.writeString(tmp.resolve("init.json"),
                "{\"maps\": {\"samples\": [{\"key\": \"00000000\", \"value\": \"03000000\"}]}}");
        assertOneLineError(jxdp("test-run", "--obj", SAMPLER.toString(), "--prog", "xdp_sampler", "--data-in",
                frame(60).toString(), "--map-init", init.toString()), "map samples key 00000000: update failed: EBADF");
    }

    @Test
    void perfEventsListsEachRunsSampleInJson() throws Exception {
        for (String engine : List.of("jit", "interp")) {
            CliTest.Run r = jxdp("test-run", "--obj", SAMPLER.toString(), "--prog", "xdp_sampler", "--data-in",
                    frame(100).toString(), "--repeat", "3", "--engine", engine, "--perf-events", "--json");
            assertEquals(0, r.status(), r.err());
            JsonNode j = JSON.readTree(r.out());
            assertEquals(0, answer(j), engine);
            JsonNode pe = j.get("perf_events");
            assertEquals(3, pe.size(), engine + ": " + pe);
            for (JsonNode s : pe) {
                assertEquals("samples", s.get("map").asText());
                assertEquals(0, s.get("cpu").asInt(), "test-run runs on CPU 0");
                assertEquals(sample(100), s.get("data").asText());
            }
            assertEquals(0, j.get("perf_lost").asLong());
        }
    }

    @Test
    void traceShowsSamplesOnStderrWithJsonAndInTheSummaryWithout() throws Exception {
        Path f = frame(43);
        CliTest.Run j = jxdp("test-run", "--obj", SAMPLER.toString(), "--prog", "xdp_sampler", "--data-in", f.toString(),
                "--perf-events", "--json", "--trace");
        assertEquals(0, j.status(), j.err());
        assertTrue(j.err().contains("trace: perf samples cpu 0 (52 bytes): " + sample(43)), j.err());
        CliTest.Run t = jxdp("test-run", "--obj", SAMPLER.toString(), "--prog", "xdp_sampler", "--data-in", f.toString(),
                "--perf-events");
        assertEquals(0, t.status(), t.err());
        assertTrue(t.out().contains("perf      1 sample taken by the readers, 0 lost"), t.out());
        assertTrue(t.out().contains(sample(43)), t.out());
    }

    @Test
    void runWritesOneJsonLinePerSampleAndCountsThem() throws Exception {
        Path out = tmp.resolve("samples.jsonl");
        CliTest.Run r = jxdp("run", "--obj", SAMPLER.toString(), "--prog", "xdp_sampler", "--in",
                "pktgen:flows=4,size=128", "--count", "500", "--perf-out", "jsonl:" + out, "--json");
        assertEquals(0, r.status(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(500, j.get("pass").asLong(), j.toString());
        long written = j.get("perf_samples").asLong();
        assertEquals(500, written + j.get("perf_lost").asLong(), j.toString());
        List<String> lines = Files.readAllLines(out);
        assertEquals(written, lines.size());
        assertTrue(written > 0, j.toString());
        for (String line : lines) {
            JsonNode s = JSON.readTree(line);
            assertEquals("samples", s.get("map").asText());
            assertEquals(0, s.get("cpu").asInt(), "one queue: CPU 0");
            String data = s.get("data").asText();
            // meta {0xdead, 124: pktgen's size counts the 4-byte FCS}, 64 frame bytes, no padding (4 + 68 = 72)
            assertEquals(2 * 68, data.length(), line);
            assertTrue(data.startsWith("adde7c00"), line);
        }
    }

    @Test
    void runSummaryNamesTheFile() throws Exception {
        Path out = tmp.resolve("s.jsonl");
        CliTest.Run r = jxdp("run", "--obj", SAMPLER.toString(), "--prog", "xdp_sampler", "--in", "pktgen:", "--count", "10",
                "--perf-out", "jsonl:" + out);
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("samples to " + out), r.out());
    }

    @Test
    void perfOutNeedsJsonlPrefixAndAPerfEventArray() throws Exception {
        assertOneLineError(jxdp("run", "--obj", SAMPLER.toString(), "--prog", "xdp_sampler", "--in", "pktgen:", "--count",
                "1", "--perf-out", tmp.resolve("x").toString()), "want jsonl:FILE");
        assertOneLineError(jxdp("run", "--obj", CliTest.DEMO.toString(), "--in", "pktgen:", "--count", "1", "--perf-out",
                "jsonl:" + tmp.resolve("x")), "has no PERF_EVENT_ARRAY map");
        assertOneLineError(jxdp("run", "--obj", SAMPLER.toString(), "--prog", "xdp_sampler", "--in", "pktgen:", "--count",
                "1", "--perf-out", "jsonl:" + tmp.resolve("no/such/dir/x")), "no/such/dir/x");
        assertOneLineError(jxdp("run", "--obj", SAMPLER.toString(), "--prog", "xdp_sampler", "--in", "pktgen:", "--count",
                "1", "--perf-out", "jsonl:" + tmp.resolve("x"), "--perf-pages", "3"), "--perf-pages 3: want a power of 2");
    }

    @Test
    void aBufferLargerThanTheRunLosesNothing() throws Exception {
        Path out = tmp.resolve("all.jsonl");
        // 3000 samples of 72 bytes with the size word: 216,000 bytes fit 64 pages even if the reader never ran
        CliTest.Run r = jxdp("run", "--obj", SAMPLER.toString(), "--prog", "xdp_sampler", "--in", "pktgen:size=64",
                "--count", "3000", "--perf-out", "jsonl:" + out, "--perf-pages", "64", "--json");
        assertEquals(0, r.status(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(3000, j.get("perf_samples").asLong(), j.toString());
        assertEquals(0, j.get("perf_lost").asLong(), j.toString());
        assertEquals(3000, Files.readAllLines(out).size());
    }
}
