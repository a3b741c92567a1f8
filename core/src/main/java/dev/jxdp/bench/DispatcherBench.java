package dev.jxdp.bench;

import dev.jxdp.io.pktgen.PktGen;
import dev.jxdp.io.pktgen.PktGenDriver;
import dev.jxdp.io.pktgen.PktGenSpec;
import dev.jxdp.xdp.NapiWorker;
import dev.jxdp.xdp.PagePool;
import dev.jxdp.xdp.PassSink;
import dev.jxdp.xdp.dispatch.XdpCall;

import java.util.function.BooleanSupplier;

/**
 * The datapath of {@code jxdp bench dispatcher}: N devices (ifindex 1..N), each with one RX queue and a
 * NAPI worker running its own copy of the built-in XDP_DROP program (loaded and compiled once per device,
 * so each is a class of its own, as N programs are N functions in the kernel), all polled by the calling
 * thread round-robin, a poll of up to 64 of pktgen's 64-byte frames per device in turn. With the
 * dispatcher the workers enter their programs through the system-wide BPF dispatcher, attached in device
 * order (the 49th finds no slot); without, through the programs' own virtual call, which has then seen
 * N program classes.
 *
 * <p>With {@code lastOnly}, every device gets traffic while the datapath is built, so that the calls have
 * seen every program before C2 compiles them, as in a datapath that has run a while; the timed polls then
 * go to the last device only, whose program in {@code full} is the one without a slot.
 */
public final class DispatcherBench implements BenchCase.Polled {

    /** Rounds over every device made while building a {@code lastOnly} datapath. */
    static final int SPREAD_ROUNDS = 4000;
    /** Polls between two looks at the clock. */
    private static final int POLLS_PER_CHECK = 64;

    private final PagePool pool;
    private final PktGen gen;
    private final BuiltinProgram.Loaded[] programs;
    private final NapiWorker[] workers;
    private final XdpCall[] calls;
    // the devices the timed polls go to: every one, or the last only
    private NapiWorker[] polled;
    private boolean closed;

    /** {@code n} devices and programs, entered through the dispatcher or not. */
    public DispatcherBench(int n, boolean dispatcher, boolean lastOnly) {
        this(n, dispatcher, lastOnly, false);
    }

    /**
     * {@code n} devices, entered through the dispatcher or not; with {@code shared} they all run one
     * program (one compiled class, one dispatcher slot) instead of one each.
     */
    public DispatcherBench(int n, boolean dispatcher, boolean lastOnly, boolean shared) {
        if (n < 1) {
            throw new IllegalArgumentException("programs " + n + ": want 1 or more");
        }
        this.pool = new PagePool(BenchDatapath.POOL_FRAMES);
        this.programs = new BuiltinProgram.Loaded[n];
        this.workers = new NapiWorker[n];
        this.calls = new XdpCall[dispatcher ? n : 0];
        PktGen g = null;
        try {
            // one NAPI context for all the devices: they share the thread, so they share its page cache
            PagePool.Cache cache = pool.cache();
            g = new PktGen(PktGenSpec.parse(BenchDatapath.PKTGEN));
            WireTx wire = new WireTx(cache);
            for (int i = 0; i < n; i++) {
                programs[i] = shared && i > 0 ? null : BuiltinProgram.DROP.load();
                BuiltinProgram.Loaded prog = programs[shared ? 0 : i];
                PktGenDriver rx = new PktGenDriver(g, pool, cache, i + 1, 0, -1);
                workers[i] = new NapiWorker(pool, cache, rx, wire, PassSink.DISCARD, prog.jit(),
                        prog.collection(), 0, i + 1, 0);
                if (dispatcher) {
                    calls[i] = new XdpCall();
                    workers[i].xdpCall(calls[i]);
                }
            }
            this.gen = g;
            this.polled = workers;
            if (lastOnly) {
                for (int r = 0; r < SPREAD_ROUNDS; r++) {
                    pollRound();
                }
                this.polled = new NapiWorker[] {workers[n - 1]};
            }
        } catch (RuntimeException e) {
            release();
            if (g != null) {
                g.close();
            }
            pool.close();
            throw e;
        }
    }

    /**
     * Polls the measured devices round-robin until {@code nanos} have passed or {@code stop} says so;
     * returns the frames they received.
     */
    @Override
    public long run(long nanos, BooleanSupplier stop) {
        long deadline = System.nanoTime() + nanos;
        long before = received();
        int rounds = Math.max(1, POLLS_PER_CHECK / polled.length);
        do {
            for (int r = 0; r < rounds; r++) {
                pollRound();
            }
        } while (System.nanoTime() < deadline && !stop.getAsBoolean());
        return received() - before;
    }

    // one NAPI poll of each measured device in turn
    private void pollRound() {
        NapiWorker[] ws = polled;
        for (int i = 0; i < ws.length; i++) {
            ws[i].poll(NapiWorker.BUDGET);
        }
    }

    /** Frames the measured devices received so far. */
    public long received() {
        long n = 0;
        for (NapiWorker w : polled) {
            n += w.stats().rx;
        }
        return n;
    }

    /** Each device's worker, in ifindex order. */
    NapiWorker[] workers() { return workers; }

    /** Each device's xdp_call (none without the dispatcher). */
    XdpCall[] calls() { return calls; }

    /** Each device's program, loaded and compiled on its own (with {@code shared}, the first only; the others null). */
    BuiltinProgram.Loaded[] programs() { return programs; }

    /** Frees the slots, the programs and the memory; a second close does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        release();
        gen.close();
        pool.close();
    }

    // the dispatcher's slots back (it is the JVM's, outliving this datapath), then the programs' maps
    private void release() {
        for (XdpCall c : calls) {
            if (c != null) {
                c.update(null);
            }
        }
        for (BuiltinProgram.Loaded p : programs) {
            if (p != null) {
                p.close();
            }
        }
    }
}
