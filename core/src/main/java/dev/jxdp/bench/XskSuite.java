package dev.jxdp.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code jxdp bench xsk} (issue 18): seed 002's table, xdpsock rxdrop through each RX path to an AF_XDP
 * socket ({@link XskCase}, {@link XskBench}): one worker and one application thread, 64-byte frames, each
 * case in a JVM of its own, trials interleaved, each figure the median of its trials ({@link Trials}).
 * Beside the rows, cycles per packet estimated from ns/packet and the CPU clock, and the targets
 * as ratios of Mpps taken in this one run.
 */
public final class XskSuite {

    /** Seconds of warm-up per case before any trial. */
    public static final double DEFAULT_WARMUP = 1.5;

    private XskSuite() {}

    /** One case's figures: the median of its trials, and every trial in the order run. */
    public record Row(XskCase which, double mpps, double nsPerPkt, List<Double> trials) implements Trials.Figures {
        @Override
        public String label() { return which.label(); }
    }

    /** A target: {@code mpps(num) >= factor x mpps(den)}; {@code kind} says who sets it. */
    public record Target(String num, String den, double factor, String kind) {
        public String describe() {
            return String.format(Locale.ROOT, "%s >= %s x %s", num, Trials.seconds(factor), den);
        }
    }

    /** The targets, in the order printed: the musts, the seed's figures, the aim. */
    public static List<Target> targets() {
        return List.of(
                new Target("transparent", "redirect-xsk", 0.97, "must: an unchanged program gets the fast path"),
                new Target("transparent-batched", "redirect-xsk-batched", 0.97, "must: the same, batched"),
                new Target("redirect-xsk-batched", "redirect-xsk", 1, "must"),
                new Target("redirect-xsk", "generic", 1, "must"),
                new Target("redirect-xsk", "generic", 1.13, "the seed's figure"),
                new Target("redirect-xsk-batched", "generic", 1.27, "the seed's figure"),
                new Target("redirect-xsk-batched", "generic", 1.5, "aim"));
    }

    /**
     * A whole run: one row per case, in {@link XskCase} order; {@code cpuMhz} NaN when unknown. A target
     * compares two cases of one setup, both with the application on its own thread or both busy-polling.
     */
    public record Result(List<Row> rows, int trials, double seconds, double cpuMhz) {
        public Row row(String label) {
            for (Row r : rows) {
                if (r.label().equals(label)) {
                    return r;
                }
            }
            return null;
        }

        /** mpps(num) / mpps(den) in the setup {@code suffix} ("" or {@link XskCase#BUSY_POLL}), or NaN when either did not run. */
        public double ratio(Target t, String suffix) {
            Row a = row(t.num() + suffix);
            Row b = row(t.den() + suffix);
            return a == null || b == null ? Double.NaN : a.mpps() / b.mpps();
        }

        /** The setups with rows: "" (the application on its own thread) and/or {@link XskCase#BUSY_POLL}. */
        public List<String> setups() {
            List<String> out = new ArrayList<>();
            for (String s : List.of("", XskCase.BUSY_POLL)) {
                for (Row r : rows) {
                    if (r.which().busyPoll() == !s.isEmpty()) {
                        out.add(s);
                        break;
                    }
                }
            }
            return out;
        }

        /** CPU cycles per packet: ns/packet times the clock, NaN when the clock is unknown. */
        public double cycles(Row r) {
            return r.nsPerPkt() * cpuMhz / 1e3;
        }

