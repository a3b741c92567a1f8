package dev.jxdp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.maps.Cpus;
import dev.jxdp.ebpf.maps.DevMap;
import dev.jxdp.ebpf.maps.DevMapHash;
import dev.jxdp.ebpf.maps.Errno;
import dev.jxdp.ebpf.maps.MapType;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.runtime.XdpBuff;
import dev.jxdp.ebpf.testrun.MapJson;
import dev.jxdp.ebpf.verifier.VerifierFacts;
import dev.jxdp.io.Rss;
import dev.jxdp.io.pcap.PcapException;
import dev.jxdp.io.pcap.PcapTxDriver;
import dev.jxdp.io.pcap.PcapWriter;
import dev.jxdp.io.pktgen.PktGen;
import dev.jxdp.io.veth.Veth;
import dev.jxdp.io.veth.VethPair;
import dev.jxdp.xdp.NapiWorker;
import dev.jxdp.xdp.NetDevice;
import dev.jxdp.xdp.NetDevices;
import dev.jxdp.xdp.PagePool;
import dev.jxdp.xdp.CpuMapRunner;
import dev.jxdp.xdp.PassSink;
import dev.jxdp.xdp.RxMode;
import dev.jxdp.xdp.RxQueueStats;
import dev.jxdp.run.Captures;
import dev.jxdp.run.DatapathRun;
import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.xdp.chain.ChainArgs;
import dev.jxdp.xdp.chain.ChainPlan;
import dev.jxdp.xdp.chain.ChainProgram;
import dev.jxdp.xdp.dispatch.LoadedChain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code jxdp run}: the XDP datapath over a capture file or the packet generator, on one or more RX queues. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        header = "Run an XDP program as a datapath over a pcap file or generated traffic.",
        description = {"Frames arrive on the RX queues of the input device (ifindex 1): --queues N spreads them by RSS "
                + "(Toeplitz hash of the IPv4/IPv6 addresses and TCP/UDP ports, 128-entry indirection table; non-IP to "
                + "queue 0), one worker thread per queue, each its own CPU for per-CPU maps. A NAPI loop (budget 64) runs "
                + "the verified, JIT-compiled program on each frame and acts on the verdict: XDP_DROP and XDP_ABORTED free "
                + "the frame, XDP_PASS hands it to the stack stage (--pass-out), XDP_TX sends it in bulks of 16 (--tx-out), "
                + "XDP_REDIRECT queues it for a device of --redirect-out or --veth (bulks of --redirect-bulk, flushed with "
                + "each poll; no such device, a device that is down, a full veth ring, or an XSKMAP slot (jxdp run has no AF_XDP sockets yet), counts as "
                + "an error; a devmap entry's own program runs on its frames before they leave). XDP_REDIRECT to a CPUMAP "
                + "entry (set with --map-init, qsize and optional \"prog\") queues the frame for that entry's consumer "
                + "thread in bulks of 8; the consumer runs the entry's program and hands XDP_PASS frames to the stack "
                + "stage (--pass-out); a full queue counts as an error. --rx-mode vector runs the program over vectors of up to 16 frames first, then each action's "
                + "frames together (RX-stages); auto does so when a poll brings 8 frames or more. Several --obj run "
                + "as one chain on each frame (libxdp's order and chain_call_actions, or --chain-map's steps; see "
                + "jxdp chain show), each program in its own object with its own maps; the summary counts each "
                + "program's runs and return codes.",
                "",
                "A stats line every second on stderr (total and per-queue Mpps), a summary at the end (Ctrl-C stops "
                + "cleanly with it); on every queue rx = drop + aborted + tx + redirect + pass + errors. With several "
                + "queues an output file gets each queue's records in blocks, each queue's in order.", ""},
        footer = {"", "Examples:",
                "  jxdp run --obj examples/xdp_demo.o --in pktgen:flows=64,size=64 --duration 5",
                "  jxdp run --obj examples/xdp_demo.o --in pktgen:flows=1024 --queues 2 --rx-mode vector --count 1000000",
                "  jxdp run --obj fw.o --in pcap:trace.pcap --pass-out pcap:passed.pcap --tx-out pcap:sent.pcap --json",
                "  jxdp run --obj redirect.o --in pktgen:flows=64 --veth 5 --devmap tx_port:0=5 --redirect-bulk 1",
                "pktgen SPEC: comma-separated key=value (flows, size 64..1518 or imix, proto udp|tcp|icmp, ip 4|6, vlan, "
                        + "src, dst, sport, dport, smac, dmac, seed, stamp, order seq|shuffle); empty for 64-byte IPv4 UDP.",
                "--veth IFINDEX: an in-memory veth pair, veth0 with ifindex IFINDEX and its peer veth1 with IFINDEX+1, both "
                        + "redirect targets; what one end transmits arrives on the other's RX ring (256 frames), where a "
                        + "thread standing for the peer's stack frees it (capture redirected frames with --redirect-out "
                        + "instead). Like veth, an end takes no frame while either end is down, and none longer than "
                        + "1518 bytes (the peer's MTU). The summary counts each end's tx, rx and refused frames.",
                "--perf-out jsonl:FILE (jsonl:- for standard output): a reader per CPU (worker) in each PERF_EVENT_ARRAY map, --perf-pages of buffer each, "
                        + "read by a thread while the datapath runs; each line {\"map\", \"cpu\", \"data\": hex}, data the "
                        + "raw sample (meta, then the frame bytes asked for in the flags' upper 32 bits, zero-padded so that "
                        + "4 + its length is a multiple of 8). A full buffer loses the sample (-ENOSPC to the program); the "
                        + "summary counts samples written and lost.",
                "--json: the totals at the top (rx, drop, aborted, tx, redirect, pass, errors, faults, missed, oversize, "
                        + "seconds, mpps, rx_mode, redirect_bulk, and with --perf-out perf_samples, perf_lost), \"queues\": "
                        + "the same counters and mpps per queue, \"veth\": tx, tx_errors, ring_full and rx per end, and with "
                        + "--dispatcher on \"dispatcher\": {\"entries\": [{queue, program, runs}]}, each queue's runs through it; "
                        + "with several --obj \"chain\": {\"executor\", \"programs\": [{program, runs, aborted, drop, pass, tx, "
                        + "redirect, other}]}.",
                "Several --obj: jxdp run --obj fw.o --obj lb.o@10 --obj mon.o:xdp_count --in pktgen: --count 1000000"})
