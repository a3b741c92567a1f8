package dev.jxdp.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code jxdp bench datapath}: the page-pool, bulking and RX-stages table. Every case of {@link DatapathCase} on its own
 * {@link BenchDatapath}, one worker, 64-byte frames, each case in a JVM of its own ({@link CaseProcess}),
 * trials interleaved over the cases and each figure the median of its trials ({@link Trials}).
 */
public final class DatapathSuite {

    /** The fewest trials a published table takes (the CLI's minimum). */
    public static final int MIN_TRIALS = 5;
    public static final int DEFAULT_TRIALS = 5;
    /** Seconds per trial. */
    public static final double DEFAULT_SECONDS = 1.0;
    /** Seconds of warm-up per case before any trial. */
    public static final double DEFAULT_WARMUP = 1.5;

    /** The ratios between cases the table checks (each the effect of one mechanism), measured side by side in one run. */
    public static final List<Target> TARGETS = List.of(
            new Target(DatapathCase.DROP, DatapathCase.FLOOR, 0.6),
            new Target(DatapathCase.REDIRECT_MAP, DatapathCase.DROP, 0.5),
            new Target(DatapathCase.REDIRECT_MAP, DatapathCase.REDIRECT_MAP_NOBULK, 1.5),
            new Target(DatapathCase.MIXED_VECTOR, DatapathCase.MIXED_SCALAR, 1.15));

    private DatapathSuite() {}

    /** One case's figures: the median of its trials, and every trial in the order run. */
    public record Row(DatapathCase which, double mpps, double nsPerPkt, List<Double> trials) implements Trials.Figures {
        @Override
        public String label() { return which.label(); }
    }

    /** A target ratio {@code num / den >= min}. */
    public record Target(DatapathCase num, DatapathCase den, double min) {
        /** The measured ratio in {@code r}, or NaN when one of the two cases was not run. */
        public double ratio(Result r) {
            Row a = r.row(num);
            Row b = r.row(den);
            return a == null || b == null || b.mpps() == 0 ? Double.NaN : a.mpps() / b.mpps();
        }

        /**
         * The ratio round by round: trial t of {@code num} over trial t of {@code den}, which ran one after
         * the other, so drift on the machine moves both; empty when one of the two cases was not run.
         */
        public double[] roundRatios(Result r) {
            Row a = r.row(num);
            Row b = r.row(den);
            if (a == null || b == null) {
                return new double[0];
            }
            int n = Math.min(a.trials().size(), b.trials().size());
            double[] x = new double[n];
            for (int t = 0; t < n; t++) {
                x[t] = a.trials().get(t) / b.trials().get(t);
            }
            return x;
        }

        /** Rounds whose own ratio reaches {@link #min}. */
        public int roundsMet(Result r) {
            int k = 0;
            for (double x : roundRatios(r)) {
                if (x >= min) {
                    k++;
                }
            }
            return k;
        }

        public String describe() {
            return num.label() + " / " + den.label();
        }
    }

    /**
     * A whole run: one row per case, in {@link DatapathCase} order; {@code dispatcher} when the workers
     * entered their programs through the BPF dispatcher.
     */
    public record Result(List<Row> rows, int trials, double seconds, boolean dispatcher) {
        /** A run on the plain call. */
        public Result(List<Row> rows, int trials, double seconds) {
            this(rows, trials, seconds, false);
        }

        public Row row(DatapathCase c) {
            for (Row r : rows) {
                if (r.which() == c) {
                    return r;
                }
            }
            return null;
        }

        /**
         * The suite's JSON object, {@code {"suite": "datapath", "rows": [{"case", "mpps", "ns_per_pkt", "trials"}],
         * "targets": [{"num", "den", "wanted", "ratio", "met", "round_ratios"}]}}, with {@code "dispatcher": true}
         * after the suite's name when the workers entered their programs through the BPF dispatcher.
         */
        public String json() {
            ObjectMapper om = new ObjectMapper();
            ObjectNode o = om.createObjectNode();
            o.put("suite", "datapath");
            if (dispatcher) {
                o.put("dispatcher", true);  // only when on: the plain run's object is as it always was
            }
            Trials.putRows(o, rows);
            // beside the contract's rows: each target that ran, its ratio of medians and round by round
            ArrayNode targets = o.putArray("targets");
            for (Target g : TARGETS) {
                double x = g.ratio(this);
                if (Double.isNaN(x)) {
                    continue;
                }
                ObjectNode n = targets.addObject();
                n.put("num", g.num().label());
                n.put("den", g.den().label());
                n.put("wanted", g.min());
                n.put("ratio", Trials.round(x, 4));
                n.put("met", x >= g.min());
                ArrayNode rr = n.putArray("round_ratios");
                for (double v : g.roundRatios(this)) {
                    rr.add(Trials.round(v, 4));
                }
            }
            return o.toString();
        }

