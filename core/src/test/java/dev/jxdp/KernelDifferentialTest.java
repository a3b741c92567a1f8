package dev.jxdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jxdp.kernel.JxdpExtensionObjects;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The differential suite: every case recorded from the real kernel (BPF_PROG_TEST_RUN, by
 * core/src/test/bpf/record-oracle) must come out of {@code jxdp test-run --json} with the same retval,
 * data_out and maps. Where the machine can run the kernel (root), each case is also replayed in the
 * kernel ({@code --engine kernel}, in-process through dev.jxdp.kernel) to prove the recording is still
 * the kernel's answer; with CI=true that replay is required.
 *
 * <p>System properties for a developer's loop: {@code -Djxdp.oracle.live=false} skips the kernel replay
 * (not under CI=true), {@code -Djxdp.oracle.only=fw_parse,lpm_router} runs only those recordings.
 */
final class KernelDifferentialTest {

    static final Path REPO = Path.of(System.getProperty("jxdp.repo", "."));
    static final Path BPF_DIR = REPO.resolve("core/src/test/bpf");
    static final Path ORACLE_DIR = REPO.resolve("core/src/test/resources/oracle");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    @TestFactory
    Stream<DynamicNode> jxdpAgreesWithTheKernel() throws IOException {
        boolean ci = "true".equals(System.getenv("CI"));
        boolean live = ci || !"false".equals(System.getProperty("jxdp.oracle.live"));
        String whyNot = dev.jxdp.kernel.KernelObject.unavailableReason();
        boolean kernel = live && whyNot == null;
        List<DynamicNode> nodes = new ArrayList<>();
        if (!kernel && ci) {
            nodes.add(DynamicTest.dynamicTest("the kernel can run programs (required when CI=true)",
                    () -> fail("CI=true but the kernel cannot be asked: " + whyNot)));
        }
        KnownGaps gaps = KnownGaps.load(ORACLE_DIR.resolve("known-gaps.txt"));
        for (Path file : oracleFiles()) {
            JsonNode recording = JSON.readTree(file.toFile());
            String recordingName = file.getFileName().toString().replace(".json", "");
            Path obj = BPF_DIR.resolve(recording.path("obj").asText());
            List<DynamicNode> cases = new ArrayList<>();
            for (JsonNode c : recording.path("cases")) {
                Case tc = Case.of(obj, c);
                String gap = gaps.reason(recordingName, tc.name);
                // both engines against the same recording; the live kernel replay below runs once per case
                for (String engine : List.of("interp", "jit")) {
                    String label = engine.equals("interp") ? " [jxdp]" : " [jxdp jit]";
                    cases.add(DynamicTest.dynamicTest(tc.name + label, () -> {
                        Result got = runJxdp(tc, engine);
                        if (gap == null) {
                            tc.assertAgrees("jxdp --engine " + engine, got);
                            return;
                        }
                        try {
                            tc.assertAgrees("jxdp --engine " + engine, got);
                        } catch (AssertionError | Exception stillDiffers) {
                            Assumptions.abort("known gap (known-gaps.txt): " + gap + "; " + stillDiffers.getMessage());
                        }
                        fail(recordingName + " " + tc.name + " now agrees with the kernel: remove it from known-gaps.txt");
                    }));
                }
                if (kernel) {
                    cases.add(DynamicTest.dynamicTest(tc.name + " [kernel]",
                            () -> tc.assertAgrees("the kernel now", runJxdp(tc, "kernel"))));
                }
            }
            nodes.add(DynamicContainer.dynamicContainer(file.getFileName().toString(), cases));
        }
        return nodes.stream();
    }

