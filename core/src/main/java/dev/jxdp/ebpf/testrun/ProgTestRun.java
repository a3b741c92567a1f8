package dev.jxdp.ebpf.testrun;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.interp.Interpreter;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfFault;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpAction;
import dev.jxdp.ebpf.runtime.XdpBuff;

import java.lang.foreign.Arena;
import java.util.List;

/**
 * BPF_PROG_TEST_RUN for XDP programs without the kernel: mirrors bpf_prog_test_run_xdp(). The frame goes
 * after 256 bytes of headroom in a 4096-byte buffer, metadata empty, the receive queue is loopback's
 * (ingress_ifindex 1, queue 0); all repeats share that one buffer and the collection's maps; the answer
 * is the last run's action, the average time per run and the bytes from data_meta to data_end.
 */
public final class ProgTestRun {
    private ProgTestRun() {}

    /** The loopback device's ifindex: the rxq test runs register (bpf_prog_test_run_xdp). */
    public static final int LOOPBACK_IFINDEX = 1;

    /**
     * What one test run gave.
     *
     * @param retval     the last run's return value
     * @param durationNs average nanoseconds per run (integer, as the kernel reports it)
     * @param dataOut    data_meta..data_end after the last run
     * @param fault      why the run was stopped (retval is then XDP_ABORTED), or null
     * @param trace      bpf_trace_printk lines, in order
     * @param compileNs  nanoseconds the JIT took to compile the program (0 for the interpreter)
     */
    public record Result(long retval, long durationNs, byte[] dataOut, BpfFault fault, List<String> trace, long compileNs) {
        public Result(long retval, long durationNs, byte[] dataOut, BpfFault fault, List<String> trace) {
            this(retval, durationNs, dataOut, fault, trace, 0);
        }
    }

    /** Checks a frame's size the way bpf_test_init() and bpf_prog_test_run_xdp() do. */
    public static void checkFrame(BpfProgram prog, int size) {
        if (!prog.spec().isXdp()) {
            throw new BpfException("program " + prog.name() + " is in section " + prog.section()
                    + ": test-run runs XDP programs only");
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
        checkFrame(prog, data.length);
        int runs = Math.max(1, repeat);  // the kernel treats repeat 0 as 1
        JitProgram jit = engine == Engine.JIT ? JitCompiler.compile(prog) : null;
        try (Arena arena = Arena.ofConfined()) {
            XdpBuff buff = XdpBuff.allocate(arena);
            buff.load(data);
            buff.ingressIfindex = LOOPBACK_IFINDEX;
            buff.rxQueueIndex = 0;
            ExecState st = collection.newExecState(0);
            st.keepTrace(keepTrace);
            Interpreter interp = new Interpreter();
            st.caller(jit != null ? jit : interp);
            long retval = XdpAction.ABORTED;
            BpfFault fault = null;
            long start = System.nanoTime();
            try {
                if (jit != null) {
                    for (int i = 0; i < runs; i++) {
                        st.begin(buff);
                        retval = jit.run(st);
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
                    jit != null ? jit.compileNs() : 0);
        }
    }
}
