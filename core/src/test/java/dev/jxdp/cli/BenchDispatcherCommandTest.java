package dev.jxdp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jxdp bench dispatcher}: the JSON's shape and its bad arguments. No speed is asserted. */
class BenchDispatcherCommandTest {

    @TempDir
    Path tmp;

    @Test
    void twoCasesGiveTheirRowsInTableOrderTheirRatioAndAPlot() throws Exception {
        Path png = tmp.resolve("d.png");
        CliTest.Run r = CliTest.jxdp("bench", "dispatcher", "--cases", "dispatcher-4,baseline-4", "--trials", "5",
                "--seconds", "0.1", "--json", "--plot", png.toString());
        assertEquals(0, r.status(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("dispatcher", j.get("suite").asText());
        JsonNode rows = j.get("rows");
        assertEquals(2, rows.size(), rows.toString());
        assertEquals("baseline-4", rows.get(0).get("case").asText(), "in the table's order, not the option's");
        assertEquals("dispatcher-4", rows.get(1).get("case").asText());
        for (JsonNode row : rows) {
            assertEquals(5, row.get("trials").size(), row.toString());
            assertTrue(row.get("mpps").asDouble() > 0, row.toString());
            assertTrue(row.get("ns_per_pkt").asDouble() > 0, row.toString());
        }
        JsonNode ratios = j.get("ratios");
        assertEquals(1, ratios.size(), "only the ratio whose two cases ran: " + ratios);
        assertEquals("dispatcher-4", ratios.get(0).get("num").asText());
        assertEquals("baseline-4", ratios.get(0).get("den").asText());
        double want = rows.get(1).get("mpps").asDouble() / rows.get(0).get("mpps").asDouble();
        assertEquals(want, ratios.get(0).get("ratio").asDouble(), 1e-3);
        CliTest.assertPng(png);
    }

    @Test
    void swapsGiveTheReplaceTimesAndTheDipAsJson() throws Exception {
        CliTest.Run r = CliTest.jxdp("bench", "dispatcher", "--swaps=10", "--programs", "2", "--swap-interval", "2",
                "--warmup", "0.2", "--json");
        assertEquals(0, r.status(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("dispatcher-swaps", j.get("suite").asText());
        assertEquals(2, j.get("programs").asInt());
        assertEquals(10, j.get("swaps").asInt());
        assertTrue(j.get("dispatch_classes_built").asLong() >= 10, "every replace moved a program between slots: " + j);
        JsonNode swap = j.get("swap_us");
        assertTrue(swap.get("median").asDouble() > 0, swap.toString());
        assertTrue(swap.get("median").asDouble() <= swap.get("p99").asDouble(), swap.toString());
        assertTrue(swap.get("p99").asDouble() <= swap.get("max").asDouble(), swap.toString());
        JsonNode dip = j.get("dip");
        // no speed asserted: a cold JVM's median 100-us bucket during a 0.2 s warm-up may hold no frames
        assertTrue(dip.get("median_mpps").isNumber() && dip.get("median_mpps").asDouble() >= 0, dip.toString());
        for (String f : new String[] {"min_ratio", "recovery_us", "lost_us", "quiet_lost_us"}) {
            for (String q : new String[] {"median", "p99", "max"}) {
                assertTrue(dip.get(f).get(q).isNumber(), f + "." + q + ": " + dip);
            }
        }
        assertTrue(j.get("jit_ms").get("during_swaps").isNumber() && j.get("jit_ms").get("quiet").isNumber(), j.toString());
    }

    @Test
    void badArgumentsAreOneLine() {
        CliTest.assertOneLineError(CliTest.jxdp("bench", "dispatcher", "--cases", "dispatcher-3"),
                "--cases: unknown case 'dispatcher-3' (cases: baseline-1, dispatcher-1,");
        CliTest.assertOneLineError(CliTest.jxdp("bench", "dispatcher", "--trials", "4"), "--trials must be at least 5 (got 4)");
        CliTest.assertOneLineError(CliTest.jxdp("bench", "dispatcher", "--seconds", "0"), "--seconds must be between 0.1 and 60");
        CliTest.assertOneLineError(CliTest.jxdp("bench", "dispatcher", "--plot", tmp.resolve("no/x.png").toString()),
                "no such directory");
        CliTest.assertOneLineError(CliTest.jxdp("bench", "dispatcher", "--swaps=0"), "--swaps must be between 1 and 100000 (got 0)");
        CliTest.assertOneLineError(CliTest.jxdp("bench", "dispatcher", "--swaps", "--programs", "49"),
                "--programs must be between 1 and 48 (got 49)");
    }
}
