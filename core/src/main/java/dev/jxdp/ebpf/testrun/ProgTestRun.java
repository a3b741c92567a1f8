package dev.jxdp.ebpf.testrun;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.fib.Fib;
import dev.jxdp.ebpf.fib.NetDev;
import dev.jxdp.ebpf.interp.Interpreter;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfFault;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpAction;
import dev.jxdp.ebpf.runtime.XdpBuff;

import dev.jxdp.ebpf.maps.AttachType;
import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.maps.MapFlags;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.function.Supplier;

/**
 * BPF_PROG_TEST_RUN for XDP programs without the kernel: mirrors bpf_prog_test_run_xdp(). The frame goes
 * after 256 bytes of headroom in a 4096-byte buffer, metadata empty, the receive queue loopback's
 * (ingress_ifindex 1, queue 0) unless ctx_in names another; all repeats share that one buffer and the collection's maps; the answer
 * is the last run's action, the average time per run and the bytes from data_meta to data_end.
 */
public final class ProgTestRun {
    private ProgTestRun() {}

    /**
     * What one test run gave.
     *
     * @param retval     the last run's return value
     * @param durationNs average nanoseconds per run (integer, as the kernel reports it)
     * @param dataOut    data_meta..data_end after the last run
     * @param fault      why the run was stopped (retval is then XDP_ABORTED), or null
     * @param trace      bpf_trace_printk lines, in order
     * @param compileNs  nanoseconds the JIT took to compile the program and warm it up (0 for the interpreter)
     */
    public record Result(long retval, long durationNs, byte[] dataOut, BpfFault fault, List<String> trace, long compileNs) {
        public Result(long retval, long durationNs, byte[] dataOut, BpfFault fault, List<String> trace) {
            this(retval, durationNs, dataOut, fault, trace, 0);
        }
    }

    /** Checks a frame's size the way bpf_test_init() and bpf_prog_test_run_xdp() do. */
    public static void checkFrame(BpfProgram prog, int size) {
        prog.requireLoaded();
        if (!prog.spec().isXdp()) {
            throw new BpfException("program " + prog.name() + " is in section " + prog.section()
                    + ": test-run runs XDP programs only");
        }
        AttachType attach = prog.spec().expectedAttachType();
        if (attach == AttachType.XDP_DEVMAP || attach == AttachType.XDP_CPUMAP) {
            // bpf_prog_test_run_xdp() refuses them before looking at the frame: such a program runs on the frames a
            // DEVMAP or CPUMAP entry hands it, in the datapath (jxdp run)
            throw new BpfException("program " + prog.name() + " is in section " + prog.section() + " (attach type "
                    + (attach == AttachType.XDP_DEVMAP ? "BPF_XDP_DEVMAP" : "BPF_XDP_CPUMAP")
                    + "): BPF_PROG_TEST_RUN does not run it, the kernel says EINVAL");
        }
        if (size < XdpBuff.ETH_HLEN) {
            throw new BpfException("frame of " + size + " bytes: BPF_PROG_TEST_RUN needs at least "
                    + XdpBuff.ETH_HLEN + " (ETH_HLEN), the kernel says EINVAL");
        }
        if (size > XdpBuff.MAX_DATA) {
            throw new BpfException("frame of " + size + " bytes: BPF_PROG_TEST_RUN takes at most "
                    + XdpBuff.MAX_DATA + " (4096 - 256 headroom - 320 tailroom), the kernel says EINVAL");
        }
    }

    /** Runs {@code prog} {@code repeat} times on one buffer holding {@code data}, with the reference interpreter. */
    public static Result run(BpfCollection collection, BpfProgram prog, byte[] data, int repeat, boolean keepTrace) {
        return run(collection, prog, data, repeat, keepTrace, Engine.INTERP);
    }

    /**
     * Runs {@code prog} {@code repeat} times on one buffer holding {@code data} with the engine given.
     * The JIT compiles before the clock starts; {@link Result#compileNs()} says how long that took.
     */
    public static Result run(BpfCollection collection, BpfProgram prog, byte[] data, int repeat, boolean keepTrace,
                             Engine engine) {
        return run(collection, prog, data, repeat, keepTrace, engine, null);
    }

    /** Warm-up runs: at most this many, and no longer than {@link #WARM_UP_NS}. */
    public static final int WARM_UP_RUNS = 20_000;
    public static final long WARM_UP_NS = 200_000_000L;

