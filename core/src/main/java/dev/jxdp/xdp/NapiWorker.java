package dev.jxdp.xdp;

import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.maps.CpuMap;
import dev.jxdp.ebpf.maps.DevMap;
import dev.jxdp.ebpf.maps.DevMapHash;
import dev.jxdp.ebpf.maps.EntryProgramMap;
import dev.jxdp.ebpf.maps.ProgramRef;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.mem.AddressSpace;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfFault;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpAction;
import dev.jxdp.ebpf.runtime.XdpBuff;
import dev.jxdp.xdp.dispatch.XdpCall;
import dev.jxdp.xsk.XdpSock;
import dev.jxdp.xsk.Umem;
import dev.jxdp.ebpf.maps.XskMap;
import dev.jxdp.ebpf.maps.XskSocketRef;

import java.lang.foreign.Arena;
import java.util.Arrays;

/**
 * One RX queue's NAPI context, run by its own worker thread: each {@link #poll} takes up to a budget of
 * received frames from the driver, runs the XDP program on each and acts on the verdict, then flushes
 * the bulked transmits once (xdp_do_flush() at the end of the poll). Frames travel as ids of the
 * worker's {@link PagePool}; the worker owns one xdp_buff and one ExecState (per-CPU state = per worker)
 * and allocates nothing per packet.
 *
 * <p>Two ways through a poll ({@link RxMode}): scalar, one frame at a time through the program and its
 * action; or vector (RX-stages), the program over a vector of up to {@link #VECTOR} frames
 * first, the verdicts sorted into per-action vectors, then each action's frames handled together: drops
 * recycled in one move, PASS frames through the stack stage in one go, the vector's TX frames sent in
 * one bulk transmit after its XDP stage. XDP_REDIRECT is acted on right after the run in both modes (the
 * helper's target lives in the run's state, as in xdp_do_redirect()).
 *
 * <p>XDP_REDIRECT reaches devices by {@code bpf_redirect} or a DEVMAP / DEVMAP_HASH entry, queued per
 * target device in bulks of {@link #TX_BULK} ({@link #redirectBulk} to change it) and flushed with the
 * poll; a missing or down device, an XSKMAP target (not there yet) and broadcast are counted errors
 * (the xdp:xdp_redirect_err tracepoint's cases). A devmap entry's own program (SEC("xdp/devmap")) runs on
 * its frames at the flush, before they are sent, as dev_map_bpf_prog_run() does: XDP_PASS sends the frame,
 * XDP_DROP frees it (counted as drop), anything else frees it as aborted. A CPUMAP entry gets frames in
 * bulks of {@link CpuMapRunner#BULK}, handed to its {@link CpuMapRunner} at the flush; a full queue or
 * no runner for the map is a counted error.
 *
 * <p>The program is compiled eBPF ({@link JitProgram}) or plain Java ({@link XdpJavaProgram}); both go
 * through the same poll, actions and counters.
 */
public final class NapiWorker {

    /** NAPI_POLL_WEIGHT: frames per poll. */
    public static final int BUDGET = 64;
    /** Frames bulked per ndo_xdp_xmit for XDP_TX and per device for XDP_REDIRECT (DEV_MAP_BULK_SIZE). */
    public static final int TX_BULK = 16;
    /** Frames per RX-stages vector. */
    public static final int VECTOR = 16;
    /** {@link RxMode#AUTO} goes vector from this many frames in one poll. */
    public static final int VECTOR_MIN = 8;

    // the per-action vectors, by action slot: XDP_ABORTED 0, XDP_DROP 1, XDP_PASS 2, XDP_TX 3, and the
    // frames for the queue's own AF_XDP socket (XDP_REDIRECT_XSK, or a redirect recognised as one)
    private static final int SLOT_ABORTED = 0;
    private static final int SLOT_DROP = 1;
    private static final int SLOT_PASS = 2;
    private static final int SLOT_TX = 3;
    private static final int SLOT_XSK = 4;
    private static final int SLOTS = 5;

