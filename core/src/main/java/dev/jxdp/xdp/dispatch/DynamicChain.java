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
 */
public final class DynamicChain extends JitCode {

    private final ChainPlan plan;
    private final boolean bounded;

    /** The dynamic executor of {@code plan}; its parts' codes decide {@link #bounded()}. */
    public DynamicChain(ChainPlan plan, boolean bounded) {
        this.plan = plan;
        this.bounded = bounded;
    }

    @Override
    public long enter(JitProgram cx, ExecState st, long r1, long r2, long r3, long r4, long r5, int depth) {
        int i = plan.first();
        while (true) {
            JitProgram p = cx.part(i);
            long r0 = p.runPart(p.code(), st, cx.partState(i));
            int next = plan.next(i, (int) r0);
            if (next < 0) {
                return next == ChainPlan.RETURN_RETVAL ? r0 : XdpAction.PASS;
            }
            i = next;
        }
    }

    @Override
    public boolean bounded() { return bounded; }

    @Override
    public long callFn(int insn, JitProgram cx, ExecState st, long r1, long r2, long r3, long r4, long r5, int depth) {
        throw new IllegalStateException("a chain's code has no functions to call back");
    }

    /** The plan this executor walks. */
    public ChainPlan plan() { return plan; }
}