    /**
     * As {@link #run(BpfCollection, BpfProgram, byte[], int, boolean, Engine)}; with the JIT and more than
     * one repeat, first runs the program up to {@link #WARM_UP_RUNS} times (or {@link #WARM_UP_NS}) on a
     * throwaway copy of the frame and state, as the kernel JITs before its first run, so the timed runs
     * measure steady state. A program that can write no map warms its own compiled code on a throwaway
     * ExecState; one that can warms the same compiled code on the collection {@code warmState} supplies
     * (same object, same map contents). The real maps see only the timed runs. {@link Result#compileNs()} then includes the warm-up.
     */
    public static Result run(BpfCollection collection, BpfProgram prog, byte[] data, int repeat, boolean keepTrace,
                             Engine engine, Supplier<BpfCollection> warmState) {
        return run(collection, prog, data, repeat, keepTrace, engine, warmState, null);
    }

    /**
     * As above with the JIT compiler given: null takes {@link JitCompiler#verifying()}, which verifies each
     * program it compiles and drops the checks the proof covers (checked code for a rejected program).
     */
    public static Result run(BpfCollection collection, BpfProgram prog, byte[] data, int repeat, boolean keepTrace,
                             Engine engine, Supplier<BpfCollection> warmState, JitCompiler compiler) {
        return run(collection, prog, data, repeat, keepTrace, engine, warmState, compiler, 0, 0);
    }

    /**
     * Checks ctx_in's receive queue as xdp_convert_md_to_buff() does: ingress_ifindex 0 is loopback's
     * queue 0 (and then rx_queue_index must be 0); otherwise the device must exist in the collection's
     * FIB (-ENODEV) and have the queue (-EINVAL).
     */
    public static void checkRxQueue(Fib fib, int ingressIfindex, int rxQueueIndex) {
        if (ingressIfindex == 0) {
            if (rxQueueIndex != 0) {
                throw new BpfException("rx_queue_index " + Integer.toUnsignedString(rxQueueIndex)
                        + " without an ingress_ifindex: the kernel says EINVAL");
            }
            return;
        }
        NetDev d = fib.device(ingressIfindex);
        if (d == null) {
            throw new BpfException("ingress_ifindex " + Integer.toUnsignedString(ingressIfindex)
                    + ": no such device in the FIB (see --fib), the kernel says ENODEV");
        }
        if (Integer.compareUnsigned(rxQueueIndex, d.rxQueues()) >= 0) {
            throw new BpfException("rx_queue_index " + Integer.toUnsignedString(rxQueueIndex) + ": device " + d.name()
                    + " has " + d.rxQueues() + " RX queue" + (d.rxQueues() == 1 ? "" : "s") + ", the kernel says EINVAL");
        }
    }

    /**
     * As above on the receive queue ctx_in names: {@code ingressIfindex} (0 for loopback's) and
     * {@code rxQueueIndex}, checked by {@link #checkRxQueue}.
     */
    public static Result run(BpfCollection collection, BpfProgram prog, byte[] data, int repeat, boolean keepTrace,
                             Engine engine, Supplier<BpfCollection> warmState, JitCompiler compiler,
                             int ingressIfindex, int rxQueueIndex) {
        checkFrame(prog, data.length);
        checkRxQueue(collection.fib(), ingressIfindex, rxQueueIndex);
        try (Arena arena = Arena.ofConfined()) {
            XdpBuff buff = XdpBuff.allocate(arena);
            // the state and buffer the timed runs use are made first: a program that writes no map warms up
            // on them
            ExecState st = collection.newExecState(0);
            JitCompiler jc = engine != Engine.JIT ? null : compiler != null ? compiler : JitCompiler.verifying();
            JitProgram jit = jc != null ? jc.program(prog) : null;
            long firstNs = jit != null && repeat <= 1
                    ? firstCall(jc, jit, prog, collection, st, buff, warmState, data, ingressIfindex, rxQueueIndex) : 0;
            Result r = run(collection, prog, jit, buff, st, data, repeat, keepTrace, warmState, ingressIfindex, rxQueueIndex);
            return firstNs == 0 ? r : new Result(r.retval(), r.durationNs(), r.dataOut(), r.fault(), r.trace(),
                    r.compileNs() + firstNs);
        }
    }