final class RunCommand implements Runnable {

    private static final int PAGE_SIZE = 4096;
    /** 64 MiB per reader: a buffer is one Java array for the reader's copy as well. */
    private static final int MAX_PERF_PAGES = 16384;

    @Spec
    CommandSpec spec;

    @Mixin
    ChainOptions chain;

    // the first --obj's file (the only one without a chain)
    private Path obj;

    @Option(names = "--chain", paramLabel = "compiled|dynamic|tailcall",
            description = "how several programs run: compiled (one generated class calling each program directly; "
                    + "the default), dynamic (the next program looked up after each one, as seed 003's kernel code) "
                    + "or tailcall (as dynamic, each step a tail call: with the programs' own, at most 33 per frame, "
                    + "after which a program that would continue ends the chain)")
    String chainExecutor;

    @Option(names = "--prog", paramLabel = "NAME", description = "program to run (default: the object's only XDP program)")
    String prog;

    @Mixin
    LoadOptions type;

    @Option(names = "--in", required = true, paramLabel = "pcap:FILE|pktgen:SPEC", description = "where frames come from")
    String in;

    @Option(names = "--pass-out", paramLabel = "pcap:FILE", description = "write XDP_PASS frames to a pcap file")
    String passOut;

    @Option(names = "--tx-out", paramLabel = "pcap:FILE", description = "write XDP_TX frames to a pcap file")
    String txOut;

    @Option(names = "--redirect-out", paramLabel = "IFINDEX=pcap:FILE",
            description = "a device XDP_REDIRECT can reach (bpf_redirect, DEVMAP entries), whose transmits go to a pcap file; repeatable")
    List<String> redirectOut = new ArrayList<>();

    @Option(names = "--veth", paramLabel = "IFINDEX",
            description = "add an in-memory veth pair: veth0 = IFINDEX, its peer veth1 = IFINDEX+1, both redirect targets")
    Integer veth;

    @Option(names = "--perf-out", paramLabel = "jsonl:FILE",
            description = "attach a perf event reader to every CPU's slot of each PERF_EVENT_ARRAY map and write the samples "
                    + "bpf_perf_event_output sends to FILE, one JSON object per line (without it the helper answers -ENOENT)")
    String perfOut;

    @Option(names = "--perf-pages", paramLabel = "N", defaultValue = "64",
            description = "each perf event reader's buffer in 4 KiB pages, a power of 2 (perf_buffer__new()'s page_cnt; "
                    + "default: ${DEFAULT-VALUE}, 256 KiB)")
    int perfPages;

    @Option(names = "--map-init", paramLabel = "FILE.json", description = "initial map contents, as test-run takes them (e.g. DEVMAP slots)")
    Path mapInit;

