package dev.jxdp.ebpf.jit;

import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.helpers.Helpers;
import dev.jxdp.ebpf.maps.ArrayMap;
import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.mem.Region;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfFault;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.FunctionCaller;

/**
 * A program compiled to JVM bytecode, ready to run with the interpreter's contract: same registers in,
 * same r0 out, same {@link BpfFault}s with the same messages. Holds the per-run state the generated code
 * shares (the budget counter, the instruction a helper runs for), so like the interpreter it belongs to
 * one worker thread; {@link #forThread()} gives another thread its own over the same compiled code.
 * Runs allocate nothing.
 */
public final class JitProgram implements FunctionCaller {

    private final JitCompiler compiler;
    private final BpfProgram prog;
    private final JitCode code;
    private final long compileNs;

    // per-run state, written by generated code through JitRt
    long steps;
    int depth;
    BpfProgram curProg;
    int curPc;
    // the registers of split functions (programs too large for one JVM method), REG_STRIDE longs per depth
    final long[] regs = new long[(ExecState.MAX_CALL_FRAMES + 1) * FunctionEmitter.REG_STRIDE];
    // per depth: the falls-through the running function's may_goto instructions have left
    final long[] mayGoto = new long[ExecState.MAX_CALL_FRAMES + 1];
    // this collection's maps and their handles, by map index: generated code is shared by every
    // collection loaded from the same object and takes what is per collection from here
    final BpfMap[] maps;
    final long[] mapHandles;
    // per map index, ARRAY_LAYOUT longs: an array map's ArrayMap.lookupLayout() (zeros for other maps),
    // which inlined lookups read: the addresses differ between collections sharing the code
    final long[] arrayLayouts;
    static final int ARRAY_LAYOUT = 5;

    // a chain's runner only (null otherwise): the programs it runs in turn, each with its own runner and
    // run state (a program reads its maps and globals through its own collection's address space)
    private final JitProgram[] parts;
    private final ExecState[] partStates;

    JitProgram(JitCompiler compiler, BpfProgram prog, JitCode code, long compileNs) {
        this(compiler, prog, code, compileNs, null, null);
    }

    private JitProgram(JitCompiler compiler, BpfProgram prog, JitCode code, long compileNs, JitProgram[] parts,
                       ExecState[] partStates) {
        this.parts = parts;
        this.partStates = partStates;
        this.compiler = compiler;
        this.prog = prog;
        this.code = code;
        this.compileNs = compileNs;
        // as after a run: a first run that had to set it would take a branch warmed-up code has seen once
        // (an uncommon trap in C2's code, then a recompile during the first timed runs)
        this.curProg = prog;
        BpfCollection coll = prog.collection();
        this.maps = coll == null ? new BpfMap[0] : coll.maps().toArray(new BpfMap[0]);
        this.mapHandles = new long[maps.length];
        this.arrayLayouts = new long[maps.length * ARRAY_LAYOUT];
        for (int i = 0; i < maps.length; i++) {
            mapHandles[i] = maps[i].handle();
            if (maps[i] instanceof ArrayMap a) {
                System.arraycopy(a.lookupLayout(), 0, arrayLayouts, i * ARRAY_LAYOUT, ARRAY_LAYOUT);
            }
        }
    }

    // the compiled code of programs this worker reached by tail call or callback: a lookup without the
    // compiler's lock on every tail call (IdentityHashMap.get allocates nothing)
    private final java.util.IdentityHashMap<ProgramSpec, JitCode> codeCache = new java.util.IdentityHashMap<>();

    // the programs looked up last, by program id (direct-mapped): a dispatcher's stages tail-call each
    // other in turn packet after packet, so one entry would miss on every call of a chain
    private static final int CODE_WAYS = 8;
    private final BpfProgram[] recentProg = new BpfProgram[CODE_WAYS];
    private final JitCode[] recentCode = new JitCode[CODE_WAYS];

