package dev.jxdp.xdp.dispatch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A chain of XDP programs as its executors run it: parts by index, the one that runs first, and per part
 * and return code the part that runs next or {@link #STOP} (the chain returns that code). Return codes
 * XDP_ABORTED (0) to XDP_REDIRECT (4) have a column each, {@link #OTHER} every other code. What seed 003's
 * chain-call map says and what libxdp's run_prio and chain_call_actions say both come down to this.
 *
 * <p>Immutable and checked: every part is reached from the first, and no part is reached from itself
 * (a cycle), so a run ends after at most {@link #size()} programs.
 */
public final class ChainPlan {

    /** No next part: the chain returns the code. */
    public static final int STOP = -1;
    /**
     * No next part, and the chain returns XDP_PASS whatever the code was: libxdp's dispatcher after its
     * last program returned a code that program continues on (the end of its list is {@code return XDP_PASS}).
     */
    public static final int PASS = -2;
    /** The column of every return code other than XDP_ABORTED..XDP_REDIRECT. */
    public static final int OTHER = 5;
    /** Columns per part: the five XDP actions and {@link #OTHER}. */
    public static final int COLUMNS = 6;

    private final List<String> names;
    private final int first;
    private final int[][] next;

    private ChainPlan(List<String> names, int first, int[][] next) {
        this.names = names;
        this.first = first;
        this.next = next;
    }

    /**
     * A plan over parts named {@code names} starting at {@code first}; {@code next[i][c]} is the part run
     * after part i returned code c (column {@link #OTHER} for codes above XDP_REDIRECT) or {@link #STOP}.
     * An IllegalArgumentException for a part out of range, a part the first does not reach, or a cycle.
     */
    public static ChainPlan of(List<String> names, int first, int[][] next) {
        int n = names.size();
        if (n == 0 || next.length != n) {
            throw new IllegalArgumentException("a chain of " + n + " names and " + next.length + " rows");
        }
        if (first < 0 || first >= n) {
            throw new IllegalArgumentException("first part " + first + " of " + n);
        }
        int[][] copy = new int[n][];
        for (int i = 0; i < n; i++) {
            if (next[i].length != COLUMNS) {
                throw new IllegalArgumentException(names.get(i) + ": " + next[i].length + " columns, want " + COLUMNS);
            }
            for (int t : next[i]) {
                if (t != STOP && t != PASS && (t < 0 || t >= n)) {
                    throw new IllegalArgumentException(names.get(i) + ": next part " + t + " of " + n);
                }
            }
            copy[i] = next[i].clone();
        }
        ChainPlan p = new ChainPlan(List.copyOf(names), first, copy);
        p.checkShape();
        return p;
    }

    /**
     * libxdp's dispatcher over programs in run order: program i continues to i + 1 on a code whose bit is
     * set in {@code chainCallActions[i]} and returns any other code; a code the last program continues on
     * ends the chain with XDP_PASS ({@link #PASS}), as libxdp's dispatcher does when every program went on.
     */
    public static ChainPlan sequence(List<String> names, int[] chainCallActions) {
        int n = names.size();
        if (chainCallActions.length != n) {
            throw new IllegalArgumentException(n + " programs, " + chainCallActions.length + " action masks");
        }
        int[][] next = new int[n][COLUMNS];
        for (int i = 0; i < n; i++) {
            Arrays.fill(next[i], STOP);
            for (int code = 0; code < OTHER; code++) {
                if ((chainCallActions[i] & (1 << code)) != 0) {
                    next[i][code] = i + 1 < n ? i + 1 : PASS;
                }
            }
        }
        return of(names, 0, next);
    }

    // every part reached from the first, none reached from itself: a depth-first walk with colours
    private void checkShape() {
        int n = names.size();
        int[] colour = new int[n];  // 0 unseen, 1 on the walk's path, 2 done
        walk(first, colour, new ArrayList<>());
        for (int i = 0; i < n; i++) {
            if (colour[i] == 0) {
                throw new IllegalArgumentException("part " + names.get(i) + " is not reached from " + names.get(first));
            }
        }
    }

    private void walk(int i, int[] colour, List<String> path) {
        colour[i] = 1;
        path.add(names.get(i));
        for (int t : next[i]) {
            if (t < 0 || colour[t] == 2) {
                continue;
            }
            if (colour[t] == 1) {
                List<String> cycle = new ArrayList<>(path.subList(path.indexOf(names.get(t)), path.size()));
                cycle.add(names.get(t));
                throw new IllegalArgumentException("a cycle: " + String.join(" -> ", cycle));
            }
            walk(t, colour, path);
        }
        path.removeLast();
        colour[i] = 2;
    }

    /** Parts. */
    public int size() { return names.size(); }

    /** Part {@code i}'s name. */
    public String name(int i) { return names.get(i); }

    /** Every part's name, by index. */
    public List<String> names() { return names; }

    /** The part that runs first. */
    public int first() { return first; }

    /**
     * The part after part {@code i} returned a code in {@code column} (0..4, or {@link #OTHER}), or
     * {@link #STOP} (return the code) or {@link #PASS} (return XDP_PASS).
     */
    public int next(int i, int column) { return next[i][column]; }

    /** The column of return code {@code r0}: its low 32 bits, as the kernel reads an XDP action. */
    public static int column(long r0) {
        int a = (int) r0;
        return Integer.compareUnsigned(a, OTHER) < 0 ? a : OTHER;
    }

    /** The parts in an order where each comes before every part it can continue to (the first first). */
    public int[] order() {
        int n = names.size();
        int[] colour = new int[n];
        int[] out = new int[n];
        int[] at = {n};
        post(first, colour, out, at);
        return out;
    }

    private void post(int i, int[] colour, int[] out, int[] at) {
        colour[i] = 1;
        for (int t : next[i]) {
            if (t >= 0 && colour[t] == 0) {
                post(t, colour, out, at);
            }
        }
        out[--at[0]] = i;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("chain from ").append(names.get(first));
        for (int i = 0; i < names.size(); i++) {
            b.append("; ").append(names.get(i)).append(' ').append(Arrays.toString(next[i]));
        }
        return b.toString();
    }
}
