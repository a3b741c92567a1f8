package dev.jxdp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.fib.Fib;
import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.verifier.VerifierFacts;
import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.maps.MapSpec;
import dev.jxdp.ebpf.maps.MapType;
import dev.jxdp.ebpf.maps.PerfBuffer;
import dev.jxdp.ebpf.maps.RingBufMap;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.runtime.XdpAction;
import dev.jxdp.ebpf.testrun.MapJson;
import dev.jxdp.ebpf.testrun.Engine;
import dev.jxdp.ebpf.testrun.ProgTestRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** {@code jxdp test-run}: BPF_PROG_TEST_RUN, by jxdp's engines or the kernel's. */
@Command(name = "test-run", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        header = "Run an XDP program on one frame, as the kernel's BPF_PROG_TEST_RUN does.",
        description = {"Loads the object program by program (one using a helper or kfunc jxdp lacks is an error only when chosen); "
                + "verifies every XDP program it loads first, as the kernel's load does (a rejection is an error; "
                + "--no-verify skips it); then fresh maps from the object, then --map-init; the frame after 256 bytes of headroom; "
                + "all repeats share the buffer and the maps. Prints the last run's action, the average time "
                + "per run, the frame from data_meta to data_end, and every map.", ""},
        footer = {"", "JSON (--json), the same whichever engine runs it (docs/runtime.md):",
                "  {\"retval\": N, \"duration_ns\": N, \"data_out\": \"hex\", \"maps\": {\"NAME\": [{\"key\": \"hex\", \"value\": \"hex\"}]}}",
                "With --engine jit also \"jit_ns\": compile and warm-up time (not part of duration_ns).",
                "With --engine both, jit's answer plus \"kernel_duration_ns\" and \"differences\": [\"what differs\", ...]",
                "  (also on stderr, exit status 1 when there is any); --engine kernel and both need root (else exit status 2).",
                "With --perf-events also \"perf_events\": [{\"map\", \"cpu\", \"data\": \"hex\"}] (each raw sample: meta, frame bytes, "
                        + "zero padding) and \"perf_lost\".",
                "Per-CPU values are summed over CPUs as little-endian u64 lanes; PROG_ARRAY slots show {\"key\", \"prog\"};",
                "ARRAY_OF_MAPS and HASH_OF_MAPS entries show {\"key\", \"map\": INNER} (the kernel's value is the inner map's id).",
                "--map-init takes {\"maps\": {\"NAME\": [{\"key\": \"hex\", \"value\": \"hex\"} | {\"key\": \"hex\", \"prog\": \"PROG\"}",
                "  | {\"key\": \"hex\", \"map\": \"INNER\"}]}}.",
                "--fib takes {\"interfaces\": [{\"ifindex\": N, \"name\", \"mac\", \"mtu\", \"addresses\": [\"IP/LEN\"], \"forwarding\"}],",
                "  \"routes\": [{\"dst\": \"IP/LEN\", \"via\", \"dev\", \"type\", \"table\", \"metric\", \"src\"}],",
                "  \"neighbours\": [{\"ip\", \"dev\", \"lladdr\", \"state\"}]} (docs/fib.md); --fib host reads this namespace's.",
                "", "Example:", "  jxdp test-run --obj examples/xdp_demo.o --data-in frame.bin --repeat 1000 --json"})