    /**
     * As above on a buffer and execution state the caller keeps from call to call, so that a program
     * test-run on many frames allocates nothing per call but the result (the public API's loaded program
     * does so); {@code jit} is the compiled program, or null for the reference interpreter. The buffer is
     * loaded afresh and the state's trace emptied first, so a call sees nothing of the last one but the maps.
     */
    public static Result run(BpfCollection collection, BpfProgram prog, JitProgram jit, XdpBuff buff, ExecState st,
                             byte[] data, int repeat, boolean keepTrace, Supplier<BpfCollection> warmState,
                             int ingressIfindex, int rxQueueIndex) {
        checkFrame(prog, data.length);
        checkRxQueue(collection.fib(), ingressIfindex, rxQueueIndex);
        int ifindex = ingressIfindex == 0 ? Fib.LOOPBACK_IFINDEX : ingressIfindex;
        int runs = Math.max(1, repeat);  // the kernel treats repeat 0 as 1
        buff.load(data);
        buff.ingressIfindex = ifindex;
        buff.rxQueueIndex = rxQueueIndex;
        st.traceLines().clear();
        long warmNs = 0;
        if (jit != null && runs > 1) {
            long t0 = System.nanoTime();
            if (programWritesNoMap(collection)) {
                // nothing a run leaves behind but the frame (loaded again below): warm the very runner,
                // state and buffer the timed runs use, so that their first run takes no branch the
                // warm-up took once (C2 compiles those as uncommon traps: a deopt and a recompile
                // during the timed runs, which shows on short ones)
                warmUp(jit, st, buff, data, runs);
                buff.load(data);
            } else if (warmState != null) {
                // a second collection from the same object: the same compiled code (the compiler shares it
                // by program), its own maps, so the real maps see only the timed runs.
                // Three passes before a long run, each on fresh maps: what a program does on its first runs
                // (insert a flow, say) happened before HotSpot profiled anything during the first pass, so
                // compiled code leaves it out and the timed runs' first packets would trap back into the
                // interpreter; the later passes take those traps and their recompiles instead
                for (int pass = runs >= LONG_RUN ? 3 : 1; pass > 0; pass--) {
                    try (BpfCollection w = warmState.get()) {
                        BpfProgram wp = w.program(prog.name());
                        if (wp != null) {
                            warmUp(jit.sibling(wp), w, data, runs, ifindex, rxQueueIndex);
                        }
                    }
                }
            }
            warmNs = System.nanoTime() - t0;
        }
        // the interpreter only when it runs: loading its class (a second FunctionCaller) after the warm-up
        // would invalidate what C2 compiled assuming one, and the timed runs would start deoptimised
        Interpreter interp = jit == null ? new Interpreter() : null;
        st.caller(jit != null ? jit : interp);
        st.keepTrace(keepTrace);
        // the state as a run leaves it (its frame set): the first timed run must not take a branch the
        // warm-up took once, which C2 compiled as an uncommon trap (a deopt and recompile mid-timing)
        st.begin(buff);
        long retval = XdpAction.ABORTED;
        BpfFault fault = null;
        long start = System.nanoTime();
        try {
            if (jit != null) {
                // in chunks, as warm-up calls it: HotSpot compiles jitLoop as a method (it needs a few
                // hundred calls for that), not only as an on-stack replacement of one long call
                for (int done = 0; done < runs; done += WARM_BATCH) {
                    retval = jitLoop(jit, st, buff, Math.min(WARM_BATCH, runs - done));
                }
            } else {
                for (int i = 0; i < runs; i++) {
                    st.begin(buff);
                    retval = interp.run(prog, st);
                }
            }
        } catch (BpfFault f) {
            fault = f;
            retval = XdpAction.ABORTED;
        }
        long elapsed = System.nanoTime() - start;
        return new Result(retval, elapsed / runs, buff.bytesFromMeta(), fault, List.copyOf(st.traceLines()),
                jit != null ? jit.compileNs() + warmNs : 0);
    }

