package dev.jxdp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.maps.MapSpec;
import dev.jxdp.ebpf.testrun.ProgTestRun;
import dev.jxdp.kernel.KernelObject;
import dev.jxdp.kernel.KernelProgram;
import dev.jxdp.kernel.KernelRejection;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** test-run's {@code --engine kernel} and the kernel half of {@code --engine both}. */
final class KernelRun {
    private KernelRun() {}

    /** The verifier log lines shown on stderr when the kernel rejects a program. */
    static final int LOG_TAIL = 30;

    /** What the kernel answered: the run, the maps dumped as test-run's JSON, and what it ran. */
    record Answer(String program, String section, ProgTestRun.Result result, ObjectNode maps, List<MapSpec> mapSpecs) {}

    /** The options the kernel engine cannot honour, refused before anything is read; and root. */
    static void check(String engine, boolean noVerify, boolean trace, boolean perfEvents, String fib) {
        String what = noVerify ? "--no-verify (the kernel always verifies)"
                : trace ? "--trace (the kernel's bpf_trace_printk output goes to its trace pipe)"
                : perfEvents ? "--perf-events"
                : fib != null ? "--fib (the kernel routes with this machine's own tables)" : null;
        if (what != null) {
            throw new CliException("--engine " + engine + " cannot take " + what);
        }
        String why = KernelObject.unavailableReason();
        if (why != null) {
            throw new CliException("--engine " + engine + ": the kernel cannot run programs here: " + why);
        }
    }

    /**
     * Loads the object in the kernel, fills its maps from {@code init}, runs {@code progName} (or the
     * object's only XDP program) and dumps the maps {@code mapsChoice} names; everything is unloaded after.
     */
    static Answer run(Path obj, ObjectSpec spec, String progName, byte[] frame, JsonNode init, Path initFile, int repeat,
                      int ingressIfindex, int rxQueue, String mapsChoice, PrintWriter err) {
        ProgramSpec chosen = entry(obj, spec, progName);
        Set<String> known = new TreeSet<>();
        spec.maps().forEach(m -> known.add(m.name().replace('.', '_')));
        var mapsChosen = TestRunCommand.chosenMaps(obj, mapsChoice, known);
        try (KernelObject k = load(obj, spec, err)) {
            KernelProgram p = k.program(chosen.name());
            if (init != null) {
                try {
                    k.applyInit(init);
                } catch (BpfException e) {
                    throw new CliException(initFile + ": " + e.getMessage());
                }
            }
            ProgTestRun.Result r;
            try {
                r = p.testRun(frame, repeat, ingressIfindex, rxQueue);
            } catch (KernelRejection e) {
                throw new CliException(obj + ": " + e.getMessage(), 1);
            }
            return new Answer(p.name(), p.section(), r, k.dump(mapsChosen), spec.maps());
        }
    }

    private static KernelObject load(Path obj, ObjectSpec spec, PrintWriter err) {
        try {
            return KernelObject.load(spec);
        } catch (KernelRejection e) {
            String[] lines = e.log().split("\n");
            for (int i = Math.max(0, lines.length - LOG_TAIL); i < lines.length; i++) {
                if (!lines[i].isEmpty()) {
                    err.println("  " + lines[i]);
                }
            }
            throw new CliException(obj + ": " + e.getMessage(), 1);
        } catch (BpfException e) {
            throw new CliException(obj + ": " + e.getMessage());
        }
    }

    // --prog, or the object's only XDP program, as jxdp's own engines choose it
    private static ProgramSpec entry(Path obj, ObjectSpec spec, String name) {
        List<String> names = new ArrayList<>();
        List<ProgramSpec> xdp = new ArrayList<>();
        for (ProgramSpec p : spec.programs()) {
            names.add(p.name());
            if (p.isXdp()) {
                xdp.add(p);
            }
        }
        if (name == null) {
            if (xdp.size() != 1) {
                throw new CliException(obj + ": " + (xdp.isEmpty() ? "has no XDP programs"
                        : "several XDP programs (" + String.join(", ", xdp.stream().map(ProgramSpec::name).toList())
                        + "); choose one with --prog"));
            }
            return xdp.getFirst();
        }
        ProgramSpec p = spec.program(name);
        if (p == null) {
            throw new CliException(obj + ": no program " + name + " (programs: "
                    + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
        }
        if (!p.isXdp()) {
            throw new CliException(obj + ": program " + p.name() + " is in section " + p.section() + ", not an XDP one: "
                    + "test-run runs XDP programs only (--type xdp loads every program as XDP, as bpftool's "
                    + "'prog load ... type xdp')");
        }
        return p;
    }

    /**
     * Where the kernel's answer differs from jit's, one line each: retval, data_out (first differing byte),
     * and each map entry missing, extra or different. Durations are never compared.
     */
    static List<String> differences(ProgTestRun.Result jit, ObjectNode jitMaps, Answer kernel) {
        List<String> out = new ArrayList<>();
        ProgTestRun.Result k = kernel.result();
        if (jit.retval() != k.retval()) {
            out.add("retval: jit " + jit.retval() + ", kernel " + k.retval());
        }
        String a = HexFormat.of().formatHex(jit.dataOut());
        String b = HexFormat.of().formatHex(k.dataOut());
        if (!a.equals(b)) {
            int i = 0;
            while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
                i++;
            }
            int at = i / 2;
            out.add("data_out: jit " + jit.dataOut().length + " bytes, kernel " + k.dataOut().length
                    + " bytes, first difference at byte " + at + ": jit " + excerpt(a, at) + ", kernel " + excerpt(b, at));
        }
        Map<String, Map<String, String>> jm = entries(jitMaps);
        Map<String, Map<String, String>> km = entries(kernel.maps());
        Set<String> names = new TreeSet<>(jm.keySet());
        names.addAll(km.keySet());
        for (String name : names) {
            Map<String, String> x = jm.getOrDefault(name, Map.of());
            Map<String, String> y = km.getOrDefault(name, Map.of());
            Set<String> keys = new TreeSet<>(x.keySet());
            keys.addAll(y.keySet());
            for (String key : keys) {
                String v = x.get(key);
                String w = y.get(key);
                if (v == null || !v.equals(w)) {
                    out.add("map " + name + " key " + key + ": jit " + (v == null ? "(none)" : v) + ", kernel "
                            + (w == null ? "(none)" : w));
                }
            }
        }
        return out;
    }

    private static String excerpt(String hex, int byteAt) {
        int at = 2 * byteAt;
        return at >= hex.length() ? "(end)" : hex.substring(at, Math.min(hex.length(), at + 16));
    }

    // a map's entries as key -> value, "prog NAME" or "map NAME" (with the value before a DEVMAP's program)
    private static Map<String, Map<String, String>> entries(ObjectNode maps) {
        Map<String, Map<String, String>> all = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = maps.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> m = it.next();
            Map<String, String> es = new TreeMap<>();
            for (JsonNode e : m.getValue()) {
                String v = e.has("value") ? e.get("value").asText() : "";
                if (e.has("prog")) {
                    v = (v.isEmpty() ? "" : v + " ") + "prog " + e.get("prog").asText();
                }
                if (e.has("map")) {
                    v = "map " + e.get("map").asText();
                }
                es.put(e.path("key").asText(), v);
            }
            all.put(m.getKey(), es);
        }
        return all;
    }
}