    @Option(names = "--fib", paramLabel = "FILE.json|host", description = "the routing state bpf_fib_lookup consults, as test-run "
            + "takes it: a JSON file (docs/fib.md) or 'host', this network namespace's (default: a loopback device and no route)")
    String fib;

    @Option(names = "--devmap", paramLabel = "MAP:KEY=IFINDEX",
            description = "set DEVMAP or DEVMAP_HASH entry KEY of MAP to a device (after --map-init); repeatable")
    List<String> devmap = new ArrayList<>();

    @Option(names = "--queues", paramLabel = "N", defaultValue = "1",
            description = "RX queues of the input, one worker thread (one CPU) each, frames spread by RSS (default: ${DEFAULT-VALUE})")
    int queues;

    @Option(names = "--rx-mode", paramLabel = "scalar|vector|auto", defaultValue = "scalar",
            description = "walk each poll's frames one by one, in vectors (RX-stages), or vectors from 8 frames (default: "
                    + "${DEFAULT-VALUE}, measured the fastest here: docs/benchmarks.md)")
    String rxMode;

    @Option(names = "--redirect-bulk", paramLabel = "N", defaultValue = "16",
            description = "frames per device bulk of XDP_REDIRECT, 1..16; 1 sends each frame alone (default: ${DEFAULT-VALUE})")
    int redirectBulk;

    @Option(names = "--dispatcher", paramLabel = "on|off", defaultValue = "off",
            description = "on: each queue enters the program through the BPF dispatcher, a direct call the JIT can bind "
                    + "to this program and inline, instead of the one virtual call every program in the JVM shares; the "
                    + "summary then counts each queue's runs (default: ${DEFAULT-VALUE})")
    String dispatcher;

    @Option(names = "--count", paramLabel = "N", description = "stop after the input's first N frames (of the capture, or generated)")
    Long count;

    @Option(names = "--duration", paramLabel = "S", description = "stop after S seconds (pktgen without --count: default 10)")
    Double duration;

    @Option(names = "--frames", paramLabel = "N", defaultValue = "4096", description = "page pool size in 4 KiB frames, shared by the queues (default: ${DEFAULT-VALUE})")
    int frames;

    @Option(names = "--no-verify", description = "run without verifying first: every access checked at run time")
    boolean noVerify;

    @Option(names = "--json", description = "print the summary as one JSON object")
    boolean json;

    private volatile boolean stop;
    private volatile DatapathRun running;

    /** A --devmap entry as given. */
    private record DevmapEntry(String text, String map, long key, int ifindex) {}

