package dev.jxdp.bench;

import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.maps.CpuMap;
import dev.jxdp.ebpf.maps.Cpus;
import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.io.pktgen.PktGen;
import dev.jxdp.io.pktgen.PktGenDriver;
import dev.jxdp.io.pktgen.PktGenSpec;
import dev.jxdp.io.veth.Veth;
import dev.jxdp.io.veth.VethPair;
import dev.jxdp.xdp.CpuMapRunner;
import dev.jxdp.xdp.FrameMeta;
import dev.jxdp.xdp.NapiWorker;
import dev.jxdp.xdp.NetDevice;
import dev.jxdp.xdp.NetDevices;
import dev.jxdp.xdp.PagePool;
import dev.jxdp.xdp.RxMode;
import dev.jxdp.xdp.RxQueueStats;
import dev.jxdp.xdp.dispatch.XdpCall;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * One benchmark datapath, built once and run in timed slices: pktgen's 64-byte IPv4 UDP frames on RX
 * queue 0 of device eth0 (ifindex {@link #ETH0}), one NAPI worker polled by the calling thread (budget
 * 64) running one built-in program, and where each action leads:
 * <ul>
 * <li>XDP_DROP: recycled into the worker's page-pool cache;
 * <li>XDP_PASS: the {@link StackStage} (an IPv4 header check and a count per protocol), then recycled;
 * <li>XDP_TX: bulked on eth0's TX queue, the {@link WireTx} (sent and completed at once, recycled);
 * <li>XDP_REDIRECT to a device: the veth0 of a veth pair (ifindex {@link #VETH0}, peer veth1
 *     {@link #VETH1}); veth0's transmit puts the frames on veth1's RX ring, and veth1's NAPI runs on the
 *     same CPU right after each of eth0's polls (as the sender's softirq runs the NAPI it scheduled), takes
 *     every frame off its ring and frees it to the pool in bulk (veth1 has no program and no stack: its
 *     frames are dropped, through xdp_return_frame_bulk(), as they left eth0's NAPI context). The same for
 *     bulked and unbulked redirects: only the sending side differs;
 * <li>XDP_REDIRECT to a CPU: the CPUMAP's consumer thread for the target CPU, which hands each frame to a
 *     {@link StackStage} of its own.
 * </ul>
 * The floor has no program and no worker: the driver loop reads each received frame's first cache line
 * (64 bytes) and recycles it, so it costs exactly what every case pays to get frames in and out.
 *
 * <p>pktgen's {@link #FLOWS} flows step the UDP source port by one and are sent shuffled
 * ({@code order=shuffle}): every round of 100 packets holds each flow once, so the mixed program's split
 * is exactly 50/30/20, but in an order that changes from round to round. This is the intermixed traffic
 * vector processing must be measured with: a packet's verdict cannot be told from the ones before it, so neither the branch
 * predictor nor the stages get a pattern to learn (round robin would repeat every 10 packets).
 */
public final class BenchDatapath implements BenchCase.Polled {

    /** The receiving device. */
    public static final int ETH0 = 1;
    /** The redirect target: one end of a veth pair. */
    public static final int VETH0 = 2;
    /** veth0's peer, where redirected frames arrive. */
    public static final int VETH1 = 3;
    /** Flows of the generated traffic: a multiple of 10 so the mixed split is exact. */
    public static final int FLOWS = 100;
    /** The traffic: 64-byte frames on the wire (60 in memory), IPv4 UDP, source ports 1024.. one per flow, shuffled. */
    public static final String PKTGEN = "flows=" + FLOWS + ",size=64,order=shuffle";
    /** Frames in the page pool: 16 MiB, room for the RX ring, the bulks and a cpumap queue in flight. */
    static final int POOL_FRAMES = 4096;
    /** Ring size of the veth pair and queue size of the CPUMAP entry. */
    static final int RING_FRAMES = 1024;
    /** Polls between two looks at the clock. */
    private static final int POLLS_PER_CHECK = 64;

    private final XdpBenchMode mode;
    private final PagePool pool;
    private final PagePool.Cache cache;
    private final FrameMeta meta;
    private final PktGen gen;
    private final PktGenDriver rx;
    private final BuiltinProgram.Loaded program;
    private final NapiWorker worker;
    /** The worker's xdp_call when it enters its program through the BPF dispatcher; null on the plain call. */
    private XdpCall call;
    private final StackStage stack = new StackStage();
    private final WireTx wire;
    private final int[] ids = new int[NapiWorker.BUDGET];
    private boolean closed;
    private long floorPackets;
    private long floorSink;
    /** The stack stage of the CPUMAP entry's consumer thread (its own: it runs on that thread). */
    private final StackStage cpuStack = new StackStage();
    /** The CPUMAP's consumers; null but for redirect-cpu. */
    private CpuMapRunner cpuMap;
    /** veth1, where redirected frames arrive; null in the modes without a veth. */
    private Veth peer;
    private final int[] peerIds = new int[NapiWorker.BUDGET];

    /**
     * A datapath for {@code mode}, ready to poll; {@code rxMode} and {@code redirectBulk} (1..16) set the
     * worker's RX mode and device bulk size. For redirect-cpu the CPUMAP consumer thread is started here.
     */
    public BenchDatapath(XdpBenchMode mode, RxMode rxMode, int redirectBulk) {
        this(mode, rxMode, redirectBulk, false);
    }

    /**
     * As {@link #BenchDatapath(XdpBenchMode, RxMode, int)}; with {@code dispatcher} the worker enters its
     * program through an {@link XdpCall} of its own (the BPF dispatcher, as {@code jxdp run --dispatcher
     * on}), detached by {@link #close()}. The floor has no program: there it changes nothing.
     */
    public BenchDatapath(XdpBenchMode mode, RxMode rxMode, int redirectBulk, boolean dispatcher) {
        this.mode = mode;
        this.pool = new PagePool(POOL_FRAMES);
        BuiltinProgram.Loaded loaded = null;
        PktGen g = null;
        try {
            this.cache = pool.cache();
            this.meta = pool.meta();
            g = new PktGen(PktGenSpec.parse(PKTGEN));
            this.gen = g;
            this.rx = new PktGenDriver(gen, pool, cache, ETH0, 0, -1);
            this.wire = new WireTx(cache);
            if (mode == XdpBenchMode.FLOOR) {
                this.program = null;
                this.worker = null;
                return;
            }
            loaded = mode.program().load(rodata(mode));
            this.program = loaded;
            NetDevices devices = new NetDevices();
            devices.add(new NetDevice(ETH0, "eth0", wire));
            if (mode == XdpBenchMode.REDIRECT || mode == XdpBenchMode.REDIRECT_MAP) {
                VethPair pair = VethPair.create(pool, "veth0", VETH0, "veth1", VETH1, RING_FRAMES);
                devices.add(pair.a().device());
                this.peer = pair.b();
            }
            configureMaps(loaded);
            NapiWorker w = new NapiWorker(pool, cache, rx, wire, stack, loaded.jit(), loaded.collection(), 0, ETH0, 0,
                    devices).rxMode(rxMode).redirectBulk(redirectBulk);
            if (mode == XdpBenchMode.REDIRECT_CPU) {
                // the entry's consumer thread starts now, not on the first redirect; it has no program
                CpuMapRunner r = new CpuMapRunner((CpuMap) loaded.collection().map(BuiltinProgram.CPUMAP), pool,
                        cpuStack, loaded.collection(), p -> JitCompiler.verifying().program(p));
                this.cpuMap = r;
                r.start();
                w.cpuMaps(r);
            }
            if (dispatcher) {
                XdpCall c = new XdpCall();
                w.xdpCall(c);
                this.call = c;
            }
            this.worker = w;
        } catch (RuntimeException e) {
            if (call != null) {
                call.update(null);
            }
            if (cpuMap != null) {
                cpuMap.close();
            }
            if (loaded != null) {
                loaded.close();
            }
            if (g != null) {
                g.close();
            }
            pool.close();
            throw e;
        }
    }

    /** The target CPU of redirect-cpu: another CPU than the worker's (0) when there is one. */
    static int cpuDest() {
        return Cpus.possible() > 1 ? 1 : 0;
    }

    private static Map<String, Integer> rodata(XdpBenchMode mode) {
        return switch (mode) {
            case REDIRECT -> Map.of("ifindex_out", VETH0);
            case REDIRECT_CPU -> Map.of("cpu_dest", cpuDest());
            default -> Map.of();
        };
    }

    private static void configureMaps(BuiltinProgram.Loaded p) {
        if (p.which() == BuiltinProgram.REDIRECT_MAP) {
            update(p.collection().map(BuiltinProgram.DEVMAP), 0, VETH0, 4);
        } else if (p.which() == BuiltinProgram.REDIRECT_CPU) {
            update(p.collection().map(BuiltinProgram.CPUMAP), cpuDest(), RING_FRAMES, 8);
        }
    }

    // key and the value's first u32 (the rest zero), as bpftool map update would write them
    private static void update(BpfMap map, int key, int value, int valueSize) {
        byte[] k = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(key).array();
        byte[] v = ByteBuffer.allocate(valueSize).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
        int rc = map.userUpdate(k, v, 0);
        if (rc != 0) {
            throw new IllegalStateException("map " + map.name() + ": update of key " + key + " failed: " + rc);
        }
    }

    public XdpBenchMode mode() { return mode; }

    /** Whether the worker enters its program through the BPF dispatcher. */
    public boolean dispatcher() { return call != null; }

    /** Runs of the program through the dispatcher (0 on the plain call). */
    public long dispatcherRuns() { return call == null ? 0 : call.runs(); }

    /**
     * Runs until {@code nanos} have passed or {@code stop} says so (asked between slices of
     * {@link #POLLS_PER_CHECK} polls); returns the frames received.
     */
    @Override
    public long run(long nanos, BooleanSupplier stop) {
        long deadline = System.nanoTime() + nanos;
        long before = received();
        do {
            for (int i = 0; i < POLLS_PER_CHECK; i++) {
                poll();
            }
        } while (System.nanoTime() < deadline && !stop.getAsBoolean());
        return received() - before;
    }

    /** One NAPI poll of eth0 (up to 64 frames) and what follows it on this CPU; returns the frames received. */
    public int poll() {
        return worker == null ? floorPoll() : workerPoll();
    }

    private int workerPoll() {
        int n = worker.poll(NapiWorker.BUDGET);
        if (peer != null) {
            drainPeer(peer);
        }
        return n;
    }

    // veth1's NAPI on the same CPU after eth0's poll: everything on its ring, back to the pool in bulk
    // (xdp_return_frame_bulk(): the frames left eth0's NAPI context, so not into its cache)
    private void drainPeer(Veth v) {
        while (v.dropReceived(peerIds) > 0) {
            // until the ring is empty: at most one poll's redirects are there
        }
    }

    // no program: receive, touch the first cache line, recycle (the driver's own cost per frame)
    private int floorPoll() {
        int[] v = ids;
        int n = rx.receive(v, 0, NapiWorker.BUDGET);
        long sink = 0;
        for (int i = 0; i < n; i++) {
            int id = v[i];
            long a = pool.address(id) + meta.dataOffset(id);
            sink += Mem.getU64(a) ^ Mem.getU64(a + 8) ^ Mem.getU64(a + 16) ^ Mem.getU64(a + 24)
                    ^ Mem.getU64(a + 32) ^ Mem.getU64(a + 40) ^ Mem.getU64(a + 48) ^ Mem.getU64(a + 56);
            cache.recycleDirect(id);
        }
        floorSink ^= sink;
        floorPackets += n;
        return n;
    }

    /** Frames received so far. */
    public long received() {
        return worker == null ? floorPackets : worker.stats().rx;
    }

    /** The worker's counters (all zero for the floor, which has no worker). */
    public RxQueueStats stats() {
        return worker == null ? new RxQueueStats() : worker.stats();
    }

    /** The stack stage XDP_PASS frames reached. */
    public StackStage stack() { return stack; }

    /** Frames eth0's TX queue sent. */
    public long transmitted() { return wire.sent(); }

    /** Frames that arrived on veth1 (the redirect target's peer). */
    public long peerReceived() { return peer == null ? 0 : peer.rxPackets(); }

    /** Frames of the pool not in its ring or caches: all of them back once the datapath is idle. */
    public int framesOutstanding() { return pool.framesOutstanding(); }

    /** The CPUMAP consumers' counters (all zero but for redirect-cpu). */
    public CpuMapRunner.Stats cpuMapStats() {
        return cpuMap == null ? new CpuMapRunner.Stats(0, 0, 0, 0, 0, 0) : cpuMap.total();
    }

    /** The stack stage the CPUMAP consumer hands its frames to. */
    public StackStage cpuStack() { return cpuStack; }

    /**
     * Stops the CPUMAP consumer once it has emptied its queue (call with no poll running) and frees the
     * datapath's memory. The counters stay readable; a second close does nothing.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (call != null) {
            call.update(null);  // the program leaves the system-wide dispatcher: its slot is free again
        }
        if (cpuMap != null) {
            cpuMap.close();
        }
        if (program != null) {
            program.close();
        }
        gen.close();
        pool.close();
    }
}