        /**
         * The readable table: per case Mpps, ns per packet and the trials, then each mechanism's effect as a
         * ratio of two cases beside the ratio the kernel's measurements showed, reached or below.
         */
        public String table() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "datapath: one worker%s, 64-byte frames, median of %d trial%s of %s s%n%n",
                    dispatcher ? " entering its program through the BPF dispatcher" : "", trials, trials == 1 ? "" : "s",
                    Trials.seconds(seconds)));
            Trials.appendRows(b, 20, rows);
            b.append(String.format(Locale.ROOT, "%n%-40s %7s %8s   %-8s %s%n", "effect (ratio of medians)", "ratio",
                    "kernel's", "", "round by round"));
            for (Target g : TARGETS) {
                double x = g.ratio(this);
                String verdict = Double.isNaN(x) ? "not run" : x >= g.min() ? "reached" : "below";
                double[] rounds = g.roundRatios(this);
                String spread = "";
                if (rounds.length > 0) {
                    double[] s = rounds.clone();
                    Arrays.sort(s);
                    spread = String.format(Locale.ROOT, "%.2f-%.2f, reached in %d of %d", s[0], s[s.length - 1],
                            g.roundsMet(this), s.length);
                }
                b.append(String.format(Locale.ROOT, "%-40s %7s %8s   %-8s %s%n", g.describe(),
                        Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.2f", x),
                        String.format(Locale.ROOT, ">= %.2f", g.min()), verdict, spread).stripTrailing()
                        + System.lineSeparator());
            }
            return b.toString();
        }
    }

    /**
     * Runs {@code cases} (in {@link DatapathCase} order whatever the list's) for {@code trials} trials of
     * {@code seconds} each after {@code warmup} seconds per case, with a line per step on {@code progress}
     * (null: quiet). With {@code fork} each case runs in a JVM of its own ({@link CaseProcess}: what the
     * CLI does); without, all in this one, where they share the JIT's profiles (for tests).
     */
    public static Result run(List<DatapathCase> cases, int trials, double seconds, double warmup, boolean fork,
                             PrintWriter progress) {
        return run(cases, false, trials, seconds, warmup, fork, progress);
    }

    /**
     * As {@link #run(List, int, double, double, boolean, PrintWriter)}; with {@code dispatcher} each case's
     * worker enters its program through the BPF dispatcher (the floor has no program).
     */
    public static Result run(List<DatapathCase> cases, boolean dispatcher, int trials, double seconds, double warmup,
                             boolean fork, PrintWriter progress) {
        List<DatapathCase> order = Trials.inTableOrder(List.of(DatapathCase.values()), cases);
        List<Row> rows = new ArrayList<>();
        for (Trials.Measured m : Trials.run("datapath", order, dispatcher, trials, seconds, warmup, fork, progress)) {
            rows.add(new Row((DatapathCase) m.which(), m.median(), m.nsPerPkt(), m.trials()));
        }
        return new Result(List.copyOf(rows), trials, seconds, dispatcher);
    }

    /** These cases, each in its own JVM, the default warm-up (what the CLI runs). */
    public static Result run(List<DatapathCase> cases, int trials, double seconds, PrintWriter progress) {
        return run(cases, false, trials, seconds, DEFAULT_WARMUP, true, progress);
    }

    /** As {@link #run(List, int, double, PrintWriter)}, through the BPF dispatcher when {@code dispatcher}. */
    public static Result run(List<DatapathCase> cases, boolean dispatcher, int trials, double seconds, PrintWriter progress) {
        return run(cases, dispatcher, trials, seconds, DEFAULT_WARMUP, true, progress);
    }

}