    @Override
    public void run() {
        RxMode mode = checkArguments();
        boolean chained = chain.chained() || chainExecutor != null;
        LoadedChain.Executor executor = chained ? checkChainArguments() : null;
        List<ChainArgs.Member> members = chain.members();
        obj = members.getFirst().object();
        if (!chained) {
            ChainArgs.Member m = members.getFirst();
            if (m.runPrio().isPresent()) {
                throw new CliException("--obj " + chain.objs.getFirst() + ": a run priority orders several programs; give several --obj");
            }
            if (m.program() != null) {
                if (prog != null && !prog.equals(m.program())) {
                    throw new CliException("--obj " + chain.objs.getFirst() + " and --prog " + prog + " name two programs");
                }
                prog = m.program();
            }
        }
        int colon = in.indexOf(':');
        String kind = colon < 0 ? in : in.substring(0, colon);
        String arg = colon < 0 ? "" : in.substring(colon + 1);
        if (!kind.equals("pcap") && !kind.equals("pktgen")) {
            throw new CliException("--in " + in + ": want pcap:FILE or pktgen:SPEC");
        }
        List<Integer> redirectIfindex = new ArrayList<>();
        List<Path> redirectFiles = new ArrayList<>();
        for (String r : redirectOut) {
            int eq = r.indexOf('=');
            int ifindex = eq < 0 ? -1 : parseInt(r.substring(0, eq));
            if (ifindex <= 0 || redirectIfindex.contains(ifindex)) {
                throw new CliException("--redirect-out " + r + ": want IFINDEX=pcap:FILE with a distinct ifindex of 1 or more");
            }
            if (veth != null && (ifindex == veth || ifindex == veth + 1)) {
                throw new CliException("--redirect-out " + r + ": ifindex " + ifindex + " belongs to --veth " + veth
                        + " (veth0 " + veth + ", veth1 " + (veth + 1) + ")");
            }
            redirectIfindex.add(ifindex);
            redirectFiles.add(outFile("--redirect-out", r.substring(eq + 1)));
        }
        List<DevmapEntry> devmapEntries = new ArrayList<>();
        for (String d : devmap) {
            devmapEntries.add(parseDevmap(d));
        }
        JsonNode init = mapInit == null ? null : Inputs.json(mapInit);
        Path passFile = outFile("--pass-out", passOut);
        Path txFile = outFile("--tx-out", txOut);
        Path perfFile = jsonlFile("--perf-out", perfOut);
        Map<Path, ObjectSpec> objSpecs = chain.objects(f -> Inputs.object(f, type, spec.commandLine().getErr()));
        PktGen gen = null;
        Captures captures = new Captures();
        PerfOutFile perfWriter = null;
        PerfEvents perf = PerfEvents.NONE;
        long perfSamples = 0;
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop = true;
            DatapathRun r = running;
            if (r != null) {
                r.requestStop();
            }
            try {
                finished.await(5, TimeUnit.SECONDS);  // let the run print its summary and close its files
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        dev.jxdp.ebpf.fib.Fib fibState = Inputs.fib(fib);
        try (LoadedObjects objects = LoadedObjects.load(objSpecs); PagePool pool = new PagePool(frames)) {
            BpfCollection collection = objects.first();
            Map<ProgramSpec, VerifierFacts> facts = new java.util.HashMap<>();
            for (Map.Entry<Path, BpfCollection> e : objects.all().entrySet()) {
                e.getValue().fib(fibState);
                if (!noVerify) {
                    facts.putAll(Inputs.verifyAll(e.getKey(), e.getValue()));
                }
            }
            ChainPlan plan = chained ? chain.plan(objSpecs) : null;
            BpfProgram program = Inputs.program(obj, collection, chained ? plan.program(plan.first()).name() : prog);
            Inputs.requireXdp(obj, program, "jxdp run");
            NetDevices devices = new NetDevices();
            for (int i = 0; i < redirectFiles.size(); i++) {
                PcapWriter w = captures.open(redirectFiles.get(i));
                devices.add(new NetDevice(redirectIfindex.get(i), "pcap" + redirectIfindex.get(i), PcapTxDriver.shared(w, pool)));
            }
            VethPair pair = null;
            if (veth != null) {
                pair = VethPair.create(pool, "veth0", veth, "veth1", veth + 1, VethPair.DEFAULT_RING_FRAMES);
                devices.add(pair.a().device());
                devices.add(pair.b().device());
            }
            // from here on a devmap entry must name one of these devices, as dev_get_by_index() must find it
            for (BpfCollection c : objects.all().values()) {
                for (BpfMap m : c.maps()) {
                    if (m instanceof DevMap d) {
                        d.setDeviceCheck(ifindex -> devices.get(ifindex) != null);
                    } else if (m instanceof DevMapHash h) {
                        h.setDeviceCheck(ifindex -> devices.get(ifindex) != null);
                    }
                }
            }
            if (init != null) {
                try {
                    if (objects.all().size() == 1) {
                        MapJson.applyInit(collection, init);
                    } else {
                        objects.applyInit(init, mapInit.toString());
                    }
                } catch (BpfException e) {
                    throw new CliException(mapInit + ": " + e.getMessage());
                }
            }
            for (DevmapEntry e : devmapEntries) {
                applyDevmap(objects.holding(e.map(), "--devmap " + e.text()), devices, e);
            }
            if (perfFile != null) {
                perf = PerfEvents.attach(collection, perfPages * PAGE_SIZE);
                if (!perf.any()) {
                    throw new CliException("--perf-out " + perfOut + ": " + obj + " has no PERF_EVENT_ARRAY map");
                }
                perfWriter = new PerfOutFile(perf, perfFile);
            }
            JitCompiler compiler = JitCompiler.using(p -> facts.get(p.spec()));
            DatapathRun.Input input = Inputs.datapathInput(kind, arg);
            if (input instanceof DatapathRun.Generated g) {
                gen = g.gen();
            }
            PcapWriter passOutWriter = captures.open(passFile);
            PcapWriter txOutWriter = captures.open(txFile);
            DatapathRun run = new DatapathRun(collection, program, compiler, pool, devices)
                    .queues(queues).rxMode(mode).redirectBulk(redirectBulk).dispatcher(dispatcher.equals("on")).limit(count != null ? count : -1).veth(pair)
                    .pass(q -> passOutWriter == null ? PassSink.DISCARD : passSink(passOutWriter.lane()))
                    .cpumapPass(() -> passOutWriter == null ? PassSink.DISCARD : lockedPassSink(passOutWriter.lane()));
            if (chained) {
                run.chain(loadChain(plan, objects, compiler, executor));
            }
            if (txOutWriter != null) {
                run.tx(q -> new PcapTxDriver(txOutWriter.lane(), pool));
            }
            Runtime.getRuntime().addShutdownHook(hook);
            double seconds = duration != null ? duration : count == null && gen != null ? 10.0 : Double.POSITIVE_INFINITY;
            if (perfWriter != null) {
                perfWriter.start();
            }
            running = run;
            if (stop) {
                run.requestStop();  // Ctrl-C came before the run existed
            }
            DatapathRun.Result result = run.run(input, seconds, 1_000_000_000L, this::statsLine);
            if (perfWriter != null) {
                PerfOutFile w = perfWriter;
                perfWriter = null;
                perfSamples = w.finish();  // after every program stopped: what they sent is all there
            }
            captures.closeAll();
            summary(result, pair, chained ? "chain of " + plan.size() + " programs (" + executor.label() + ")" : program.name(), mode,
                    perfFile == null ? null : new PerfSummary(perfFile, perfSamples, perf.lost()));
        } catch (PcapException e) {
            throw new CliException(e.path() + ": " + e.getMessage());
        } finally {
            captures.abortAll();
            if (perfWriter != null) {
                perfWriter.abort();
            }
            if (gen != null) {
                gen.close();
            }
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException | IllegalArgumentException e) {
                // shutting down already (Ctrl-C), or the hook was never added
            }
        }
    }

