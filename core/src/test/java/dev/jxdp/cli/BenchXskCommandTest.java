package dev.jxdp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jxdp bench xsk}: the JSON's shape and its bad arguments. No speed is asserted. */
class BenchXskCommandTest {

    @TempDir
    Path tmp;

    @Test
    void twoCasesGiveTheirRowsInTableOrderCyclesTheirTargetAndAPlot() throws Exception {
        Path png = tmp.resolve("x.png");
        CliTest.Run r = CliTest.jxdp("bench", "xsk", "--cases", "transparent,generic", "--trials", "5",
                "--seconds", "0.1", "--json", "--plot", png.toString());
        assertEquals(0, r.status(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("xsk", j.get("suite").asText());
        JsonNode rows = j.get("rows");
        assertEquals(2, rows.size(), rows.toString());
        assertEquals("generic", rows.get(0).get("case").asText(), "in the table's order, not the option's");
        assertEquals("transparent", rows.get(1).get("case").asText());
        for (JsonNode row : rows) {
            assertEquals(List.of("case", "mpps", "ns_per_pkt", "trials"), CliTest.fields(row));
            assertEquals(5, row.get("trials").size(), row.toString());
            assertTrue(row.get("mpps").asDouble() > 0, row.toString());
        }
        JsonNode cycles = j.get("cycles");
        assertEquals(2, cycles.size(), cycles.toString());
        assertEquals("generic", cycles.get(0).get("case").asText());
        if (!j.get("cpu_mhz").isNull()) {
            assertEquals(rows.get(0).get("ns_per_pkt").asDouble() * j.get("cpu_mhz").asDouble() / 1e3,
                    cycles.get(0).get("cycles_per_pkt").asDouble(), 1);
        }
        assertEquals(0, j.get("targets").size(), "no target compares generic and transparent: " + j.get("targets"));
        CliTest.assertPng(png);
    }

    @Test
    void helpNamesEveryCaseAndTarget() {
        CliTest.Run r = CliTest.jxdp("bench", "xsk", "--help");
        assertEquals(0, r.status(), r.err());
        String help = r.out().replaceAll("\\s+", " ");
        for (String s : new String[] {"generic", "redirect-xsk", "redirect-xsk-batched", "transparent", "transparent-batched",
                "transparent >= 0.97 x redirect-xsk", "1.13 x generic", "1.27 x generic", "1.5 x generic", "cycles per packet",
                "--plot", "--cases", "--trials"}) {
            assertTrue(help.contains(s), s + " in: " + r.out());
        }
    }

    @Test
    void badArgumentsAreOneLine() {
        CliTest.assertOneLineError(CliTest.jxdp("bench", "xsk", "--cases", "zero-copy"),
                "--cases: unknown case 'zero-copy' (cases: generic, redirect-xsk, redirect-xsk-batched, transparent, transparent-batched, generic-busy-poll,");
        CliTest.assertOneLineError(CliTest.jxdp("bench", "xsk", "--trials", "4"), "--trials must be at least 5 (got 4)");
    }
}
