package dev.jxdp.xdp;

import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.ebpf.maps.CpuMap;
import dev.jxdp.ebpf.maps.ProgramRef;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfFault;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpAction;
import dev.jxdp.ebpf.runtime.XdpBuff;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * The datapath side of one BPF_MAP_TYPE_CPUMAP (kernel/bpf/cpumap.c). Each entry gets a bounded queue of
 * frame ids (its ptr_ring of {@code qsize}) and a consumer thread (its kthread, cpu_map_kthread_run()) that
 * takes frames {@link #BULK} at a time, runs the entry's program if it has one, hands each frame the verdict
 * leaves up to the "stack" ({@link PassSink}) as a buff over the frame's own page (as
 * __xdp_build_skb_from_frame() builds the skb around the frame: nothing copied), and gives the frames back
 * to the pool in bulk.
 *
 * <p>Workers call {@link #enqueue} at their flush with a bulk for one CPU (bq_flush_to_queue()); several
 * workers may do so at once. The "CPU" is the consumer's identity, not a core: its thread runs wherever the
 * scheduler puts it, and per-CPU maps the entry's program touches use the key as the CPU slot (the map
 * refuses keys of CPUs that are not possible). An entry and its thread are made on the first enqueue for
 * its key, or by {@link #start()}; an update of the map's slot (a new qsize or program) makes a new entry
 * on the next enqueue, while the old consumer finishes its queue and stops, as __cpu_map_entry_replace().
 *
 * <p>An idle consumer polls its ring briefly, then parks; a producer unparks it only when it sleeps, so a
 * busy consumer costs producers one volatile read per bulk. Nothing is allocated per packet or per bulk.
 *
 * <p>Verdicts of the entry's program: XDP_PASS goes to the sink, XDP_DROP is freed, XDP_ABORTED and any
 * other action (XDP_TX included, which a cpumap program may not take) are freed and counted as aborted.
 * The kernel folds those into its drop count (cpu_map_bpf_prog_run_xdp() warns of an invalid action and
 * drops); jxdp keeps them apart as its RX queues do. XDP_REDIRECT from a cpumap program, which the kernel
 * sends on with xdp_do_redirect(), is not supported here: such frames are dropped and counted both as
 * dropped and in {@link Stats#redirectDropped}.
 */
public final class CpuMapRunner implements AutoCloseable {

    /** CPU_MAP_BULK_SIZE: the most frames a worker hands over at once; also CPUMAP_BATCH, what a consumer takes. */
    public static final int BULK = 8;
    /** Polls of an empty ring before a consumer parks. */
    static final int SPINS = 256;
    /** Frames a consumer gathers before giving them back to the pool in one call. */
    static final int RETURN_BULK = PagePool.BULK;

    private static final VarHandle ENTRIES = MethodHandles.arrayElementVarHandle(Entry[].class);

    private final CpuMap map;
    private final PagePool pool;
    private final PassSink sink;
    private final BpfCollection collection;
    private final Function<BpfProgram, JitProgram> compiler;
    /** The current entry per key (read with acquire on the hot path); replaced under this object's lock. */
    private final Entry[] entries;
    /** Every entry made, current and replaced, for stats and close. Guarded by this. */
    private final List<Entry> made = new ArrayList<>();
    private boolean closed;
    // whether the entries' programs are entered through the system-wide BPF dispatcher (an xdp_call each)
    private volatile boolean dispatcher;

    /**
     * @param map        the CPUMAP whose entries this runs
     * @param pool       the pool every enqueued frame comes from
     * @param sink       the stack stage for XDP_PASS frames; called from the consumer threads, several at once
     *                   and alongside the workers, so it must be thread-safe
     * @param collection the collection of the entries' programs (their maps, per-CPU state)
     * @param compiler   makes a runner of an entry's program for its consumer thread (e.g.
     *                   {@code p -> jit.program(p)}); called once per entry, on the thread that makes the entry
     */
    public CpuMapRunner(CpuMap map, PagePool pool, PassSink sink, BpfCollection collection,
                        Function<BpfProgram, JitProgram> compiler) {
        this.map = map;
        this.pool = pool;
        this.sink = sink;
        this.collection = collection;
        this.compiler = compiler;
        this.entries = new Entry[map.maxEntries()];
    }

    public CpuMap map() { return map; }

    /**
     * Enters each entry's program through an xdp_call of its own on the system-wide BPF dispatcher (as the
     * workers do with {@code jxdp run --dispatcher on}) instead of its virtual call; the slot is given back
     * when the entry's consumer ends. Call before the first enqueue.
     */
    public CpuMapRunner dispatcher(boolean on) {
        this.dispatcher = on;
        return this;
    }

    /**
     * Queues frames {@code ids[from..from+n)} (a worker's bulk, up to {@link #BULK}) for the CPU at key
     * {@code cpu}, in order; returns how many the entry's queue took, the first ones. The caller still owns the rest (a full
     * queue, no entry at that key, or this runner closed: 0) and frees them, as bq_flush_to_queue() drops
     * what __ptr_ring_produce() refuses. Safe from several threads at once.
     *
     * <p>The first call for an entry makes it: starts its thread and compiles its program (see {@link #start()}).
     */
    public int enqueue(int cpu, int[] ids, int from, int n) {
        if (cpu < 0 || cpu >= entries.length || n <= 0) {
            return 0;
        }
        Entry e = (Entry) ENTRIES.getAcquire(entries, cpu);
        if (e == null || e.generation != map.generation(cpu)) {
            e = renew(cpu);
            if (e == null) {
                return 0;
            }
        }
        return e.enqueue(ids, from, n);
    }

    /**
     * Makes the entries of every filled slot now, threads started and programs compiled, so that the first
     * redirect to them does not pay for it. Optional; call before the workers start.
     */
    public void start() {
        for (int cpu = 0; cpu < entries.length; cpu++) {
            if (map.qsize(cpu) > 0) {
                renew(cpu);
            }
        }
    }

    /** The entry for {@code cpu} as the map has it now, made if the map changed since; null once closed. */
    private synchronized Entry renew(int cpu) {
        if (closed) {
            return null;
        }
        CpuMap.Entry now = map.entry(cpu);
        Entry old = entries[cpu];
        if (old != null && old.generation == now.generation()) {
            return old;  // another worker renewed it first
        }
        Entry e = new Entry(cpu, now);
        if (e.thread != null) {
            made.add(e);  // kept after a replacement too, for its counters
            e.thread.start();
        }
        ENTRIES.setRelease(entries, cpu, e);
        if (old != null) {
            old.retire();
        }
        return e;
    }

    /**
     * Stops every consumer after it has finished the frames already queued (as kthread_stop() waits for
     * cpu_map_kthread_run() to empty its ring), waits for them, and frees anything still queued (from a
     * consumer that failed). Later enqueues take nothing. Stop the workers first: a worker's frames are only
     * safe once it is no longer enqueuing.
     */
    @Override
    public void close() {
        List<Entry> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = List.copyOf(made);
        }
        for (Entry e : all) {
            e.retire();
        }
        boolean interrupted = false;
        for (Entry e : all) {
            interrupted |= e.join();
        }
        for (Entry e : all) {
            e.drainLate(new int[BULK], 0, BULK);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The counters of key {@code cpu}, summed over its entries (the current one and those it replaced). */
    public Stats stats(int cpu) {
        Stats sum = Stats.ZERO;
        for (Entry e : snapshot()) {
            if (e.cpu == cpu) {
                sum = sum.plus(e.stats());
            }
        }
        return sum;
    }

    /** The counters of every entry, summed. */
    public Stats total() {
        Stats sum = Stats.ZERO;
        for (Entry e : snapshot()) {
            sum = sum.plus(e.stats());
        }
        return sum;
    }

    /** The first error that ended a consumer (a sink that threw), or null. Its frames were freed as drops. */
    public Throwable failure() {
        for (Entry e : snapshot()) {
            if (e.failure != null) {
                return e.failure;
            }
        }
        return null;
    }

    private synchronized List<Entry> snapshot() {
        return List.copyOf(made);
    }

    /**
     * One entry's counters. Every frame its queue took ends in exactly one of passed, dropped and aborted, or
     * is still queued: {@code enqueued = passed + dropped + aborted + queued}, exact when its consumer is idle
     * or stopped (while it runs, a batch being handled is in none of them). {@code redirectDropped} is the
     * part of {@code dropped} a cpumap program sent to XDP_REDIRECT.
     */
    public record Stats(long enqueued, long passed, long dropped, long aborted, long redirectDropped, long queued) {

        static final Stats ZERO = new Stats(0, 0, 0, 0, 0, 0);

        Stats plus(Stats o) {
            return new Stats(enqueued + o.enqueued, passed + o.passed, dropped + o.dropped, aborted + o.aborted,
                    redirectDropped + o.redirectDropped, queued + o.queued);
        }

        /** The accounting identity; an exception naming the numbers when it does not hold. */
        public void checkAccounting() {
            long out = passed + dropped + aborted + queued;
            if (enqueued != out) {
                throw new IllegalStateException("cpumap: enqueued " + enqueued + " != passed " + passed + " + dropped "
                        + dropped + " + aborted " + aborted + " + queued " + queued + " = " + out);
            }
        }
    }

    /** A consumer's counters: written by its thread per frame, read racily by stats readers. */
    private static final class Counters {
        long passed;
        long dropped;
        long aborted;
        long redirectDropped;
    }

    // Entry.state: what the consumer is doing, read by producers after each bulk they queue
    private static final int RUNNING = 0;
    private static final int SLEEPING = 1;
    private static final int STOPPING = 2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Entry.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * struct bpf_cpu_map_entry: one map entry's queue, consumer thread and program. Producers read only its
     * final fields and {@code state}, which the consumer writes only around a sleep; everything the consumer
     * writes per frame lives in its {@link Consumer}, allocated by the consumer thread, away from this line.
     */
    private final class Entry implements Runnable {
        final int cpu;
        final int generation;
        final int qsize;
        /** The queue: qsize rounded up to a power of two, filled to qsize at most; null for an empty slot. */
        final FrameRing ring;
        final JitProgram prog;
        // the entry program's xdp_call when the runner goes through the dispatcher, else null
        final dev.jxdp.xdp.dispatch.XdpCall call;
        final Thread thread;
        /** RUNNING, SLEEPING (parked or about to), STOPPING (no more frames: finish the queue and exit). */
        volatile int state;
        /** Frames freed unhandled after the entry stopped (a late producer, close, a failed consumer). */
        final AtomicLong lateDropped = new AtomicLong();
        /** The consumer's counters, published when its thread starts. */
        volatile Counters counters;
        volatile Throwable failure;

        Entry(int cpu, CpuMap.Entry e) {
            this.cpu = cpu;
            this.generation = e.generation();
            this.qsize = e.qsize();
            if (qsize == 0) {
                // an empty slot: remembered for its generation, so enqueues to it stay on the fast path
                ring = null;
                prog = null;
                call = null;
                thread = null;
                state = STOPPING;
                return;
            }
            ring = new FrameRing(qsize == 1 ? 1 : Integer.highestOneBit(qsize - 1) << 1);
            prog = program(e.program());
            call = prog != null && dispatcher ? new dev.jxdp.xdp.dispatch.XdpCall() : null;
            thread = Thread.ofPlatform().name("cpumap/" + cpu + "/map:" + map.name()).daemon(true).unstarted(this);
        }

        private JitProgram program(ProgramRef ref) {
            if (ref == null) {
                return null;
            }
            if (!(ref instanceof BpfProgram p)) {
                throw new IllegalArgumentException("cpumap " + map.name() + " entry " + cpu + ": program " + ref.name()
                        + " is not a loaded program this runner can run");
            }
            return compiler.apply(p);
        }

        int enqueue(int[] ids, int from, int n) {
            FrameRing r = ring;
            if (r == null || state == STOPPING) {
                return 0;
            }
            int room = n;
            if (qsize != r.capacity()) {
                room = Math.min(n, qsize - r.size());  // the ring is rounded up; the queue holds qsize
                if (room <= 0) {
                    return 0;
                }
            }
            int took = r.offerBulk(ids, from, room);
            if (took > 0 && took < room) {
                took += r.offerBulk(ids, from + took, room - took);  // a run cut short by a slot not yet released
            }
            if (took == 0) {
                return 0;
            }
            // after the claim (a full fence): a consumer that parked or stopped before it must be told
            int s = state;
            if (s == SLEEPING) {
                LockSupport.unpark(thread);
            } else if (s == STOPPING) {
                // the consumer may have seen an empty queue and left: free what is there, reusing the
                // caller's slots for the ids (it no longer looks at the ones it handed over)
                drainLate(ids, from, took);
            }
            return took;
        }

        /** Frees whatever is queued, counted as dropped; for a stopped entry, from any thread. */
        void drainLate(int[] scratch, int from, int max) {
            FrameRing r = ring;
            if (r == null) {
                return;
            }
            while (r.size() > 0) {
                int got = r.pollBulk(scratch, from, max);
                if (got == 0) {
                    Thread.onSpinWait();  // a producer has claimed a slot and not yet published it
                    continue;
                }
                pool.returnBulk(scratch, from, got);
                lateDropped.addAndGet(got);
            }
        }

        void retire() {
            if (thread == null) {
                return;
            }
            STATE.getAndSet(this, STOPPING);
            LockSupport.unpark(thread);
        }

        /** Waits for the consumer to end; true when this thread was interrupted meanwhile. */
        boolean join() {
            if (thread == null) {
                return false;
            }
            boolean interrupted = false;
            for (;;) {
                try {
                    thread.join();
                    return interrupted;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }

        Stats stats() {
            if (ring == null) {
                return Stats.ZERO;
            }
            Counters c = counters;
            long late = lateDropped.get();
            long queued = ring.size();
            long enqueued = ring.lvProducerIndex();
            return c == null ? new Stats(enqueued, 0, late, 0, 0, queued)
                    : new Stats(enqueued, c.passed, c.dropped + late, c.aborted, c.redirectDropped, queued);
        }

        @Override
        public void run() {
            Consumer c = null;
            try {
                if (call != null) {
                    call.update(prog);
                }
                c = new Consumer(this);
                counters = c.counters;
                c.consume();
            } catch (Throwable t) {
                failure = t;
                STATE.getAndSet(this, STOPPING);  // producers now free their own frames
                if (c != null) {
                    c.dropUnhandled();
                } else {
                    drainLate(new int[BULK], 0, BULK);
                }
            } finally {
                if (c != null) {
                    c.flushReturns();
                }
                if (call != null) {
                    call.update(null);  // the dispatcher's slot back: this entry runs its program no more
                }
            }
        }
    }

    /** cpu_map_kthread_run(): one entry's consumer loop and everything it writes, owned by its thread. */
    private final class Consumer {
        private final Entry entry;
        private final FrameRing ring;
        private final JitProgram prog;
        private final dev.jxdp.xdp.dispatch.XdpCall call;
        private final Counters counters = new Counters();
        private final FrameMeta meta = pool.meta();
        private final XdpBuff buff = XdpBuff.overPool(pool.memory());
        private final ExecState st;
        private final int[] batch = new int[BULK];
        private int batchSize;
        private int cursor;
        private final int[] returns = new int[RETURN_BULK];
        private int returnCount;

        Consumer(Entry entry) {
            this.entry = entry;
            this.ring = entry.ring;
            this.prog = entry.prog;
            this.call = entry.call;
            this.st = prog == null ? null : collection.newExecState(entry.cpu);
            if (st != null) {
                st.caller(prog);
            }
        }

        void consume() {
            FrameRing r = ring;
            for (;;) {
                int n = r.pollBulk(batch, 0, BULK);
                if (n > 0) {
                    batchSize = n;
                    for (int i = 0; i < n; i++) {
                        cursor = i;
                        handle(batch[i]);
                    }
                    batchSize = 0;
                    continue;
                }
                flushReturns();  // the queue ran dry: the pool gets its frames back now, not 64 frames later
                if (entry.state == STOPPING) {
                    if (r.size() == 0) {
                        return;  // stopped and empty: a producer queueing now sees STOPPING and frees its own
                    }
                    Thread.onSpinWait();
                    continue;
                }
                idle(r);
            }
        }

        /** Spins a while, then parks until a producer queues something (or the entry stops). */
        private void idle(FrameRing r) {
            for (int i = 0; i < SPINS; i++) {
                if (r.size() > 0 || entry.state == STOPPING) {
                    return;
                }
                Thread.onSpinWait();
            }
            if (STATE.compareAndSet(entry, RUNNING, SLEEPING)) {
                // after the announcement (a full fence): a producer that queued before it is seen here,
                // one that queues after it sees SLEEPING and unparks
                if (r.size() == 0) {
                    LockSupport.park(this);
                }
                STATE.compareAndSet(entry, SLEEPING, RUNNING);  // fails only when stopping meanwhile
            }
        }

        private void handle(int id) {
            long page = pool.address(id);
            XdpBuff b = buff;
            b.attach(page, meta.dataOffset(id), meta.length(id), meta.metaLength(id));
            b.ingressIfindex = meta.rxIfindex(id);
            b.egressIfindex = 0;
            long act = XdpAction.PASS;
            if (prog != null) {
                // cpu_map_bpf_prog_run_xdp() gives the program the receiving device but no queue index
                b.rxQueueIndex = 0;
                st.begin(b);
                try {
                    act = call != null ? call.run(prog, st) : prog.run(st);
                } catch (BpfFault f) {
                    act = XdpAction.ABORTED;  // a run-time check ended the run: counted in prog.faults()
                }
            }
            Counters c = counters;
            if (act == XdpAction.PASS) {
                b.rxQueueIndex = meta.rxQueue(id);
                sink.pass(b);  // the stack packet: the buff over the frame's page, as the program left it
                c.passed++;
            } else if (act == XdpAction.DROP) {
                c.dropped++;
            } else if (act == XdpAction.REDIRECT) {
                c.dropped++;  // no xdp_do_redirect() from a cpumap program here
                c.redirectDropped++;
            } else {
                c.aborted++;
            }
            giveBack(id);
        }

        /** After a failure: the batch's frames not yet handled, then the queue, freed as drops. */
        void dropUnhandled() {
            for (int i = cursor; i < batchSize; i++) {
                giveBack(batch[i]);
                counters.dropped++;
            }
            batchSize = 0;
            flushReturns();
            entry.drainLate(batch, 0, BULK);
        }

        private void giveBack(int id) {
            returns[returnCount++] = id;
            if (returnCount == RETURN_BULK) {
                flushReturns();
            }
        }

        void flushReturns() {
            if (returnCount > 0) {
                pool.returnBulk(returns, 0, returnCount);
                returnCount = 0;
            }
        }
    }
}