    /** The options that need no file: one line naming the first bad one. */
    // the options a chain refuses, and its executor
    private LoadedChain.Executor checkChainArguments() {
        if (prog != null) {
            throw new CliException("--prog: with several --obj name each program as FILE.o:PROG");
        }
        if (perfOut != null) {
            throw new CliException("--perf-out: not supported with several --obj yet");
        }
        String e = chainExecutor == null ? "compiled" : chainExecutor;
        return switch (e) {
            case "compiled" -> LoadedChain.Executor.COMPILED;
            case "dynamic" -> LoadedChain.Executor.DYNAMIC;
            case "tailcall" -> LoadedChain.Executor.TAILCALL;
            default -> throw new CliException("--chain " + e + ": want compiled, dynamic or tailcall");
        };
    }

    private static LoadedChain loadChain(ChainPlan plan, LoadedObjects objects, JitCompiler compiler, LoadedChain.Executor executor) {
        List<JitProgram> parts = new ArrayList<>();
        for (ChainProgram p : plan.programs()) {
            BpfCollection c = objects.all().get(p.object());
            BpfProgram bp = Inputs.program(p.object(), c, p.name());
            Inputs.requireXdp(p.object(), bp, "jxdp run");
            parts.add(compiler.program(bp));
        }
        return LoadedChain.of(plan, parts, executor);
    }

    /** The objects a run loaded, each once, in --obj order; closes them all. */
    private record LoadedObjects(Map<Path, BpfCollection> all) implements AutoCloseable {
        static LoadedObjects load(Map<Path, ObjectSpec> specs) {
            Map<Path, BpfCollection> out = new java.util.LinkedHashMap<>();
            try {
                for (Map.Entry<Path, ObjectSpec> e : specs.entrySet()) {
                    out.put(e.getKey(), Inputs.load(e.getKey(), e.getValue()));
                }
            } catch (RuntimeException e) {
                out.values().forEach(BpfCollection::close);
                throw e;
            }
            return new LoadedObjects(out);
        }

        BpfCollection first() { return all.values().iterator().next(); }

        // the one collection with a map of this name (the first object's when only it has one)
        BpfCollection holding(String map, String what) {
            BpfCollection c = owner(map, what);
            return c != null ? c : first();
        }

        // the one object that has a map of this name (as map-init JSON names maps), or null: a name two
        // objects share is an error, since the first in --obj order is not a guess to make
        private BpfCollection owner(String map, String what) {
            BpfCollection found = null;
            for (BpfCollection c : all.values()) {
                if (MapJson.has(c, map)) {
                    if (found != null) {
                        throw new CliException(what + ": map " + map + " is in more than one object");
                    }
                    found = c;
                }
            }
            return found;
        }

