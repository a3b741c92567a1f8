package dev.jxdp.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jxdp bench datapath}'s output: the JSON contract, the table's verdicts, the PNG. No speed is asserted. */
class DatapathSuiteTest {

    private static final List<String> CASES = List.of("floor", "drop", "pass", "tx", "redirect", "redirect-map",
            "redirect-map-nobulk", "redirect-cpu", "mixed-scalar", "mixed-vector");

    @TempDir
    Path tmp;

    @Test
    void aTinyRunPrintsTheSuiteObjectWithEveryCaseInOrder() throws Exception {
        DatapathSuite.Result r = DatapathSuite.run(List.of(DatapathCase.values()), 1, 0.02, 0, false, null);
        JsonNode j = new ObjectMapper().readTree(r.json());
        List<String> top = new ArrayList<>();
        j.fieldNames().forEachRemaining(top::add);
        assertEquals(List.of("suite", "rows", "targets"), top);
        assertEquals("datapath", j.get("suite").asText());
        List<String> names = new ArrayList<>();
        for (JsonNode row : j.get("rows")) {
            names.add(row.get("case").asText());
            List<String> keys = new ArrayList<>();
            row.fieldNames().forEachRemaining(keys::add);
            assertEquals(List.of("case", "mpps", "ns_per_pkt", "trials"), keys, row.toString());
            assertEquals(1, row.get("trials").size(), row.toString());
            assertTrue(row.get("mpps").asDouble() > 0, "the case ran: " + row);
            assertEquals(row.get("trials").get(0).asDouble(), row.get("mpps").asDouble(), 1e-9, "median of one trial");
            double ns = row.get("ns_per_pkt").asDouble();
            assertEquals(1e3 / row.get("mpps").asDouble(), ns, 1e-3 * ns, "ns per packet is 1000 / Mpps: " + row);
        }
        assertEquals(CASES, names);
        List<String> targets = new ArrayList<>();
        for (JsonNode g : j.get("targets")) {
            targets.add(g.get("num").asText() + " / " + g.get("den").asText());
            double ratio = r.row(DatapathCase.byLabel(g.get("num").asText())).mpps()
                    / r.row(DatapathCase.byLabel(g.get("den").asText())).mpps();
            assertEquals(ratio, g.get("ratio").asDouble(), 1e-3, g.toString());
            assertEquals(ratio >= g.get("wanted").asDouble(), g.get("met").asBoolean(), g.toString());
            assertEquals(1, g.get("round_ratios").size(), "one round: " + g);
        }
        assertEquals(DatapathSuite.TARGETS.stream().map(DatapathSuite.Target::describe).toList(), targets);
    }

    @Test
    void casesRunInTableOrderWhateverTheListsOrder() {
        DatapathSuite.Result r = DatapathSuite.run(List.of(DatapathCase.MIXED_VECTOR, DatapathCase.FLOOR), 2, 0.01, 0, false, null);
        assertEquals(List.of(DatapathCase.FLOOR, DatapathCase.MIXED_VECTOR), r.rows().stream().map(DatapathSuite.Row::which).toList());
        assertEquals(2, r.row(DatapathCase.FLOOR).trials().size());
    }

    @Test
    void forkedCasesRunInJvmsOfTheirOwnAndSayWhereTheyAre() {
        java.io.StringWriter progress = new java.io.StringWriter();
        DatapathSuite.Result r = DatapathSuite.run(List.of(DatapathCase.DROP, DatapathCase.REDIRECT_MAP), 2, 0.02, 0.02,
                true, new java.io.PrintWriter(progress));
        assertEquals(List.of(DatapathCase.DROP, DatapathCase.REDIRECT_MAP), r.rows().stream().map(DatapathSuite.Row::which).toList());
        for (DatapathSuite.Row row : r.rows()) {
            assertEquals(2, row.trials().size());
            assertTrue(row.trials().get(0) > 0 && row.trials().get(1) > 0, "both trials ran: " + row);
        }
        List<String> lines = progress.toString().lines().toList();
        assertEquals(List.of("datapath: ready    drop                 (its own JVM)",
                "datapath: ready    redirect-map         (its own JVM)"), lines.subList(0, 2));
        // round-robin: trial 1 of each case, then trial 2 of each
        List<String> trials = lines.stream().filter(l -> l.startsWith("datapath: trial")).map(l -> l.substring(0, 40).strip()).toList();
        assertEquals(List.of("datapath: trial 1/2 drop", "datapath: trial 1/2 redirect-map",
                "datapath: trial 2/2 drop", "datapath: trial 2/2 redirect-map"), trials);
    }

