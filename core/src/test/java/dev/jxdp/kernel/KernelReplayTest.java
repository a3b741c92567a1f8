package dev.jxdp.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.maps.MapSpec;
import dev.jxdp.ebpf.testrun.ProgTestRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case recorded from the kernel (core/src/test/resources/oracle) replayed through
 * {@link KernelObject}: a fresh load per case, the recorded map_init, BPF_PROG_TEST_RUN, the dump; retval,
 * data_out and every map must be what the recording says.
 */
final class KernelReplayTest {

    @TestFactory
    Stream<DynamicNode> everyRecordedCaseReplaysInTheKernel() throws IOException {
        List<DynamicNode> nodes = new ArrayList<>();
        for (Path file : recordings()) {
            JsonNode rec = KernelTests.JSON.readTree(file.toFile());
            String obj = rec.path("obj").asText();
            List<DynamicNode> cases = new ArrayList<>();
            for (JsonNode c : rec.path("cases")) {
                cases.add(DynamicTest.dynamicTest(c.path("name").asText(), () -> replay(obj, c)));
            }
            nodes.add(DynamicContainer.dynamicContainer(file.getFileName().toString(), cases));
        }
        return nodes.stream();
    }

    static List<Path> recordings() throws IOException {
        try (Stream<Path> files = Files.list(KernelTests.ORACLE_DIR)) {
            return files.filter(p -> p.toString().endsWith(".json") && !p.endsWith("verifier.json")).sorted().toList();
        }
    }

    static void replay(String obj, JsonNode c) {
        KernelTests.requireKernel();
        ObjectSpec spec = KernelTests.object(obj);
        byte[] data = HexFormat.of().parseHex(c.path("data_in").asText());
        JsonNode expect = c.path("expect");
        try (KernelObject k = KernelObject.load(spec)) {
            KernelProgram prog = entry(k, c.hasNonNull("prog") ? c.get("prog").asText() : null);
            if (c.hasNonNull("map_init")) {
                k.applyInit(c.get("map_init"));
            }
            if (expect.has("error")) {
                assertThrows(BpfException.class, () -> prog.testRun(data, c.path("repeat").asInt(1), 0, 0),
                        "the kernel refused this run when recorded (" + expect.get("error").asText() + ")");
                return;
            }
            ProgTestRun.Result r = prog.testRun(data, c.path("repeat").asInt(1), 0, 0);
            assertEquals(expect.path("retval").asLong(), r.retval(), "retval");
            assertEquals(expect.path("data_out").asText().toLowerCase(Locale.ROOT), HexFormat.of().formatHex(r.dataOut()),
                    "data_out");
            InnerRanks ranks = new InnerRanks(spec);
            assertEquals(ranks.normalise(maps(expect.path("maps"))), ranks.normalise(maps(k.dump(n -> true))), "maps");
        }
    }

    static KernelProgram entry(KernelObject k, String name) {
        if (name != null) {
            KernelProgram p = k.program(name);
            assertTrue(p != null, "no program " + name);
            return p;
        }
        assertEquals(1, k.programs().size(), "programs: " + k.programs());
        return k.programs().getFirst();
    }

    /** key hex → value hex, "prog:NAME" or "map:NAME", per map. */
    static Map<String, Map<String, String>> maps(JsonNode maps) {
        Map<String, Map<String, String>> all = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = maps.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> m = it.next();
            Map<String, String> entries = new TreeMap<>();
            for (JsonNode e : m.getValue()) {
                String v = e.has("prog") ? "prog:" + e.get("prog").asText() + (e.has("value") ? "/" + e.get("value").asText() : "")
                        : e.has("map") ? "map:" + e.get("map").asText() : e.path("value").asText();
                entries.put(e.path("key").asText().toLowerCase(Locale.ROOT), v.toLowerCase(Locale.ROOT));
            }
            all.put(m.getKey(), entries);
        }
        return all;
    }

    /**
     * Map-in-map entries made comparable: the recording holds the inner map's kernel id (new at every load),
     * the dump its name; both become the inner map's rank in creation order (the object's map order).
     */
    record InnerRanks(List<String> order, Set<String> outer) {
        InnerRanks(ObjectSpec spec) {
            this(new ArrayList<>(), new TreeSet<>());
            for (MapSpec m : spec.maps()) {
                order.add(m.name().replace('.', '_').toLowerCase(Locale.ROOT));
                if (m.isMapInMap()) {
                    outer.add(m.name().replace('.', '_'));
                }
            }
        }

        Map<String, Map<String, String>> normalise(Map<String, Map<String, String>> maps) {
            TreeSet<Long> seen = new TreeSet<>();
            for (String o : outer) {
                maps.getOrDefault(o, Map.of()).values().forEach(v -> seen.add(rank(v)));
            }
            List<Long> ranks = new ArrayList<>(seen);
            Map<String, Map<String, String>> out = new TreeMap<>(maps);
            for (String o : outer) {
                if (maps.containsKey(o)) {
                    Map<String, String> entries = new TreeMap<>();
                    maps.get(o).forEach((key, v) -> entries.put(key, "inner#" + ranks.indexOf(rank(v))));
                    out.put(o, entries);
                }
            }
            return out;
        }

        private long rank(String v) {
            if (v.startsWith("map:")) {
                return order.indexOf(v.substring(4));
            }
            byte[] b = HexFormat.of().parseHex(v);
            long id = 0;
            for (int i = b.length - 1; i >= 0; i--) {
                id = id << 8 | (b[i] & 0xff);
            }
            return id;
        }
    }
}
