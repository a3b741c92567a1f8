package dev.jxdp.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jxdp.JxdpException;
import dev.jxdp.bench.BuiltinProgram;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.maps.XskMap;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.io.pcap.PcapException;
import dev.jxdp.io.pktgen.PktGen;
import dev.jxdp.run.DatapathRun;
import dev.jxdp.xdp.NetDevices;
import dev.jxdp.xdp.PagePool;
import dev.jxdp.xdp.RxMode;
import dev.jxdp.xdp.chain.ChainArgs;
import dev.jxdp.xsk.Umem;
import dev.jxdp.xsk.UmemConfig;
import dev.jxdp.xsk.XdpSock;
import dev.jxdp.xsk.XskRing;
import dev.jxdp.xsk.XskL2Fwd;
import dev.jxdp.xsk.XskRxDrop;
import dev.jxdp.xsk.XskTxOnly;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code jxdp xsk}: AF_XDP sockets on jxdp's datapath, as xdpsock drives the kernel's. */
@Command(name = "xsk", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "AF_XDP sockets on jxdp's datapath, like xdpsock.",
        description = {"Each RX queue of the input device gets an AF_XDP socket with a UMEM of its own; the built-in "
                + "program redirects every frame to its queue's socket (bpf_redirect_map(&xsks_map, rx_queue_index, "
                + "XDP_PASS)), and the datapath copies it into a chunk from the socket's fill ring (--copy, the default), "
                + "or, with --zero-copy, receives it into that chunk in the first place (each queue's page pool is its "
                + "socket's UMEM, and TX sends the chunks themselves). With one socket on a queue, jxdp sends such a "
                + "frame straight to it (seed 002's fast path, --mode transparent, the default); --mode generic takes "
                + "the kernel's path, --mode redirect-xsk runs a program calling bpf_redirect_xsk. Modes: rxdrop, "
                + "txonly and l2fwd (the queue's worker sends what the TX ring holds).", ""},
        subcommands = {XskCommand.RxDrop.class, XskCommand.TxOnly.class, XskCommand.L2Fwd.class})