    JitCode codeOf(BpfProgram p) {
        int way = p.id() & (CODE_WAYS - 1);
        if (recentProg[way] == p) {
            return recentCode[way];
        }
        JitCode c = codeCache.get(p.spec());
        if (c == null) {
            c = compiler.code(p);
            codeCache.put(p.spec(), c);
        }
        recentProg[way] = p;
        recentCode[way] = c;
        return c;
    }

    /** The program of this run's collection compiled from {@code spec} (lddw of a function's address). */
    BpfProgram programFor(ProgramSpec spec) {
        if (prog.spec() == spec || prog.collection() == null) {
            return prog;
        }
        java.util.List<BpfProgram> ps = prog.collection().programs();
        for (int i = 0; i < ps.size(); i++) {
            if (ps.get(i).spec() == spec) {
                return ps.get(i);
            }
        }
        return prog;
    }

    public BpfProgram program() { return prog; }

    /** Nanoseconds spent generating and loading the hidden class (0 when it came from the cache). */
    public long compileNs() { return compileNs; }

    /** A JitProgram for another worker thread, sharing the compiled code. */
    public JitProgram forThread() {
        return new JitProgram(compiler, prog, code, 0);
    }

    JitCompiler compiler() { return compiler; }

    /**
     * Another program of the same collection compiled by the same compiler (a devmap entry's egress
     * program): shares its cached code, has its own per-run state. Allocates; call once per program.
     */
    public JitProgram sibling(BpfProgram other) {
        return compiler.program(other);
    }

    /**
     * A runner of several programs as one (an XDP chain): {@code code} is the chain's code (a class that
     * runs the parts with {@link #runPart}), {@code parts} the parts' runners for one worker thread and
     * {@code states} their run states, by part index. Named after the first part's program, whose
     * compiler it shares. Allocates; once per chain and worker.
     */
    public static JitProgram chain(JitCode code, JitProgram[] parts, ExecState[] states) {
        if (parts.length == 0 || parts.length != states.length) {
            throw new IllegalArgumentException("a chain of " + parts.length + " parts with " + states.length + " run states");
        }
        JitProgram first = parts[0];
        return new JitProgram(first.compiler, first.prog, code, 0, parts.clone(), states.clone());
    }

    /** A chain's part {@code i} (see {@link #chain}); only on a chain's runner. */
    public JitProgram part(int i) { return parts[i]; }

    /** The run state of a chain's part {@code i}. */
    public ExecState partState(int i) { return partStates[i]; }

    /** How many parts this chain runner has (0: a plain program's runner). */
    public int parts() { return parts == null ? 0 : parts.length; }

    /**
     * One part of a chain on the frame of {@code st}: begins {@code ps} (this part's run state) on that
     * frame, runs {@code code} (this runner's code, passed by the chain's class as a constant so that
     * the JVM can inline it) and returns the action. A fault ends this part only, as XDP_ABORTED, counted
     * in {@link #faults()}: the chain goes on as its actions say, as after a program that returned it.
     * If the part redirects, its redirect info is copied to {@code st}, whose owner does the redirect.
     */
    public long runPart(JitCode code, ExecState st, ExecState ps) {
        return runPart(code, st, ps, 0);
    }

    /**
     * {@link #runPart(JitCode, ExecState, ExecState)} as the target of a tail call: the run starts with
     * {@code tailCalls} tail calls already made (they count against the same limit); afterwards
     * {@code ps.tailCalls} holds them and the ones this part made.
     */
    public long runPart(JitCode code, ExecState st, ExecState ps, int tailCalls) {
        ps.begin(st.xdp());
        ps.tailCalls = tailCalls;
        FunctionCaller previous = ps.caller();
        boolean swap = previous != this;
        if (swap) {
            ps.caller(this);
        }
        startRun();
        long r0;
        try {
            r0 = code.enter(this, ps, ps.ctxAddr(), 0, 0, 0, 0, 0);
            if (ps.heldSpinLock() != 0) {
                throw new BpfFault(Helpers.ENDED_HOLDING_LOCK);
            }
        } catch (BpfFault f) {
            ended(f, ps);
            r0 = dev.jxdp.ebpf.runtime.XdpAction.ABORTED;
        } catch (RuntimeException | StackOverflowError e) {
            ended(e, ps);
            r0 = dev.jxdp.ebpf.runtime.XdpAction.ABORTED;
        } finally {
            if (swap) {
                ps.caller(previous);
            }
        }
        if (r0 == dev.jxdp.ebpf.runtime.XdpAction.REDIRECT) {
            st.redirectFrom(ps);
        }
        int action = (int) r0;
        partReturned[Integer.compareUnsigned(action, PART_OTHER) < 0 ? action : PART_OTHER]++;
        return r0;
    }

