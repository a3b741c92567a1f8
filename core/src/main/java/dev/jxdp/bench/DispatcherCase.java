package dev.jxdp.bench;

import dev.jxdp.xdp.dispatch.BpfDispatcher;

import java.util.ArrayList;
import java.util.List;

/**
 * The cases of {@code jxdp bench dispatcher}, in the order they are printed: {@code baseline-N} (each
 * program entered by its own virtual call) and {@code dispatcher-N} (through the BPF dispatcher) for N
 * programs, then {@code baseline-49} and {@code full}: one program more than the dispatcher has slots, the
 * traffic measured on the one left without a slot.
 *
 * <p>Not in the table unless asked for by name ({@code --cases}): {@code shared-N}, the datapath of
 * {@code dispatcher-N} with one program that all N devices run (one slot, one class). It separates what N
 * devices cost (their rings, buffers and workers, polled in turn) from what N programs behind the
 * dispatcher cost: {@code dispatcher-N / shared-N} is the dispatcher's own share.
 */
public final class DispatcherCase implements BenchCase {

    /** The programs of the paired cases: up to the dispatcher's slots. */
    public static final List<Integer> SIZES = List.of(1, 2, 4, 8, 16, 32, BpfDispatcher.MAX);
    /** The programs of {@code full} and {@code baseline-49}: one more than the slots. */
    public static final int OVER = BpfDispatcher.MAX + 1;

    private static final List<DispatcherCase> ALL = build();
    private static final List<DispatcherCase> TABLE = ALL.stream().filter(c -> !c.shared).toList();

    private final String label;
    private final int programs;
    private final boolean dispatcher;
    private final boolean shared;

    private DispatcherCase(String label, int programs, boolean dispatcher, boolean shared) {
        this.label = label;
        this.programs = programs;
        this.dispatcher = dispatcher;
        this.shared = shared;
    }

    private static List<DispatcherCase> build() {
        List<DispatcherCase> out = new ArrayList<>();
        for (int n : SIZES) {
            out.add(new DispatcherCase("baseline-" + n, n, false, false));
            out.add(new DispatcherCase("dispatcher-" + n, n, true, false));
            if (n > 1) {
                out.add(new DispatcherCase("shared-" + n, n, true, true));
            }
        }
        out.add(new DispatcherCase("baseline-" + OVER, OVER, false, false));
        out.add(new DispatcherCase("full", OVER, true, false));
        return List.copyOf(out);
    }

    /** Every case, in the order printed, {@code shared-N} included. */
    public static List<DispatcherCase> all() { return ALL; }

    /** The cases run when none are named: the seed's table, without {@code shared-N}. */
    public static List<DispatcherCase> table() { return TABLE; }

    /** The case named {@code label}, or null. */
    public static DispatcherCase byLabel(String label) {
        for (DispatcherCase c : ALL) {
            if (c.label.equals(label)) {
                return c;
            }
        }
        return null;
    }

    /** Every label, comma-separated, for messages. */
    public static String labels() {
        StringBuilder b = new StringBuilder();
        for (DispatcherCase c : ALL) {
            b.append(b.isEmpty() ? "" : ", ").append(c.label);
        }
        return b.toString();
    }

    @Override
    public String label() { return label; }

    /** Programs attached, one per device. */
    public int programs() { return programs; }

    /** Whether the programs are entered through the dispatcher. */
    public boolean dispatcher() { return dispatcher; }

    /** Whether every device runs one program ({@code shared-N}) rather than one each. */
    public boolean shared() { return shared; }

    /** Whether only the last program's traffic is measured (more programs than slots). */
    public boolean lastOnly() { return programs > BpfDispatcher.MAX; }

    @Override
    public DispatcherBench open() {
        return new DispatcherBench(programs, dispatcher, lastOnly(), shared);
    }

    @Override
    public String toString() { return label; }
}
