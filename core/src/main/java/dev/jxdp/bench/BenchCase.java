package dev.jxdp.bench;

import java.util.function.BooleanSupplier;

/**
 * A case of a table suite ({@code jxdp bench datapath}, {@code jxdp bench dispatcher}, {@code jxdp bench chain}): a name, and a
 * datapath built for it that {@link Trials} runs in timed slices, in a JVM of its own ({@link CaseProcess}).
 */
interface BenchCase {

    /** The case's name in the table, the JSON and a child JVM's command line. */
    String label();

    /** The case's datapath, built and ready to poll. */
    Polled open();

    /**
     * The case's datapath with its worker entering the program through the BPF dispatcher when
     * {@code dispatcher} ({@code --dispatcher on}); only the cases that take the choice override this.
     */
    default Polled open(boolean dispatcher) {
        if (dispatcher) {
            throw new BenchException(label() + ": no --dispatcher choice for this case");
        }
        return open();
    }

    /** A built datapath, polled by the calling thread. */
    interface Polled extends AutoCloseable {
        /** Polls until {@code nanos} have passed or {@code stop} says so; returns the frames measured. */
        long run(long nanos, BooleanSupplier stop);

        @Override
        void close();
    }

    /** The case of any table suite named {@code label}, or null (the suites' labels differ). */
    static BenchCase byLabel(String label) {
        BenchCase c = DatapathCase.byLabel(label);
        if (c == null) {
            c = DispatcherCase.byLabel(label);
        }
        if (c == null) {
            c = ChainCase.byLabel(label);
        }
        return c != null ? c : XskCase.byLabel(label);
    }
}
