package dev.jxdp.bench;

import dev.jxdp.xdp.dispatch.LoadedChain;

/**
 * The cases of {@code jxdp bench chain} (issue 17, seed 003's table), in the order they are printed:
 * one XDP_DROP program; a program that tail-calls one that drops; the chain of an XDP_PASS program and an
 * XDP_DROP program run by each executor; and compiled chains of 10 and 64 programs, each passing to the
 * next, the last dropping. Every frame is dropped by the last program it runs.
 */
public enum ChainCase implements BenchCase {
    /** one program returning XDP_DROP: the baseline every overhead is measured against */
    SINGLE_DROP("single-drop", 1, null),
    /** a program that tail-calls (PROG_ARRAY slot 0) a second one that drops */
    TAILCALL("tailcall", 2, null),
    /** the chain map: A returns XDP_PASS, the plan sends PASS to B, which drops; next part looked up per step */
    CHAIN_DYNAMIC("chain-dynamic", 2, LoadedChain.Executor.DYNAMIC),
    /** the same chain, compiled into one class that calls A and B directly */
    CHAIN_COMPILED("chain-compiled", 2, LoadedChain.Executor.COMPILED),
    /** ten programs, each passing to the next, the last dropping, compiled */
    CHAIN_COMPILED_10("chain-compiled-10", 10, LoadedChain.Executor.COMPILED),
    /** sixty-four programs, each passing to the next, the last dropping, compiled */
    CHAIN_COMPILED_64("chain-compiled-64", 64, LoadedChain.Executor.COMPILED);

    private final String label;
    private final int programs;
    private final LoadedChain.Executor executor;

    ChainCase(String label, int programs, LoadedChain.Executor executor) {
        this.label = label;
        this.programs = programs;
        this.executor = executor;
    }

    /** The case named {@code label}, or null. */
    public static ChainCase byLabel(String label) {
        for (ChainCase c : values()) {
            if (c.label.equals(label)) {
                return c;
            }
        }
        return null;
    }

    /** Every label, comma-separated, for messages. */
    public static String labels() {
        StringBuilder b = new StringBuilder();
        for (ChainCase c : values()) {
            b.append(b.isEmpty() ? "" : ", ").append(c.label);
        }
        return b.toString();
    }

    @Override
    public String label() { return label; }

    /** Programs each frame runs. */
    public int programs() { return programs; }

    /** The chain's executor, or null when the case is no chain ({@code single-drop}, {@code tailcall}). */
    public LoadedChain.Executor executor() { return executor; }

    @Override
    public ChainBench open() {
        return new ChainBench(this);
    }

    @Override
    public String toString() { return label; }
}
