package dev.jxdp.xdp;

import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * The RX queues of one input device, each owned by one {@link NapiWorker} polling it on its own thread:
 * per-CPU state is per worker, so queue {@code i} is CPU slot {@code i} (its own ExecState, its own
 * {@code JitProgram}, its own redirect bulk queues) and its own {@link PagePool.Cache} of the shared pool.
 * Nothing is shared on the per-packet path; the input is spread over the queues by the drivers (RSS).
 *
 * <p>Why one pool for all queues, with a cache per worker, rather than a pool per queue: a frame id means
 * something only within its pool, and frames cross queues (any worker may redirect into the same veth or
 * devmap target, whose ring then holds frames of every queue; a cpumap consumer returns frames from its
 * own thread), so every queue's frames must be ids of the same pool. The per-worker cache keeps the common
 * path (alloc, XDP_DROP recycle) on worker-private state, as the kernel's page_pool alloc cache is per
 * NAPI context; the shared ring is touched only 64 frames at a time. The exception is zero-copy AF_XDP, where
 * each queue's frames are its socket's UMEM chunks (a pool per queue, {@link PagePool#overUmem}) and
 * stay on their queue.
 *
 * <p>Life cycle: construct (the factories build every queue's driver and worker on the caller's thread),
 * {@link #start()}, then either wait for the input to end ({@link #awaitFinished}, {@link #join()}) or
 * {@link #stop()}. A worker stops only between polls, and every poll ends with the flush of its bulk
 * queues (xdp_do_flush()), so no frame is left in a bulk queue; on the way out each worker gives its cache
 * back to the pool's ring. An exception on any queue stops every queue and is rethrown by
 * {@link #stop()} or {@link #join()}.
 *
 * <p>Counters: {@link #stats(int)} is the worker's own (plain fields, read racily while running, exact
 * after the join), {@link #total()} their sum.
 */
public final class RxQueues implements AutoCloseable {

    /** Makes queue {@code queue}'s driver, which allocates from {@code cache} (the queue's NAPI context). */
    @FunctionalInterface
    public interface DriverFactory {
        RxDriver create(int queue, PagePool.Cache cache);
    }

    /**
     * Makes queue {@code queue}'s worker over {@code driver} and {@code cache}; its CPU slot should be
     * {@code queue}, its program its own ({@code JitProgram.forThread()} for every queue but one).
     */
    @FunctionalInterface
    public interface WorkerFactory {
        NapiWorker create(int queue, PagePool.Cache cache, RxDriver driver);
    }

    /** Idle polls a worker spins through before it yields, and yields before it parks. */
    private static final int SPIN_POLLS = 64;
    private static final int YIELD_POLLS = 1024;
    private static final long IDLE_PARK_NANOS = 20_000;

    private final int queues;
    private final PagePool.Cache[] caches;
    private final RxDriver[] drivers;
    private final NapiWorker[] workers;
    private final Thread[] threads;
    private final CountDownLatch finished;
    private final AtomicInteger running;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private RxMode mode;
    private int redirectBulk;
    private volatile boolean stop;
    private boolean started;
    private boolean reported;
    private long startNanos;
    private volatile long endNanos;

    /** {@code queues} RX queues over {@code pool}: a cache, a driver and a worker each, made now. */
    public RxQueues(PagePool pool, int queues, DriverFactory drivers, WorkerFactory workers) {
        this(q -> pool, queues, drivers, workers);
    }

    /**
     * {@code queues} RX queues, queue q's cache of {@code pools.apply(q)}: a pool per queue where frames
     * stay on their queue, as zero-copy AF_XDP's pools over each socket's UMEM.
     */
    public RxQueues(IntFunction<PagePool> pools, int queues, DriverFactory drivers, WorkerFactory workers) {
        if (queues < 1) {
            throw new IllegalArgumentException("RX queues: " + queues + ": want 1 or more");
        }
        this.queues = queues;
        this.caches = new PagePool.Cache[queues];
        this.drivers = new RxDriver[queues];
        this.workers = new NapiWorker[queues];
        this.threads = new Thread[queues];
        for (int q = 0; q < queues; q++) {
            caches[q] = pools.apply(q).cache();
            this.drivers[q] = Objects.requireNonNull(drivers.create(q, caches[q]), "driver of queue " + q);
            this.workers[q] = Objects.requireNonNull(workers.create(q, caches[q], this.drivers[q]), "worker of queue " + q);
        }
        this.finished = new CountDownLatch(queues);
        this.running = new AtomicInteger(queues);
    }

    /** Sets every worker's RX mode (applied on its own thread before its first poll); null keeps the workers'. */
    public RxQueues rxMode(RxMode mode) {
        checkNotStarted();
        this.mode = mode;
        return this;
    }

    /** Sets every worker's redirect bulk size (1..{@link NapiWorker#TX_BULK}); 0 keeps the workers'. */
    public RxQueues redirectBulk(int frames) {
        checkNotStarted();
        if (frames != 0 && (frames < 1 || frames > NapiWorker.TX_BULK)) {
            throw new IllegalArgumentException("redirect bulk " + frames + ": want 1.." + NapiWorker.TX_BULK);
        }
        this.redirectBulk = frames;
        return this;
    }

    /** Starts one thread per queue ({@code jxdp-rxq-N}). */
    public synchronized RxQueues start() {
        checkNotStarted();
        started = true;
        startNanos = System.nanoTime();
        for (int q = 0; q < queues; q++) {
            int queue = q;
            Thread t = new Thread(() -> runQueue(queue), "jxdp-rxq-" + q);
            t.setDaemon(true);  // a datapath must never keep a dying JVM alive
            threads[q] = t;
        }
        for (Thread t : threads) {
            t.start();
        }
        return this;
    }

    // the NAPI loop of one queue: poll until stopped or the driver has nothing more, then give the cache back
    private void runQueue(int q) {
        NapiWorker w = workers[q];
        RxDriver d = drivers[q];
        try {
            if (mode != null) {
                w.rxMode(mode);
            }
            if (redirectBulk != 0) {
                w.redirectBulk(redirectBulk);
            }
            int idle = 0;
            while (!stop) {
                if (w.poll(NapiWorker.BUDGET) > 0 || w.xskSentLastPoll()) {
                    idle = 0;
                } else if (d.done()) {
                    break;
                } else {
                    idle(++idle);
                }
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
            stop = true;  // one queue's fault ends the run, as the single loop it replaces did
        } finally {
            try {
                caches[q].drain();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
            if (running.decrementAndGet() == 0) {
                endNanos = System.nanoTime();
            }
            finished.countDown();
        }
    }

    // nothing received: the ring is empty for now (a live device) or the pool is dry; back off gently
    private static void idle(int polls) {
        if (polls < SPIN_POLLS) {
            Thread.onSpinWait();
        } else if (polls < YIELD_POLLS) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(IDLE_PARK_NANOS);
        }
    }

    /** Asks every worker to stop after its current poll; returns at once. */
    public void requestStop() {
        stop = true;
    }

    /** Whether every queue's thread has ended (its input done, a stop, or a failure). */
    public boolean finished() {
        return started && finished.getCount() == 0;
    }

    /** Waits up to {@code timeout} for every queue's thread to end; true if they all have. */
    public boolean awaitFinished(long timeout, TimeUnit unit) throws InterruptedException {
        if (!started) {
            throw new IllegalStateException("RX queues not started");
        }
        return finished.await(timeout, unit);
    }

    /** Stops every worker after its current poll, joins them and rethrows the first failure of any. */
    public void stop() {
        stop = true;
        join();
    }

    /** Waits until every queue has ended by itself (or was stopped), then rethrows the first failure of any. */
    public void join() {
        if (!started) {
            return;
        }
        boolean interrupted = false;
        for (Thread t : threads) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    stop = true;  // an interrupted waiter wants out: stop the queues rather than wait on
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        rethrow();
    }

    /** {@link #stop()}, rethrowing a failure only if {@code stop} or {@code join} has not already. */
    @Override
    public void close() {
        stop();
    }

    private synchronized void rethrow() {
        Throwable t = failure.get();
        if (t == null || reported) {
            return;
        }
        reported = true;
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }

    public int queues() { return queues; }

    /** Queue {@code queue}'s counters: the worker's own, racy while it runs. */
    public RxQueueStats stats(int queue) { return workers[queue].stats(); }

    /** The sum of every queue's counters, a new object (racy while the workers run). */
    public RxQueueStats total() {
        RxQueueStats sum = new RxQueueStats();
        for (NapiWorker w : workers) {
            RxQueueStats s = w.stats();
            sum.rx += s.rx;
            sum.drop += s.drop;
            sum.aborted += s.aborted;
            sum.tx += s.tx;
            sum.redirect += s.redirect;
            sum.pass += s.pass;
            sum.errors += s.errors;
            sum.polls += s.polls;
            sum.redirectXsk += s.redirectXsk;
        }
        return sum;
    }

    /** Checks {@code rx = drop + aborted + tx + redirect + pass + errors} on every queue (after the join). */
    public void checkAccounting() {
        for (int q = 0; q < queues; q++) {
            try {
                workers[q].stats().checkAccounting();
            } catch (IllegalStateException e) {
                throw new IllegalStateException("RX queue " + q + ": " + e.getMessage(), e);
            }
        }
    }

    public NapiWorker worker(int queue) { return workers[queue]; }

    public RxDriver driver(int queue) { return drivers[queue]; }

    public PagePool.Cache cache(int queue) { return caches[queue]; }

    /** Nanoseconds from {@link #start()} until the last queue ended, or until now while one runs. */
    public long elapsedNanos() {
        if (!started) {
            return 0;
        }
        long end = endNanos;
        return (end != 0 ? end : System.nanoTime()) - startNanos;
    }

    private void checkNotStarted() {
        if (started) {
            throw new IllegalStateException("RX queues already started");
        }
    }
}