    @Test
    void theChildJvmTakesThisJvmsJavaClassPathAndJxdpProperties() {
        List<String> cmd = CaseProcess.command(DatapathCase.MIXED_VECTOR);
        assertEquals(Path.of(System.getProperty("java.home"), "bin", "java").toString(), cmd.get(0));
        assertEquals(List.of(CaseProcessMain.class.getName(), "mixed-vector"), cmd.subList(cmd.size() - 2, cmd.size()));
        assertTrue(cmd.contains("-Djxdp.mem=" + System.getProperty("jxdp.mem")), cmd.toString());
        assertEquals(System.getProperty("java.class.path"), cmd.get(cmd.indexOf("-cp") + 1));
    }

    @Test
    void theMedianIsTheMiddleTrial() {
        assertEquals(3.0, Trials.median(new double[] {9, 1, 3, 7, 2}));
        assertEquals(2.5, Trials.median(new double[] {4, 1, 2, 3}));
    }

    private static DatapathSuite.Row row(DatapathCase c, double mpps) {
        return new DatapathSuite.Row(c, mpps, 1e3 / mpps, List.of(mpps));
    }

    @Test
    void throughTheDispatcherEveryCaseRunsAndTheOutputSaysSo() throws Exception {
        DatapathSuite.Result r = DatapathSuite.run(List.of(DatapathCase.FLOOR, DatapathCase.DROP, DatapathCase.REDIRECT_CPU,
                DatapathCase.MIXED_VECTOR), true, 1, 0.02, 0, false, null);
        assertTrue(r.dispatcher());
        JsonNode j = new ObjectMapper().readTree(r.json());
        List<String> top = new ArrayList<>();
        j.fieldNames().forEachRemaining(top::add);
        assertEquals(List.of("suite", "dispatcher", "rows", "targets"), top);
        assertTrue(j.get("dispatcher").asBoolean());
        assertEquals(4, j.get("rows").size());
        for (JsonNode row : j.get("rows")) {
            assertTrue(row.get("mpps").asDouble() > 0, row.toString());
        }
        assertTrue(r.table().startsWith("datapath: one worker entering its program through the BPF dispatcher, "), r.table());
        assertTrue(made().table().startsWith("datapath: one worker, 64-byte frames, "), "off: the header as it always was");
    }

    @Test
    void aDispatchedCasesWorkerEntersItsProgramThroughAnXdpCall() {
        try (BenchDatapath on = DatapathCase.DROP.open(true); BenchDatapath off = DatapathCase.DROP.open(false)) {
            assertTrue(on.dispatcher());
            assertFalse(off.dispatcher());
            long n = on.run(5_000_000, () -> false);
            assertTrue(n > 0);
            assertEquals(on.received(), on.dispatcherRuns(), "every frame entered through the xdp_call");
            off.run(1_000_000, () -> false);
            assertEquals(0, off.dispatcherRuns());
        }
    }

    @Test
    void theChildJvmIsToldToUseTheDispatcherAfterTheCasesName() {
        List<String> cmd = CaseProcess.command(DatapathCase.DROP, true);
        assertEquals(List.of(CaseProcessMain.class.getName(), "drop", CaseProcessMain.DISPATCHER),
                cmd.subList(cmd.size() - 3, cmd.size()));
        assertEquals(CaseProcess.command(DatapathCase.DROP), CaseProcess.command(DatapathCase.DROP, false));
    }

    /** A result with made-up figures: drop 0.7 x floor (met), redirect-map 0.4 x drop (not met), ... */
    private static DatapathSuite.Result made() {
        return new DatapathSuite.Result(List.of(
                row(DatapathCase.FLOOR, 40), row(DatapathCase.DROP, 28), row(DatapathCase.REDIRECT_MAP, 11.2),
                row(DatapathCase.REDIRECT_MAP_NOBULK, 5.6), row(DatapathCase.MIXED_SCALAR, 20),
                row(DatapathCase.MIXED_VECTOR, 22)), 5, 1.0);
    }