    private final PagePool pool;
    private final PagePool.Cache cache;
    private final FrameMeta meta;
    private final RxDriver rx;
    private final TxDriver tx;
    private final PassSink pass;
    private final JitProgram prog;
    private final XdpJavaProgram javaProg;
    private final XdpContext ctx;
    // what runs instead of prog.run(st): the Java program, or the XdpCall entering prog through the BPF
    // dispatcher; null on the plain path. The per-packet test picking the path is the one null test the
    // worker made before it could dispatch, so the plain path's bytecode is what it was
    private Object other;
    private XdpCall call;
    // this poll's program through call, read once at the start of the poll (null: detached, or no call);
    // and the same when call goes through the system-wide dispatcher, else null: the one field a frame's
    // dispatched run tests. A replace takes effect from the next poll, as in drivers that read
    // rx_ring->xdp_prog once per clean_rx_irq (i40e, ixgbe), and every frame runs exactly one version
    private JitProgram callProg;
    private JitProgram callProgSystem;
    private long javaFaults;
    private final ExecState st;
    private final XdpBuff buff;
    private final int ifindex;
    private final int queue;
    private final int[] rxIds = new int[BUDGET];
    private final int[] txIds = new int[TX_BULK];
    private int txCount;
    private final int[] vec = new int[SLOTS * VECTOR];
    private final int[] vecCount = new int[SLOTS];
    private final RxQueueStats stats = new RxQueueStats();
    private RxMode mode = RxMode.SCALAR;
    // redirect: the datapath's devices, and per target ifindex this poll's bulk (the per-CPU xdp_dev_bulk_queue)
    private final NetDevices devices;
    private int redirectBulk = TX_BULK;
    private DevBulkQueue[] devQueues = new DevBulkQueue[0];
    // the queues with frames this poll, flushed at its end
    private DevBulkQueue[] flushList = new DevBulkQueue[0];
    private int flushCount;
    // the devmap entry the last redirect resolved: map, key and the slot's generation then, and what they
    // gave; valid while the generation is unchanged (a run of frames mostly goes to one entry)
    private DevMap lastMap;
    private long lastKey;
    private int lastGeneration;
    private DevBulkQueue lastQueue;
    private BpfProgram lastProg;
    private final java.util.IdentityHashMap<BpfProgram, Egress> egress = new java.util.IdentityHashMap<>();
    // the AF_XDP sockets whose TX ring this worker sends from, and its bulk for them
    private XdpSock[] xskSockets = new XdpSock[0];
    private final XskXmit xskXmit;
    private boolean xskSent;
    // __xsk_map_flush()'s list: the sockets this poll received into, each once
    private XdpSock[] xskFlushList = new XdpSock[4];
    private int xskFlushCount;
    // seed 002's netdev_rx_queue.xsk: the socket bound to this queue when it is the only one, else null.
    // XDP_REDIRECT_XSK goes straight to it and only it is flushed. rxqXskRedirect is the same socket when
    // a plain bpf_redirect_map to it takes that path too (xskFastPath, on by default), else null
    private XdpSock rxqXsk;
    private XdpSock rxqXskRedirect;
    // rxqXsk's UMEM is this worker's pool: the frames are its chunks already (zero-copy)
    private boolean rxqXskZeroCopy;
    private boolean xskFastPath = true;
    // the batched receive's addresses and lengths, a vector at most
    private final long[] xskData = new long[VECTOR];
    private final int[] xskOffsets = new int[VECTOR];
    private final int[] xskLens = new int[VECTOR];
    // cpumap: the runners this worker can reach, and per target CPU this poll's bulk (xdp_bulk_queue)
    private CpuMapRunner[] cpuMaps = new CpuMapRunner[0];
    private int[][] cpuBulk = new int[0][];
    private int[] cpuCount = new int[0];
    private CpuMapRunner[] cpuBulkRunner = new CpuMapRunner[0];
    private int[] cpuFlushList = new int[0];
    private int cpuFlushCount;
    private final int cpu;

    /**
     * One target device's bulk of this worker's redirected frames (the kernel's per-CPU
     * xdp_dev_bulk_queue): made on the first redirect to the device and kept, as a device keeps its
     * ifindex for the datapath's life, so a frame's enqueue touches this object only.
     */
    private static final class DevBulkQueue {
        final NetDevice dev;
        final TxDriver tx;
        final int[] ids = new int[TX_BULK];
        int count;
        /** The egress program of the frames queued (bq->xdp_prog, from the devmap entry), or null. */
        BpfProgram prog;
        /** On this poll's flush list. */
        boolean listed;

        DevBulkQueue(NetDevice dev) {
            this.dev = dev;
            this.tx = dev.tx();
        }
    }

    /** A devmap egress program as this worker runs it: its own runner and run state. */
    private record Egress(JitProgram jit, ExecState st, XdpCall call) {}

    /**
     * @param cache   the worker's cache of {@code pool}: frames the program drops are recycled into it, and
     *                the driver should refill its RX ring from it (same NAPI context)
     * @param prog    the compiled program, this worker's own ({@link JitProgram#forThread()} for a second worker)
     * @param collection the program's collection (maps); {@code cpu} is this worker's per-CPU slot
     */
    public NapiWorker(PagePool pool, PagePool.Cache cache, RxDriver rx, TxDriver tx, PassSink pass, JitProgram prog,
                      BpfCollection collection, int cpu, int ifindex, int queue) {
        this(pool, cache, rx, tx, pass, prog, collection, cpu, ifindex, queue, null);
    }

    /** As above, with {@code devices} the targets of XDP_REDIRECT (null: none). */
    public NapiWorker(PagePool pool, PagePool.Cache cache, RxDriver rx, TxDriver tx, PassSink pass, JitProgram prog,
                      BpfCollection collection, int cpu, int ifindex, int queue, NetDevices devices) {
        this(pool, cache, rx, tx, pass, prog, null, collection.newExecState(cpu), ifindex, queue, devices);
        this.st.caller(prog);
    }

