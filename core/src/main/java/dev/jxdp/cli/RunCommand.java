package dev.jxdp.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.verifier.VerifierFacts;
import dev.jxdp.io.pcap.PcapException;
import dev.jxdp.io.pcap.PcapReader;
import dev.jxdp.io.pcap.PcapRxDriver;
import dev.jxdp.io.pcap.PcapTxDriver;
import dev.jxdp.io.pcap.PcapWriter;
import dev.jxdp.io.pktgen.PktGen;
import dev.jxdp.io.pktgen.PktGenDriver;
import dev.jxdp.io.pktgen.PktGenSpec;
import dev.jxdp.xdp.NapiWorker;
import dev.jxdp.xdp.PagePool;
import dev.jxdp.xdp.PassSink;
import dev.jxdp.xdp.RxDriver;
import dev.jxdp.xdp.RxQueueStats;
import dev.jxdp.xdp.TxDriver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code jxdp run}: the XDP datapath over a capture file or the packet generator, one RX queue. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        header = "Run an XDP program as a datapath over a pcap file or generated traffic.",
        description = {"Frames arrive on one RX queue from --in, a NAPI loop (budget 64) runs the verified, "
                + "JIT-compiled program on each and acts on the verdict: XDP_DROP and XDP_ABORTED free the frame, "
                + "XDP_PASS hands it to the stack stage (--pass-out), XDP_TX sends it in bulks of 16 (--tx-out), "
                + "XDP_REDIRECT queues it for a device of --redirect-out (bulks of 16, flushed with each poll; no such "
                + "device, or a CPUMAP/XSKMAP target, counts as an error). A stats line every second on stderr, "
                + "a summary at the end (Ctrl-C stops cleanly with it); always rx = drop + aborted + tx + redirect "
                + "+ pass + errors.", ""},
        footer = {"", "Examples:",
                "  jxdp run --obj examples/xdp_demo.o --in pktgen:flows=64,size=64 --duration 5",
                "  jxdp run --obj fw.o --in pcap:trace.pcap --pass-out pcap:passed.pcap --tx-out pcap:sent.pcap --json",
                "pktgen SPEC: comma-separated key=value (flows, size 64..1518 or imix, proto udp|tcp|icmp, ip 4|6, vlan, "
                        + "src, dst, sport, dport, smac, dmac, seed, stamp); empty for 64-byte IPv4 UDP."})
