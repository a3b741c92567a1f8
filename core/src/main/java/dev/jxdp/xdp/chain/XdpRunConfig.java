package dev.jxdp.xdp.chain;

import dev.jxdp.XdpAction;
import dev.jxdp.ebpf.BpfException;

import java.util.StringJoiner;

/**
 * Where a program goes in a libxdp multi-program list and when the list goes on after it: libxdp's
 * {@code run_prio} and {@code chain_call_actions} of a {@code struct xdp_program}.
 *
 * @param runPrio          the run priority, lower first; libxdp's is an unsigned int, so 0..{@link #MAX_RUN_PRIO}
 * @param chainCallActions bit {@code 1 << action} set for each action (XDP_ABORTED..XDP_REDIRECT) on which the
 *                         next program runs; on any other the list stops and returns the action
 */
public record XdpRunConfig(long runPrio, int chainCallActions) {

    /** libxdp's XDP_DEFAULT_RUN_PRIO. */
    public static final long DEFAULT_RUN_PRIO = 50;
    /** The largest run_prio: libxdp keeps it in an unsigned int and compares it unsigned. */
    public static final long MAX_RUN_PRIO = 0xffff_ffffL;
    /** libxdp's XDP_DEFAULT_CHAIN_CALL_ACTIONS: go on after XDP_PASS only. */
    public static final int DEFAULT_CHAIN_CALL_ACTIONS = 1 << 2;
    /** The bits chain_call_actions may hold, one per action XDP_ABORTED (0) .. XDP_REDIRECT (4). */
    public static final int ACTION_BITS = (1 << 5) - 1;

    /** What a program gets when its object says nothing (no BTF, no {@code .xdp_run_config}, no entry). */
    public static final XdpRunConfig DEFAULT = new XdpRunConfig(DEFAULT_RUN_PRIO, DEFAULT_CHAIN_CALL_ACTIONS);

    public XdpRunConfig {
        checkRunPrio("run config", runPrio);
        checkActions("run config", chainCallActions);
    }

    /** True when the list goes on to the next program after this one returns {@code action}. */
    public boolean chainCallEnabled(XdpAction action) {
        return chainable(action) && (chainCallActions & 1 << action.code()) != 0;
    }

    public XdpRunConfig withRunPrio(long prio) {
        return new XdpRunConfig(prio, chainCallActions);
    }

    public XdpRunConfig withChainCallActions(int actions) {
        return new XdpRunConfig(runPrio, actions);
    }

    /** The actions of a chain_call_actions mask by their kernel names, "XDP_DROP,XDP_PASS", or "none". */
    public static String actionNames(int actions) {
        StringJoiner j = new StringJoiner(",");
        for (XdpAction a : XdpAction.values()) {
            if (chainable(a) && (actions & 1 << a.code()) != 0) {
                j.add(kernelName(a));
            }
        }
        return j.length() == 0 ? "none" : j.toString();
    }

    /**
     * Whether a run config or chain can name {@code a}: libxdp knows enum xdp_action's XDP_ABORTED ..
     * XDP_REDIRECT, not jxdp's XDP_REDIRECT_XSK (its dispatcher treats that code as any other).
     */
    static boolean chainable(XdpAction a) {
        return a != XdpAction.UNKNOWN && a != XdpAction.REDIRECT_XSK;
    }

    /** The {@code enum xdp_action} name of an action, as libxdp spells run config members ("XDP_PASS"). */
    static String kernelName(XdpAction a) {
        return "XDP_" + a.name();
    }

    static void checkRunPrio(String who, long prio) {
        if (prio < 0 || prio > MAX_RUN_PRIO) {
            throw new BpfException(who + ": run_prio " + prio + " out of range 0.." + MAX_RUN_PRIO
                    + " (libxdp keeps it in an unsigned int)");
        }
    }

    static void checkActions(String who, int actions) {
        if ((actions & ~ACTION_BITS) != 0) {
            throw new BpfException(who + ": chain_call_actions 0x" + Integer.toHexString(actions)
                    + " has bits beyond XDP_REDIRECT (want bits of 0x" + Integer.toHexString(ACTION_BITS) + ")");
        }
    }
}
