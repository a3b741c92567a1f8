package dev.jxdp.ebpf.jit;

import dev.jxdp.ebpf.runtime.ExecState;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The compiled form of one program: the superclass of each generated hidden class. Stateless; the
 * per-run state lives in the {@link JitProgram} passed in.
 */
public abstract class JitCode {

    // ids are never reused: a caller that still holds code whose dispatcher slot was freed (and perhaps
    // given to another program) must miss, not reach that other program
    private static final AtomicInteger IDS = new AtomicInteger();
    private final int id = IDS.incrementAndGet();

    /**
     * This compiled class's number, unique for the JVM's life: what the BPF dispatcher's binary search
     * compares, as the kernel's compares the program's bpf_func address.
     */
    public final int id() { return id; }

    /** Runs the program from instruction 0 at call depth {@code depth} (a run, or a tail call into it). */
    public abstract long enter(JitProgram cx, ExecState st, long r1, long r2, long r3, long r4, long r5, int depth);

    /**
     * Whether the code was compiled with the verifier's proof that every loop and call is bounded
     * ({@link Proof#bounded}): then callbacks a helper makes into it are not counted against the run's
     * instruction bound either, as the kernel bounds them only by BPF_MAX_LOOPS and the map's size.
     */
    public abstract boolean bounded();

    /** Runs the function starting at {@code insn} at call depth {@code depth} (callbacks and callx). */
    public abstract long callFn(int insn, JitProgram cx, ExecState st, long r1, long r2, long r3, long r4, long r5, int depth);
}