    // as a chain's part: per return code XDP_ABORTED..XDP_REDIRECT and any other, the runs that returned it
    // (its runs are their sum; written by the worker's thread only, read racily as per-CPU counters are)
    private static final int PART_OTHER = 5;
    private final long[] partReturned = new long[PART_OTHER + 1];

    /** Runs of this runner as a chain's part ({@link #runPart}). */
    public long partRuns() {
        long n = 0;
        for (long r : partReturned) {
            n += r;
        }
        return n;
    }

    /**
     * How many of those runs returned code {@code slot} (XDP_ABORTED 0 .. XDP_REDIRECT 4), or with
     * {@code slot} 5 any other code.
     */
    public long partReturned(int slot) { return partReturned[slot]; }

    /** The compiled code this runner enters, shared by every runner of the program (a dispatcher's key). */
    public JitCode code() { return code; }

    private long faults;

    /**
     * Runs this runner ended with a fault (a run-time check that failed: the run's action is XDP_ABORTED
     * and the fault says why), since it was made.
     */
    public long faults() { return faults; }

    /** Loop back-edges and calls the last run made (what the JIT's share of the 1,000,000 bound counts). */
    public long steps() { return steps; }

    /** Runs an XDP program on {@code st.xdp()}: r1 = the xdp_md context, r10 = the frame pointer. */
    public long run(ExecState st) {
        return runRaw(st, st.ctxAddr(), 0);
    }

    /** Runs the program with r1 and r2 as given (raw programs: the conformance plugin's memory and length). */
    public long runRaw(ExecState st, long r1, long r2) {
        // the references are stored only when they change (a worker's state already names this runner, and
        // curProg moves only on tail calls): each reference store costs a GC write barrier, per packet
        FunctionCaller previous = st.caller();
        boolean swap = previous != this;
        if (swap) {
            st.caller(this);
        }
        startRun();
        try {
            long r0 = code.enter(this, st, r1, r2, 0, 0, 0, 0);
            if (st.heldSpinLock() != 0) {
                throw new BpfFault(Helpers.ENDED_HOLDING_LOCK);
            }
            return r0;
        } catch (BpfFault f) {
            throw ended(f, st);
        } catch (RuntimeException | StackOverflowError e) {
            throw ended(e, st);
        } finally {
            if (swap) {
                st.caller(previous);
            }
        }
    }

    // what a run can observe of the last one: the steps (callbacks, and code compiled without a proof,
    // count them), the program and instruction a fault names. depth is written before every helper call,
    // its only reader, and the stack floor by the entry function's prologue; curProg moves only on tail
    // calls, so it is stored only when it changed (a reference store costs a GC write barrier, per packet)
    private void startRun() {
        steps = 0;
        if (curProg != prog) {
            curProg = prog;
        }
        curPc = 0;
    }

    /**
     * A run that ended in a fault, as runRaw and runVia end one: counted, the spin lock it held released,
     * and the fault named by its instruction; one raised inside a helper names the call instruction, as the
     * interpreter's helperCall does. Returns what to throw.
     */
    private BpfFault ended(BpfFault f, ExecState st) {
        faults++;
        Helpers.releaseSpinLock(st);
        return f.insn() >= 0 ? f : JitFaults.fault(curProg, curPc, f.getMessage());
    }