final class XskCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CliException("jxdp xsk: want a mode (rxdrop, txonly or l2fwd)");
    }

    @Command(name = "rxdrop", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
            header = "Receive on AF_XDP sockets and drop: each frame's chunk goes straight back to the fill ring.",
            description = {"One worker thread per RX queue runs the datapath (the kernel's side); one application "
                    + "thread per socket takes batches off its RX ring and refills its fill ring (xdpsock's rxdrop). "
                    + "A line per second on stderr: the rx and tx rates, the frames the datapath could not give the "
                    + "sockets (RX ring full, fill ring empty) and the TX descriptors refused; a summary at the end, or one JSON object with "
                    + "--json: {\"mode\", \"rx_path\", \"rx_mode\", \"copy\", \"queues\", \"seconds\", \"rx\", \"pps\" (received, or sent for "
                    + "txonly), \"rx_dropped\" (no chunk: fill ring empty), \"rx_ring_full\", \"rx_fill_ring_empty\", "
                    + "\"datapath\": {rx, redirect, redirect_xsk (of redirect, the fast path's), errors, pass, missed}} "
                    + "(missed: frames the input dropped for want of a frame, in zero-copy mode an empty fill ring).", ""},
            footer = {"", "Examples:", "  jxdp xsk rxdrop --duration 5", "  jxdp xsk rxdrop --zero-copy --duration 5",
                    "  jxdp xsk rxdrop --in pktgen:flows=64 --queues 2 --batch 16 --json",
                    "  jxdp xsk rxdrop --in pcap:trace.pcap --frames 1024 --chunk-size 2048 --headroom 128"})
    static final class RxDrop extends Mode {
        @Override
        String name() { return "rxdrop"; }

        @Override
        boolean sends() { return false; }

        @Override
        App app(XdpSock sock, int batch) {
            XskRxDrop a = new XskRxDrop(sock, batch);
            return new App(a, a::stop, a::received);
        }
    }

    @Command(name = "l2fwd", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
            header = "Receive on AF_XDP sockets and send each frame back out with its MAC addresses swapped.",
            description = {"As rxdrop, but the application swaps each received frame's MAC addresses in its chunk and "
                    + "puts it on the TX ring; the queue's worker sends what the TX ring holds in each poll (copied "
                    + "into a page, or with --zero-copy the chunk itself, to the device's TX) and gives the chunk back on the completion ring, from "
                    + "where the application returns it to the fill ring (xdpsock's l2fwd). The summary and JSON "
                    + "add tx (frames sent) and tx_invalid_descs.", ""},
            footer = {"", "Examples:", "  jxdp xsk l2fwd --duration 5", "  jxdp xsk l2fwd --in pktgen:flows=64 --batch 32 --json"})
    static final class L2Fwd extends Mode {
        @Override
        String name() { return "l2fwd"; }

        @Override
        App app(XdpSock sock, int batch) {
            XskL2Fwd a = new XskL2Fwd(sock, batch);
            return new App(a, a::stop, a::forwarded);
        }
    }

    @Command(name = "txonly", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
            header = "Send from AF_XDP sockets only: the same 64-byte UDP frame from every chunk, over and over.",
            description = {"Each socket's application writes one 60-byte UDP frame (64 on the wire) into every chunk "
                    + "of its UMEM and keeps the TX ring full; the queue's worker sends it each poll (copy mode) and "
                    + "gives the chunks back on the completion ring (xdpsock's txonly). Nothing is received: --in "
                    + "and --count do not apply, the run lasts --duration (default 5 s). The summary and JSON give "
                    + "tx (frames sent, as completed) and tx_invalid_descs. With --zero-copy the device sends each "
                    + "chunk itself, and the chunk completes when the device gives it back.", ""},
            footer = {"", "Examples:", "  jxdp xsk txonly --duration 5", "  jxdp xsk txonly --queues 2 --batch 32 --json"})
    static final class TxOnly extends Mode {
        @Override
        String name() { return "txonly"; }

        @Override
        boolean receives() { return false; }

        @Override
        App app(XdpSock sock, int batch) {
            XskTxOnly a = new XskTxOnly(sock, batch);
            return new App(a, a::stop, a::completed);
        }
    }

    /** An application thread's loop, how to stop it, and what it has done. */
    record App(Runnable loop, Runnable stop, java.util.function.LongSupplier done) {}

    /** The options and the run shared by the modes. */
    abstract static class Mode implements Runnable {

        @Spec
        CommandSpec spec;

        abstract String name();

        abstract App app(XdpSock sock, int batch);

        /** Whether the sockets receive (rxdrop, l2fwd): their fill rings filled, their XSKMAP slots set. */
        boolean receives() { return true; }

        /** Whether the sockets send (txonly, l2fwd): tx and tx_invalid_descs reported. */
        boolean sends() { return true; }

        @Option(names = "--in", paramLabel = "pktgen:SPEC|pcap:FILE", defaultValue = "pktgen:",
                description = "where frames come from (default: ${DEFAULT-VALUE}, 64-byte UDP)")
        String in;

        @Option(names = "--queues", paramLabel = "N", defaultValue = "1", description = "RX queues, a socket each, 1 to 64 (default: ${DEFAULT-VALUE})")
        int queues;

        @Option(names = "--batch", paramLabel = "N", defaultValue = "64", description = "descriptors per RX peek, 1 to 4096 (default: ${DEFAULT-VALUE})")
        int batch;

        @Option(names = "--frames", paramLabel = "N", defaultValue = "4096", description = "UMEM chunks per socket (default: ${DEFAULT-VALUE})")
        int frames;

        @Option(names = "--chunk-size", paramLabel = "2048|4096", defaultValue = "4096", description = "UMEM chunk size (default: ${DEFAULT-VALUE})")
        int chunkSize;

        @Option(names = "--headroom", paramLabel = "BYTES", defaultValue = "0", description = "UMEM headroom before each frame (default: ${DEFAULT-VALUE})")
        int headroom;

        @Option(names = "--ring", paramLabel = "N", defaultValue = "" + XskRing.DEFAULT_ENTRIES,
                description = "fill and RX ring entries, a power of two (default: ${DEFAULT-VALUE})")
        int ring;

        @Option(names = "--duration", paramLabel = "S", description = "stop after S seconds (default 5 without --count)")
        Double duration;

        @Option(names = "--count", paramLabel = "N", description = "stop after the input's first N frames")
        Long count;

        @Option(names = "--copy", description = "copy mode (the default): each received frame copied from the pool's pages into a chunk from the fill ring")
        boolean copy;

        @Option(names = "--zero-copy", description = "zero-copy: each queue's page pool is its socket's UMEM, frames are "
                + "received into chunks from the fill ring in place and TX sends the chunks themselves (wants "
                + "--chunk-size 4096 and --headroom 0)")
        boolean zeroCopy;

        @Option(names = "--mode", paramLabel = "generic|redirect-xsk|transparent", defaultValue = "transparent",
                description = "the RX path: transparent (default: the bpf_redirect_map program, and jxdp sends a frame "
                        + "whose target is the queue's only socket straight to it), generic (the same program through "
                        + "the redirect info and the XSKMAP flush list, as the kernel does), redirect-xsk (a program "
                        + "calling bpf_redirect_xsk, returning XDP_REDIRECT_XSK: seed 002's helper and action)")
        String rxPath;

        @Option(names = "--rx-mode", paramLabel = "scalar|vector|auto", defaultValue = "scalar",
                description = "how the worker walks a poll's frames: one at a time, or vectors of 16 (the fast path "
                        + "then takes a vector's frames for the socket with one reservation of its RX ring); auto: "
                        + "vectors from 8 frames a poll (default: ${DEFAULT-VALUE})")
        String rxMode;

        @Option(names = "--obj", paramLabel = "FILE.o[:PROG]", description = "run this object's XDP program instead "
                + "of the built-in one (an AF_XDP program such as libxdp's xsk_def_xdp_prog.o): slot q of its XSKMAP "
                + "gets queue q's socket; --mode transparent or generic still chooses the path")
        String obj;

        @Option(names = "--xskmap", paramLabel = "NAME", description = "the XSKMAP of --obj the sockets go in (default: its only one)")
        String xskmap;

        @Option(names = "--json", description = "print the summary as one JSON object")
        boolean json;

        @Override
        public void run() {
            check();
            UmemConfig config = UmemConfig.DEFAULT.withFrames(frames).withChunkSize(chunkSize).withHeadroom(headroom);
            String problem = config.problem();
            if (problem != null) {
                throw new CliException("--frames/--chunk-size/--headroom: " + problem);
            }
            int colon = in.indexOf(':');
            String kind = colon < 0 ? in : in.substring(0, colon);
            String arg = colon < 0 ? "" : in.substring(colon + 1);
            if (!kind.equals("pcap") && !kind.equals("pktgen")) {
                throw new CliException("--in " + in + ": want pktgen:SPEC or pcap:FILE");
            }
            PktGen gen = null;
            List<Umem> umems = new ArrayList<>();
            List<XdpSock> socks = new ArrayList<>();
            List<App> apps = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            Program prog = program();
            List<PagePool> pools = new ArrayList<>();
            // zero copy: the queues' frames come from the pools over the UMEMs; this one is only the run's default
            try (PagePool pool = new PagePool(zeroCopy ? 1 : 4096)) {
                DatapathRun.Input input = receives() ? Inputs.datapathInput(kind, arg) : new DatapathRun.Idle();
                if (input instanceof DatapathRun.Generated g) {
                    gen = g.gen();
                }
                XskMap map = prog.xskMap();
                for (int q = 0; q < queues; q++) {
                    Umem umem = Umem.allocate(config);
                    umems.add(umem);
                    XdpSock sock = new XdpSock(umem, DatapathRun.INPUT_IFINDEX, q, ring, ring);
                    socks.add(sock);
                    if (zeroCopy) {
                        pools.add(PagePool.overUmem(sock));
                    }
                    if (receives()) {
                        XskRxDrop.populateFillRing(sock);
                        map.set(q, sock);
                    }
                    App app = app(sock, batch);
                    apps.add(app);
                    Thread t = Thread.ofPlatform().name("xsk-" + name() + "-" + q).daemon(true).start(app.loop());
                    threads.add(t);
                }
                DatapathRun run = new DatapathRun(prog.collection(), prog.program(), JitCompiler.verifying(), pool, new NetDevices())
                        .queues(queues).limit(count != null ? count : -1).xskSockets(q -> List.of(socks.get(q)))
                        .rxMode(RxMode.parse(rxMode)).xskFastPath(!rxPath.equals("generic"));
                if (zeroCopy) {
                    run.queuePools(pools::get);
                }
                double seconds = duration != null ? duration : count == null ? 5.0 : Double.POSITIVE_INFINITY;
                long[] last = {0, 0, System.nanoTime()};  // rx, tx, when
                DatapathRun.Result r = run.run(input, seconds, 1_000_000_000L, p -> statsLine(apps, socks, last));
                // the applications take what the last polls published, then stop
                long deadline = System.nanoTime() + 200_000_000L;
                while (received(apps) < r.total().redirect && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                apps.forEach(a -> a.stop().run());
                for (Thread t : threads) {
                    t.join();
                }
                summary(r, apps, socks);
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage());
            } catch (PcapException e) {
                throw new CliException(e.path() + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException("interrupted");
            } catch (JxdpException e) {
                throw new CliException(e.getMessage());
            } finally {
                apps.forEach(a -> a.stop().run());
                for (Thread t : threads) {
                    try {
                        t.join(1000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                socks.forEach(XdpSock::close);
                umems.forEach(Umem::close);
                prog.close();
                if (gen != null) {
                    gen.close();
                }
            }
        }

        /** The program every frame runs, its collection, and the XSKMAP the sockets go in; closing it frees the maps. */
        record Program(BpfCollection collection, BpfProgram program, XskMap xskMap, AutoCloseable owner) {
            void close() {
                try {
                    owner.close();
                } catch (Exception e) {
                    // the maps' memory: nothing left to report at the end of the run
                }
            }
        }

        // the built-in program, or --obj's with its XSKMAP (a clear error when it has none, or several and no --xskmap)
        private Program program() {
            if (obj == null) {
                BuiltinProgram.Loaded b = (rxPath.equals("redirect-xsk") ? BuiltinProgram.XSK_REDIRECT_XSK : BuiltinProgram.XSK).load();
                return new Program(b.collection(), b.program(), (XskMap) b.collection().map(BuiltinProgram.XSKMAP), b);
            }
            ChainArgs.Member member;
            try {
                member = ChainArgs.Member.parse(obj);  // the FILE[:PROG] of jxdp run's --obj
            } catch (BpfException e) {
                throw new CliException("--obj " + obj + ": " + e.getMessage());
            }
            if (member.runPrio().isPresent()) {
                throw new CliException("--obj " + obj + ": a priority (@N) orders a chain; jxdp xsk runs one program");
            }
            java.nio.file.Path file = member.object();
            BpfCollection c = Inputs.load(file, Inputs.object(file));
            try {
                BpfProgram p = Inputs.program(file, c, member.program());
                List<String> xsks = new ArrayList<>();
                for (BpfMap m : c.maps()) {
                    if (m instanceof XskMap) {
                        xsks.add(m.name());
                    }
                }
                String name = xskmap;
                if (name == null) {
                    if (xsks.size() != 1) {
                        throw new CliException(file + ": " + (xsks.isEmpty() ? "has no XSKMAP for the sockets"
                                : "several XSKMAPs (" + String.join(", ", xsks) + "): name one with --xskmap"));
                    }
                    name = xsks.getFirst();
                }
                if (!(c.map(name) instanceof XskMap x)) {
                    throw new CliException("--xskmap " + name + ": " + file + " has no XSKMAP of that name"
                            + (xsks.isEmpty() ? "" : " (XSKMAPs: " + String.join(", ", xsks) + ")"));
                }
                if (x.maxEntries() < queues) {
                    throw new CliException("--queues " + queues + ": XSKMAP " + name + " has " + x.maxEntries() + " slots");
                }
                return new Program(c, p, x, c);
            } catch (RuntimeException e) {
                c.close();
                throw e;
            }
        }

        private void check() {
            if (zeroCopy && copy) {
                throw new CliException("--copy and --zero-copy: choose one");
            }
            if (zeroCopy && (chunkSize != PagePool.FRAME_SIZE || headroom != 0)) {
                throw new CliException("--zero-copy: want --chunk-size " + PagePool.FRAME_SIZE
                        + " and --headroom 0 (a chunk is a page pool frame, the data at XDP_PACKET_HEADROOM)");
            }
            if (obj != null && rxPath.equals("redirect-xsk")) {
                throw new CliException("--mode redirect-xsk runs the built-in bpf_redirect_xsk program; with --obj the "
                        + "object's program decides (--mode transparent or generic)");
            }
            if (obj == null && xskmap != null) {
                throw new CliException("--xskmap names an XSKMAP of --obj");
            }
            if (!rxPath.equals("generic") && !rxPath.equals("redirect-xsk") && !rxPath.equals("transparent")) {
                throw new CliException("--mode " + rxPath + ": want generic, redirect-xsk or transparent");
            }
            if (RxMode.parse(rxMode) == null) {
                throw new CliException("--rx-mode " + rxMode + ": want scalar, vector or auto");
            }
            if (!receives() && (count != null || !in.equals("pktgen:"))) {
                throw new CliException("txonly sends only: --count and --in do not apply (the run lasts --duration)");
            }
            if (queues < 1 || queues > 64) {
                throw new CliException("--queues must be 1 to 64 (got " + queues + ")");
            }
            if (batch < 1 || batch > 4096) {
                throw new CliException("--batch must be 1 to 4096 (got " + batch + ")");
            }
            if (ring < 1 || ring > XskRing.MAX_ENTRIES || Integer.bitCount(ring) != 1) {
                throw new CliException("--ring must be a power of two from 1 to " + XskRing.MAX_ENTRIES + " (got " + ring + ")");
            }
            if (duration != null && !(duration > 0)) {
                throw new CliException("--duration must be more than 0");
            }
            if (count != null && count < 0) {
                throw new CliException("--count must be 0 or more");
            }
        }

        private static long sum(long[] a) {
            long n = 0;
            for (long v : a) {
                n += v;
            }
            return n;
        }

        private static long received(List<App> apps) {
            long n = 0;
            for (App a : apps) {
                n += a.done().getAsLong();
            }
            return n;
        }

        // xdpsock's periodic line: the rates since the last line, then the drop and refusal counters so far
        private void statsLine(List<App> apps, List<XdpSock> socks, long[] last) {
            long now = System.nanoTime();
            long rx = received(apps);
            long tx = 0;
            long full = 0;
            long empty = 0;
            long invalid = 0;
            for (XdpSock s : socks) {
                tx += s.txPackets();
                full += s.rxRingFull();
                empty += s.rxFillRingEmpty();
                invalid += s.txInvalidDescs();
            }
            double seconds = Math.max(1, now - last[2]) / 1e9;
            StringBuilder b = new StringBuilder("xsk ").append(name());
            if (receives()) {
                b.append(String.format(Locale.ROOT, "  rx %,.0f pps", (rx - last[0]) / seconds));
            }
            if (sends()) {
                b.append(String.format(Locale.ROOT, "  tx %,.0f pps", (tx - last[1]) / seconds));
            }
            if (receives()) {
                b.append("  rx_ring_full ").append(full).append("  fill_ring_empty ").append(empty);
            }
            if (sends()) {
                b.append("  tx_invalid_descs ").append(invalid);
            }
            last[0] = rx;
            last[1] = tx;
            last[2] = now;
            PrintWriter err = spec.commandLine().getErr();
            err.println(b);
            err.flush();
        }

        private void summary(DatapathRun.Result r, List<App> apps, List<XdpSock> socks) {
            long rx = receives() ? received(apps) : 0;
            long dropped = 0;
            long full = 0;
            long empty = 0;
            long txd = 0;
            long invalid = 0;
            for (XdpSock s : socks) {
                dropped += s.rxDropped();
                full += s.rxRingFull();
                empty += s.rxFillRingEmpty();
                txd += s.txPackets();
                invalid += s.txInvalidDescs();
            }
            double seconds = r.nanos() / 1e9;
            double pps = received(apps) / Math.max(seconds, 1e-9);  // received, or sent for txonly
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectNode o = Inputs.JSON.createObjectNode();
                o.put("mode", name()).put("rx_path", rxPath).put("rx_mode", RxMode.parse(rxMode).name().toLowerCase(Locale.ROOT)).put("copy", !zeroCopy).put("queues", queues).put("seconds", Math.round(seconds * 1e6) / 1e6).put("rx", rx)
                        .put("pps", Math.round(pps)).put("rx_dropped", dropped).put("rx_ring_full", full)
                        .put("rx_fill_ring_empty", empty);
                if (sends()) {
                    o.put("tx", txd).put("tx_invalid_descs", invalid);
                }
                o.putObject("datapath").put("rx", r.total().rx).put("redirect", r.total().redirect)
                        .put("redirect_xsk", r.total().redirectXsk).put("errors", r.total().errors).put("pass", r.total().pass)
                        .put("missed", sum(r.missed()));
                out.println(o.toString());
            } else {
                out.printf(Locale.ROOT, "xsk %s  %d queue%s, %s mode, --mode %s, %s, %.3f s%n", name(), queues, queues == 1 ? "" : "s",
                        zeroCopy ? "zero-copy" : "copy", rxPath, RxMode.parse(rxMode).name().toLowerCase(Locale.ROOT), seconds);
                if (!receives()) {
                    out.printf(Locale.ROOT, "tx          %d (%,.0f pps, tx_invalid_descs %d)%n", txd, pps, invalid);
                } else {
                    out.printf(Locale.ROOT, "rx          %d (%,.0f pps)%n", rx, pps);
                    out.printf(Locale.ROOT, "rx_dropped  %d (fill_ring_empty %d), rx_ring_full %d%n", dropped, empty, full);
                }
                if (receives() && sends()) {
                    out.printf(Locale.ROOT, "tx          %d (tx_invalid_descs %d)%n", txd, invalid);
                }
                out.printf(Locale.ROOT, "datapath    rx %d, redirect %d (fast path %d), errors %d, pass %d, missed %d%n", r.total().rx,
                        r.total().redirect, r.total().redirectXsk, r.total().errors, r.total().pass, sum(r.missed()));
            }
            out.flush();
        }
    }
}
