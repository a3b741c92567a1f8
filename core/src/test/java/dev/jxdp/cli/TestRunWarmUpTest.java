package dev.jxdp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TestRunWarmUpTest {

    private static final Path BPF = Path.of(System.getProperty("jxdp.repo", "."), "core/src/test/bpf");
    static final String UDP = "02000000000202000000000108004500002112344000401114960a0000010a0000029c401388000df83668656c6c6f";

    @TempDir
    Path tmp;

    private JsonNode testRun(String engine, int repeat) throws Exception {
        Path frame = tmp.resolve("udp.bin");
        Files.write(frame, HexFormat.of().parseHex(UDP));
        CliTest.Run r = CliTest.jxdp("test-run", "--obj", BPF.resolve("count_maps.o").toString(), "--prog", "xdp_count",
                "--data-in", frame.toString(), "--repeat", String.valueOf(repeat), "--engine", engine, "--json");
        assertEquals(0, r.status(), r.err());
        return new ObjectMapper().readTree(r.out());
    }

    @Test
    void jitWarmUpRunsOnThrowawayMapsSoTheRealMapsCountOnlyTheTimedRuns() throws Exception {
        JsonNode jit = testRun("jit", 1000);
        JsonNode interp = testRun("interp", 1000);
        assertEquals(interp.get("maps"), jit.get("maps"));
        // 1000 packets of 47 bytes in the array counter of class 17 (UDP), not 1000 + the warm-up's 20,000
        String counter = jit.get("maps").get("cnt_array").toString();
        assertTrue(counter.contains("\"value\":\"e80300000000000098b7000000000000\""), counter);
        assertTrue(jit.get("jit_ns").asLong() > 0, jit.toString());
        assertFalse(interp.has("jit_ns"), interp.toString());
    }

    @Test
    void jitIsTheDefaultEngine() throws Exception {
        Path frame = tmp.resolve("udp.bin");
        Files.write(frame, HexFormat.of().parseHex(UDP));
        CliTest.Run r = CliTest.jxdp("test-run", "--obj", BPF.resolve("count_maps.o").toString(), "--prog", "xdp_count",
                "--data-in", frame.toString(), "--json");
        assertEquals(0, r.status(), r.err());
        assertTrue(new ObjectMapper().readTree(r.out()).has("jit_ns"), r.out());
    }
}