        // map-init JSON over several objects: each map's entries go to the object that has that map
        void applyInit(JsonNode init, String file) {
            JsonNode maps = init.get("maps");
            if (maps == null || !maps.isObject()) {
                throw new BpfException("want {\"maps\": {\"MAP\": [{\"key\": hex, \"value\": hex}, ...]}}");
            }
            Map<BpfCollection, ObjectNode> docs = new java.util.LinkedHashMap<>();
            for (java.util.Iterator<Map.Entry<String, JsonNode>> it = maps.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                BpfCollection owner = owner(e.getKey(), file);
                if (owner == null) {
                    throw new CliException(file + ": no object has a map " + e.getKey());
                }
                ObjectNode doc = docs.computeIfAbsent(owner, c -> Inputs.JSON.createObjectNode());
                doc.withObjectProperty("maps").set(e.getKey(), e.getValue());
            }
            docs.forEach(MapJson::applyInit);
        }

        @Override
        public void close() {
            all.values().forEach(BpfCollection::close);
        }
    }

    private RxMode checkArguments() {
        if (count != null && count < 0) {
            throw new CliException("--count must be 0 or more");
        }
        if (frames < 64) {
            throw new CliException("--frames must be at least 64 (got " + frames + ")");
        }
        if (duration != null && !(duration > 0)) {
            throw new CliException("--duration must be positive");
        }
        int maxQueues = Math.min(Rss.MAX_QUEUES, Cpus.possible());
        if (queues < 1 || queues > maxQueues) {
            throw new CliException("--queues " + queues + ": want 1.." + maxQueues + " (one worker per CPU: "
                    + Cpus.possible() + " possible CPUs, -Djxdp.cpus=N to pretend more; RSS spreads over at most "
                    + Rss.MAX_QUEUES + ")");
        }
        RxMode mode = RxMode.parse(rxMode);
        if (mode == null) {
            throw new CliException("--rx-mode " + rxMode + ": want scalar, vector or auto");
        }
        if (!dispatcher.equals("on") && !dispatcher.equals("off")) {
            throw new CliException("--dispatcher " + dispatcher + ": want on or off");
        }
        if (redirectBulk < 1 || redirectBulk > NapiWorker.TX_BULK) {
            throw new CliException("--redirect-bulk " + redirectBulk + ": want 1.." + NapiWorker.TX_BULK);
        }
        if (perfPages < 1 || perfPages > MAX_PERF_PAGES || Integer.bitCount(perfPages) != 1) {
            throw new CliException("--perf-pages " + perfPages + ": want a power of 2 from 1 to " + MAX_PERF_PAGES);
        }
        if (veth != null && (veth < 1 || veth == Integer.MAX_VALUE)) {
            throw new CliException("--veth " + veth + ": want an ifindex of 1 or more (its peer takes the next one)");
        }
        return mode;
    }

