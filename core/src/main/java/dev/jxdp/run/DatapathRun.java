package dev.jxdp.run;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.maps.CpuMap;
import dev.jxdp.ebpf.maps.Errno;
import dev.jxdp.ebpf.maps.MapType;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.testrun.MapJson;
import dev.jxdp.io.MemoryRxDriver;
import dev.jxdp.io.pcap.PcapReader;
import dev.jxdp.io.pcap.PcapRxDriver;
import dev.jxdp.io.pktgen.PktGen;
import dev.jxdp.io.pktgen.PktGenDriver;
import dev.jxdp.io.veth.Veth;
import dev.jxdp.io.veth.VethPair;
import dev.jxdp.xdp.CpuMapRunner;
import dev.jxdp.xdp.NapiWorker;
import dev.jxdp.xdp.NetDevices;
import dev.jxdp.xdp.PagePool;
import dev.jxdp.xdp.PassSink;
import dev.jxdp.xdp.RxDriver;
import dev.jxdp.xdp.RxMode;
import dev.jxdp.xdp.RxQueueStats;
import dev.jxdp.xdp.RxQueues;
import dev.jxdp.xdp.TxDriver;
import dev.jxdp.xdp.dispatch.LoadedChain;
import dev.jxdp.xdp.dispatch.XdpCall;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * One run of the XDP datapath over a loaded collection, what {@code jxdp run} and the public API's
 * {@code Datapath} both drive: frames from a capture, the packet generator or memory arrive on the RX
 * queues of the input device (ifindex {@link #INPUT_IFINDEX}), spread by RSS, one worker thread (one CPU)
 * per queue running the compiled program, CPUMAP entries' consumers and a veth pair's stack alongside;
 * until the input ends, the time is up or {@link #requestStop()}. The caller owns the collection, the
 * pool, the devices and the sinks; the run owns the input readers and threads it starts.
 */
public final class DatapathRun {

    /** The input device's ifindex: what programs see as ingress_ifindex. */
    public static final int INPUT_IFINDEX = 1;

    /** Where frames come from: a capture file, a packet generator, or frames in memory. */
    public sealed interface Input permits Pcap, Generated, Frames, Idle {}

    /** Every packet of a pcap or pcapng file (each queue reads it through its own reader). */
    public record Pcap(Path file) implements Input {}

    /** The packet generator's frames. */
    public record Generated(PktGen gen) implements Input {}

    /** Frames in memory, in order. */
    public record Frames(List<byte[]> frames) implements Input {}

    /**
     * No frames: the queues poll until the time is up or a stop (an AF_XDP socket's TX ring sent by its
     * queue's worker, with nothing to receive).
     */
    public record Idle() implements Input {}

    /** A snapshot of the counters while the run goes on. */
    public record Progress(long elapsedNanos, RxQueueStats total, RxQueueStats[] queues) {}

    /**
     * What the run did.
     *
     * @param total    the counters over every queue
     * @param queues   each queue's counters
     * @param faults   per queue, runs a failed run-time check ended (counted as aborted)
     * @param missed   per queue, frames the driver dropped for want of a free page
     * @param oversize per queue, frames longer than a page holds, dropped by the driver
     * @param nanos    how long the queues ran
     * @param cpumaps  the CPUMAP consumers, stopped, with their counters
     * @param dispatcher with {@link #dispatcher(boolean) the dispatcher} on, each queue's entry (empty when off)
     * @param chain    with {@link #chain(LoadedChain) a chain}, each of its programs over every queue (empty without)
     */
    public record Result(RxQueueStats total, RxQueueStats[] queues, long[] faults, long[] missed, long[] oversize,
                         long nanos, List<CpuMapRunner> cpumaps, List<DispatchEntry> dispatcher, List<ChainEntry> chain) {}

    /**
     * One program of a chain over the run: its runs, and per return code XDP_ABORTED..XDP_REDIRECT and
     * any other code ({@code returned[5]}) how many runs returned it.
     */
    public record ChainEntry(String program, long runs, long[] returned) {}

    /** One queue's xdp_call: the program it entered through the BPF dispatcher, and how many runs. */
    public record DispatchEntry(int queue, String program, long runs) {}

    private final BpfCollection collection;
    private final BpfProgram program;
    private final JitCompiler compiler;
    private final PagePool pool;
    private final NetDevices devices;
    private int queues = 1;
    private RxMode mode = RxMode.SCALAR;
    private boolean dispatcher;
    private int redirectBulk = NapiWorker.TX_BULK;
    private long limit = -1;
    private VethPair veth;
    private IntFunction<PassSink> pass = q -> PassSink.DISCARD;
    private Supplier<PassSink> cpumapPass = () -> PassSink.DISCARD;
    private IntFunction<TxDriver> tx;
    private LoadedChain chain;
    private IntFunction<List<dev.jxdp.xsk.XdpSock>> xskSockets = q -> List.of();
    private boolean xskFastPath = true;
    // queue q's frames (null: the pool given to the constructor for every queue)
    private IntFunction<PagePool> queuePools;
    private volatile boolean stop;
    private volatile RxQueues running;

    /** A run of {@code program} (of {@code collection}, compiled by {@code compiler}) over {@code pool}. */
    public DatapathRun(BpfCollection collection, BpfProgram program, JitCompiler compiler, PagePool pool,
                       NetDevices devices) {
        this.collection = collection;
        this.program = program;
        this.compiler = compiler;
        this.pool = pool;
        this.devices = devices;
        this.tx = q -> {
            PagePool p = poolOf(q);
            return (ids, from, n) -> {
                p.returnBulk(ids, from, n);  // no wire: sent and completed at once
                return n;
            };
        };
    }

    /**
     * Queue q's RX frames from {@code pools.apply(q)} instead of the pool given to the constructor: each
     * queue's page pool over its AF_XDP socket's UMEM in zero-copy mode ({@link PagePool#overUmem}). The
     * default TX returns to the queue's pool; the program must not redirect between queues or to a CPUMAP
     * (their frames would land in another pool).
     */
    public DatapathRun queuePools(IntFunction<PagePool> pools) { this.queuePools = pools; return this; }

    private PagePool poolOf(int q) {
        return queuePools == null ? pool : queuePools.apply(q);
    }

    /**
     * Runs {@code c}, a chain of programs, on every queue instead of the program given to the constructor
     * (which names the run; the collection given is the chain's first program's, where each worker's own
     * run state comes from). Each program runs in its own collection; the CPUMAPs of every program's
     * collection get their consumers.
     */
    public DatapathRun chain(LoadedChain c) { this.chain = c; return this; }

    /**
     * The AF_XDP sockets bound to each queue, whose TX rings that queue's worker sends from (null or
     * empty: none). Sockets receive through an XSKMAP the caller fills, whatever this says.
     */
    public DatapathRun xskSockets(IntFunction<List<dev.jxdp.xsk.XdpSock>> socketsOfQueue) {
        this.xskSockets = socketsOfQueue;
        return this;
    }

    /**
     * Whether a bpf_redirect_map to the queue's only AF_XDP socket takes seed 002's fast path (the
     * default) or the generic one ({@link NapiWorker#xskFastPath}).
     */
    public DatapathRun xskFastPath(boolean on) {
        this.xskFastPath = on;
        return this;
    }

    /** RX queues (1 by default), one worker thread and CPU each. */
    public DatapathRun queues(int n) { this.queues = n; return this; }

    public DatapathRun rxMode(RxMode m) { this.mode = m; return this; }

    /**
     * Whether the queues enter the program through the BPF dispatcher (its direct calls, one slot per
     * program) instead of the program's own virtual call, which every program in the JVM shares. Off by
     * default.
     */
    public DatapathRun dispatcher(boolean on) { this.dispatcher = on; return this; }

    /** Frames per device bulk of XDP_REDIRECT. */
    public DatapathRun redirectBulk(int n) { this.redirectBulk = n; return this; }

    /** The input's first {@code n} frames only (-1: all). */
    public DatapathRun limit(long n) { this.limit = n; return this; }

    /** A veth pair among the devices, whose peer's stack a thread of the run drains. */
    public DatapathRun veth(VethPair pair) { this.veth = pair; return this; }

    /** The stack stage of queue q's XDP_PASS frames (the worker's thread only). */
    public DatapathRun pass(IntFunction<PassSink> sinks) { this.pass = sinks; return this; }

    /** The stack stage of a CPUMAP's consumers' XDP_PASS frames (one per map; its threads share it). */
    public DatapathRun cpumapPass(Supplier<PassSink> sinks) { this.cpumapPass = sinks; return this; }

    /** Queue q's XDP_TX transmit (default: frames completed at once, as on a wire nobody listens to). */
    public DatapathRun tx(IntFunction<TxDriver> drivers) { this.tx = drivers; return this; }

    /** Stops a run under way soon, as Ctrl-C does; the run then returns its result as usual. */
    public void requestStop() {
        stop = true;
        RxQueues r = running;
        if (r != null) {
            r.requestStop();
        }
    }

    /**
     * Runs until the input ends, {@code seconds} pass (infinite: no limit) or {@link #requestStop()},
     * calling {@code progress} every {@code intervalNanos} on this thread (null: never), and returns the
     * counters, every frame accounted for. A {@link dev.jxdp.io.pcap.PcapException} for a capture that
     * cannot be read.
     */
    public Result run(Input input, double seconds, long intervalNanos, Consumer<Progress> progress) {
        JitProgram[] jits = new JitProgram[queues];
        if (chain != null) {
            for (int q = 0; q < queues; q++) {
                jits[q] = chain.runner(q);
            }
        } else {
            JitProgram jit = compiler.program(program);
            for (int q = 0; q < queues; q++) {
                jits[q] = q == 0 ? jit : jit.forThread();
            }
        }
        XdpCall[] calls = new XdpCall[dispatcher ? queues : 0];
        NapiWorker[] workers = new NapiWorker[queues];
        RxDriver[] rx = new RxDriver[queues];
        PcapReader[] readers = new PcapReader[queues];
        byte[] memoryQueues = input instanceof Frames f ? MemoryRxDriver.queues(f.frames(), queues) : null;
        List<CpuMapRunner> cpuMaps = new ArrayList<>();
        VethDrain drain = veth == null ? null : new VethDrain(veth);
        RxQueues rxq = null;
        try {
            if (input instanceof Pcap p) {
                for (int q = 0; q < queues; q++) {
                    readers[q] = PcapReader.open(p.file());
                }
            }
            PassSink[] sinks = new PassSink[queues];
            TxDriver[] txs = new TxDriver[queues];
            for (int q = 0; q < queues; q++) {
                sinks[q] = pass.apply(q);
                txs[q] = tx.apply(q);
            }
            // a consumer per CPUMAP (its kthread): its frames' stack stage is the same as the queues'
            for (BpfCollection coll : collections()) {
                for (BpfMap m : coll.maps()) {
                    if (m instanceof CpuMap c) {
                        if (queuePools != null) {
                            throw new IllegalStateException("map " + m.name() + ": a CPUMAP with a pool per queue "
                                    + "(its consumers return frames to one pool)");
                        }
                        cpuMaps.add(new CpuMapRunner(c, pool, cpumapPass.get(), coll, compiler::program).dispatcher(dispatcher));
                    }
                }
            }
            CpuMapRunner[] runners = cpuMaps.toArray(new CpuMapRunner[0]);
            int n = queues;
            RxQueues.DriverFactory drivers = (q, cache) -> rx[q] = switch (input) {
                case Generated g -> new PktGenDriver(g.gen(), poolOf(q), cache, INPUT_IFINDEX, q, n, limit);
                case Pcap p -> new PcapRxDriver(readers[q], poolOf(q), cache, INPUT_IFINDEX, q, n, limit);
                case Frames f -> new MemoryRxDriver(f.frames(), memoryQueues, poolOf(q), cache, INPUT_IFINDEX, q, limit);
                case Idle i -> (ids, from, max) -> 0;
            };
            // queue q is CPU q: its own program instance, ExecState (per-CPU map slot q) and bulk queues
            rxq = new RxQueues(this::poolOf, queues, drivers, (q, cache, d) -> workers[q] = worker(new NapiWorker(poolOf(q), cache, d, txs[q],
                    sinks[q], jits[q], collection, q, INPUT_IFINDEX, q, devices).cpuMaps(runners), calls, q))
                    .rxMode(mode).redirectBulk(redirectBulk);
            try {
                if (drain != null) {
                    drain.start();
                }
                for (CpuMapRunner r : runners) {
                    r.start();
                }
                running = rxq;
                rxq.start();
                if (stop) {
                    rxq.requestStop();  // stopped before the queues existed
                }
                loop(rxq, seconds, intervalNanos, progress);
                rxq.stop();
            } finally {
                // the queues and the drain touch the pool's pages: both end before the pool is freed
                stopQuietly(rxq);
                if (drain != null) {
                    drain.finish();
                }
                finishCpuMaps(runners);
            }
            rxq.checkAccounting();
            long[] faults = new long[queues];
            long[] missed = new long[queues];
            long[] oversize = new long[queues];
            RxQueueStats[] stats = new RxQueueStats[queues];
            for (int q = 0; q < queues; q++) {
                faults[q] = jits[q].faults();
                missed[q] = rx[q] instanceof PcapRxDriver p ? p.noBuffers() : rx[q] instanceof PktGenDriver g ? g.noBuffers() : 0;
                oversize[q] = rx[q] instanceof PcapRxDriver p ? p.oversize() : rx[q] instanceof MemoryRxDriver m ? m.oversize() : 0;
                stats[q] = rxq.stats(q);
            }
            List<DispatchEntry> entries = new ArrayList<>();
            for (int q = 0; q < calls.length; q++) {
                entries.add(new DispatchEntry(q, chain != null ? "chain" : program.name(), calls[q].runs()));
            }
            return new Result(rxq.total(), stats, faults, missed, oversize, rxq.elapsedNanos(), List.copyOf(cpuMaps),
                    List.copyOf(entries), chainEntries(jits));
        } finally {
            running = null;
            // the queues' users of the program leave the system-wide dispatcher: its slot is free again, and
            // so are the devmap entry programs' (the CPUMAP entries' give theirs back as their consumers end)
            for (XdpCall c : calls) {
                if (c != null) {
                    c.update(null);
                }
            }
            for (NapiWorker w : workers) {
                if (w != null) {
                    w.detachEntryPrograms();
                }
            }
            for (PcapReader r : readers) {
                if (r != null) {
                    r.close();
                }
            }
        }
    }

    // the collections whose programs run: the one given, and each chain program's
    private List<BpfCollection> collections() {
        List<BpfCollection> out = new ArrayList<>();
        out.add(collection);
        if (chain != null) {
            for (JitProgram p : chain.parts()) {
                BpfCollection c = p.program().collection();
                if (!out.contains(c)) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    // per chain program, its runs and return codes summed over the queues' runners
    private List<ChainEntry> chainEntries(JitProgram[] jits) {
        List<ChainEntry> out = new ArrayList<>();
        if (chain == null) {
            return out;
        }
        for (int i = 0; i < chain.parts().size(); i++) {
            long runs = 0;
            long[] returned = new long[6];
            for (JitProgram r : jits) {
                JitProgram part = r.part(i);
                runs += part.partRuns();
                for (int k = 0; k < returned.length; k++) {
                    returned[k] += part.partReturned(k);
                }
            }
            out.add(new ChainEntry(chain.plan().program(i).name(), runs, returned));
        }
        return List.copyOf(out);
    }

    // queue q's worker, entering its program through its own xdp_call when the dispatcher is on
    private NapiWorker worker(NapiWorker w, XdpCall[] calls, int q) {
        List<dev.jxdp.xsk.XdpSock> socks = xskSockets.apply(q);
        w.xskFastPath(xskFastPath);
        if (socks != null) {
            for (dev.jxdp.xsk.XdpSock s : socks) {
                w.xsk(s);
            }
        }
        if (q < calls.length) {
            calls[q] = new XdpCall();
            w.xdpCall(calls[q]);
        }
        return w;
    }

    // waits until the input ends, the time is up or a stop, with a progress call every interval
    private void loop(RxQueues rxq, double limitSeconds, long interval, Consumer<Progress> progress) {
        long start = System.nanoTime();
        long deadline = Double.isInfinite(limitSeconds) ? Long.MAX_VALUE : start + (long) (limitSeconds * 1e9);
        long nextLine = progress == null ? Long.MAX_VALUE : start + interval;
        while (!stop) {
            long now = System.nanoTime();
            try {
                if (rxq.awaitFinished(Math.max(0, Math.min(nextLine, deadline) - now), TimeUnit.NANOSECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            now = System.nanoTime();
            if (now >= deadline) {
                return;
            }
            if (now >= nextLine) {
                RxQueueStats[] qs = new RxQueueStats[rxq.queues()];
                for (int q = 0; q < qs.length; q++) {
                    qs[q] = rxq.stats(q);
                }
                progress.accept(new Progress(now - start, rxq.total(), qs));
                nextLine = now + interval;
            }
        }
    }

    private static void stopQuietly(RxQueues rxq) {
        try {
            rxq.stop();
        } catch (RuntimeException | Error e) {
            // reported by the stop on the normal path, or superseded by the error already on its way out
        }
    }

    // the consumers finish what is queued (briefly), then stop; what is left is freed and counted as dropped
    private static void finishCpuMaps(CpuMapRunner[] runners) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        for (CpuMapRunner r : runners) {
            while (r.total().queued() > 0 && r.failure() == null && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            r.close();
        }
    }

    /**
     * The stack behind both veth ends: a thread that frees what arrives on either RX ring, so the ends keep
     * taking frames; once the queues have stopped, {@link #finish()} empties the rings for good.
     */
    private static final class VethDrain {
        private final Veth[] ends;
        private final int[] scratch = new int[NapiWorker.BUDGET];
        private final Thread thread;
        private volatile boolean stop;

        VethDrain(VethPair pair) {
            this.ends = new Veth[] {pair.a(), pair.b()};
            this.thread = new Thread(this::run, "jxdp-veth-drain");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void run() {
            int idle = 0;
            while (!stop) {
                int n = 0;
                for (Veth v : ends) {
                    n += v.dropReceived(scratch);
                }
                if (n > 0) {
                    idle = 0;
                } else if (++idle < 64) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(20_000);
                }
            }
        }

        /** Stops the thread and frees what is left; call after the queues that transmit have stopped. */
        void finish() {
            stop = true;
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            for (Veth v : ends) {
                while (v.dropReceived(scratch) > 0) {
                    // nobody transmits any more: the ring empties in a few bulks
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Points slot {@code key} of the DEVMAP or DEVMAP_HASH named {@code mapName} (its name or its JSON name)
     * at device {@code ifindex}, as a user-space map update would; the device must be one of
     * {@code devices}, as the kernel's dev_get_by_index() must find it. What is wrong is a
     * {@link BpfException} naming the map and the key.
     */
    public static void setDevmapSlot(BpfCollection collection, NetDevices devices, String mapName, long key, int ifindex) {
        BpfMap map = null;
        List<String> names = new ArrayList<>();
        for (BpfMap m : collection.maps()) {
            names.add(MapJson.jsonName(m));
            if (m.name().equals(mapName) || MapJson.jsonName(m).equals(mapName)) {
                map = m;
            }
        }
        if (map == null) {
            throw new BpfException("no map " + mapName + " (maps: " + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
        }
        if (map.type() != MapType.DEVMAP && map.type() != MapType.DEVMAP_HASH) {
            throw new BpfException("map " + mapName + " is a " + map.type() + ", not a DEVMAP or DEVMAP_HASH");
        }
        if (devices.get(ifindex) == null) {
            throw new BpfException("map " + mapName + " key " + key + ": no device with ifindex " + ifindex
                    + " (the kernel refuses the update: EINVAL)");
        }
        byte[] k = new byte[4];
        byte[] value = new byte[map.valueSize()];
        for (int i = 0; i < 4; i++) {
            k[i] = (byte) (key >>> 8 * i);
            value[i] = (byte) (ifindex >>> 8 * i);
        }
        int rc = map.userUpdate(k, value, 0);
        if (rc != 0) {
            throw new BpfException("map " + mapName + " key " + key + ": update failed: "
                    + (rc == -Errno.E2BIG ? "E2BIG (beyond max_entries, or the map is full)"
                    : rc == -Errno.EINVAL ? "EINVAL" : "errno " + -rc));
        }
    }
}
