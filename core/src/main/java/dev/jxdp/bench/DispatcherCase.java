package dev.jxdp.bench;

import dev.jxdp.xdp.dispatch.BpfDispatcher;

import java.util.ArrayList;
import java.util.List;

/**
 * The cases of {@code jxdp bench dispatcher}, in the order they are printed: {@code baseline-N} (each
 * program entered by its own virtual call) and {@code dispatcher-N} (through the BPF dispatcher) for N
 * programs, then {@code baseline-49} and {@code full}: one program more than the dispatcher has slots, the
 * traffic measured on the one left without a slot.
 */
public final class DispatcherCase implements BenchCase {

    /** The programs of the paired cases: up to the dispatcher's slots. */
    public static final List<Integer> SIZES = List.of(1, 2, 4, 8, 16, 32, BpfDispatcher.MAX);
    /** The programs of {@code full} and {@code baseline-49}: one more than the slots. */
    public static final int OVER = BpfDispatcher.MAX + 1;

    private static final List<DispatcherCase> ALL = build();

    private final String label;
    private final int programs;
    private final boolean dispatcher;

    private DispatcherCase(String label, int programs, boolean dispatcher) {
        this.label = label;
        this.programs = programs;
        this.dispatcher = dispatcher;
    }

    private static List<DispatcherCase> build() {
        List<DispatcherCase> out = new ArrayList<>();
        for (int n : SIZES) {
            out.add(new DispatcherCase("baseline-" + n, n, false));
            out.add(new DispatcherCase("dispatcher-" + n, n, true));
        }
        out.add(new DispatcherCase("baseline-" + OVER, OVER, false));
        out.add(new DispatcherCase("full", OVER, true));
        return List.copyOf(out);
    }

    /** Every case, in table order. */
    public static List<DispatcherCase> all() { return ALL; }

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

    /** Whether only the last program's traffic is measured (more programs than slots). */
    public boolean lastOnly() { return programs > BpfDispatcher.MAX; }

    @Override
    public DispatcherBench open() {
        return new DispatcherBench(programs, dispatcher, lastOnly());
    }

    @Override
    public String toString() { return label; }
}
