package dev.jxdp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jxdp bench}: short xdp runs and every bad argument as one line with exit 2. No speed is asserted. */
class BenchCommandTest {

    @TempDir
    Path tmp;

    @Test
    void benchXdpDropJsonCountsEveryFrameAsDropped() throws Exception {
        CliTest.Run r = CliTest.jxdp("bench", "xdp", "drop", "--duration", "0.2", "--json");
        assertEquals(0, r.status(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("drop", j.get("mode").asText());
        assertEquals("scalar", j.get("rx_mode").asText());
        assertTrue(j.get("rx").asLong() > 0, j.toString());
        assertEquals(j.get("rx").asLong(), j.get("drop").asLong(), j.toString());
        for (String k : new String[] {"aborted", "tx", "redirect", "pass", "errors"}) {
            assertEquals(0, j.get(k).asLong(), k + " in " + j);
        }
    }

    @Test
    void benchXdpDropThroughTheDispatcherSaysSoAndCountsItsRuns() throws Exception {
        CliTest.Run r = CliTest.jxdp("bench", "xdp", "drop", "--dispatcher", "on", "--duration", "0.2", "--json");
        assertEquals(0, r.status(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertTrue(j.get("dispatcher").asBoolean(), j.toString());
        assertTrue(j.get("rx").asLong() > 0, j.toString());
        assertEquals(j.get("rx").asLong(), j.get("drop").asLong(), j.toString());
        assertEquals(j.get("rx").asLong(), j.get("dispatcher_runs").asLong(), "every frame entered through it: " + j);
        CliTest.Run off = CliTest.jxdp("bench", "xdp", "drop", "--duration", "0.1", "--json");
        assertEquals(0, off.status(), off.err());
        JsonNode k = new ObjectMapper().readTree(off.out());
        assertFalse(k.has("dispatcher") || k.has("dispatcher_runs"), "off: the object as it always was: " + k);
    }

    @Test
    void benchXdpTheSummarySaysTheDispatcherWasOn() {
        CliTest.Run r = CliTest.jxdp("bench", "xdp", "mixed", "--rx-mode", "vector", "--dispatcher", "on", "--duration", "0.2");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("mixed (vector RX, BPF dispatcher): "), r.out());
        assertTrue(r.out().matches("(?s).*\\nxdp_call [1-9]\\d* runs through the BPF dispatcher\\R.*"), r.out());
    }

    @Test
    void benchXdpMixedVectorPrintsASummaryWithEveryAction() {
        CliTest.Run r = CliTest.jxdp("bench", "xdp", "mixed", "--rx-mode", "vector", "--duration", "0.2");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("mixed (vector RX): "), r.out());
        assertTrue(r.out().matches("(?s).*drop [1-9]\\d* .*tx [1-9]\\d* .*pass [1-9]\\d* .*"), r.out());
    }

    @Test
    void benchXdpRedirectMapSendsEveryFrameOnItsOwnWithABulkOfOne() throws Exception {
        CliTest.Run r = CliTest.jxdp("bench", "xdp", "redirect-map", "--redirect-bulk", "1", "--duration", "0.2", "--json");
        assertEquals(0, r.status(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(1, j.get("redirect_bulk").asInt(), j.toString());
        assertTrue(j.get("rx").asLong() > 0, j.toString());
        assertEquals(j.get("rx").asLong(), j.get("redirect").asLong(), j.toString());
        assertEquals(0, j.get("errors").asLong(), j.toString());
    }

    @Test
    void benchDatapathRunsOnlyTheCasesAsked() throws Exception {
        CliTest.Run r = CliTest.jxdp("bench", "datapath", "--cases", "drop,floor", "--trials", "5", "--seconds", "0.1",
                "--json");
        assertEquals(0, r.status(), r.err());
        JsonNode rows = new ObjectMapper().readTree(r.out()).get("rows");
        assertEquals(2, rows.size(), rows.toString());
        assertEquals("floor", rows.get(0).get("case").asText(), "in the table's order, not the option's");
        assertEquals("drop", rows.get(1).get("case").asText());
        for (JsonNode row : rows) {
            assertEquals(5, row.get("trials").size(), row.toString());
            assertTrue(row.get("mpps").asDouble() > 0, row.toString());
        }
    }

    @Test
    void benchDatapathThroughTheDispatcherSaysSo() throws Exception {
        CliTest.Run r = CliTest.jxdp("bench", "datapath", "--cases", "drop", "--trials", "5", "--seconds", "0.1",
                "--dispatcher", "on", "--json");
        assertEquals(0, r.status(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertTrue(j.get("dispatcher").asBoolean(), j.toString());
        assertEquals("datapath", j.get("suite").asText());
        JsonNode rows = j.get("rows");
        assertEquals(1, rows.size(), rows.toString());
        assertEquals("drop", rows.get(0).get("case").asText());
        assertEquals(5, rows.get(0).get("trials").size(), rows.toString());
        assertTrue(rows.get(0).get("mpps").asDouble() > 0, rows.toString());
    }

    @Test
    void aBadDispatcherValueIsOneLine() {
        CliTest.assertOneLineError(CliTest.jxdp("bench", "xdp", "drop", "--dispatcher", "maybe"),
                "--dispatcher maybe: want on or off");
        CliTest.assertOneLineError(CliTest.jxdp("bench", "datapath", "--dispatcher", "yes"),
                "--dispatcher yes: want on or off");
    }

    @Test
    void theHelpOfEachSuiteFormatsCleanly() {
        // picocli reports a description it cannot format (a bare % sign) on System.err, not the command's stream
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
        try {
            System.setErr(new java.io.PrintStream(warnings, true, java.nio.charset.StandardCharsets.UTF_8));
            for (String suite : new String[] {"xdp", "datapath"}) {
                CliTest.Run r = CliTest.jxdp("bench", suite, "--help");
                assertEquals(0, r.status(), r.err());
                assertTrue(r.out().contains("50% drop"), r.out());
            }
        } finally {
            System.setErr(saved);
        }
        assertEquals("", warnings.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void anUnknownModeIsOneLine() {
        CliTest.assertOneLineError(CliTest.jxdp("bench", "xdp", "flood"), "unknown mode 'flood' (modes: floor, drop,");
    }

    @Test
    void badXdpOptionsAreOneLine() {
        CliTest.assertOneLineError(CliTest.jxdp("bench", "xdp", "drop", "--rx-mode", "sideways"), "--rx-mode sideways");
        CliTest.assertOneLineError(CliTest.jxdp("bench", "xdp", "drop", "--duration", "0"), "--duration must be a positive number");
        CliTest.assertOneLineError(CliTest.jxdp("bench", "xdp", "drop", "--duration", "soon"), "--duration");
        CliTest.assertOneLineError(CliTest.jxdp("bench", "xdp", "redirect-map", "--redirect-bulk", "0"),
                "--redirect-bulk must be 1..16 (got 0)");
        CliTest.assertOneLineError(CliTest.jxdp("bench", "xdp", "redirect-map", "--redirect-bulk", "17"),
                "--redirect-bulk must be 1..16 (got 17)");
        CliTest.assertOneLineError(CliTest.jxdp("bench", "xdp"), "MODE");
        CliTest.assertOneLineError(CliTest.jxdp("bench"), "missing suite");
        CliTest.assertOneLineError(CliTest.jxdp("bench", "kernel"), "kernel");
    }

    @Test
    void theDatapathTableWantsFiveTrialsAndSaneSeconds() {
        CliTest.assertOneLineError(CliTest.jxdp("bench", "datapath", "--trials", "4"), "--trials must be at least 5 (got 4)");
        CliTest.assertOneLineError(CliTest.jxdp("bench", "datapath", "--seconds", "0"), "--seconds must be between 0.1 and 60");
        CliTest.assertOneLineError(CliTest.jxdp("bench", "datapath", "--seconds", "NaN"), "--seconds");
        CliTest.assertOneLineError(CliTest.jxdp("bench", "datapath", "--trials", "many"), "--trials");
        CliTest.assertOneLineError(CliTest.jxdp("bench", "datapath", "--cases", "drop,flood"),
                "--cases: unknown case 'flood' (cases: floor, drop, pass,");
    }

    @Test
    void anUnwritablePlotIsRefusedBeforeTheRun() {
        Path png = tmp.resolve("missing").resolve("d.png");
        CliTest.Run r = CliTest.jxdp("bench", "datapath", "--plot", png.toString());
        CliTest.assertOneLineError(r, png + ": no such directory");
        assertEquals("", r.out());
        assertFalse(Files.exists(png));
    }
}