    private static int parseInt(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** MAP:KEY=IFINDEX, KEY a u32 in decimal or 0x hex, IFINDEX 1 or more. */
    private static DevmapEntry parseDevmap(String text) {
        int eq = text.indexOf('=');
        int colon = eq < 0 ? -1 : text.lastIndexOf(':', eq);
        long key = -1;
        int ifindex = -1;
        if (colon > 0) {
            String k = text.substring(colon + 1, eq);
            try {
                key = k.startsWith("0x") || k.startsWith("0X") ? Long.parseLong(k.substring(2), 16) : Long.parseLong(k);
            } catch (NumberFormatException e) {
                key = -1;
            }
            ifindex = parseInt(text.substring(eq + 1));
        }
        if (colon <= 0 || key < 0 || key > 0xffffffffL || ifindex <= 0) {
            throw new CliException("--devmap " + text + ": want MAP:KEY=IFINDEX (KEY a u32, IFINDEX 1 or more)");
        }
        return new DevmapEntry(text, text.substring(0, colon), key, ifindex);
    }

    // as bpftool map update would: the kernel's devmap refuses an ifindex with no device (EINVAL)
    private static void applyDevmap(BpfCollection collection, NetDevices devices, DevmapEntry e) {
        try {
            DatapathRun.setDevmapSlot(collection, devices, e.map(), e.key(), e.ifindex());
        } catch (BpfException x) {
            String hint = devices.get(e.ifindex()) == null ? " (add one with --veth or --redirect-out)" : "";
            throw new CliException("--devmap " + e.text() + ": " + x.getMessage() + hint);
        }
    }

    private static PassSink passSink(PcapWriter.Lane lane) {
        return b -> lane.write(b.data, b.length(), System.currentTimeMillis() * 1_000_000L);
    }

    private static Path outFile(String option, String value) {
        if (value == null) {
            return null;
        }
        if (!value.startsWith("pcap:") || value.length() == 5) {
            throw new CliException(option + " " + value + ": want pcap:FILE");
        }
        return Path.of(value.substring(5));
    }

    private static Path jsonlFile(String option, String value) {
        if (value == null) {
            return null;
        }
        if (!value.startsWith("jsonl:") || value.length() == 6) {
            throw new CliException(option + " " + value + ": want jsonl:FILE");
        }
        // jsonl:- streams the samples to standard output as they come (the summary goes there too, last)
        return value.equals("jsonl:-") ? Path.of("/dev/stdout") : Path.of(value.substring(6));
    }

    /** What --perf-out wrote: the file, the samples in it, the samples lost to full buffers. */
    private record PerfSummary(Path file, long samples, long lost) {}

    // the stats line every second: total and per-queue Mpps since the last one
    private long lastTotal;
    private long lastTime;
    private long[] lastRx;

    private void statsLine(DatapathRun.Progress p) {
        PrintWriter err = spec.commandLine().getErr();
        int n = p.queues().length;
        if (lastRx == null) {
            lastRx = new long[n];
        }
        double ns = p.elapsedNanos() - lastTime;
        StringBuilder line = new StringBuilder();
        line.append(String.format("%6.1fs  rx %8.3f Mpps", p.elapsedNanos() / 1e9, (p.total().rx - lastTotal) * 1e3 / ns));
        if (n > 1) {
            for (int q = 0; q < n; q++) {
                long rx = p.queues()[q].rx;
                line.append(String.format("  q%d %.3f", q, (rx - lastRx[q]) * 1e3 / ns));
                lastRx[q] = rx;
            }
        }
        line.append("  ").append(p.total());
        err.println(line);
        err.flush();
        lastTotal = p.total().rx;
        lastTime = p.elapsedNanos();
    }

    // a cpumap's consumers (one thread per entry) share the map's lane of the --pass-out file
    private static PassSink lockedPassSink(PcapWriter.Lane lane) {
        PassSink sink = passSink(lane);
        return b -> {
            synchronized (lane) {
                sink.pass(b);
            }
        };
    }

    private void summary(DatapathRun.Result result, VethPair pair, String name, RxMode mode, PerfSummary perf) {
        RxQueueStats s = result.total();
        PrintWriter out = spec.commandLine().getOut();
        double seconds = result.nanos() / 1e9;
        double perSecond = 1 / Math.max(seconds, 1e-9) / 1e6;
        long faults = sum(result.faults());
        int n = result.queues().length;
        long[] missed = result.missed();
        long[] oversize = result.oversize();
        List<CpuMapRunner> runners = result.cpumaps();
        long missedAll = sum(missed);
        long oversizeAll = sum(oversize);
        Veth[] ends = pair == null ? new Veth[0] : new Veth[] {pair.a(), pair.b()};
        if (json) {
            ObjectNode o = Inputs.JSON.createObjectNode();
            counters(o, s);
            o.put("faults", faults).put("missed", missedAll).put("oversize", oversizeAll)
                    .put("seconds", Math.round(seconds * 1e6) / 1e6).put("mpps", round4(s.rx * perSecond))
                    .put("rx_mode", mode.name().toLowerCase(java.util.Locale.ROOT)).put("redirect_bulk", redirectBulk);
            ArrayNode qs = o.putArray("queues");
            for (int q = 0; q < n; q++) {
                ObjectNode e = qs.addObject().put("queue", q);
                counters(e, result.queues()[q]);
                e.put("faults", result.faults()[q]).put("missed", missed[q]).put("oversize", oversize[q])
                        .put("mpps", round4(result.queues()[q].rx * perSecond));
            }
            if (!runners.isEmpty()) {
                ArrayNode cs = o.putArray("cpumap");
                for (CpuMapRunner r : runners) {
                    CpuMapRunner.Stats c = r.total();
                    cs.addObject().put("map", r.map().name()).put("enqueued", c.enqueued()).put("pass", c.passed())
                            .put("drop", c.dropped()).put("aborted", c.aborted());
                }
            }
            if (perf != null) {
                o.put("perf_samples", perf.samples()).put("perf_lost", perf.lost());
            }
            if (!result.chain().isEmpty()) {
                ArrayNode cs = o.putObject("chain").put("executor", chainExecutorLabel()).putArray("programs");
                for (DatapathRun.ChainEntry c : result.chain()) {
                    ObjectNode e = cs.addObject().put("program", c.program()).put("runs", c.runs());
                    for (int k = 0; k < CODE_NAMES.length; k++) {
                        e.put(CODE_NAMES[k], c.returned()[k]);
                    }
                }
            }
            if (!result.dispatcher().isEmpty()) {
                ArrayNode es = o.putObject("dispatcher").putArray("entries");
                           for (DatapathRun.DispatchEntry d : result.dispatcher()) {
                    es.addObject().put("queue", d.queue()).put("program", d.program()).put("runs", d.runs());
                }
            }
            if (pair != null) {
                ArrayNode vs = o.putArray("veth");
                for (Veth v : ends) {
                    vs.addObject().put("name", v.device().name()).put("ifindex", v.device().ifindex())
                            .put("tx", v.txPackets()).put("tx_errors", v.txErrors()).put("ring_full", v.txRingFull())
                            .put("rx", v.rxPackets());
                }
            }
            out.println(o.toString());
        } else {
            out.printf("program  %s from %s, %d RX queue%s (%s), %.3f s, %.3f Mpps%n", name, obj, n, n == 1 ? "" : "s",
                    mode.name().toLowerCase(java.util.Locale.ROOT), seconds, s.rx * perSecond);
            out.printf("rx       %d%n", s.rx);
            out.printf("drop     %d%naborted  %d%s%ntx       %d%nredirect %d%npass     %d%nerrors   %d%n", s.drop, s.aborted,
                    faults > 0 ? " (" + faults + " by a failed run-time check)" : "", s.tx, s.redirect, s.pass, s.errors);
            if (missedAll > 0 || oversizeAll > 0) {
                out.printf("driver   %d missed (no free frame), %d over %d bytes dropped%n", missedAll, oversizeAll,
                        XdpBuff.MAX_DATA);
            }
            if (n > 1) {
                out.printf("%-6s %12s %12s %9s %12s %12s %12s %9s %9s%n", "queue", "rx", "drop", "aborted", "tx", "redirect",
                        "pass", "errors", "Mpps");
                for (int q = 0; q < n; q++) {
                    RxQueueStats e = result.queues()[q];
                    out.printf("%-6d %12d %12d %9d %12d %12d %12d %9d %9.3f%n", q, e.rx, e.drop, e.aborted, e.tx, e.redirect,
                            e.pass, e.errors, e.rx * perSecond);
                }
            }
            for (CpuMapRunner r : runners) {
                CpuMapRunner.Stats c = r.total();
                out.printf("cpumap   %s: %d enqueued, %d passed to the stack, %d dropped, %d aborted%n", r.map().name(),
                        c.enqueued(), c.passed(), c.dropped(), c.aborted());
            }
            for (DatapathRun.ChainEntry c : result.chain()) {
                StringBuilder codes = new StringBuilder();
                for (int k = 0; k < CODE_NAMES.length; k++) {
                    if (c.returned()[k] > 0) {
                        codes.append(codes.isEmpty() ? "" : ", ").append(CODE_NAMES[k]).append(' ').append(c.returned()[k]);
                    }
                }
                out.printf("chain    %s: %d runs%s%n", c.program(), c.runs(), codes.isEmpty() ? "" : " (" + codes + ")");
            }
            for (DatapathRun.DispatchEntry d : result.dispatcher()) {
                out.printf("xdp_call queue %d: %s entered through the BPF dispatcher, %d runs%n", d.queue(), d.program(),
                        d.runs());
            }
            if (perf != null) {
                out.printf("perf     %d samples to %s, %d lost (a reader's buffer was full)%n", perf.samples(), perf.file(),
                        perf.lost());
            }
            for (Veth v : ends) {
                out.printf("%-8s ifindex %d: tx %d, rx %d, %d refused (%d on a full ring)%n", v.device().name(),
                        v.device().ifindex(), v.txPackets(), v.rxPackets(), v.txErrors(), v.txRingFull());
            }
        }
        out.flush();
    }

    // a chain program's return codes, in the order of DatapathRun.ChainEntry.returned
    private static final String[] CODE_NAMES = {"aborted", "drop", "pass", "tx", "redirect", "other"};

    private String chainExecutorLabel() {
        return chainExecutor == null ? "compiled" : chainExecutor;
    }

    private static void counters(ObjectNode o, RxQueueStats s) {
        o.put("rx", s.rx).put("drop", s.drop).put("aborted", s.aborted).put("tx", s.tx).put("redirect", s.redirect)
                .put("pass", s.pass).put("errors", s.errors);
    }

    private static double round4(double v) {
        return Math.round(v * 1e4) / 1e4;
    }

    private static long sum(long[] v) {
        long s = 0;
        for (long x : v) {
            s += x;
        }
        return s;
    }
}