        /**
         * {@code {"suite": "xsk", "rows": [{"case", "mpps", "ns_per_pkt", "trials"}], "cpu_mhz", "cycles":
         * [{"case", "cycles_per_pkt"}], "targets": [{"target", "num", "den", "factor", "ratio", "met", "kind"}]}}:
         * the targets whose cases ran; cycles null when the clock is unknown.
         */
        public String json() {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("suite", "xsk");
            Trials.putRows(o, rows);
            if (Double.isNaN(cpuMhz)) {
                o.putNull("cpu_mhz");
            } else {
                o.put("cpu_mhz", Trials.round(cpuMhz, 1));
            }
            ArrayNode cy = o.putArray("cycles");
            for (Row r : rows) {
                ObjectNode n = cy.addObject().put("case", r.label());
                if (Double.isNaN(cpuMhz)) {
                    n.putNull("cycles_per_pkt");
                } else {
                    n.put("cycles_per_pkt", Trials.round(cycles(r), 1));
                }
            }
            ArrayNode ts = o.putArray("targets");
            for (String setup : setups()) {
                for (Target t : targets()) {
                    double q = ratio(t, setup);
                    if (!Double.isNaN(q)) {
                        ts.addObject().put("target", t.describe()).put("num", t.num() + setup).put("den", t.den() + setup)
                                .put("factor", t.factor()).put("ratio", Trials.round(q, 3)).put("met", q >= t.factor())
                                .put("kind", t.kind());
                    }
                }
            }
            return o.toString();
        }

        /** The readable table, cycles per packet beside it, then each target with its ratio. */
        public String table() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "xsk: rxdrop, one worker and one application thread (%s: the application "
                    + "busy-polling on the worker's thread), one socket, 64-byte frames, copy mode, median of %d trial%s of %s s%n%n",
                    XskCase.BUSY_POLL, trials, trials == 1 ? "" : "s", Trials.seconds(seconds)));
            Trials.appendRows(b, 31, rows);
            if (!Double.isNaN(cpuMhz)) {
                b.append(String.format(Locale.ROOT, "%ncycles/packet at %.0f MHz (ns/packet x clock, an estimate):%n", cpuMhz));
                for (Row r : rows) {
                    b.append(String.format(Locale.ROOT, "  %-31s %7.1f%n", r.label(), cycles(r)));
                }
            }
            for (String setup : setups()) {
                boolean any = false;
                for (Target t : targets()) {
                    double q = ratio(t, setup);
                    if (Double.isNaN(q)) {
                        continue;
                    }
                    if (!any) {
                        b.append(String.format(Locale.ROOT, "%n%-50s %7s%n", "target (Mpps ratio, this run"
                                + (setup.isEmpty() ? "" : ", " + setup.substring(1) + " cases") + ")", "ratio"));
                        any = true;
                    }
                    b.append(String.format(Locale.ROOT, "%-50s %7.3f   %s (%s)%n", t.describe(), q,
                            q >= t.factor() ? "met" : "missed", t.kind()));
                }
            }
            return b.toString();
        }
    }

    /**
     * Runs {@code cases} (in table order whatever the list's) for {@code trials} trials of {@code seconds}
     * after {@code warmup} seconds each, progress on {@code progress} (null: quiet); {@code fork}: each
     * case in a JVM of its own (the CLI), otherwise all in this one (tests).
     */
    public static Result run(List<XskCase> cases, int trials, double seconds, double warmup, boolean fork,
                             PrintWriter progress) {
        List<XskCase> order = Trials.inTableOrder(List.of(XskCase.values()), cases);
        List<Row> rows = new ArrayList<>();
        for (Trials.Measured m : Trials.run("xsk", order, trials, seconds, warmup, fork, progress)) {
            rows.add(new Row((XskCase) m.which(), m.median(), m.nsPerPkt(), m.trials()));
        }
        return new Result(rows, trials, seconds, cpuMhz(Path.of("/proc/cpuinfo")));
    }

    /** The first {@code cpu MHz} of a /proc/cpuinfo, or NaN when there is none (another OS, no such line). */
    static double cpuMhz(Path cpuinfo) {
        try {
            for (String line : Files.readAllLines(cpuinfo)) {
                if (line.startsWith("cpu MHz")) {
                    int colon = line.indexOf(':');
                    return colon < 0 ? Double.NaN : Double.parseDouble(line.substring(colon + 1).strip());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
