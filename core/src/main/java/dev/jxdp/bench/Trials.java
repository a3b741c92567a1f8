package dev.jxdp.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How a table suite measures its cases: each case's datapath built first (in a JVM of its own, or in
 * this one for tests), each warmed up (so C2 has compiled its program and the poll loop), then the trials
 * round-robin: trial 1 of every case, then trial 2 of every case, ..., so drift on a shared machine (a
 * neighbour's build, thermal or frequency changes) hits every case alike. A case's figure is the median
 * of its trials.
 */
final class Trials {

    private Trials() {}

    /** A table row's figures, as every table suite prints and writes them. */
    interface Figures {
        String label();

        double mpps();

        double nsPerPkt();

        List<Double> trials();
    }

    /** The rows as the suites' JSON contract has them: {@code "rows": [{"case", "mpps", "ns_per_pkt", "trials"}]}. */
    static void putRows(ObjectNode o, List<? extends Figures> rows) {
        ArrayNode rowsNode = o.putArray("rows");
        for (Figures r : rows) {
            ObjectNode n = rowsNode.addObject();
            n.put("case", r.label());
            n.put("mpps", round(r.mpps(), 4));
            n.put("ns_per_pkt", round(r.nsPerPkt(), 2));
            ArrayNode t = n.putArray("trials");
            for (double m : r.trials()) {
                t.add(round(m, 4));
            }
        }
    }

    /** The readable rows: a header, then a line per case (label padded to {@code width}) with every trial. */
    static void appendRows(StringBuilder b, int width, List<? extends Figures> rows) {
        b.append(String.format(Locale.ROOT, "%-" + width + "s %9s %9s   %s%n", "case", "Mpps", "ns/pkt", "trials (Mpps)"));
        for (Figures r : rows) {
            StringBuilder t = new StringBuilder();
            for (double m : r.trials()) {
                t.append(String.format(Locale.ROOT, " %.2f", m));
            }
            b.append(String.format(Locale.ROOT, "%-" + width + "s %9.3f %9.1f  %s%n", r.label(), r.mpps(), r.nsPerPkt(), t));
        }
    }

    /** One case's trials, in the order run, and their median. */
    record Measured(BenchCase which, double median, List<Double> trials) {
        double nsPerPkt() { return median > 0 ? 1e3 / median : Double.POSITIVE_INFINITY; }
    }

    /** One case, ready for timed slices: in this JVM, or in a JVM of its own. */
    private interface Runner extends AutoCloseable {
        /** Polls for {@code nanos}; Mpps over the slice. */
        double measure(long nanos);

        @Override
        void close();
    }

    private record InProcess(BenchCase.Polled path) implements Runner {
        @Override
        public double measure(long nanos) {
            long t0 = System.nanoTime();
            long n = path.run(nanos, () -> false);
            long t1 = System.nanoTime();
            return n * 1e3 / (t1 - t0);
        }

        @Override
        public void close() {
            path.close();
        }
    }

    private record Forked(CaseProcess process) implements Runner {
        @Override
        public double measure(long nanos) {
            return process.measure(nanos);
        }

        @Override
        public void close() {
            process.close();
        }
    }

    /** The cases of {@code chosen} in the order of {@code table} (a suite's print order), each once. */
    static <C> List<C> inTableOrder(List<C> table, List<C> chosen) {
        List<C> out = new ArrayList<>();
        for (C c : table) {
            if (chosen.contains(c)) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * Runs {@code order}'s cases for {@code trials} trials of {@code seconds} each after {@code warmup}
     * seconds per case, with a line per step on {@code progress} (null: quiet), each line starting with
     * {@code suite}. With {@code fork} each case runs in a JVM of its own ({@link CaseProcess}: what the CLI
     * does); without, all in this one, where they share the JIT's profiles (for tests).
     */
    static List<Measured> run(String suite, List<? extends BenchCase> order, int trials, double seconds, double warmup,
                              boolean fork, PrintWriter progress) {
        return run(suite, order, false, trials, seconds, warmup, fork, progress);
    }

    /** As above; with {@code dispatcher} each case's worker enters its program through the BPF dispatcher. */
    static List<Measured> run(String suite, List<? extends BenchCase> order, boolean dispatcher, int trials, double seconds,
                              double warmup, boolean fork, PrintWriter progress) {
        if (trials < 1 || !(seconds > 0) || !(warmup >= 0)) {
            throw new IllegalArgumentException("trials " + trials + ", seconds " + seconds + ", warm-up " + warmup);
        }
        Runner[] runners = new Runner[order.size()];
        double[][] mpps = new double[order.size()][trials];
        try {
            for (int i = 0; i < runners.length; i++) {
                BenchCase c = order.get(i);
                runners[i] = fork ? new Forked(CaseProcess.start(c, dispatcher)) : new InProcess(c.open(dispatcher));
                say(progress, suite, "ready    %-20s%s", c.label(), fork ? " (its own JVM)" : "");
            }
            long trialNs = (long) (seconds * 1e9);
            for (int i = 0; i < runners.length; i++) {
                if (warmup > 0) {
                    double m = runners[i].measure((long) (warmup * 1e9));
                    say(progress, suite, "warm-up  %-20s %8.3f Mpps", order.get(i).label(), m);
                }
            }
            for (int t = 0; t < trials; t++) {
                for (int i = 0; i < runners.length; i++) {
                    mpps[i][t] = runners[i].measure(trialNs);
                    say(progress, suite, "trial %d/%d %-20s %8.3f Mpps", t + 1, trials, order.get(i).label(), mpps[i][t]);
                }
            }
        } finally {
            for (Runner r : runners) {
                if (r != null) {
                    r.close();
                }
            }
        }
        List<Measured> out = new ArrayList<>();
        for (int i = 0; i < runners.length; i++) {
            List<Double> list = new ArrayList<>();
            for (double m : mpps[i]) {
                list.add(m);
            }
            out.add(new Measured(order.get(i), median(mpps[i]), List.copyOf(list)));
        }
        return out;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** Seconds as short as they can be written: 1, 0.05, 2.5. */
    static String seconds(double s) {
        return new java.math.BigDecimal(String.format(Locale.ROOT, "%.3f", s)).stripTrailingZeros().toPlainString();
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    private static void say(PrintWriter out, String suite, String format, Object... args) {
        if (out != null) {
            out.println(suite + ": " + String.format(Locale.ROOT, format, args));
            out.flush();
        }
    }
}