    /** A run that ended in something else (a bug, a stack overflow): as above, named an internal error. */
    private BpfFault ended(Throwable e, ExecState st) {
        faults++;
        Helpers.releaseSpinLock(st);
        return JitFaults.fault(curProg, curPc, "internal error: " + e);
    }

    /**
     * {@link #run} entering the code through {@code entry} instead of the virtual {@code code.enter} call:
     * {@code entry} has the type {@link #ENTRY} (the code first, then enter's arguments) and must end in
     * {@code code.enter} with exactly those arguments (a BPF dispatcher: the same code, reached by a call
     * the JVM can inline). Pass a constant (a static final handle) so that C2 inlines through it.
     */
    public long runVia(java.lang.invoke.MethodHandle entry, ExecState st) {
        // runRaw's bookkeeping around the call, kept apart from runRaw so that the plain path's bytecode,
        // and so what C2 inlines of it, stays as it was measured
        long r1 = st.ctxAddr();
        FunctionCaller previous = st.caller();
        boolean swap = previous != this;
        if (swap) {
            st.caller(this);
        }
        startRun();
        try {
            long r0 = enter(entry, st, r1);
            if (st.heldSpinLock() != 0) {
                throw new BpfFault(Helpers.ENDED_HOLDING_LOCK);
            }
            return r0;
        } catch (BpfFault f) {
            throw ended(f, st);
        } catch (RuntimeException | StackOverflowError e) {
            throw ended(e, st);
        } finally {
            if (swap) {
                st.caller(previous);
            }
        }
    }

    /** The type of an entry {@link #runVia} calls: (code, cx, st, r1..r5, depth) -> r0. */
    public static final java.lang.invoke.MethodType ENTRY = java.lang.invoke.MethodType.methodType(long.class,
            JitCode.class, JitProgram.class, ExecState.class, long.class, long.class, long.class, long.class,
            long.class, int.class);

    // invokeExact declares Throwable; an entry ends in code.enter, which throws only unchecked exceptions
    private long enter(java.lang.invoke.MethodHandle entry, ExecState st, long r1) {
        try {
            return (long) entry.invokeExact(code, this, st, r1, 0L, 0L, 0L, 0L, 0);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("dispatcher entry threw a checked exception", t);
        }
    }

    private long lastFnAddr = -1;
    private Object lastFnSpace;
    private BpfProgram lastFnProg;

    /** Calls a function of the running program in a new frame below the current one (bpf_loop callbacks). */
    @Override
    public long callFunction(ExecState st, long fnAddr, long r1, long r2, long r3, long r4, long r5) {
        BpfProgram p;
        if (fnAddr == lastFnAddr && st.space() == lastFnSpace) {
            p = lastFnProg;  // the same callback as last time: bpf_loop calls it once per iteration
        } else {
            Region region = st.space().containing(fnAddr);
            if (region == null || region.kind() != Region.Kind.CODE || !(region.owner() instanceof BpfProgram q)
                    || q.funcInsn(fnAddr) < 0) {
                throw new BpfFault("callback 0x" + Long.toHexString(fnAddr) + " is not a function of the program");
            }
            p = q;
            lastFnAddr = fnAddr;
            lastFnSpace = st.space();
            lastFnProg = q;
        }
        int savedDepth = depth;
        if (savedDepth + 1 >= ExecState.MAX_CALL_FRAMES) {
            throw new BpfFault("callback: the call chain is deeper than " + ExecState.MAX_CALL_FRAMES + " frames");
        }
        BpfProgram savedProg = curProg;
        int savedPc = curPc;
        long savedFloor = st.stackFloor();
        JitCode c = codeOf(p);
        if (!c.bounded()) {
            JitRt.tick(this, savedProg, savedPc);
        }
        // on a fault nothing is restored: the run ends and the innermost helper call names the instruction
        long r0 = c.callFn(p.funcInsn(fnAddr), this, st, r1, r2, r3, r4, r5, savedDepth + 1);
        depth = savedDepth;
        curProg = savedProg;
        curPc = savedPc;
        st.stackFloor(savedFloor);
        return r0;
    }
}