final class TestRunCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--obj", required = true, paramLabel = "FILE.o", description = "eBPF object file (clang -target bpf)")
    Path obj;

    @Option(names = "--prog", paramLabel = "NAME", description = "program to run (default: the object's only XDP program)")
    String prog;

    @Mixin
    LoadOptions type;

    @Option(names = "--data-in", required = true, paramLabel = "FILE", description = "the frame: raw bytes, 14 to 3520 of them")
    Path dataIn;

    @Option(names = "--data-out", paramLabel = "FILE", description = "also write the output frame (data_meta..data_end) here")
    Path dataOut;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "1", description = "runs on the same buffer and maps (default: ${DEFAULT-VALUE})")
    int repeat;

    @Option(names = "--map-init", paramLabel = "FILE.json", description = "initial map contents (see below)")
    Path mapInit;

    @Option(names = "--fib", paramLabel = "FILE.json|host", description = "the routing state bpf_fib_lookup consults: a JSON "
            + "file (interfaces, routes, neighbours; see docs/fib.md) or 'host', this network namespace's devices, routes of "
            + "every table and neighbours read through rtnetlink (default: a loopback device and no route)")
    String fib;

    @Option(names = "--ingress-ifindex", paramLabel = "N", defaultValue = "0", description = "ctx_in's ingress_ifindex: the "
            + "device the frame arrives on, one of the FIB's (default: 0, loopback)")
    int ingressIfindex;

    @Option(names = "--rx-queue", paramLabel = "N", defaultValue = "0", description = "ctx_in's rx_queue_index: a receive queue "
            + "of that device (default: ${DEFAULT-VALUE})")
    int rxQueue;

    @Option(names = "--engine", paramLabel = "ENGINE", defaultValue = "jit",
            description = "execution engine: jit, eBPF compiled to JVM bytecode, called once untimed and, with --repeat > 1, warmed up, on a throwaway copy of the maps "
                    + "and frame when it writes maps, before the timed runs; interp, the reference interpreter; kernel, the running kernel's "
                    + "BPF_PROG_TEST_RUN through the bpf() system call (root); both, jit and kernel on the same input, "
                    + "printing jit's answer and how the kernel's differs, exit status 1 when it does (default: ${DEFAULT-VALUE})")
    String engine;

    @Option(names = "--no-verify", description = "run without verifying first (the kernel always verifies): every access is then "
            + "checked at run time and a fault ends the run with XDP_ABORTED and its explanation")
    boolean noVerify;

    @Option(names = "--json", description = "print one JSON object (the same for every engine)")
    boolean json;

    @Option(names = "--trace", description = "show bpf_trace_printk output, ring buffer records and perf event samples "
            + "(on stderr with --json)")
    boolean trace;

    @Option(names = "--maps", paramLabel = "all|none|NAME,...", defaultValue = "all",
            description = "which maps to dump after the run (default: ${DEFAULT-VALUE}); a "
                    + "program with huge maps (a load balancer's 33M-entry ring array) runs in a moment but dumps for minutes")
    String mapsChoice;

    @Option(names = "--perf-events", description = "attach a reader to every CPU's slot of each PERF_EVENT_ARRAY map, as "
            + "libbpf's perf_buffer__new() does, so bpf_perf_event_output records samples (test-run runs on CPU 0); "
            + "without it no event is attached and the helper answers -ENOENT, as the kernel's test run does")
    boolean perfEvents;

    @Override
    public void run() {
        if (repeat < 1) {
            throw new CliException("--repeat must be at least 1 (got " + repeat + ")");
        }
        boolean inKernel = engine.equals("kernel");
        boolean both = engine.equals("both");
        Engine eng;
        try {
            eng = inKernel || both ? Engine.JIT : Engine.parse(engine);
        } catch (IllegalArgumentException e) {
            throw new CliException("--engine " + engine + ": want interp, jit, kernel or both");
        }
        if (inKernel || both) {
            KernelRun.check(engine, noVerify && inKernel, trace, perfEvents, fib);
        }
        byte[] frame = Inputs.read(dataIn);
        JsonNode init = mapInit == null ? null : Inputs.json(mapInit);
        ObjectSpec objSpec = Inputs.object(obj, type, spec.commandLine().getErr());
        if (inKernel) {
            KernelRun.Answer k = KernelRun.run(obj, objSpec, prog, frame, init, mapInit, repeat, ingressIfindex, rxQueue,
                    mapsChoice, spec.commandLine().getErr());
            if (dataOut != null) {
                Inputs.writeAtomically(dataOut, k.result().dataOut());
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(answerJson(k.result(), k.maps()).toString());
            } else {
                printSummary(out, k.program(), k.section(), "the kernel", frame, k.result(), k.maps(), k.mapSpecs(),
                        List.of(), null, 0);
            }
            out.flush();
            return;
        }
        Fib fibState = Inputs.fib(fib);
        try {
            ProgTestRun.checkRxQueue(fibState, ingressIfindex, rxQueue);
        } catch (BpfException e) {
            throw new CliException("--ingress-ifindex " + Integer.toUnsignedString(ingressIfindex) + " --rx-queue "
                    + Integer.toUnsignedString(rxQueue) + ": " + e.getMessage());
        }
        try (BpfCollection collection = Inputs.load(obj, objSpec)) {
            collection.fib(fibState);
            BpfProgram program = Inputs.program(obj, collection, prog);
            Inputs.requireXdp(obj, program, "test-run");
            try {
                ProgTestRun.checkFrame(program, frame.length);
            } catch (BpfException e) {
                throw new CliException(dataIn + ": " + e.getMessage());
            }
            // as the kernel's load does: every XDP program of the object verified before anything runs
            Map<ProgramSpec, VerifierFacts> facts = noVerify ? Map.of() : Inputs.verifyAll(obj, collection);
            if (init != null) {
                try {
                    MapJson.applyInit(collection, init);
                } catch (BpfException e) {
                    throw new CliException(mapInit + ": " + e.getMessage());
                }
            }
            List<PerfEvents.Sample> samples = new ArrayList<>();
            PerfEvents readers = perfEvents ? PerfEvents.attach(collection, PerfBuffer.DEFAULT_BYTES) : PerfEvents.NONE;
            // the JIT warms up on a second collection from the same object and --map-init (throwaway state)
            ProgTestRun.Result r = ProgTestRun.run(collection, program, frame, repeat, trace, eng, () -> {
                BpfCollection w = BpfCollection.load(objSpec);
                w.fib(fibState);
                if (init != null) {
                    MapJson.applyInit(w, init);
                }
                return w;
            }, JitCompiler.using(p -> facts.get(p.spec())), ingressIfindex, rxQueue);
            readers.drain(samples);
            ObjectNode maps = MapJson.dump(collection, chosenMaps(collection));
            if (dataOut != null) {
                Inputs.writeAtomically(dataOut, r.dataOut());
            }
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (r.fault() != null) {
                err.println("jxdp: " + obj + ": program " + program.name() + " aborted: " + r.fault().getMessage());
            }
            KernelRun.Answer kernel = both ? KernelRun.run(obj, objSpec, program.name(), frame, init, mapInit, repeat,
                    ingressIfindex, rxQueue, mapsChoice, err) : null;
            List<String> differences = both ? KernelRun.differences(r, maps, kernel) : List.of();
            if (json) {
                ObjectNode o = answerJson(r, maps);
                if (eng == Engine.JIT) {
                    o.put("jit_ns", r.compileNs());
                }
                if (both) {
                    o.put("kernel_duration_ns", kernel.result().durationNs());
                    ArrayNode d = o.putArray("differences");
                    differences.forEach(d::add);
                }
                if (perfEvents) {
                    ArrayNode pe = o.putArray("perf_events");
                    for (PerfEvents.Sample s : samples) {
                        pe.addObject().put("map", s.map()).put("cpu", s.cpu()).put("data", HexFormat.of().formatHex(s.data()));
                    }
                    o.put("perf_lost", readers.lost());
                }
                out.println(o.toString());
                if (trace) {
                    r.trace().forEach(line -> err.println("trace: " + line));
                    ringbufRecords(collection).forEach(line -> err.println("trace: " + line));
                    perfLines(samples).forEach(line -> err.println("trace: " + line));
                }
            } else {
                List<String> traced = new ArrayList<>();
                if (trace) {
                    traced.addAll(r.trace());
                    traced.addAll(ringbufRecords(collection));
                }
                List<MapSpec> specs = new ArrayList<>();
                collection.maps().forEach(m -> specs.add(m.spec()));
                printSummary(out, program.name(), program.section(), engine.equals("interp") ? "reference interpreter"
                        : repeat == 1 ? String.format("JIT (compiled and called once in %.3f ms; a single run is not "
                        + "yet compiled by HotSpot, --repeat N times the warmed-up code)", r.compileNs() / 1e6)
                        : String.format("JIT (compiled and warmed up in %.3f ms)", r.compileNs() / 1e6), frame, r, maps,
                        specs, traced, perfEvents ? perfLines(samples) : null, readers.lost());
                if (both) {
                    out.printf("kernel    %s, %d ns per run%n", differences.isEmpty()
                            ? "the same retval, data_out and maps" : differences.size() + " difference"
                            + (differences.size() == 1 ? "" : "s") + " (on stderr)", kernel.result().durationNs());
                }
            }
            out.flush();
            if (!differences.isEmpty()) {
                differences.forEach(d -> err.println("jxdp: the kernel differs: " + d));
                err.flush();
                throw new CliException(obj + ": the kernel's answer differs from jit's in " + differences.size() + " place"
                        + (differences.size() == 1 ? "" : "s"), 1);
            }
        }
    }

    /** test-run's JSON answer without the engine's extras: retval, duration_ns, data_out, maps. */
    private static ObjectNode answerJson(ProgTestRun.Result r, ObjectNode maps) {
        ObjectNode o = Inputs.JSON.createObjectNode();
        o.put("retval", r.retval());
        o.put("duration_ns", r.durationNs());
        o.put("data_out", HexFormat.of().formatHex(r.dataOut()));
        o.set("maps", maps);
        return o;
    }

    /** The records programs submitted to ring buffers, consumed as a user-space reader would, one line each. */
    private static List<String> ringbufRecords(BpfCollection collection) {
        List<String> lines = new ArrayList<>();
        for (BpfMap m : collection.maps()) {
            if (m instanceof RingBufMap rb) {
                int n = 0;
                for (byte[] rec : rb.consume()) {
                    lines.add("ringbuf " + m.name() + " record " + n++ + " (" + rec.length + " bytes): "
                            + HexFormat.of().formatHex(rec));
                }
            }
        }
        return lines;
    }

    /** The samples perf event readers took, one line each. */
    private static List<String> perfLines(List<PerfEvents.Sample> samples) {
        List<String> lines = new ArrayList<>();
        for (PerfEvents.Sample s : samples) {
            lines.add("perf " + s.map() + " cpu " + s.cpu() + " (" + s.data().length + " bytes): "
                    + HexFormat.of().formatHex(s.data()));
        }
        return lines;
    }

    /** --maps: all, none, or the names given (each must be a map of the object). */
    private java.util.function.Predicate<String> chosenMaps(BpfCollection collection) {
        java.util.Set<String> known = new java.util.TreeSet<>();
        collection.maps().forEach(m -> known.add(MapJson.jsonName(m)));
        return chosenMaps(obj, mapsChoice, known);
    }

    /** --maps {@code choice} among the JSON names {@code known} of {@code file}'s maps. */
    static java.util.function.Predicate<String> chosenMaps(Path file, String choice, java.util.Set<String> known) {
        if (choice.equals("all")) {
            return name -> true;
        }
        if (choice.equals("none")) {
            return name -> false;
        }
        java.util.Set<String> names = new java.util.TreeSet<>(java.util.Arrays.asList(choice.split(",")));
        for (String n : names) {
            if (!known.contains(n)) {
                throw new CliException("--maps " + choice + ": " + file + " has no map '" + n + "' (maps: "
                        + String.join(", ", known) + ")");
            }
        }
        return names::contains;
    }

    private void printSummary(PrintWriter out, String program, String section, String engineLabel, byte[] frame,
                              ProgTestRun.Result r, ObjectNode maps, List<MapSpec> mapSpecs, List<String> traced,
                              List<String> perf, long lost) {
        out.printf("program   %s (section %s) from %s, %d run%s, %s%n", program, section, obj, repeat,
                repeat == 1 ? "" : "s", engineLabel);
        out.printf("retval    %s (%d)%n", XdpAction.name(r.retval()), r.retval());
        out.printf("duration  %d ns per run%n", r.durationNs());
        boolean same = Arrays.equals(frame, r.dataOut());
        out.printf("data_out  %d bytes%s%n", r.dataOut().length, same ? ", unchanged" : " (data_in was " + frame.length + ")");
        if (!same) {
            out.print(Hexdump.of(r.dataOut(), "          "));
        }
        if (trace) {
            out.println("trace");
            if (traced.isEmpty()) {
                out.println("          (no bpf_trace_printk output, no ring buffer records)");
            }
            traced.forEach(line -> out.println("          " + line));
        }
        if (perf != null) {
            out.printf("perf      %d sample%s taken by the readers, %d lost%n", perf.size(), perf.size() == 1 ? "" : "s", lost);
            perf.forEach(line -> out.println("          " + line));
        }
        out.println("maps");
        if (mapSpecs.isEmpty()) {
            out.println("          (none)");
        }
        for (MapSpec m : mapSpecs) {
            String name = m.name().replace('.', '_');
            JsonNode entries = maps.get(name);
            MapType t = MapType.byId(m.type());
            out.printf("  %-22s %s, key %d B, value %d B, max %d: %s%n", name, t == null ? "type " + m.type() : t.kernelName(),
                    m.keySize(), m.valueSize(), m.maxEntries(), entries == null ? "not dumped" : entries.size() + " entries");
            if (entries == null) {
                continue;
            }
            int shown = 0;
            for (Iterator<JsonNode> it = entries.elements(); it.hasNext() && shown < 16; shown++) {
                JsonNode e = it.next();
                out.printf("      %s -> %s%n", e.get("key").asText(), e.has("prog") ? "prog " + e.get("prog").asText()
                        : e.has("map") ? "map " + e.get("map").asText() : e.get("value").asText());
            }
            if (entries.size() > 16) {
                out.printf("      ... %d more (see --json)%n", entries.size() - 16);
            }
        }
    }

}