    // no map, or only maps programs cannot write (.rodata): runs share nothing but the code
    private static boolean programWritesNoMap(BpfCollection collection) {
        for (BpfMap m : collection.maps()) {
            if (!m.spec().readOnly() && (m.spec().flags() & MapFlags.BPF_F_RDONLY_PROG) == 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The timed loop. Warm-up runs this same method in batches, so when the clock starts HotSpot has
     * compiled it whole with the program inlined (not as an on-stack replacement mid-loop).
     */
    static long jitLoop(JitProgram jit, ExecState st, XdpBuff buff, int n) {
        long retval = XdpAction.ABORTED;
        for (int i = 0; i < n; i++) {
            st.begin(buff);
            retval = jit.run(st);
        }
        return retval;
    }

    /**
     * Before a single timed run: one untimed run of the same compiled code. The first call of freshly
     * generated code loads and links the classes it reaches (milliseconds), a cost the kernel pays at load,
     * where its JIT runs; the timed run then measures the program. A program that can write no map runs on
     * the very state and buffer (the frame is loaded again for the timed run); one that can runs on a
     * throwaway copy of the maps {@code warmState} gives, or not at all without one. Returns the nanoseconds
     * it took.
     */
    private static long firstCall(JitCompiler jc, JitProgram jit, BpfProgram prog, BpfCollection collection,
                                  ExecState st, XdpBuff buff, Supplier<BpfCollection> warmState, byte[] data,
                                  int ingressIfindex, int rxQueueIndex) {
        long t0 = System.nanoTime();
        int ifindex = ingressIfindex == 0 ? Fib.LOOPBACK_IFINDEX : ingressIfindex;
        if (programWritesNoMap(collection)) {
            once(jit, st, buff, data, ifindex, rxQueueIndex);
        } else if (warmState != null) {
            try (BpfCollection w = warmState.get(); Arena arena = Arena.ofConfined()) {
                BpfProgram wp = w.program(prog.name());
                if (wp != null) {
                    once(jc.program(wp), w.newExecState(0), XdpBuff.allocate(arena), data, ifindex, rxQueueIndex);
                }
            }
        }
        return System.nanoTime() - t0;
    }

    private static void once(JitProgram jit, ExecState st, XdpBuff buff, byte[] data, int ifindex, int rxQueueIndex) {
        buff.load(data);
        buff.ingressIfindex = ifindex;
        buff.rxQueueIndex = rxQueueIndex;
        st.caller(jit);
        try {
            jitLoop(jit, st, buff, 1);
        } catch (RuntimeException e) {
            // a fault: the timed run meets it again and reports it
        }
    }

    /**
     * Timed runs of at least this many get the longer warm-up that waits for C2 (its compilers idle): from
     * 10,000 runs on, a result someone compares with the kernel's should be steady state. Fewer runs take
     * a millisecond or less in the kernel, and their warm-up stays short.
     */
    static final int LONG_RUN = 10_000;
    private static final long QUIET_NS = 50_000_000L;
    private static final int WARM_BATCH = 256;

    // batches of WARM_BATCH runs until the time per batch has settled (10 batches in a row within 5% of
    // the best) or the budget is spent: up to WARM_UP_RUNS / WARM_UP_NS, or 2,000,000 runs / 2 s before
    // a long timed run, where a half-compiled start would show in the average; before a long run the
    // batches must also leave HotSpot's compilers idle (their total time unchanged), since C1 code runs
    // at a steady pace of its own while C2 compiles in the background
    private static void warmUp(JitProgram wj, BpfCollection w, byte[] data, int timedRuns, int ifindex, int rxQueue) {
        try (Arena arena = Arena.ofConfined()) {
            XdpBuff buff = XdpBuff.allocate(arena);
            buff.ingressIfindex = ifindex;
            buff.rxQueueIndex = rxQueue;
            warmUp(wj, w.newExecState(0), buff, data, timedRuns);
        }
    }

    private static void warmUp(JitProgram wj, ExecState st, XdpBuff buff, byte[] data, int timedRuns) {
        boolean longRun = timedRuns >= LONG_RUN;
        long budget = longRun ? 2_000_000_000L : WARM_UP_NS;
        int maxBatches = (longRun ? 2_000_000 : WARM_UP_RUNS) / WARM_BATCH;
        st.caller(wj);
        long start = System.nanoTime();
        long best = Long.MAX_VALUE;
        int settled = 0;
        java.lang.management.CompilationMXBean jit = longRun ? java.lang.management.ManagementFactory.getCompilationMXBean() : null;
        boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
        long compiled = timed ? jit.getTotalCompilationTime() : 0;
        // before a long run, also until no compile has finished for QUIET_NS: a C2 compile takes
        // milliseconds and its time is counted only when it ends, so a few settled batches (microseconds)
        // can fall inside one
        long lastCompile = start;
        long lastBatch = start;
        for (int b = 0; b < maxBatches && (settled < 10 || longRun && (b < 1000 || lastBatch - lastCompile < QUIET_NS)); b++) {
            if ((b & 3) == 0) {
                buff.load(data);  // a program that rewrites the frame sees the original again now and then
            }
            long t0 = System.nanoTime();
            try {
                jitLoop(wj, st, buff, WARM_BATCH);
            } catch (BpfFault f) {
                return;  // the timed runs report it
            }
            long t1 = System.nanoTime();
            long took = t1 - t0;
            if (took < best) {
                settled = took * 20 >= best * 19 ? settled + 1 : 0;
                best = took;
            } else {
                settled = took * 20 <= best * 21 ? settled + 1 : 0;
            }
            if (timed) {
                long now = jit.getTotalCompilationTime();
                if (now != compiled) {
                    settled = 0;  // a compiler is still at work: what runs now is not the final code
                    compiled = now;
                    lastCompile = t1;
                }
            }
            lastBatch = t1;
            if (t1 - start > budget) {
                break;
            }
        }
    }
}