    /** A worker running a program written in Java; {@code cpu} is what the program sees as its CPU. */
    public NapiWorker(PagePool pool, PagePool.Cache cache, RxDriver rx, TxDriver tx, PassSink pass,
                      XdpJavaProgram prog, int cpu, int ifindex, int queue, NetDevices devices) {
        this(pool, cache, rx, tx, pass, null, prog, new ExecState(new AddressSpace(), cpu, Arena.ofAuto()), ifindex,
                queue, devices);
    }

    private NapiWorker(PagePool pool, PagePool.Cache cache, RxDriver rx, TxDriver tx, PassSink pass, JitProgram prog,
                       XdpJavaProgram javaProg, ExecState st, int ifindex, int queue, NetDevices devices) {
        this.devices = devices;
        this.pool = pool;
        this.cache = cache;
        this.meta = pool.meta();
        this.rx = rx;
        this.tx = tx;
        this.pass = pass;
        this.prog = prog;
        this.javaProg = javaProg;
        this.other = javaProg;
        this.st = st;
        this.buff = XdpBuff.overPool(pool.memory());
        this.ctx = new XdpContext(buff, st);
        this.ifindex = ifindex;
        this.queue = queue;
        this.cpu = st.cpu();
        this.xskXmit = new XskXmit(pool, cache, tx, ifindex, queue);
    }

    public RxQueueStats stats() { return stats; }

    /** Sets how polls walk their frames (default scalar); call before polling, from the worker's thread. */
    public NapiWorker rxMode(RxMode mode) {
        this.mode = mode;
        return this;
    }

    public RxMode rxMode() { return mode; }

    /**
     * Sets how many frames a device's redirect queue holds before it is sent without waiting for the end of
     * the poll: 1 sends every redirected frame on its own (no bulking), at most {@link #TX_BULK}.
     */
    public NapiWorker redirectBulk(int frames) {
        if (frames < 1 || frames > TX_BULK) {
            throw new IllegalArgumentException("redirect bulk " + frames + ": want 1.." + TX_BULK);
        }
        this.redirectBulk = frames;
        return this;
    }

    /**
     * Lets XDP_REDIRECT reach the entries of these cpumaps (one runner per CPUMAP the program redirects
     * to); a redirect to a cpumap without a runner is a counted error. Call before polling.
     */
    public NapiWorker cpuMaps(CpuMapRunner... runners) {
        int max = 0;
        for (CpuMapRunner r : runners) {
            max = Math.max(max, r.map().maxEntries());
        }
        this.cpuMaps = runners.clone();
        this.cpuBulk = new int[max][];  // a bulk array per target CPU on first use: once, not per packet
        this.cpuCount = new int[max];
        this.cpuBulkRunner = new CpuMapRunner[max];
        this.cpuFlushList = new int[max];
        return this;
    }

    /**
     * Enters the compiled program through {@code call} (the BPF dispatcher, whose calls C2 can bind to each
     * program's class and inline) instead of the program's own virtual call, shared with every program the
     * JVM runs; as the kernel's drivers run XDP through xdp_call. Attaches this worker's program to
     * {@code call}; whoever made {@code call} detaches it ({@code update(null)}) when the worker is done.
     * Call before polling.
     */
    public NapiWorker xdpCall(XdpCall call) {
        if (prog == null) {
            throw new IllegalStateException("xdp_call: a Java program is not entered through the dispatcher");
        }
        call.update(prog);
        this.call = call;
        this.other = call;
        return this;
    }

    /** The dispatcher handle this worker enters its program through, or null (the plain virtual call). */
    public XdpCall xdpCall() { return call; }

    /** Runs a Java program ended with an exception (each counted as XDP_ABORTED). */
    public long javaFaults() { return javaFaults; }

    /** One NAPI poll: up to {@code budget} (at most {@link #BUDGET}) frames; returns how many were received. */
    public int poll(int budget) {
        int n = rx.receive(rxIds, 0, Math.min(budget, BUDGET));
        stats.polls++;
        XdpCall c = call;
        if (c != null) {
            callBegin(c);
        }
        if (mode == RxMode.SCALAR || mode == RxMode.AUTO && n < VECTOR_MIN) {
            for (int i = 0; i < n; i++) {
                runOne(rxIds[i]);
            }
        } else {
            for (int i = 0; i < n; i += VECTOR) {
                runVector(i, Math.min(VECTOR, n - i));
            }
        }
        xdpDoFlush();
        if (c != null) {
            callEnd(c, n);
        }
        XdpSock[] socks = xskSockets;
        if (socks.length != 0) {
            boolean sent = false;
            for (int i = 0; i < socks.length; i++) {
                if (socks[i].closed()) {
                    xskForget(i);  // released: this worker sends from it no more
                    break;         // the list changed; the others send next poll
                }
                sent |= xskXmit.xmit(socks[i]);
            }
            xskSent = sent;
        }
        return n;
    }

