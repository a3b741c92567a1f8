package dev.jxdp.xdp.chain;

import dev.jxdp.ebpf.BpfException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A validated, immutable chain of XDP programs on one interface: which program runs first, and after each
 * program and each return code, which runs next or what the frame's action is. The one form the chain
 * executors run from, whichever way the chain was given ({@link XdpMultiProg#toChain()},
 * {@link ChainCallMap#resolve}).
 *
 * <p>Programs are numbered 0..{@link #size()}-1. {@link #next(int, int)} is one array read, so an executor
 * may call it per frame per step:
 * <pre>{@code
 * int p = chain.first();
 * while (true) {
 *     int ret = run(chain.program(p), frame);
 *     int step = chain.next(p, ret);
 *     if (step >= 0) { p = step; continue; }
 *     return step == ChainPlan.RETURN_RETVAL ? ret : XDP_PASS;
 * }
 * }</pre>
 * No cycle is reachable from the first program, so a frame runs at most {@link #maxRun()} programs.
 */
public final class ChainPlan {

    /** The most programs a chain holds: libxdp's dispatcher has 10 slots; jxdp, with no slots to fill, 64. */
    public static final int MAX_PROGRAMS = 64;

    /** {@link #next}: stop; the frame's action is the code the program returned. */
    public static final int RETURN_RETVAL = -1;
    /**
     * {@link #next}: stop; the frame's action is XDP_PASS. libxdp's dispatcher returns XDP_PASS when the
     * last program returned an action it continues on, since there is nothing left to continue to.
     */
    public static final int RETURN_PASS = -2;

    /**
     * Steps per program: one per return code XDP_ABORTED (0) .. XDP_REDIRECT (4), one for any other. A
     * compiled executor switching on the code reads them as {@code next(p, slot)} for slot 0..SLOTS-1.
     */
    public static final int SLOTS = 6;
    /** The slot of every return code that is none of XDP_ABORTED..XDP_REDIRECT ({@code next(p, OTHER)}). */
    public static final int OTHER = 5;
    private static final String[] SLOT_NAMES = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT",
        "any other code"};

    private final List<ChainProgram> programs;
    private final Map<String, Integer> byName;
    private final int first;
    // next[p * SLOTS + slot]: a program index, RETURN_RETVAL or RETURN_PASS
    private final int[] next;
    private final boolean[] reachable;
    private final int maxRun;

    /**
     * Checks and keeps a chain; {@code what} names its source for messages ("chain-call map",
     * "multi-program list").
     */
    ChainPlan(String what, List<ChainProgram> programs, int first, int[] next) {
        int n = programs.size();
        if (n == 0) {
            throw new BpfException(what + ": no programs");
        }
        if (n > MAX_PROGRAMS) {
            throw new BpfException(what + ": " + n + " programs, more than jxdp's " + MAX_PROGRAMS);
        }
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Integer dup = names.putIfAbsent(programs.get(i).name(), i);
            if (dup != null) {
                throw new BpfException(what + ": two programs named " + programs.get(i).name() + " ("
                        + programs.get(dup) + ", " + programs.get(i) + "); a chain names its programs by name");
            }
        }
        if (first < 0 || first >= n || next.length != n * SLOTS) {
            throw new IllegalArgumentException(what + ": first " + first + ", " + next.length + " steps for " + n
                    + " programs");
        }
        for (int s : next) {
            if (s >= n || s < RETURN_PASS) {
                throw new IllegalArgumentException(what + ": step " + s + " for " + n + " programs");
            }
        }
        this.programs = List.copyOf(programs);
        this.byName = Map.copyOf(names);
        this.first = first;
        this.next = next.clone();
        this.reachable = new boolean[n];
        this.maxRun = walk(what);
    }

    /** The number of programs, reachable from the first or not. */
    public int size() { return programs.size(); }

    /** Every program, by index. */
    public List<ChainProgram> programs() { return programs; }

    public ChainProgram program(int index) { return programs.get(index); }

    /** The index of the program named {@code name}, or -1. */
    public int indexOf(String name) {
        Integer i = byName.get(name);
        return i == null ? -1 : i;
    }

    /** The index of the program every frame runs first. */
    public int first() { return first; }

    /**
     * What follows program {@code program} returning {@code retval} (r0's low 32 bits, unsigned as the
     * kernel takes an XDP action): the next program's index, or {@link #RETURN_RETVAL} or
     * {@link #RETURN_PASS}.
     */
    public int next(int program, int retval) {
        int slot = Integer.compareUnsigned(retval, OTHER) < 0 ? retval : OTHER;
        return next[program * SLOTS + slot];
    }

    /** True when some frame may run program {@code index}: it is the first, or a step from one that is. */
    public boolean reachable(int index) { return reachable[index]; }

    /** The most programs one frame runs (the longest path from the first program). */
    public int maxRun() { return maxRun; }

    /**
     * The reachable programs in an order where each comes before every program it continues to, the first
     * first: a compiled executor lays them out so that every branch goes forward.
     */
    public int[] order() {
        int n = programs.size();
        boolean[] seen = new boolean[n];
        int[] post = new int[n];
        int k = post(first, seen, post, 0);
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = post[k - 1 - i];
        }
        return out;
    }

    private int post(int p, boolean[] seen, int[] post, int k) {
        seen[p] = true;
        for (int s = 0; s < SLOTS; s++) {
            int to = next[p * SLOTS + s];
            if (to >= 0 && !seen[to]) {
                k = post(to, seen, post, k);
            }
        }
        post[k] = p;
        return k + 1;
    }

    /** One line per program: "0 a (first): XDP_PASS -> 1 b, XDP_DROP -> return XDP_PASS; else return the code". */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (int p = 0; p < programs.size(); p++) {
            sb.append(p).append(' ').append(programs.get(p).name()).append(p == first ? " (first)" : "")
                    .append(reachable[p] ? "" : " (unreachable)").append(':');
            StringJoiner steps = new StringJoiner(",");
            for (int s = 0; s < SLOTS; s++) {
                int to = next[p * SLOTS + s];
                if (to != RETURN_RETVAL) {
                    steps.add(" " + SLOT_NAMES[s] + " -> " + (to == RETURN_PASS ? "return XDP_PASS" : to + " "
                            + programs.get(to).name()));
                }
            }
            sb.append(steps.length() == 0 ? " return the code" : steps + "; else return the code").append('\n');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "ChainPlan" + programs.stream().map(ChainProgram::name).toList() + " first " + programs.get(first)
                .name();
    }

    // depth-first from the first program: marks what is reachable, refuses a cycle (a frame would loop for
    // ever), and finds the longest path
    private int walk(String what) {
        int n = programs.size();
        int[] longest = new int[n];
        byte[] state = new byte[n];
        List<Integer> path = new ArrayList<>();
        List<Integer> via = new ArrayList<>();
        return visit(what, first, state, longest, path, via);
    }

    private static final byte ON_PATH = 1;
    private static final byte DONE = 2;

    private int visit(String what, int p, byte[] state, int[] longest, List<Integer> path, List<Integer> via) {
        reachable[p] = true;
        state[p] = ON_PATH;
        path.add(p);
        int best = 0;
        for (int s = 0; s < SLOTS; s++) {
            int to = next[p * SLOTS + s];
            if (to < 0) {
                continue;
            }
            via.add(s);
            if (state[to] == ON_PATH) {
                throw new BpfException(what + ": cycle " + cycle(path, via, to) + " reachable from the first program "
                        + programs.get(first).name() + " (a frame would never leave it)");
            }
            best = Math.max(best, state[to] == DONE ? longest[to] : visit(what, to, state, longest, path, via));
            via.removeLast();
        }
        path.removeLast();
        state[p] = DONE;
        longest[p] = best + 1;
        return longest[p];
    }

    // "a -XDP_PASS-> b -any code-> a": the path from where the cycle starts back to it
    private String cycle(List<Integer> path, List<Integer> via, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = path.indexOf(to); i < path.size(); i++) {
            int from = path.get(i);
            int target = next[from * SLOTS + via.get(i)];
            sb.append(programs.get(from).name()).append(" -").append(edge(from, target)).append("-> ");
        }
        return sb.append(programs.get(to).name()).toString();
    }

    // every code that leads from one program to another: "XDP_DROP|XDP_TX", or "any code" for all of them
    private String edge(int from, int to) {
        StringJoiner j = new StringJoiner("|");
        int codes = 0;
        for (int s = 0; s < SLOTS; s++) {
            if (next[from * SLOTS + s] == to) {
                j.add(SLOT_NAMES[s]);
                codes++;
            }
        }
        return codes == SLOTS ? "any code" : j.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChainPlan c && first == c.first && programs.equals(c.programs) && Arrays.equals(next, c.next);
    }

    @Override
    public int hashCode() {
        return programs.hashCode() * 31 + Arrays.hashCode(next) + first;
    }
}
