package dev.jxdp.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jxdp test-run --engine both --json} on every recorded case of every committed test program: jxdp's
 * JIT and the kernel on the same input must give the same retval, data_out and maps. Cases jxdp refuses
 * before running (a frame the kernel refuses too, the multi-buffer frames jxdp does not take) are counted
 * apart; the summary line is the measurement.
 */
final class EngineBothTest {

    @TempDir
    Path tmp;

    @Test
    void jitAndTheKernelAgreeOnEveryRecordedCase() throws Exception {
        KernelTests.requireKernel();
        int cases = 0;
        int agreed = 0;
        List<String> refused = new ArrayList<>();
        List<String> differ = new ArrayList<>();
        for (Path file : KernelReplayTest.recordings()) {
            JsonNode rec = KernelTests.JSON.readTree(file.toFile());
            Path obj = KernelTests.BPF_DIR.resolve(rec.path("obj").asText());
            for (JsonNode c : rec.path("cases")) {
                cases++;
                String label = rec.path("obj").asText() + " " + c.path("name").asText();
                Path in = tmp.resolve("frame.bin");
                Files.write(in, HexFormat.of().parseHex(c.path("data_in").asText()));
                List<String> args = new ArrayList<>(List.of("test-run", "--obj", obj.toString(), "--data-in", in.toString(),
                        "--repeat", Integer.toString(c.path("repeat").asInt(1)), "--engine", "both", "--json"));
                if (c.hasNonNull("prog")) {
                    args.addAll(List.of("--prog", c.get("prog").asText()));
                }
                if (c.hasNonNull("map_init")) {
                    Path init = tmp.resolve("init.json");
                    KernelTests.JSON.writeValue(init.toFile(), c.get("map_init"));
                    args.addAll(List.of("--map-init", init.toString()));
                }
                KernelTests.Cli run = KernelTests.jxdp(args);
                int exit = run.exit();
                String stderr = run.err();
                if (exit == 2) {
                    refused.add(label + ": " + stderr);
                    continue;
                }
                JsonNode answer = KernelTests.JSON.readTree(run.out());
                if (exit != 0 || answer.path("differences").size() != 0) {
                    differ.add(label + ": " + answer.path("differences") + " " + stderr);
                } else {
                    agreed++;
                }
            }
        }
        System.out.printf("--engine both: %d recorded cases, %d run on both engines with the same answer, %d differ, "
                + "%d refused by jxdp before running%n", cases, agreed, differ.size(), refused.size());
        refused.forEach(r -> System.out.println("  refused: " + r));
        assertEquals(List.of(), differ);
        for (String r : refused) {
            // a frame under ETH_HLEN (the kernel refuses it too), or over 3520 bytes (the kernel makes it multi-buffer)
            assertTrue(r.contains("ETH_HLEN") || r.contains("3520"), r);
        }
        assertTrue(agreed > 1000, "cases compared: " + agreed);
    }
}