    /**
     * Whether the last poll sent from an AF_XDP socket's TX ring: work done with no frame received, which
     * the loop that polls must not take for an idle queue (it would back off and slow the TX ring down).
     */
    public boolean xskSentLastPoll() { return xskSent; }

    /**
     * Binds {@code sock} to this worker's queue (it must be bound to this device and queue): its TX ring is
     * sent from in this worker's polls ({@link XskXmit}), and when it is the queue's only socket it is where
     * XDP_REDIRECT_XSK goes ({@link #rxqXsk()}). Call before polling.
     */
    public NapiWorker xsk(XdpSock sock) {
        if (sock.ifindex() != ifindex || sock.queueId() != queue) {
            throw new IllegalArgumentException("socket of ifindex " + sock.ifindex() + " queue " + sock.queueId()
                    + " on the worker of ifindex " + ifindex + " queue " + queue);
        }
        xskSockets = Arrays.copyOf(xskSockets, xskSockets.length + 1);
        xskSockets[xskSockets.length - 1] = sock;
        rxqXskUpdate();
        return this;
    }

    /**
     * Whether a {@code bpf_redirect_map} whose target is this queue's only socket takes the same path as
     * XDP_REDIRECT_XSK (the default; jxdp's answer to "optimise the existing path"), or the generic one
     * (redirect info, the flush list): {@code false} is the seed's baseline. Call before polling.
     */
    public NapiWorker xskFastPath(boolean on) {
        this.xskFastPath = on;
        rxqXskUpdate();
        return this;
    }

    /** The socket XDP_REDIRECT_XSK goes to: the one bound to this queue when it is the only one, or null. */
    public XdpSock rxqXsk() { return rxqXsk; }

    // the queue's socket when exactly one is bound (xsk_bind() sets it, xsk_release() clears it); its
    // program sees it too, for bpf_redirect_xsk()
    private void rxqXskUpdate() {
        XdpSock s = xskSockets.length == 1 ? xskSockets[0] : null;
        rxqXsk = s;
        rxqXskRedirect = xskFastPath ? s : null;
        rxqXskZeroCopy = s != null && s.umem() == pool.umem();
        st.rxqXsk = s;
        st.rxqXskRedirect = rxqXskRedirect;
    }

    // a released socket out of the list of sockets to send from (rare: a new array, no per-poll cost)
    private void xskForget(int i) {
        XdpSock[] old = xskSockets;
        XdpSock[] now = new XdpSock[old.length - 1];
        System.arraycopy(old, 0, now, 0, i);
        System.arraycopy(old, i + 1, now, i, old.length - i - 1);
        xskSockets = now;
        rxqXskUpdate();
    }

    // the start of a poll through the xdp_call: its program for every frame of the poll
    private void callBegin(XdpCall c) {
        JitProgram p = c.program();
        callProg = p;
        callProgSystem = c.systemWide() ? p : null;
    }

    // the end of a poll through the xdp_call: its frames counted once, if a program ran them
    private void callEnd(XdpCall c, int n) {
        if (callProg != null) {
            c.ran(n);
        }
    }

    // the XDP stage for one frame: the program's verdict, with the frame's bounds as the program left them
    private long runXdp(int id) {
        long page = attach(id);
        long data = buff.data;
        long dataEnd = buff.dataEnd;
        long dataMeta = buff.dataMeta;
        buff.ingressIfindex = ifindex;
        buff.rxQueueIndex = queue;
        st.begin(buff);
        long act;
        if (other == null) {
            try {
                act = prog.run(st);
            } catch (BpfFault f) {
                act = XdpAction.ABORTED;  // a run-time check ended the run: counted in prog.faults()
            }
        } else {
            act = runOther();
        }
        // the program may have moved data, data_end and data_meta (most leave them: no store then)
        if (buff.data != data || buff.dataEnd != dataEnd || buff.dataMeta != dataMeta) {
            meta.bounds(id, (int) (buff.data - page), buff.length(), buff.metaLength());
        }
        return act;
    }

    // the same program reached by the dispatcher, or a Java program. The common case first, small: this
    // poll's program through the system-wide dispatcher, one field and one null test per frame
    private long runOther() {
        JitProgram p = callProgSystem;
        if (p != null) {
            try {
                return XdpCall.runSystemWide(p, st);  // prog, by the dispatch code: its faults count in prog
            } catch (BpfFault f) {
                return XdpAction.ABORTED;
            }
        }
        return runOtherRare();
    }

    // a dispatcher of its own (tests), detached (the frame goes up unrun, uncounted), or a Java program
    private long runOtherRare() {
        XdpCall c = call;
        if (c != null) {
            JitProgram p = callProg;
            if (p == null) {
                return XdpAction.PASS;
            }
            try {
                return c.run(p, st);
            } catch (BpfFault f) {
                return XdpAction.ABORTED;
            }
        }
        return runJava();
    }

