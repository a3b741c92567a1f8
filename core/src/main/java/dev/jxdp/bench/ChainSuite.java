package dev.jxdp.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code jxdp bench chain} (issue 17): what running a frame through several XDP programs costs, as seed
 * 003's table measured it in the kernel ({@link ChainCase}, {@link ChainBench}): one worker, 64-byte
 * frames, each case in a JVM of its own, trials interleaved and each figure the median of its trials
 * ({@link Trials}). Beside the rows, the seed's columns: each case's additional overhead (ns/packet over
 * the row before) and total overhead (over {@code single-drop}); then the targets on the overheads.
 */
public final class ChainSuite {

    /** Seconds of warm-up per case before any trial. */
    public static final double DEFAULT_WARMUP = 1.5;
    /** The case every total overhead is measured against. */
    public static final String BASE = ChainCase.SINGLE_DROP.label();

    private ChainSuite() {}

    /** One case's figures: the median of its trials, and every trial in the order run. */
    public record Row(ChainCase which, double mpps, double nsPerPkt, List<Double> trials) implements Trials.Figures {
        @Override
        public String label() { return which.label(); }
    }

    /**
     * A target on total overheads (ns/packet over {@code single-drop}): {@code overhead(num) <= factor x
     * overhead(den)}, or {@code overhead(num) <= factor} ns when {@code den} is null. {@code aim}: what the
     * issue aims at rather than demands.
     */
    public record Target(String num, String den, double factor, boolean aim, String why) {
        public String describe() {
            return den == null ? String.format(Locale.ROOT, "overhead(%s) <= %s ns", num, Trials.seconds(factor))
                    : String.format(Locale.ROOT, "overhead(%s) <= %s x overhead(%s)", num, Trials.seconds(factor), den);
        }
    }

    /** The targets, in the order printed. */
    public static List<Target> targets() {
        return List.of(
                new Target("chain-compiled", "tailcall", 1, false, "the reviewer's demand"),
                new Target("chain-dynamic", "tailcall", 2, false, "the seed's kernel code: 5x"),
                new Target("chain-compiled", null, 0.5, true, "a chain of two as one program"),
                new Target("chain-compiled-64", "chain-compiled", 64, true, "linear, no cliff"));
    }

    /** A whole run: one row per case, in {@link ChainCase} order. */
    public record Result(List<Row> rows, int trials, double seconds) {
        public Row row(String label) {
            for (Row r : rows) {
                if (r.label().equals(label)) {
                    return r;
                }
            }
            return null;
        }

        /** ns/packet of {@code label} over {@code single-drop}'s, or NaN when either did not run. */
        public double overhead(String label) {
            Row a = row(label);
            Row b = row(BASE);
            return a == null || b == null ? Double.NaN : a.nsPerPkt() - b.nsPerPkt();
        }

        /** ns/packet of row {@code i} over the row before's (the seed's additional overhead); NaN for the first. */
        public double additional(int i) {
            return i == 0 ? Double.NaN : rows.get(i).nsPerPkt() - rows.get(i - 1).nsPerPkt();
        }

        /** What {@code t} bounds the overhead by, in ns, or NaN when a case it needs did not run. */
        public double bound(Target t) {
            return t.den() == null ? t.factor() : t.factor() * overhead(t.den());
        }

        /** Whether {@code t} is reached; false when it cannot be told. */
        public boolean met(Target t) {
            return overhead(t.num()) <= bound(t);
        }

        /** Whether both cases of {@code t} ran (and {@code single-drop}). */
        public boolean measured(Target t) {
            return !Double.isNaN(overhead(t.num())) && !Double.isNaN(bound(t));
        }