final class RunCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--obj", required = true, paramLabel = "FILE.o", description = "eBPF object file")
    Path obj;

    @Option(names = "--prog", paramLabel = "NAME", description = "program to run (default: the object's only program)")
    String prog;

    @Option(names = "--in", required = true, paramLabel = "pcap:FILE|pktgen:SPEC", description = "where frames come from")
    String in;

    @Option(names = "--pass-out", paramLabel = "pcap:FILE", description = "write XDP_PASS frames to a pcap file")
    String passOut;

    @Option(names = "--tx-out", paramLabel = "pcap:FILE", description = "write XDP_TX frames to a pcap file")
    String txOut;

    @Option(names = "--redirect-out", paramLabel = "IFINDEX=pcap:FILE",
            description = "a device XDP_REDIRECT can reach (bpf_redirect, DEVMAP entries), whose transmits go to a pcap file; repeatable")
    java.util.List<String> redirectOut = new java.util.ArrayList<>();

    @Option(names = "--map-init", paramLabel = "FILE.json", description = "initial map contents, as test-run takes them (e.g. DEVMAP slots)")
    Path mapInit;

    @Option(names = "--count", paramLabel = "N", description = "stop after N received frames")
    Long count;

    @Option(names = "--duration", paramLabel = "S", description = "stop after S seconds (pktgen without --count: default 10)")
    Double duration;

    @Option(names = "--frames", paramLabel = "N", defaultValue = "4096", description = "page pool size in 4 KiB frames (default: ${DEFAULT-VALUE})")
    int frames;

    @Option(names = "--no-verify", description = "run without verifying first: every access checked at run time")
    boolean noVerify;

    @Option(names = "--json", description = "print the summary as one JSON object")
    boolean json;

    private volatile boolean stop;

    @Override
    public void run() {
        if (count != null && count < 0 || duration != null && !(duration > 0) || frames < 64) {
            throw new CliException(count != null && count < 0 ? "--count must be 0 or more"
                    : frames < 64 ? "--frames must be at least 64 (got " + frames + ")" : "--duration must be positive");
        }
        int colon = in.indexOf(':');
        String kind = colon < 0 ? in : in.substring(0, colon);
        String arg = colon < 0 ? "" : in.substring(colon + 1);
        if (!kind.equals("pcap") && !kind.equals("pktgen")) {
            throw new CliException("--in " + in + ": want pcap:FILE or pktgen:SPEC");
        }
        java.util.List<Integer> redirectIfindex = new java.util.ArrayList<>();
        java.util.List<Path> redirectFiles = new java.util.ArrayList<>();
        for (String r : redirectOut) {
            int eq = r.indexOf('=');
            int ifindex;
            try {
                ifindex = eq < 0 ? -1 : Integer.parseInt(r.substring(0, eq));
            } catch (NumberFormatException e) {
                ifindex = -1;
            }
            if (ifindex <= 0 || redirectIfindex.contains(ifindex)) {
                throw new CliException("--redirect-out " + r + ": want IFINDEX=pcap:FILE with a distinct ifindex of 1 or more");
            }
            redirectIfindex.add(ifindex);
            redirectFiles.add(outFile("--redirect-out", r.substring(eq + 1)));
        }
        com.fasterxml.jackson.databind.JsonNode init = mapInit == null ? null : Inputs.json(mapInit);
        Path passFile = outFile("--pass-out", passOut);
        Path txFile = outFile("--tx-out", txOut);
        ObjectSpec objSpec = Inputs.object(obj);
        PcapReader reader = null;
        PktGen gen = null;
        PcapWriter passWriter = null;
        PcapWriter txWriter = null;
        java.util.List<PcapWriter> redirectWriters = new java.util.ArrayList<>();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop = true;
            try {
                finished.await(5, TimeUnit.SECONDS);  // let the loop print its summary and close its files
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try (BpfCollection collection = Inputs.load(obj, objSpec); PagePool pool = new PagePool(frames)) {
            BpfProgram program = Inputs.program(obj, collection, prog);
            if (!program.spec().isXdp()) {
                throw new CliException(obj + ": program " + program.name() + " is in section " + program.section()
                        + ": jxdp run runs XDP programs only");
            }
            Map<ProgramSpec, VerifierFacts> facts = noVerify ? Map.of() : Inputs.verifyAll(obj, collection);
            if (init != null) {
                try {
                    dev.jxdp.ebpf.testrun.MapJson.applyInit(collection, init);
                } catch (BpfException e) {
                    throw new CliException(mapInit + ": " + e.getMessage());
                }
            }
            JitProgram jit = JitCompiler.using(p -> facts.get(p.spec())).program(program);
            PagePool.Cache cache = pool.cache();
            RxDriver rx;
            PcapRxDriver pcapRx = null;
            PktGenDriver genRx = null;
            if (kind.equals("pcap")) {
                try {
                    reader = PcapReader.open(Path.of(arg));
                } catch (PcapException e) {
                    throw new CliException(arg + ": " + e.getMessage());
                }
                pcapRx = new PcapRxDriver(reader, pool, cache, 1, 0);
                rx = pcapRx;
            } else {
                try {
                    gen = new PktGen(PktGenSpec.parse(arg));
                } catch (BpfException e) {
                    throw new CliException("pktgen: " + e.getMessage());
                }
                genRx = new PktGenDriver(gen, pool, cache, 1, 0, count != null ? count : -1);
                rx = genRx;
            }
            if (passFile != null) {
                passWriter = PcapWriter.open(passFile, PcapWriter.Resolution.NANOSECONDS);
            }
            if (txFile != null) {
                txWriter = PcapWriter.open(txFile, PcapWriter.Resolution.NANOSECONDS);
            }
            PcapWriter pw = passWriter;
            PassSink pass = pw == null ? PassSink.DISCARD
                    : b -> pw.write(b.data, b.length(), System.currentTimeMillis() * 1_000_000L);
            TxDriver tx = txWriter != null ? new PcapTxDriver(txWriter, pool) : (ids, from, n) -> {
                pool.returnBulk(ids, from, n);  // no wire: sent and completed at once
                return n;
            };
            dev.jxdp.xdp.NetDevices devices = new dev.jxdp.xdp.NetDevices();
            for (int i = 0; i < redirectFiles.size(); i++) {
                PcapWriter w = PcapWriter.open(redirectFiles.get(i), PcapWriter.Resolution.NANOSECONDS);
                redirectWriters.add(w);
                devices.add(new dev.jxdp.xdp.NetDevice(redirectIfindex.get(i), "pcap" + redirectIfindex.get(i),
                        new PcapTxDriver(w, pool)));
            }
            NapiWorker worker = new NapiWorker(pool, cache, rx, tx, pass, jit, collection, 0, 1, 0, devices);
            Runtime.getRuntime().addShutdownHook(hook);
            double limit = duration != null ? duration : count == null && genRx != null ? 10.0 : Double.POSITIVE_INFINITY;
            long seconds = loop(worker, pcapRx, limit);
            if (passWriter != null) {
                passWriter.close();
                passWriter = null;
            }
            if (txWriter != null) {
                txWriter.close();
                txWriter = null;
            }
            for (PcapWriter w : redirectWriters) {
                w.close();
            }
            redirectWriters.clear();
            summary(worker.stats(), seconds, jit, pcapRx, genRx, program.name());
        } catch (PcapException e) {
            throw new CliException(e.path() + ": " + e.getMessage());
        } finally {
            if (passWriter != null) {
                passWriter.abort();
            }
            if (txWriter != null) {
                txWriter.abort();
            }
            for (PcapWriter w : redirectWriters) {
                w.abort();
            }
            if (reader != null) {
                reader.close();
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

    private static Path outFile(String option, String value) {
        if (value == null) {
            return null;
        }
        if (!value.startsWith("pcap:") || value.length() == 5) {
            throw new CliException(option + " " + value + ": want pcap:FILE");
        }
        return Path.of(value.substring(5));
    }

    // polls until the input ends, --count frames arrived, the time is up or Ctrl-C; returns elapsed ns
    private long loop(NapiWorker worker, PcapRxDriver pcapRx, double limitSeconds) {
        RxQueueStats s = worker.stats();
        PrintWriter err = spec.commandLine().getErr();
        long start = System.nanoTime();
        long deadline = Double.isInfinite(limitSeconds) ? Long.MAX_VALUE : start + (long) (limitSeconds * 1e9);
        long nextLine = start + 1_000_000_000L;
        long lastRx = 0;
        long lastTime = start;
        int polls = 0;
        while (!stop && (count == null || s.rx < count)) {
            int budget = count == null ? NapiWorker.BUDGET : (int) Math.min(NapiWorker.BUDGET, count - s.rx);
            int n = worker.poll(budget);
            if (n == 0 && pcapRx != null && pcapRx.done()) {
                break;
            }
            if ((++polls & 255) == 0 || n == 0) {
                long now = System.nanoTime();
                if (now >= deadline) {
                    break;
                }
                if (now >= nextLine) {
                    err.printf("%6.1fs  rx %8.3f Mpps  %s%n", (now - start) / 1e9, (s.rx - lastRx) * 1e3 / (now - lastTime), s);
                    err.flush();
                    lastRx = s.rx;
                    lastTime = now;
                    nextLine = now + 1_000_000_000L;
                }
            }
        }
        return System.nanoTime() - start;
    }

    private void summary(RxQueueStats s, long ns, JitProgram jit, PcapRxDriver pcapRx, PktGenDriver genRx, String name) {
        s.checkAccounting();
        PrintWriter out = spec.commandLine().getOut();
        double seconds = ns / 1e9;
        double mpps = s.rx / Math.max(seconds, 1e-9) / 1e6;
        long missed = pcapRx != null ? pcapRx.noBuffers() : genRx != null ? genRx.noBuffers() : 0;
        long oversize = pcapRx != null ? pcapRx.oversize() : 0;
        if (json) {
            ObjectNode o = Inputs.JSON.createObjectNode();
            o.put("rx", s.rx).put("drop", s.drop).put("aborted", s.aborted).put("tx", s.tx).put("redirect", s.redirect)
                    .put("pass", s.pass).put("errors", s.errors).put("faults", jit.faults()).put("missed", missed)
                    .put("oversize", oversize).put("seconds", Math.round(seconds * 1e6) / 1e6)
                    .put("mpps", Math.round(mpps * 1e4) / 1e4);
            out.println(o.toString());
        } else {
            out.printf("program  %s from %s, 1 RX queue, %.3f s, %.3f Mpps%n", name, obj, seconds, mpps);
            out.printf("rx       %d%n", s.rx);
            out.printf("drop     %d%naborted  %d%s%ntx       %d%nredirect %d%npass     %d%nerrors   %d%n", s.drop, s.aborted,
                    jit.faults() > 0 ? " (" + jit.faults() + " by a failed run-time check)" : "", s.tx, s.redirect, s.pass, s.errors);
            if (missed > 0 || oversize > 0) {
                out.printf("driver   %d missed (no free frame), %d over %d bytes dropped%n", missed, oversize,
                        dev.jxdp.ebpf.runtime.XdpBuff.MAX_DATA);
            }
        }
        out.flush();
    }
}