    private long runJava() {
        try {
            return javaProg.run(ctx);
        } catch (RuntimeException e) {
            javaFaults++;
            return XdpAction.ABORTED;
        }
    }

    private void runOne(int id) {
        stats.rx++;
        long act = runXdp(id);
        if (act == XdpAction.DROP) {
            cache.recycleDirect(id);
            stats.drop++;
        } else if (act == XdpAction.TX) {
            txIds[txCount++] = id;
            if (txCount == TX_BULK) {
                flushTx();
            }
        } else if (act == XdpAction.PASS) {
            pass.pass(buff);  // the buff still holds this frame as the program left it
            cache.recycleDirect(id);
            stats.pass++;
        } else if (act == XdpAction.REDIRECT) {
            if (redirectsToRxqXsk()) {
                xskRcvRxq(id, rxqXsk);  // seed 002's fast path for an unchanged program: no call to redirect()
            } else {
                redirect(id);
            }
        } else if (act == XdpAction.REDIRECT_XSK && rxqXsk != null) {
            xskRcvRxq(id, rxqXsk);
        } else {
            // XDP_ABORTED, XDP_REDIRECT_XSK on a queue without exactly one socket, and an unknown action the
            // kernel warns about and treats the same (bpf_warn_invalid_xdp_action(), trace_xdp_exception()):
            // the frame is dropped
            cache.recycleDirect(id);
            stats.aborted++;
        }
    }

    // RX-stages: the XDP stage over the vector, then one stage per action over its own frames
    private void runVector(int from, int n) {
        int[] v = vec;
        int[] c = vecCount;
        c[0] = 0;
        c[1] = 0;
        c[2] = 0;
        c[3] = 0;
        c[4] = 0;
        for (int i = 0; i < n; i++) {
            int id = rxIds[from + i];
            int slot = xdpStage(id);
            if (slot >= 0) {
                v[slot * VECTOR + c[slot]++] = id;
            }
        }
        stats.rx += n;
        int aborted = c[SLOT_ABORTED];
        int drops = c[SLOT_DROP];
        int passes = c[SLOT_PASS];
        int txs = c[SLOT_TX];
        cache.recycleDirectBulk(v, SLOT_ABORTED * VECTOR, aborted);
        stats.aborted += aborted;
        cache.recycleDirectBulk(v, SLOT_DROP * VECTOR, drops);
        stats.drop += drops;
        for (int i = 0; i < passes; i++) {
            stackPass(v[SLOT_PASS * VECTOR + i]);
        }
        stats.pass += passes;
        if (txs > 0) {
            transmit(v, SLOT_TX * VECTOR, txs);  // one bulk xmit for the vector's TX frames
        }
        int xsks = c[SLOT_XSK];
        if (xsks > 0) {
            xskRcvVector(v, SLOT_XSK * VECTOR, xsks);
        }
    }

    // the XDP stage for one frame of a vector: its action's slot, or -1 once a redirect has been acted on
    private int xdpStage(int id) {
        long act = runXdp(id);
        if (act == XdpAction.REDIRECT) {
            if (redirectsToRxqXsk()) {
                return SLOT_XSK;  // the queue's socket: batched with the vector's others
            }
            redirect(id);  // its target is this run's: act now, as xdp_do_redirect() does
            return -1;
        }
        // ABORTED, DROP, PASS, TX are 0..3; XDP_REDIRECT_XSK needs the queue's socket; anything else is an
        // invalid action, handled as ABORTED
        if ((act & ~3L) == 0) {
            return (int) act;
        }
        return act == XdpAction.REDIRECT_XSK && rxqXsk != null ? SLOT_XSK : SLOT_ABORTED;
    }

    // whether this run's redirect info names the queue's only socket: the XSKMAP slot the program chose
    // holds it. Then the redirect is XDP_REDIRECT_XSK's, with no new action and an unchanged program
    private boolean redirectsToRxqXsk() {
        return rxqXskRedirect != null && st.redirectsToRxqXsk();
    }

    // points the worker's buff at frame id as its FrameMeta describes it; returns the page address
    private long attach(int id) {
        long page = pool.address(id);
        buff.attach(page, meta.dataOffset(id), meta.length(id), meta.metaLength(id));
        return page;
    }

    // the stack stage for a PASS frame: the sink sees it through the worker's buff, then the page is free
    private void stackPass(int id) {
        attach(id);
        pass.pass(buff);
        cache.recycleDirect(id);
    }

