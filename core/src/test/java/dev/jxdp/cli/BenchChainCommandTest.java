package dev.jxdp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jxdp bench chain}: the JSON's shape and its bad arguments. No speed is asserted. */
class BenchChainCommandTest {

    @TempDir
    Path tmp;

    @Test
    void threeCasesGiveTheirRowsInTableOrderTheOverheadsTheTargetsAndAPlot() throws Exception {
        Path png = tmp.resolve("c.png");
        CliTest.Run r = CliTest.jxdp("bench", "chain", "--cases", "chain-dynamic,tailcall,single-drop", "--trials", "5",
                "--seconds", "0.1", "--json", "--plot", png.toString());
        assertEquals(0, r.status(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("chain", j.get("suite").asText());
        JsonNode rows = j.get("rows");
        assertEquals(3, rows.size(), rows.toString());
        assertEquals("single-drop", rows.get(0).get("case").asText(), "in the table's order, not the option's");
        assertEquals("tailcall", rows.get(1).get("case").asText());
        assertEquals("chain-dynamic", rows.get(2).get("case").asText());
        for (JsonNode row : rows) {
            assertEquals(List.of("case", "mpps", "ns_per_pkt", "trials"), CliTest.fields(row));
            assertEquals(5, row.get("trials").size(), row.toString());
            assertTrue(row.get("mpps").asDouble() > 0, row.toString());
        }
        JsonNode ov = j.get("overheads");
        assertEquals(3, ov.size(), ov.toString());
        assertTrue(ov.get(0).get("total_ns").isNull() || ov.get(0).get("total_ns").asDouble() == 0, ov.toString());
        double want = rows.get(2).get("ns_per_pkt").asDouble() - rows.get(0).get("ns_per_pkt").asDouble();
        assertEquals(want, ov.get(2).get("total_ns").asDouble(), 0.02);
        JsonNode targets = j.get("targets");
        assertEquals(1, targets.size(), "only the target whose cases ran: " + targets);
        assertEquals("chain-dynamic", targets.get(0).get("num").asText());
        assertEquals("tailcall", targets.get(0).get("den").asText());
        assertEquals(2.0, targets.get(0).get("factor").asDouble());
        assertTrue(targets.get(0).get("met").isBoolean(), targets.toString());
        CliTest.assertPng(png);
    }

    @Test
    void helpNamesEveryCaseAndTarget() {
        CliTest.Run r = CliTest.jxdp("bench", "chain", "--help");
        assertEquals(0, r.status(), r.err());
        String help = r.out().replaceAll("\\s+", " ");
        for (String s : new String[] {"single-drop", "tailcall", "chain-dynamic", "chain-compiled", "chain-compiled-10",
                "chain-compiled-64", "additional overhead", "total overhead", "the seed's kernel code: 5x", "<= 0.5 ns",
                "linear, no cliff", "--plot", "--cases", "--trials"}) {
            assertTrue(help.contains(s), s + " in: " + r.out());
        }
    }

    @Test
    void badArgumentsAreOneLine() {
        CliTest.assertOneLineError(CliTest.jxdp("bench", "chain", "--cases", "chain-compiled-3"),
                "--cases: unknown case 'chain-compiled-3' (cases: single-drop, tailcall, chain-dynamic,");
        CliTest.assertOneLineError(CliTest.jxdp("bench", "chain", "--trials", "4"), "--trials must be at least 5 (got 4)");
        CliTest.assertOneLineError(CliTest.jxdp("bench", "chain", "--seconds", "0"), "--seconds must be between 0.1 and 60");
        CliTest.assertOneLineError(CliTest.jxdp("bench", "chain", "--plot", tmp.resolve("no/x.png").toString()),
                "no such directory");
    }
}
