package dev.jxdp.xdp.dispatch;

import dev.jxdp.ebpf.jit.JitCode;
import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.xdp.chain.ChainPlan;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Several XDP programs run on one interface as one (issue 17): a {@link ChainPlan} over loaded programs,
 * executed either as seed 003's kernel code does, looking the next program up after each one
 * ({@link Executor#DYNAMIC}), or compiled into one class that calls every program directly
 * ({@link Executor#COMPILED}). Either way the chain is a program to the datapath: its {@link #code()}
 * takes one dispatcher slot, and {@link #runner(int)} is what a worker attaches to its {@link XdpCall}, so
 * replacing a chain under traffic is the dispatcher's replace: every frame runs one chain, whole.
 */
public final class LoadedChain {

    /** How a chain runs its programs. */
    public enum Executor {
        /** The next program looked up after each one and entered by the call every program shares. */
        DYNAMIC,
        /** One generated class: each program called directly, its return code branched on. */
        COMPILED,
        /**
         * As {@link #DYNAMIC}, each step a tail call: with the programs' own, at most 33 per frame
         * (the kernel's MAX_TAIL_CALL_CNT); past that a program that would continue ends the chain.
         */
        TAILCALL;

        /** The command-line name. */
        public String label() { return name().toLowerCase(Locale.ROOT); }
    }

    private final ChainPlan plan;
    private final List<JitProgram> parts;
    private final Executor executor;
    private final JitCode code;

    private LoadedChain(ChainPlan plan, List<JitProgram> parts, Executor executor, JitCode code) {
        this.plan = plan;
        this.parts = parts;
        this.executor = executor;
        this.code = code;
    }

    /**
     * The chain of {@code parts} (program i of {@code plan} is {@code parts.get(i)}, a compiled program
     * of that name; its run state comes from its own collection) run by {@code executor}.
     * {@link Executor#COMPILED} generates a class: once per chain, not per worker.
     */
    public static LoadedChain of(ChainPlan plan, List<JitProgram> parts, Executor executor) {
        if (parts.size() != plan.size()) {
            throw new IllegalArgumentException(plan.size() + " parts in the plan, " + parts.size() + " programs");
        }
        List<JitCode> codes = new ArrayList<>(parts.size());
        boolean bounded = true;
        for (int i = 0; i < parts.size(); i++) {
            JitProgram p = parts.get(i);
            if (p.parts() != 0) {
                throw new IllegalArgumentException("a chain's part is itself a chain");
            }
            if (p.program().collection() == null) {
                throw new IllegalArgumentException("program " + p.program().name() + " has no collection to run in");
            }
            codes.add(p.code());
            bounded &= p.code().bounded();
        }
        JitCode code = switch (executor) {
            case DYNAMIC -> new DynamicChain(plan, bounded);
            case TAILCALL -> new DynamicChain(plan, bounded, true);
            case COMPILED -> CompiledChain.compile(plan, codes);
        };
        return new LoadedChain(plan, List.copyOf(parts), executor, code);
    }

    /**
     * A runner of this chain for one worker thread on CPU slot {@code cpu}: each part's own runner
     * and run state (from its collection). Its run state's owner (the worker) gets a part's redirect.
     * Allocates; once per worker.
     */
    public JitProgram runner(int cpu) {
        JitProgram[] runners = new JitProgram[parts.size()];
        ExecState[] states = new ExecState[parts.size()];
        for (int i = 0; i < runners.length; i++) {
            JitProgram p = parts.get(i);
            runners[i] = p.forThread();
            BpfCollection coll = p.program().collection();
            states[i] = coll.newExecState(cpu);
            // the part's runner is its state's caller from the start: JitProgram.runPart then stores no
            // reference per frame (a store of a reference is a G1 write barrier, its card check a StoreLoad
            // fence when the objects are old)
            states[i].caller(runners[i]);
        }
        return JitProgram.chain(code, runners, states);
    }

    /** The collection a worker running this chain takes its own run state from: the first part's. */
    public BpfCollection collection() { return parts.get(plan.first()).program().collection(); }

    /** The chain's code: what a dispatcher slot holds. */
    public JitCode code() { return code; }

    /** The plan. */
    public ChainPlan plan() { return plan; }

    /** The executor. */
    public Executor executor() { return executor; }

    /** The parts' programs (templates: {@link #runner} gives each worker its own). */
    public List<JitProgram> parts() { return parts; }
}
