package dev.jxdp.xdp.dispatch;

import dev.jxdp.ebpf.jit.JitCode;
import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpAction;

/**
 * xdp_call.h's driver-facing API for one device or queue: what DEFINE_XDP_CALL declares (a caller of the
 * program this queue runs), {@link #update} as xdp_call_update() (attach, replace or detach, keeping the
 * {@link BpfDispatcher}'s slots refcounted), {@link #run} as xdp_call_run() (the program entered through
 * the dispatcher, with a run counter).
 *
 * <p>One thread runs a handle (the queue's worker), since the {@link JitProgram} it holds keeps per-run
 * state; any thread may {@link #update} it. A run uses the program that was current when it began and
 * only that one: a replace while traffic flows loses no packet and runs none twice.
 *
 * <p>A poll loop uses the per-poll form, as the kernel's drivers do (i40e's and ixgbe's clean_rx_irq read
 * {@code rx_ring->xdp_prog} once and run every frame of the poll with it): {@link #program()} once at the
 * start of the poll, {@link #run(JitProgram, ExecState)} per frame, {@link #ran(int)} once at its end.
 */
public final class XdpCall {

    private final BpfDispatcher dispatcher;
    // written by updaters, read once per poll (or per run(st)) by the worker: volatile, so that C2 cannot
    // hoist the read out of the worker's loop and the worker sees a replace on its next poll
    private volatile JitProgram prog;
    // written by the worker only, read racily for stats (as the kernel sums per-CPU counters)
    private long runs;

    /** A caller through the system-wide dispatcher ({@link BpfDispatcher#xdp()}), no program attached. */
    public XdpCall() {
        this(BpfDispatcher.xdp());
    }

    /** A caller through {@code dispatcher}; only the system-wide one's calls are inlined by C2. */
    public XdpCall(BpfDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    /**
     * xdp_call_update(): runs {@code next} from the next packet on (null detaches). {@code next} is a
     * runner for the worker's thread; its code takes a dispatcher slot (or shares one), and the program
     * this replaces gives its slot back if it was the last user.
     */
    public synchronized void update(JitProgram next) {
        JitProgram old = prog;
        if (old == next) {
            return;
        }
        // the dispatcher first: a run that starts before the handle moves still uses old, and old's code
        // is still reached (by its slot or by the fallback)
        dispatcher.change(codeOf(old), codeOf(next));
        prog = next;
    }

    private static JitCode codeOf(JitProgram p) {
        return p == null ? null : p.code();
    }

    /** The program runs use now (null: none attached). */
    public JitProgram program() { return prog; }

    /**
     * xdp_call_run(): the current program on {@code st.xdp()}, entered through the dispatcher; returns the
     * XDP action. With no program attached (detached while traffic flows) nothing runs and the frame goes
     * to the stack, {@link XdpAction#PASS}, as a driver whose xdp_prog is NULL passes every frame up; such
     * frames are not counted in {@link #runs()}. From the handle's worker thread only. A poll loop uses
     * the per-poll form instead ({@link #program()}, {@link #run(JitProgram, ExecState)}, {@link #ran}).
     */
    public long run(ExecState st) {
        JitProgram p = prog;
        if (p == null) {
            return XdpAction.PASS;
        }
        runs++;
        return run(p, st);
    }

    /**
     * One frame of a poll: {@code p}, the program {@link #program()} gave at the start of the poll (not
     * null), on {@code st.xdp()} through this handle's dispatcher; not counted, the poll adds its frames
     * with {@link #ran(int)}. From the handle's worker thread only.
     */
    public long run(JitProgram p, ExecState st) {
        if (dispatcher == BpfDispatcher.XDP) {
            return runSystemWide(p, st);
        }
        return p.runVia(dispatcher.invoker(), st);
    }

    /**
     * {@link #run(JitProgram, ExecState)} for a handle whose dispatcher is the system-wide one
     * ({@link #systemWide()}): a caller that knows this per poll leaves the dispatcher test out of its
     * per-frame path.
     */
    public static long runSystemWide(JitProgram p, ExecState st) {
        // the system-wide dispatcher's invoker from a static final: a constant, so C2 inlines the dispatch
        // code and, through its constant receivers, the program
        return p.runVia(BpfDispatcher.XDP_INVOKER, st);
    }

    /** Whether this handle's calls go through the system-wide dispatcher ({@link BpfDispatcher#xdp()}). */
    public boolean systemWide() { return dispatcher == BpfDispatcher.XDP; }

    /**
     * Counts {@code n} runs: a poll's frames run by the program it read with {@link #program()} (none
     * when that was null). From the handle's worker thread only.
     */
    public void ran(int n) { runs += n; }

    /** Runs made through this handle (read racily from another thread). */
    public long runs() { return runs; }

    /** The dispatcher this handle's calls go through. */
    public BpfDispatcher dispatcher() { return dispatcher; }
}