    // xdp_do_redirect(): the target the helper recorded, then the device's or the CPU's bulk queue. The
    // common case first and small enough to inline into the poll: the devmap entry of the previous frame,
    // still current (one generation load), so its device and program need no lookup
    private void redirect(int id) {
        DevMap d = lastMap;
        if (d != null && st.redirectMap() == d && st.redirectKey == lastKey && st.redirectFlags == 0
                && d.generation(lastKey) == lastGeneration) {
            enqueue(id, lastQueue, lastProg);
            return;
        }
        redirectResolve(id);
    }

    // the target resolved from the map (or the ifindex of bpf_redirect), remembered when it is a devmap entry
    private void redirectResolve(int id) {
        BpfMap m = st.redirectMap();
        if (m instanceof CpuMap c) {
            cpuRedirect(id, c, (int) st.redirectKey);
            return;
        }
        if (m instanceof XskMap x) {
            xskRedirect(id, x, st.redirectKey);
            return;
        }
        if (devices == null || st.redirectFlags != 0) {
            redirectError(id);  // no devices; broadcast is not there yet
            return;
        }
        long key = st.redirectKey;
        // the generation before the entry: an update in between changes it, and the next frame resolves again
        int generation = m instanceof DevMap d ? d.generation(key) : 0;
        NetDevice dev = devices.get(redirectIfindex());
        if (dev == null) {
            redirectError(id);
            return;
        }
        BpfProgram prog = entryProgram();
        DevBulkQueue q = queueOf(dev);
        if (m instanceof DevMap d) {
            lastMap = d;
            lastKey = key;
            lastGeneration = generation;
            lastQueue = q;
            lastProg = prog;
        }
        enqueue(id, q, prog);
    }

    // the device's queue, made on the first redirect to it (once per device and worker, not per packet)
    private DevBulkQueue queueOf(NetDevice dev) {
        int ifindex = dev.ifindex();
        if (ifindex >= devQueues.length) {
            int capacity = Math.max(ifindex + 1, devices.capacity());
            devQueues = Arrays.copyOf(devQueues, capacity);
            flushList = Arrays.copyOf(flushList, capacity);
        }
        DevBulkQueue q = devQueues[ifindex];
        if (q == null) {
            q = devQueues[ifindex] = new DevBulkQueue(dev);
        }
        return q;
    }

    // bq_enqueue(): into the device's bulk for this poll, sent when full; a device that is down refuses
    private void enqueue(int id, DevBulkQueue q, BpfProgram prog) {
        if (!q.dev.isUp()) {
            redirectError(id);
            return;
        }
        if (!q.listed) {
            q.listed = true;  // once per poll, however often its bulk fills
            flushList[flushCount++] = q;
        }
        if (prog != q.prog) {
            enqueueOtherProgram(q, prog);
        }
        int n = q.count;
        q.ids[n++] = id;
        q.count = n;
        if (n >= redirectBulk) {
            flushDev(q);
        }
    }

    // the device's bulk runs one program: send what the other one queued first
    private void enqueueOtherProgram(DevBulkQueue q, BpfProgram prog) {
        if (q.count > 0) {
            flushDev(q);
        }
        q.prog = prog;  // only on a change: a reference store costs a GC write barrier
    }

    // __xsk_map_redirect(): the socket must be bound to this device and queue (xsk_rcv_check), takes the
    // frame (xskRcv: zero copy when this worker's pool is the socket's UMEM), then joins this poll's flush
    // list
    private void xskRedirect(int id, XskMap m, long key) {
        XskSocketRef ref = m.socket(key);
        if (!(ref instanceof XdpSock s) || s.ifindex() != ifindex || s.queueId() != queue || s.closed()) {
            redirectError(id);
            return;
        }
        if (!xskRcv(id, s, s.umem() == pool.umem())) {
            return;
        }
        stats.redirect++;
        XdpSock[] list = xskFlushList;
        int n = xskFlushCount;
        for (int i = 0; i < n; i++) {
            if (list[i] == s) {
                return;
            }
        }
        if (n == list.length) {
            list = xskFlushList = Arrays.copyOf(list, n * 2);
        }
        list[n] = s;
        xskFlushCount = n + 1;
    }

    // XDP_REDIRECT_XSK (seed 002): the frame straight into the queue's socket, no redirect info, no flush
    // list; xdpDoFlush() publishes that socket alone. Its close is seen once per poll (xskForget)
    private void xskRcvRxq(int id, XdpSock s) {
        if (xskRcv(id, s, rxqXskZeroCopy)) {
            stats.redirect++;
            stats.redirectXsk++;
        }
    }

    // xsk_rcv() of frame id into s, both paths: zero copy (the frame is a chunk of s's UMEM, which becomes
    // the application's with an RX descriptor: xsk_rcv_zc), or copy (a chunk from s's fill ring takes the
    // frame's copy and the frame's page is free again at once). False when s cannot take it: a redirect
    // error, as xdp_do_redirect() failing, the frame freed to the pool
    private boolean xskRcv(int id, XdpSock s, boolean zeroCopy) {
        int err = zeroCopy ? s.rcvZeroCopy(s.umem().frameAddr(id), meta.dataOffset(id), meta.length(id))
                : s.rcv(pool.address(id) + meta.dataOffset(id), meta.length(id));
        if (err < 0) {
            redirectError(id);
            return false;
        }
        if (!zeroCopy) {
            cache.recycleDirect(id);
        }
        return true;
    }

