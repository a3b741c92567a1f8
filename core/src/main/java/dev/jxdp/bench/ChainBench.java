package dev.jxdp.bench;

import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.ebpf.maps.ProgArray;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.runtime.XdpAction;
import dev.jxdp.io.pktgen.PktGen;
import dev.jxdp.io.pktgen.PktGenDriver;
import dev.jxdp.io.pktgen.PktGenSpec;
import dev.jxdp.xdp.NapiWorker;
import dev.jxdp.xdp.PagePool;
import dev.jxdp.xdp.PassSink;
import dev.jxdp.xdp.chain.XdpMultiProg;
import dev.jxdp.xdp.dispatch.LoadedChain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The datapath of {@code jxdp bench chain}: one device (ifindex 1) with one RX queue, pktgen's 64-byte
 * frames, one NAPI worker polled by the calling thread, running what the {@link ChainCase} says: the
 * built-in XDP_DROP program; the tail-call pair ({@link BuiltinProgram#TAIL_CALL}, its PROG_ARRAY slot 0
 * filled with the dropping callee); or a chain of N programs as libxdp lists them (each continues on
 * XDP_PASS), N - 1 XDP_PASS programs and a last XDP_DROP one, each loaded and compiled on its own (a class
 * of its own, as N programs are N functions in the kernel) and run by the case's executor.
 */
public final class ChainBench implements BenchCase.Polled {

    /** Polls between two looks at the clock. */
    private static final int POLLS_PER_CHECK = 64;

    private final ChainCase which;
    private final PagePool pool;
    private final PktGen gen;
    private final List<BuiltinProgram.Loaded> loaded = new ArrayList<>();
    private final LoadedChain chain;
    private final NapiWorker worker;
    private boolean closed;

    /** The datapath of {@code which}, built and ready to poll. */
    public ChainBench(ChainCase which) {
        this.which = which;
        this.pool = new PagePool(BenchDatapath.POOL_FRAMES);
        PktGen g = null;
        try {
            PagePool.Cache cache = pool.cache();
            g = new PktGen(PktGenSpec.parse(BenchDatapath.PKTGEN));
            JitProgram prog;
            BpfCollection collection;
            if (which.executor() == null) {
                BuiltinProgram.Loaded p = load(which == ChainCase.TAILCALL ? BuiltinProgram.TAIL_CALL : BuiltinProgram.DROP);
                if (which == ChainCase.TAILCALL) {
                    fillTailCall(p.collection());
                }
                this.chain = null;
                prog = p.jit();
                collection = p.collection();
            } else {
                this.chain = chainOf(which.programs(), which.executor());
                prog = chain.runner(0);
                collection = chain.collection();
            }
            PktGenDriver rx = new PktGenDriver(g, pool, cache, 1, 0, -1);
            this.worker = new NapiWorker(pool, cache, rx, new WireTx(cache), PassSink.DISCARD, prog, collection, 0, 1, 0);
            this.gen = g;
        } catch (RuntimeException e) {
            closePrograms();
            if (g != null) {
                g.close();
            }
            pool.close();
            throw e;
        }
    }

    private BuiltinProgram.Loaded load(BuiltinProgram which) {
        BuiltinProgram.Loaded p = which.load();
        loaded.add(p);
        return p;
    }

    // mirrors what a loader does after loading the object: the callee's fd into slot 0 of the PROG_ARRAY
    private static void fillTailCall(BpfCollection c) {
        BpfProgram callee = c.program(BuiltinProgram.TAIL_CALLEE);
        if (callee == null || !(c.map(BuiltinProgram.TAIL_CALLS) instanceof ProgArray slots)) {
            throw new IllegalStateException(BuiltinProgram.TAIL_CALL.object() + ": no " + BuiltinProgram.TAIL_CALLEE
                    + " or PROG_ARRAY " + BuiltinProgram.TAIL_CALLS);
        }
        slots.set(0, callee);
    }

    // n - 1 XDP_PASS programs and a last XDP_DROP, each from a collection of its own, listed as libxdp lists
    // them: every program continues on XDP_PASS (libxdp's default chain_call_actions)
    private LoadedChain chainOf(int n, LoadedChain.Executor executor) {
        List<XdpMultiProg.Program> list = new ArrayList<>(n);
        List<JitProgram> parts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            boolean last = i == n - 1;
            BuiltinProgram.Loaded p = load(last ? BuiltinProgram.DROP : BuiltinProgram.PASS);
            // run_prio i keeps them in this order; names must differ, as libxdp's
            list.add(new XdpMultiProg.Program(java.nio.file.Path.of(p.which().object()), p.which().programName() + "_" + i,
                    i, 1 << XdpAction.PASS));
            parts.add(p.jit());
        }
        return LoadedChain.of(XdpMultiProg.of(list).toChain(), parts, executor);
    }

    /** Polls until {@code nanos} have passed or {@code stop} says so; returns the frames received. */
    @Override
    public long run(long nanos, BooleanSupplier stop) {
        long deadline = System.nanoTime() + nanos;
        long before = worker.stats().rx;
        do {
            for (int r = 0; r < POLLS_PER_CHECK; r++) {
                worker.poll(NapiWorker.BUDGET);
            }
        } while (System.nanoTime() < deadline && !stop.getAsBoolean());
        return worker.stats().rx - before;
    }

    /** The case. */
    public ChainCase which() { return which; }

    /** The worker. */
    NapiWorker worker() { return worker; }

    /** The chain the worker runs, or null ({@code single-drop}, {@code tailcall}). */
    LoadedChain chain() { return chain; }

    /** Every program loaded, in load order (a chain's in part order), each with its own collection. */
    List<BuiltinProgram.Loaded> loaded() { return loaded; }

    /** Frees the programs' maps and the memory; a second close does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closePrograms();
        gen.close();
        pool.close();
    }

    private void closePrograms() {
        for (BuiltinProgram.Loaded p : loaded) {
            p.close();
        }
    }
}