    private static String targetLine(String table, String name) {
        for (String l : table.lines().toList()) {
            if (l.startsWith(name + " ")) {
                return l;
            }
        }
        throw new AssertionError("no line for " + name + " in\n" + table);
    }

    @Test
    void theTableMarksEachTargetMetOrNotMet() {
        String t = made().table();
        assertTrue(targetLine(t, "drop / floor").matches(".*0\\.70 +>= 0\\.60 +reached +0\\.70-0\\.70, reached in 1 of 1$"), t);
        assertTrue(targetLine(t, "redirect-map / drop").matches(".*0\\.40 +>= 0\\.50 +below +0\\.40-0\\.40, reached in 0 of 1$"), t);
        assertTrue(targetLine(t, "redirect-map / redirect-map-nobulk").matches(".*2\\.00 +>= 1\\.50 +reached +2\\.00-2\\.00, reached in 1 of 1$"), t);
        assertTrue(targetLine(t, "mixed-vector / mixed-scalar").matches(".*1\\.10 +>= 1\\.15 +below +1\\.10-1\\.10, reached in 0 of 1$"), t);
    }

    @Test
    void eachTargetIsAlsoTakenRoundByRoundFromTrialsRunSideBySide() {
        // rounds: 20/10 = 2.00, 22/16 = 1.375, 18/12 = 1.50; medians 20 / 12 = 1.67
        DatapathSuite.Result r = new DatapathSuite.Result(List.of(
                new DatapathSuite.Row(DatapathCase.REDIRECT_MAP, 20, 50, List.of(20.0, 22.0, 18.0)),
                new DatapathSuite.Row(DatapathCase.REDIRECT_MAP_NOBULK, 12, 1e3 / 12, List.of(10.0, 16.0, 12.0))), 3, 1.0);
        DatapathSuite.Target bulk = DatapathSuite.TARGETS.get(2);
        assertArrayEquals(new double[] {2.0, 1.375, 1.5}, bulk.roundRatios(r), 1e-12);
        assertEquals(2, bulk.roundsMet(r), "1.50 reaches the target, 1.375 does not");
        assertTrue(targetLine(r.table(), "redirect-map / redirect-map-nobulk")
                .matches(".*1\\.67 +>= 1\\.50 +reached +1\\.38-2\\.00, reached in 2 of 3$"), r.table());
        assertEquals(0, DatapathSuite.TARGETS.get(0).roundRatios(r).length, "floor and drop did not run");
    }

    @Test
    void aTargetWhoseCasesDidNotRunSaysSo() {
        DatapathSuite.Result r = new DatapathSuite.Result(List.of(row(DatapathCase.FLOOR, 40)), 5, 1.0);
        assertTrue(targetLine(r.table(), "drop / floor").endsWith("not run"), r.table());
    }

    @Test
    void thePlotIsAPngWrittenInPlace() throws Exception {
        Path png = tmp.resolve("datapath.png");
        DatapathChart.write(made(), png);
        byte[] bytes = Files.readAllBytes(png);
        byte[] signature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        assertArrayEquals(signature, java.util.Arrays.copyOf(bytes, 8));
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
        assertNotNull(img, "ImageIO decodes it");
        assertEquals(1000, img.getWidth());
        assertEquals(560, img.getHeight());
        try (Stream<Path> files = Files.list(tmp)) {
            Iterator<Path> it = files.iterator();
            assertEquals(png, it.next());
            assertFalse(it.hasNext(), "no temporary file left behind");
        }
    }

    @Test
    void aPlotThatCannotBeWrittenIsOneLineAndLeavesNothing() {
        Path png = tmp.resolve("no-such-dir").resolve("x.png");
        assertEquals(png + ": no such directory", DatapathChart.checkWritable(png));
        BenchException e = assertThrows(BenchException.class, () -> DatapathChart.write(made(), png));
        assertTrue(e.getMessage().startsWith(png + ": cannot write"), e.getMessage());
        assertFalse(Files.exists(png));
    }
}