        /**
         * {@code {"suite": "chain", "rows": [{"case", "mpps", "ns_per_pkt", "trials"}], "overheads": [{"case",
         * "additional_ns", "total_ns"}], "targets": [{"target", "num", "den", "factor", "overhead_ns", "bound_ns",
         * "met", "aim"}]}}: overheads when {@code single-drop} ran, the targets whose cases ran.
         */
        public String json() {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("suite", "chain");
            Trials.putRows(o, rows);
            ArrayNode ov = o.putArray("overheads");
            if (row(BASE) != null) {
                for (int i = 0; i < rows.size(); i++) {
                    ObjectNode n = ov.addObject().put("case", rows.get(i).label());
                    putNs(n, "additional_ns", additional(i));
                    putNs(n, "total_ns", overhead(rows.get(i).label()));
                }
            }
            ArrayNode ts = o.putArray("targets");
            for (Target t : targets()) {
                if (!measured(t)) {
                    continue;
                }
                ObjectNode n = ts.addObject().put("target", t.describe()).put("num", t.num());
                if (t.den() != null) {
                    n.put("den", t.den());
                } else {
                    n.putNull("den");
                }
                n.put("factor", t.factor());
                putNs(n, "overhead_ns", overhead(t.num()));
                putNs(n, "bound_ns", bound(t));
                n.put("met", met(t)).put("aim", t.aim());
            }
            return o.toString();
        }

        private static void putNs(ObjectNode n, String field, double ns) {
            if (Double.isNaN(ns)) {
                n.putNull(field);
            } else {
                n.put(field, Trials.round(ns, 2));
            }
        }

        /** The readable table with the seed's columns, then each target beside what it bounds. */
        public String table() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "chain: one worker, one device, 64-byte frames, every frame dropped by "
                    + "the last program it runs, median of %d trial%s of %s s%n%n", trials, trials == 1 ? "" : "s",
                    Trials.seconds(seconds)));
            Trials.appendRows(b, 18, rows);
            if (row(BASE) != null) {
                b.append(String.format(Locale.ROOT, "%n%-18s %9s %9s %13s %15s%n", "case", "Mpps", "ns/pkt",
                        "Add. overhead", "Total overhead"));
                for (int i = 0; i < rows.size(); i++) {
                    Row r = rows.get(i);
                    b.append(String.format(Locale.ROOT, "%-18s %9.2f %9.2f %13s %15s%n", r.label(), r.mpps(), r.nsPerPkt(),
                            i == 0 ? "" : ns(additional(i)), r.label().equals(BASE) ? "" : ns(overhead(r.label()))));
                }
            }
            boolean any = false;
            for (Target t : targets()) {
                if (!measured(t)) {
                    continue;
                }
                if (!any) {
                    b.append(String.format(Locale.ROOT, "%n%-62s %10s %10s%n", "target (overheads over " + BASE + ")",
                            "overhead", "bound"));
                    any = true;
                }
                b.append(String.format(Locale.ROOT, "%-62s %10s %10s   %s (%s%s)%n", t.describe(), ns(overhead(t.num())),
                        ns(bound(t)), met(t) ? "reached" : "missed", t.aim() ? "aim: " : "", t.why()));
            }
            return b.toString();
        }

        private static String ns(double v) {
            return String.format(Locale.ROOT, "%.2f ns", v);
        }
    }

    /**
     * Runs {@code cases} (in table order whatever the list's) for {@code trials} trials of {@code seconds}
     * after {@code warmup} seconds each, progress on {@code progress} (null: quiet); {@code fork}: each
     * case in a JVM of its own (the CLI), otherwise all in this one (tests).
     */
    public static Result run(List<ChainCase> cases, int trials, double seconds, double warmup, boolean fork,
                             PrintWriter progress) {
        List<ChainCase> order = Trials.inTableOrder(List.of(ChainCase.values()), cases);
        List<Row> rows = new ArrayList<>();
        for (Trials.Measured m : Trials.run("chain", order, trials, seconds, warmup, fork, progress)) {
            rows.add(new Row((ChainCase) m.which(), m.median(), m.nsPerPkt(), m.trials()));
        }
        return new Result(List.copyOf(rows), trials, seconds);
    }
}