    /** Every test program with a compiled object beside it is recorded, or named here as not ours. */
    @TestFactory
    Stream<DynamicTest> everyTestProgramIsRecordedOrExcluded() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> files = Files.list(BPF_DIR)) {
            for (Path c : files.filter(p -> p.toString().endsWith(".c")).sorted().toList()) {
                String name = c.getFileName().toString().replaceFirst("\\.c$", "");
                if (!Files.exists(BPF_DIR.resolve(name + ".o"))) {
                    continue;
                }
                tests.add(DynamicTest.dynamicTest(name, () -> assertTrue(
                        excluded(name) || Files.exists(ORACLE_DIR.resolve(name + ".json")),
                        name + ".c has an object but no recording: add it to record-oracle, or exclude it in "
                                + "KernelDifferentialTest.excluded()")));
            }
        }
        for (Path file : oracleFiles()) {
            tests.add(DynamicTest.dynamicTest(file.getFileName() + " names an object that exists", () -> {
                String obj = JSON.readTree(file.toFile()).path("obj").asText();
                assertTrue(Files.exists(BPF_DIR.resolve(obj)), file + ": no " + obj);
            }));
        }
        return tests.stream();
    }

    /**
     * Programs other suites own (ELF loader, ISA, map and helper unit tests, the verifier differential suite),
     * and the objects calling jxdp's extension helpers, which the kernel cannot run to record them
     * ({@link JxdpExtensionObjects}: their own unit tests run them, VerifierDifferentialTest checks the
     * kernel refuses them for that helper only).
     */
    static boolean excluded(String name) {
        return JxdpExtensionObjects.OBJECTS.containsKey("core/src/test/bpf/" + name + ".o")
                || name.startsWith("elf_") || name.startsWith("isa_") || name.startsWith("maps_")
                || name.startsWith("helper_") || name.startsWith("verify_")
                || name.startsWith("fib_")  // fib_: FibLookupKernelTest, in a network namespace of its own
                || name.startsWith("chain_");  // chain_: run configs for xdp.chain's tests, read, not run
    }

    static List<Path> oracleFiles() throws IOException {
        String only = "," + System.getProperty("jxdp.oracle.only", "") + ",";
        try (Stream<Path> files = Files.list(ORACLE_DIR)) {
            // verifier.json holds the kernel verifier's verdicts (VerifierDifferentialTest), not run cases
            return files.filter(p -> p.toString().endsWith(".json") && !p.endsWith("verifier.json"))
                    .filter(p -> only.equals(",,") || only.contains("," + p.getFileName().toString().replace(".json", ",")))
                    .sorted().toList();
        }
    }

    /** known-gaps.txt: cases where jxdp is known to differ, skipped with their reason until fixed. */
    record KnownGaps(List<String[]> rules) {

        static KnownGaps load(Path file) throws IOException {
            List<String[]> rules = new ArrayList<>();
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) {
                    String l = line.strip();
                    if (!l.isEmpty() && !l.startsWith("#")) {
                        rules.add(l.split("\\s+", 3));
                    }
                }
            }
            return new KnownGaps(rules);
        }

        String reason(String recording, String caseName) {
            for (String[] r : rules) {
                if (r.length == 3 && glob(r[0]).matcher(recording).matches() && glob(r[1]).matcher(caseName).matches()) {
                    return r[2];
                }
            }
            return null;
        }

        static Pattern glob(String g) {
            return Pattern.compile(Pattern.quote(g).replace("*", "\\E.*\\Q"));
        }
    }

    // ------------------------------------------------------------------------------------ one case

    /** One recorded case, its input files written once, shared by the jxdp and the kernel run. */
    record Case(String name, Path obj, String prog, Path dataIn, Path mapInit, int repeat, JsonNode expect,
            String stem) {

        static Case of(Path obj, JsonNode c) throws IOException {
            String name = c.path("name").asText();
            String stem = obj.getFileName().toString().replaceFirst("\\.o$", "") + "-" + name;
            Path dataIn = tmp.resolve(stem + ".bin");
            Files.write(dataIn, HexFormat.of().parseHex(c.path("data_in").asText()));
            Path mapInit = null;
            if (c.hasNonNull("map_init")) {
                mapInit = tmp.resolve(stem + ".init.json");
                JSON.writeValue(mapInit.toFile(), c.get("map_init"));
            }
            String prog = c.hasNonNull("prog") ? c.get("prog").asText() : null;
            return new Case(name, obj, prog, dataIn, mapInit, c.path("repeat").asInt(1), c.path("expect"), stem);
        }

        List<String> args() {
            List<String> a = new ArrayList<>(List.of("--obj", obj.toString(), "--data-in", dataIn.toString(),
                    "--repeat", Integer.toString(repeat)));
            if (prog != null) {
                a.addAll(List.of("--prog", prog));
            }
            if (mapInit != null) {
                a.addAll(List.of("--map-init", mapInit.toString()));
            }
            return a;
        }

        /** Compares what {@code who} answered with the recording, fact by fact, naming the first difference. */
        void assertAgrees(String who, Result got) {
            String where = obj.getFileName() + " " + name + (prog == null ? "" : " (" + prog + ")") + ": ";
            if (expect.has("error")) {
                assertNotEquals(0, got.exit, where + "the kernel refused this run (" + expect.get("error").asText()
                        + ") but " + who + " ran it: " + got.json);
                return;
            }
            assertEquals(0, got.exit, where + who + " failed: " + got.stderr.strip());
            JsonNode out = got.json;
            assertEquals(expect.path("retval").asInt(), out.path("retval").asInt(Integer.MIN_VALUE),
                    where + "retval from " + who);
            String wantData = expect.path("data_out").asText().toLowerCase(Locale.ROOT);
            String gotData = out.path("data_out").asText().toLowerCase(Locale.ROOT);
            if (!wantData.equals(gotData)) {
                fail(where + "data_out from " + who + " differs: " + firstDifference(wantData, gotData));
            }
            Map<String, Map<String, String>> wantMaps = maps(expect.path("maps"));
            Map<String, Map<String, String>> gotMaps = maps(out.path("maps"));
            assertEquals(wantMaps.keySet(), gotMaps.keySet(), where + "map names from " + who);
            for (var m : wantMaps.entrySet()) {
                Map<String, String> want = m.getValue();
                Map<String, String> have = gotMaps.get(m.getKey());
                assertEquals(want, have, where + "map " + m.getKey() + " from " + who + ": "
                        + mapDifference(want, have));
            }
        }
    }

    /**
     * A map's entries as key hex → value hex ("prog:NAME" for PROG_ARRAY slots, "map:NAME" for a
     * map-in-map's inner maps: jxdp and the kernel engine both name them, the kernel's ids mapped back to
     * the load's maps), in key order.
     */
    static Map<String, Map<String, String>> maps(JsonNode maps) {
        Map<String, Map<String, String>> all = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = maps.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> m = it.next();
            Map<String, String> entries = new TreeMap<>();
            for (JsonNode e : m.getValue()) {
                String v = e.has("prog") ? "prog:" + e.get("prog").asText()
                        : e.has("map") ? "map:" + e.get("map").asText() : e.path("value").asText();
                entries.put(e.path("key").asText().toLowerCase(Locale.ROOT), v.toLowerCase(Locale.ROOT));
            }
            all.put(m.getKey(), entries);
        }
        return all;
    }

    static String mapDifference(Map<String, String> want, Map<String, String> got) {
        for (var e : want.entrySet()) {
            String g = got.get(e.getKey());
            if (!e.getValue().equals(g)) {
                return "key " + e.getKey() + ": want " + e.getValue() + ", got " + g;
            }
        }
        for (String k : got.keySet()) {
            if (!want.containsKey(k)) {
                return "unexpected key " + k + " = " + got.get(k);
            }
        }
        return "same";
    }

    static String firstDifference(String want, String got) {
        int i = 0;
        while (i < want.length() && i < got.length() && want.charAt(i) == got.charAt(i)) {
            i++;
        }
        int at = i / 2 * 2;
        return "length " + want.length() / 2 + " vs " + got.length() / 2 + ", first difference at byte " + at / 2
                + ": want " + excerpt(want, at) + " got " + excerpt(got, at);
    }

    static String excerpt(String hex, int at) {
        return at >= hex.length() ? "(end)" : hex.substring(at, Math.min(hex.length(), at + 32)) + "…";
    }

    // ------------------------------------------------------------------------------------ the runners

    record Result(int exit, JsonNode json, String stderr) {}

    /** jxdp's test-run in-process: {@code dev.jxdp.cli.Main.run(String[], PrintStream, PrintStream)}. */
    static Result runJxdp(Case tc) throws Exception {
        return runJxdp(tc, "interp");
    }

    /** As {@link #runJxdp(Case)} with {@code --engine engine}. */
    static Result runJxdp(Case tc, String engine) throws Exception {
        List<String> args = new ArrayList<>();
        args.add("test-run");
        args.addAll(tc.args());
        args.add("--engine");
        args.add(engine);
        args.add("--json");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = (int) mainRun().invoke(null, args.toArray(String[]::new), o, e);
        } catch (InvocationTargetException ex) {
            throw ex.getCause() instanceof Exception cause ? cause : ex;
        }
        return parse(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    // Looked up reflectively so this suite compiles while the CLI is being written.
    static Method mainRun() {
        try {
            return Class.forName("dev.jxdp.cli.Main")
                    .getMethod("run", String[].class, PrintStream.class, PrintStream.class);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("dev.jxdp.cli.Main.run(String[], PrintStream, PrintStream) is missing: " + e);
        }
    }

    static Result parse(int exit, String stdout, String stderr) {
        JsonNode json = JSON.createObjectNode();
        if (exit == 0) {
            try {
                json = JSON.readTree(stdout);
            } catch (IOException e) {
                throw new AssertionError("test-run --json printed no JSON: " + stdout.strip() + " " + stderr.strip());
            }
        }
        return new Result(exit, json, stderr);
    }
}
