package dev.jxdp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
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
        byte[] head = Files.readAllBytes(png);
        assertTrue(head.length > 8 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G', "a PNG");
    }

    @Test
    void badArgumentsAreOneLine() {
        CliTest.assertOneLineError(CliTest.jxdp("bench", "dispatcher", "--cases", "dispatcher-3"),
                "--cases: unknown case 'dispatcher-3' (cases: baseline-1, dispatcher-1,");
        CliTest.assertOneLineError(CliTest.jxdp("bench", "dispatcher", "--trials", "4"), "--trials must be at least 5 (got 4)");
        CliTest.assertOneLineError(CliTest.jxdp("bench", "dispatcher", "--seconds", "0"), "--seconds must be between 0.1 and 60");
        CliTest.assertOneLineError(CliTest.jxdp("bench", "dispatcher", "--plot", tmp.resolve("no/x.png").toString()),
                "no such directory");
    }
}