    // the batched XDP_REDIRECT_XSK: the vector's frames for the queue's socket with one fill-ring peek and
    // one RX-ring reservation; a frame the batch cannot take goes through the scalar path, which refuses
    // and counts it
    private void xskRcvVector(int[] v, int from, int n) {
        XdpSock s = rxqXsk;
        if (rxqXskZeroCopy) {
            xskRcvVectorZeroCopy(v, from, n, s);
            return;
        }
        long[] data = xskData;
        int[] lens = xskLens;
        for (int i = 0; i < n; i++) {
            int id = v[from + i];
            data[i] = pool.address(id) + meta.dataOffset(id);
            lens[i] = meta.length(id);
        }
        int done = 0;
        while (done < n) {
            int took = s.rcvBatch(data, lens, done, n - done);
            if (took > 0) {
                cache.recycleDirectBulk(v, from + done, took);
                stats.redirect += took;
                stats.redirectXsk += took;
                done += took;
            }
            if (done < n) {
                xskRcvRxq(v[from + done], s);
                done++;
            }
        }
    }

    // the same in zero-copy: only RX descriptors, for chunks the frames are in already; a chunk taken is the
    // application's, not the pool's
    private void xskRcvVectorZeroCopy(int[] v, int from, int n, XdpSock s) {
        long[] addrs = xskData;
        int[] offs = xskOffsets;
        int[] lens = xskLens;
        Umem umem = s.umem();
        for (int i = 0; i < n; i++) {
            int id = v[from + i];
            addrs[i] = umem.frameAddr(id);
            offs[i] = meta.dataOffset(id);
            lens[i] = meta.length(id);
        }
        int took = s.rcvZeroCopyBatch(addrs, offs, lens, 0, n);
        stats.redirect += took;
        stats.redirectXsk += took;
        for (int i = took; i < n; i++) {
            xskRcvRxq(v[from + i], s);  // the RX ring is full: refused and counted one by one
        }
    }

    private void redirectError(int id) {
        cache.recycleDirect(id);
        stats.errors++;
    }

    // the program of the devmap entry redirected to, or null (bpf_redirect and plain entries)
    private BpfProgram entryProgram() {
        BpfMap m = st.redirectMap();
        ProgramRef p = m instanceof EntryProgramMap e ? e.entryProgram(st.redirectKey) : null;
        return p instanceof BpfProgram b ? b : null;
    }

    // cpu_map_enqueue(): into this worker's bulk for the target CPU, handed over when full and at the flush
    private void cpuRedirect(int id, CpuMap m, int key) {
        CpuMapRunner r = runnerOf(m);
        if (r == null || key < 0 || key >= cpuCount.length) {
            redirectError(id);  // no consumer for this map here: as a redirect without a target
            return;
        }
        int[] bulk = cpuBulk[key];
        if (bulk == null) {
            bulk = cpuBulk[key] = new int[CpuMapRunner.BULK];
        }
        int n = cpuCount[key];
        if (n > 0 && cpuBulkRunner[key] != r) {
            flushCpu(key);  // the same key of another cpumap: one bulk per key at a time
            n = 0;
        }
        if (n == 0 && cpuBulkRunner[key] == null) {
            cpuFlushList[cpuFlushCount++] = key;  // once per poll, however often its bulk fills
        }
        cpuBulkRunner[key] = r;
        bulk[n++] = id;
        cpuCount[key] = n;
        if (n == CpuMapRunner.BULK) {
            flushCpu(key);
        }
    }

    private CpuMapRunner runnerOf(CpuMap m) {
        CpuMapRunner[] rs = cpuMaps;
        for (int i = 0; i < rs.length; i++) {
            if (rs[i].map() == m) {
                return rs[i];
            }
        }
        return null;
    }

    // bq_flush_to_queue(): what the entry's ring refuses is freed and counted as an error
    private void flushCpu(int key) {
        int n = cpuCount[key];
        if (n == 0) {
            return;
        }
        int took = cpuBulkRunner[key].enqueue(key, cpuBulk[key], 0, n);
        stats.redirect += took;
        for (int i = took; i < n; i++) {
            cache.recycleDirect(cpuBulk[key][i]);
            stats.errors++;
        }
        cpuCount[key] = 0;
    }

    private int redirectIfindex() {
        BpfMap m = st.redirectMap();
        if (m == null) {
            return st.redirectIfindex;  // bpf_redirect()
        }
        if (m instanceof DevMap d) {
            return d.ifindex(st.redirectKey);
        }
        if (m instanceof DevMapHash h) {
            return h.ifindex(st.redirectKey);
        }
        return 0;  // XSKMAP: no such targets yet
    }

