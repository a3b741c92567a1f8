package dev.jxdp.xdp.dispatch;

import dev.jxdp.ebpf.jit.JitCode;
import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpAction;
import dev.jxdp.xdp.chain.ChainPlan;

/**
 * A chain run the way seed 003's kernel code runs its chain-call map: after each program, the next one
 * is looked up for the program and its return code, then entered by the plain call every program shares
 * (an indirect call, megamorphic once a few programs have passed it). The measure the compiled chain
 * ({@link CompiledChain}) is held against.
 *
 * <p>As tail calls ({@link #tailCalls}): each step to the next program is a tail call, counted with the
 * programs' own against the kernel's limit of {@link ExecState#MAX_TAIL_CALLS} per frame; once it is
 * reached, a program that would continue ends the chain with its code, as a tail call that fails falls
 * through to the program's own exit.
 */
public final class DynamicChain extends JitCode {

    private final ChainPlan plan;
    private final boolean bounded;
    private final boolean tailCalls;

    /** The dynamic executor of {@code plan}; its parts' codes decide {@link #bounded()}. */
    public DynamicChain(ChainPlan plan, boolean bounded) {
        this(plan, bounded, false);
    }

    /** As {@link #DynamicChain(ChainPlan, boolean)}; with {@code tailCalls} each step counts as a tail call. */
    public DynamicChain(ChainPlan plan, boolean bounded, boolean tailCalls) {
        this.plan = plan;
        this.bounded = bounded;
        this.tailCalls = tailCalls;
    }

    @Override
    public long enter(JitProgram cx, ExecState st, long r1, long r2, long r3, long r4, long r5, int depth) {
        int i = plan.first();
        int made = 0;  // tail calls made so far, the steps' and the programs' own (tail-call executor only)
        while (true) {
            JitProgram p = cx.part(i);
            ExecState ps = cx.partState(i);
            long r0 = p.runPart(p.code(), st, ps, made);
            int next = plan.next(i, (int) r0);
            if (next < 0) {
                return next == ChainPlan.RETURN_RETVAL ? r0 : XdpAction.PASS;
            }
            if (tailCalls) {
                // the step is a tail call: past the limit it falls through to the program's own exit
                made = ps.tailCalls;
                if (made >= ExecState.MAX_TAIL_CALLS) {
                    return r0;
                }
                made++;
            }
            i = next;
        }
    }

    /** Whether each step counts as a tail call (the tail-call executor). */
    public boolean tailCalls() { return tailCalls; }

    @Override
    public boolean bounded() { return bounded; }

    @Override
    public long callFn(int insn, JitProgram cx, ExecState st, long r1, long r2, long r3, long r4, long r5, int depth) {
        throw new IllegalStateException("a chain's code has no functions to call back");
    }

    /** The plan this executor walks. */
    public ChainPlan plan() { return plan; }
}
