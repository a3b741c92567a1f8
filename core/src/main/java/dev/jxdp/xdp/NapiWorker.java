package dev.jxdp.xdp;

import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.maps.DevMap;
import dev.jxdp.ebpf.maps.DevMapHash;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfFault;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpAction;
import dev.jxdp.ebpf.runtime.XdpBuff;

/**
 * One RX queue's NAPI context, run by its own worker thread: each {@link #poll} takes up to a budget of
 * received frames from the driver, runs the XDP program on each and acts on the verdict, then flushes
 * the bulked transmits once (xdp_do_flush() at the end of the poll). Frames travel as ids of the
 * worker's {@link PagePool}; the worker owns one xdp_buff and one ExecState (per-CPU state = per worker)
 * and allocates nothing per packet.
 *
 * <p>Scalar mode only so far: one frame at a time through the program. XDP_REDIRECT reaches devices by
 * {@code bpf_redirect} or a DEVMAP / DEVMAP_HASH entry, queued per target device in bulks of
 * {@link #TX_BULK} and flushed with the poll; a missing or down device, a CPUMAP or XSKMAP target (not
 * there yet) and broadcast are counted errors (the xdp:xdp_redirect_err tracepoint's cases).
 */
public final class NapiWorker {

    /** NAPI_POLL_WEIGHT: frames per poll. */
    public static final int BUDGET = 64;
    /** Frames bulked per ndo_xdp_xmit for XDP_TX (DEV_MAP_BULK_SIZE). */
    public static final int TX_BULK = 16;

    private final PagePool pool;
    private final PagePool.Cache cache;
    private final FrameMeta meta;
    private final RxDriver rx;
    private final TxDriver tx;
    private final PassSink pass;
    private final JitProgram prog;
    private final ExecState st;
    private final XdpBuff buff;
    private final int ifindex;
    private final int queue;
    private final int[] rxIds = new int[BUDGET];
    private final int[] txIds = new int[TX_BULK];
    private int txCount;
    private final RxQueueStats stats = new RxQueueStats();
    // redirect: the datapath's devices, and per target ifindex this poll's bulk (the per-CPU xdp_dev_bulk_queue)
    private final NetDevices devices;
    private int[][] devBulk = new int[0][];
    private int[] devCount = new int[0];
    private int[] flushList = new int[0];
    private boolean[] listed = new boolean[0];
    private int flushCount;

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
        this.devices = devices;
        this.pool = pool;
        this.cache = cache;
        this.meta = pool.meta();
        this.rx = rx;
        this.tx = tx;
        this.pass = pass;
        this.prog = prog;
        this.st = collection.newExecState(cpu);
        this.st.caller(prog);
        this.buff = XdpBuff.overPool(pool.memory());
        this.ifindex = ifindex;
        this.queue = queue;
    }

    public RxQueueStats stats() { return stats; }

    /** One NAPI poll: up to {@code budget} (at most {@link #BUDGET}) frames; returns how many were received. */
    public int poll(int budget) {
        int n = rx.receive(rxIds, 0, Math.min(budget, BUDGET));
        stats.polls++;
        for (int i = 0; i < n; i++) {
            runOne(rxIds[i]);
        }
        xdpDoFlush();
        return n;
    }

    private void runOne(int id) {
        stats.rx++;
        long page = pool.address(id);
        buff.attach(page, meta.dataOffset(id), meta.length(id), meta.metaLength(id));
        buff.ingressIfindex = ifindex;
        buff.rxQueueIndex = queue;
        st.begin(buff);
        long act;
        try {
            act = prog.run(st);
        } catch (BpfFault f) {
            act = XdpAction.ABORTED;  // a run-time check ended the run: counted in prog.faults()
        }
        // the program may have moved data, data_end and data_meta
        meta.bounds(id, (int) (buff.data - page), buff.length(), buff.metaLength());
        if (act == XdpAction.DROP) {
            cache.recycleDirect(id);
            stats.drop++;
        } else if (act == XdpAction.TX) {
            txIds[txCount++] = id;
            if (txCount == TX_BULK) {
                flushTx();
            }
        } else if (act == XdpAction.PASS) {
            pass.pass(buff);
            cache.recycleDirect(id);
            stats.pass++;
        } else if (act == XdpAction.REDIRECT) {
            redirect(id);
        } else {
            // XDP_ABORTED, and an unknown action the kernel warns about and treats the same
            // (bpf_warn_invalid_xdp_action(), trace_xdp_exception()): the frame is dropped
            cache.recycleDirect(id);
            stats.aborted++;
        }
    }

    // xdp_do_redirect(): the target the helper recorded, then the device's bulk queue
    private void redirect(int id) {
        NetDevice dev = devices == null || st.redirectFlags != 0 ? null : devices.get(redirectIfindex());
        if (dev == null || !dev.isUp()) {
            cache.recycleDirect(id);
            stats.errors++;
            return;
        }
        int ifindex = dev.ifindex();
        if (ifindex >= devCount.length) {
            growBulk(devices.capacity());  // a device added since: once per new device, not per packet
        }
        if (!listed[ifindex]) {
            listed[ifindex] = true;  // once per poll, however often its bulk fills
            flushList[flushCount++] = ifindex;
        }
        devBulk[ifindex][devCount[ifindex]++] = id;
        if (devCount[ifindex] == TX_BULK) {
            flushDev(ifindex);
        }
    }

    private int redirectIfindex() {
        BpfMap m = st.redirectMap;
        if (m == null) {
            return st.redirectIfindex;  // bpf_redirect()
        }
        if (m instanceof DevMap d) {
            return d.ifindex(st.redirectKey);
        }
        if (m instanceof DevMapHash h) {
            return h.ifindex(st.redirectKey);
        }
        return 0;  // CPUMAP, XSKMAP: no such targets yet
    }

    private void growBulk(int capacity) {
        int old = devCount.length;
        devBulk = java.util.Arrays.copyOf(devBulk, capacity);
        for (int i = old; i < capacity; i++) {
            devBulk[i] = new int[TX_BULK];
        }
        devCount = java.util.Arrays.copyOf(devCount, capacity);
        flushList = java.util.Arrays.copyOf(flushList, capacity);
        listed = java.util.Arrays.copyOf(listed, capacity);
    }

    private void flushDev(int ifindex) {
        int n = devCount[ifindex];
        if (n == 0) {
            return;
        }
        int took = devices.get(ifindex).tx().transmit(devBulk[ifindex], 0, n);
        stats.redirect += took;
        for (int i = took; i < n; i++) {
            cache.recycleDirect(devBulk[ifindex][i]);  // the target's ring was full
            stats.errors++;
        }
        devCount[ifindex] = 0;
    }

    /** xdp_do_flush(): the bulk queues out, once per poll. */
    private void xdpDoFlush() {
        if (txCount > 0) {
            flushTx();
        }
        for (int i = 0; i < flushCount; i++) {
            flushDev(flushList[i]);
            listed[flushList[i]] = false;
        }
        flushCount = 0;
    }

    private void flushTx() {
        int took = tx.transmit(txIds, 0, txCount);
        stats.tx += took;
        for (int i = took; i < txCount; i++) {
            cache.recycleDirect(txIds[i]);  // the TX ring was full: dropped, as the kernel's xmit error path
            stats.errors++;
        }
        txCount = 0;
    }
}