    private void flushDev(DevBulkQueue q) {
        int n = q.count;
        if (n == 0) {
            return;
        }
        if (q.prog != null) {
            n = runEgress(q, n);
            if (n == 0) {
                q.count = 0;
                return;
            }
        }
        int took = q.tx.transmit(q.ids, 0, n);
        stats.redirect += took;
        for (int i = took; i < n; i++) {
            cache.recycleDirect(q.ids[i]);  // the target's ring was full
            stats.errors++;
        }
        q.count = 0;
    }

    // dev_map_bpf_prog_run(): the entry's program on each frame of the bulk, with egress_ifindex set;
    // the frames it passes move to the front of the bulk, in order; returns how many
    private int runEgress(DevBulkQueue q, int n) {
        Egress e = egressOf(q.prog);
        int[] bulk = q.ids;
        int egressIfindex = q.dev.ifindex();
        int kept = 0;
        for (int i = 0; i < n; i++) {
            int id = bulk[i];
            long page = attach(id);
            buff.ingressIfindex = this.ifindex;
            buff.rxQueueIndex = 0;  // the kernel's devmap run has an rxq of the device only
            buff.egressIfindex = egressIfindex;
            e.st.begin(buff);
            long act;
            try {
                act = e.call != null ? e.call.run(e.jit, e.st) : e.jit.run(e.st);
            } catch (BpfFault f) {
                act = XdpAction.ABORTED;
            }
            buff.egressIfindex = 0;
            if (act == XdpAction.PASS) {
                meta.bounds(id, (int) (buff.data - page), buff.length(), buff.metaLength());
                bulk[kept++] = id;
            } else {
                // XDP_DROP; XDP_ABORTED and the actions a devmap program may not take (bpf_warn_invalid_xdp_action)
                cache.recycleDirect(id);
                if (act == XdpAction.DROP) {
                    stats.drop++;
                } else {
                    stats.aborted++;
                }
            }
        }
        if (e.call != null) {
            e.call.ran(n);
        }
        return kept;
    }

    private Egress egressOf(BpfProgram p) {
        Egress e = egress.get(p);
        if (e == null) {
            // once per program and worker: the compiled code is shared, the run state is this worker's
            JitProgram jit = prog != null ? prog.sibling(p) : dev.jxdp.ebpf.jit.JitCompiler.compile(p);
            ExecState est = p.collection().newExecState(cpu);
            est.caller(jit);
            // through the dispatcher when this worker's own program is: an xdp_call of its own, whose slot
            // detachEntryPrograms() gives back
            XdpCall ec = null;
            if (call != null) {
                ec = new XdpCall(call.dispatcher());
                ec.update(jit);
            }
            e = new Egress(jit, est, ec);
            egress.put(p, e);
        }
        return e;
    }

    // xsk_flush() of each socket this poll received into: their RX producers published
    private void flushXsk() {
        XdpSock[] list = xskFlushList;
        for (int i = 0; i < xskFlushCount; i++) {
            list[i].flush();  // the entry stays: no reference store per poll, the count says what is live
        }
        xskFlushCount = 0;
    }

    /**
     * Detaches the devmap entries' programs this worker entered through the dispatcher (their xdp_calls),
     * giving back their slots. Call when the worker has stopped polling.
     */
    public void detachEntryPrograms() {
        for (Egress e : egress.values()) {
            if (e.call != null) {
                e.call.update(null);
            }
        }
    }

    /** The runs made through the devmap entry programs' xdp_calls (0 without the dispatcher). */
    public long entryProgramRuns() {
        long n = 0;
        for (Egress e : egress.values()) {
            if (e.call != null) {
                n += e.call.runs();
            }
        }
        return n;
    }

    /** xdp_do_flush(): the bulk queues out, once per poll. */
    private void xdpDoFlush() {
        if (txCount > 0) {
            flushTx();
        }
        if (xskFlushCount > 0) {
            flushXsk();
        }
        XdpSock s = rxqXsk;
        if (s != null) {
            s.flush();  // nothing to publish: one field test
        }
        for (int i = 0; i < flushCount; i++) {
            DevBulkQueue q = flushList[i];
            flushDev(q);
            q.listed = false;
        }
        flushCount = 0;
        for (int i = 0; i < cpuFlushCount; i++) {
            int key = cpuFlushList[i];
            flushCpu(key);
            cpuBulkRunner[key] = null;
        }
        cpuFlushCount = 0;
    }

    private void flushTx() {
        transmit(txIds, 0, txCount);
        txCount = 0;
    }

    private void transmit(int[] ids, int from, int n) {
        int took = tx.transmit(ids, from, n);
        stats.tx += took;
        for (int i = took; i < n; i++) {
            cache.recycleDirect(ids[from + i]);  // the TX ring was full: dropped, as the kernel's xmit error path
            stats.errors++;
        }
    }
}
