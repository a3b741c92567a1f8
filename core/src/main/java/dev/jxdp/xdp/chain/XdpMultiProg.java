package dev.jxdp.xdp.chain;

import dev.jxdp.ebpf.BpfException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * libxdp's multi-program list (struct xdp_multiprog): the programs of one interface in run order, each
 * continuing to the next on the actions of its chain_call_actions. Built from its members in any order,
 * sorted as libxdp's cmp_xdp_programs() sorts them: run_prio ascending (unsigned), then the program name
 * as strcmp() orders it. libxdp's further tie-breaks (loaded first, fewer instructions, tag, load time)
 * never decide here, because two members may not share a name.
 *
 * <pre>{@code
 * XdpMultiProg list = XdpMultiProg.of(List.of(
 *         XdpMultiProg.Program.of(Path.of("fw.o"), "xdp_fw", RunConfigBtf.read(fw, "xdp_fw")),
 *         new XdpMultiProg.Program(Path.of("lb.o"), "xdp_lb", 60, 0)));
 * ChainPlan chain = list.toChain();
 * }</pre>
 */
public final class XdpMultiProg {

    /** The most members: {@link ChainPlan#MAX_PROGRAMS} (libxdp's dispatcher: 10, MAX_DISPATCHER_ACTIONS). */
    public static final int MAX_PROGRAMS = ChainPlan.MAX_PROGRAMS;

    /**
     * One member: a program and its run config.
     *
     * @param object           the object file it comes from
     * @param name             the program's name
     * @param runPrio          its run priority, 0..{@link XdpRunConfig#MAX_RUN_PRIO}, lower runs first
     * @param chainCallActions bit {@code 1 << action} for each action the list goes on after
     */
    public record Program(Path object, String name, long runPrio, int chainCallActions) {
        public Program {
            Objects.requireNonNull(object, "object");
            Objects.requireNonNull(name, "name");
            if (name.isEmpty()) {
                throw new BpfException(object + ": empty program name");
            }
            XdpRunConfig.checkRunPrio("program " + name, runPrio);
            XdpRunConfig.checkActions("program " + name, chainCallActions);
        }

        public static Program of(Path object, String name, XdpRunConfig config) {
            return new Program(object, name, config.runPrio(), config.chainCallActions());
        }

        public XdpRunConfig config() {
            return new XdpRunConfig(runPrio, chainCallActions);
        }

        ChainProgram chainProgram() {
            return new ChainProgram(object, name);
        }
    }

    /** cmp_xdp_programs() for programs not yet loaded: run_prio, then the name's bytes as strcmp() compares them. */
    public static final Comparator<Program> RUN_ORDER = Comparator.comparingLong(Program::runPrio)
            .thenComparing((a, b) -> Arrays.compareUnsigned(a.name().getBytes(StandardCharsets.UTF_8),
                    b.name().getBytes(StandardCharsets.UTF_8)));

    private final List<Program> programs;

    private XdpMultiProg(List<Program> programs) {
        this.programs = programs;
    }

    /**
     * The list of these members in run order; a BpfException when it is empty, longer than
     * {@link #MAX_PROGRAMS}, or two members share a name.
     */
    public static XdpMultiProg of(List<Program> members) {
        if (members.isEmpty()) {
            throw new BpfException("multi-program list: no programs");
        }
        if (members.size() > MAX_PROGRAMS) {
            throw new BpfException("multi-program list: " + members.size() + " programs, more than jxdp's "
                    + MAX_PROGRAMS + " (libxdp's dispatcher takes 10)");
        }
        Map<String, Program> byName = new HashMap<>();
        for (Program p : members) {
            Program other = byName.putIfAbsent(p.name(), p);
            if (other != null) {
                throw new BpfException("multi-program list: two programs named " + p.name() + " (" + other.object()
                        + ", " + p.object() + "); the list names its programs by name");
            }
        }
        List<Program> sorted = new ArrayList<>(members);
        sorted.sort(RUN_ORDER);
        return new XdpMultiProg(List.copyOf(sorted));
    }

    /** The members in run order. */
    public List<Program> programs() { return programs; }

    /**
     * This list as a chain, as libxdp's dispatcher runs it (xdp-dispatcher.c): program i returning an action
     * of its chain_call_actions goes on to program i+1; any other code stops the chain and is the frame's
     * action; the last program continuing ends it with XDP_PASS ({@link ChainPlan#RETURN_PASS}), what the
     * dispatcher returns when it runs out of programs.
     */
    public ChainPlan toChain() {
        int n = programs.size();
        int[] next = new int[n * ChainPlan.SLOTS];
        List<ChainProgram> chain = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Program p = programs.get(i);
            chain.add(p.chainProgram());
            int onContinue = i + 1 < n ? i + 1 : ChainPlan.RETURN_PASS;
            for (int code = 0; code < ChainPlan.SLOTS; code++) {
                boolean cont = code < ChainPlan.OTHER && (p.chainCallActions() & 1 << code) != 0;
                next[i * ChainPlan.SLOTS + code] = cont ? onContinue : ChainPlan.RETURN_RETVAL;
            }
        }
        return new ChainPlan("multi-program list", chain, 0, next);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("XdpMultiProg[");
        for (Program p : programs) {
            sb.append(sb.length() > 13 ? ", " : "").append(p.name()).append('@').append(p.runPrio()).append(' ')
                    .append(XdpRunConfig.actionNames(p.chainCallActions()));
        }
        return sb.append(']').toString();
    }
}
