package dev.jxdp.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code jxdp bench dispatcher}: what entering N different XDP_DROP programs through the BPF dispatcher
 * gains over their own virtual call ({@link DispatcherCase}, {@link DispatcherBench}); one worker,
 * 64-byte frames, each case in a JVM of its own so that no case's type profiles reach another, trials
 * interleaved and each figure the median of its trials ({@link Trials}).
 */
public final class DispatcherSuite {

    /** Seconds of warm-up per case before any trial. */
    public static final double DEFAULT_WARMUP = 1.5;

    private DispatcherSuite() {}

    /** One case's figures: the median of its trials, and every trial in the order run. */
    public record Row(DispatcherCase which, double mpps, double nsPerPkt, List<Double> trials) implements Trials.Figures {
        @Override
        public String label() { return which.label(); }
    }

    /**
     * A ratio of two cases' medians, {@code num / den >= wanted}: {@code seed} for the gain the kernel's
     * dispatcher showed, otherwise what the dispatcher must reach on any machine.
     */
    public record Ratio(String num, String den, double wanted, boolean seed) {
        public String describe() { return num + " / " + den; }
    }

    /**
     * The ratios, in the order printed: the flat line, no loss anywhere, the seed's gain, the full dispatcher,
     * then (when the control cases ran) N programs against one program on the same N devices.
     */
    public static List<Ratio> ratios() {
        List<Ratio> out = new ArrayList<>();
        for (int n : DispatcherCase.SIZES) {
            if (n > 1) {
                out.add(new Ratio("dispatcher-" + n, "dispatcher-1", 0.95, false));
            }
        }
        for (int n : DispatcherCase.SIZES) {
            out.add(new Ratio("dispatcher-" + n, "baseline-" + n, n >= 4 ? 1.3 : 1.0, n >= 4));
        }
        out.add(new Ratio("full", "baseline-" + DispatcherCase.OVER, 0.95, false));
        // only when shared-N ran (asked for by name): the dispatcher's own share of dispatcher-N's cost
        for (int n : DispatcherCase.SIZES) {
            if (n > 1) {
                out.add(new Ratio("dispatcher-" + n, "shared-" + n, 0.95, false));
            }
        }
        return out;
    }

    /** A whole run: one row per case, in {@link DispatcherCase#all()} order. */
    public record Result(List<Row> rows, int trials, double seconds) {
        public Row row(String label) {
            for (Row r : rows) {
                if (r.label().equals(label)) {
                    return r;
                }
            }
            return null;
        }

        /** The ratio of medians, or NaN when one of the two cases was not run. */
        public double ratio(Ratio g) {
            Row a = row(g.num());
            Row b = row(g.den());
            return a == null || b == null || b.mpps() == 0 ? Double.NaN : a.mpps() / b.mpps();
        }

        /**
         * {@code {"suite": "dispatcher", "rows": [{"case", "mpps", "ns_per_pkt", "trials"}],
         * "ratios": [{"num", "den", "wanted", "ratio", "met"}]}}, the ratios of the cases that ran.
         */
        public String json() {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("suite", "dispatcher");
            Trials.putRows(o, rows);
            ArrayNode rs = o.putArray("ratios");
            for (Ratio g : ratios()) {
                double x = ratio(g);
                if (!Double.isNaN(x)) {
                    rs.addObject().put("num", g.num()).put("den", g.den()).put("wanted", g.wanted())
                            .put("ratio", Trials.round(x, 4)).put("met", x >= g.wanted());
                }
            }
            return o.toString();
        }

        /** The readable table, then each ratio beside what it should reach. */
        public String table() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "dispatcher: one worker, N devices each with its own XDP_DROP program, "
                    + "64-byte frames, median of %d trial%s of %s s%n%n", trials, trials == 1 ? "" : "s",
                    Trials.seconds(seconds)));
            Trials.appendRows(b, 16, rows);
            b.append(String.format(Locale.ROOT, "%n%-30s %7s %8s   %s%n", "ratio of medians", "ratio", "wanted", ""));
            for (Ratio g : ratios()) {
                double x = ratio(g);
                if (Double.isNaN(x)) {
                    continue;
                }
                b.append(String.format(Locale.ROOT, "%-30s %7.2f %8s   %s%s%n", g.describe(), x,
                        String.format(Locale.ROOT, ">= %.2f", g.wanted()), x >= g.wanted() ? "reached" : "below",
                        g.seed() ? " (the kernel's gain)" : ""));
            }
            return b.toString();
        }
    }

    /**
     * Runs {@code cases} (in table order whatever the list's) for {@code trials} trials of {@code seconds}
     * after {@code warmup} seconds each, progress on {@code progress} (null: quiet); {@code fork}: each
     * case in a JVM of its own (the CLI), otherwise all in this one (tests).
     */
    public static Result run(List<DispatcherCase> cases, int trials, double seconds, double warmup, boolean fork,
                             PrintWriter progress) {
        List<DispatcherCase> order = Trials.inTableOrder(DispatcherCase.all(), cases);
        List<Row> rows = new ArrayList<>();
        for (Trials.Measured m : Trials.run("dispatcher", order, trials, seconds, warmup, fork, progress)) {
            rows.add(new Row((DispatcherCase) m.which(), m.median(), m.nsPerPkt(), m.trials()));
        }
        return new Result(List.copyOf(rows), trials, seconds);
    }
}
