package dev.jxdp.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.xdp.NapiWorker;
import dev.jxdp.xdp.dispatch.BpfDispatcher;
import dev.jxdp.xdp.dispatch.XdpCall;

import java.io.PrintWriter;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code jxdp bench dispatcher --swaps}: the JVM's text poke under traffic. One worker thread polls N
 * devices through the dispatcher ({@link DispatcherBench}) at full speed, counting its frames per bucket of
 * {@link #BUCKET_NS}; this thread replaces device 1's program every interval, between its own copy and a
 * second compilation of the same program (a class of its own, so every replace frees one slot and takes
 * another: a new dispatch class, {@code setTarget}, {@code syncAll}). Measured: each replace's time
 * ({@link XdpCall#update}, as a driver's xdp_call_update() pays it), and the worker's throughput from it
 * until the next against the median bucket of the warm-up's last second (no replaces): the lowest bucket,
 * how long until the rate is back, and the frames it fell short by expressed as the worker's time, beside
 * the same figure for stretches of that second as long as an interval. Figures are medians (and 99th
 * percentiles) over the replaces.
 */
public final class DispatcherSwaps {

    /** Replaces in a run unless told. */
    public static final int DEFAULT_SWAPS = 200;
    /** Programs (devices) the worker polls unless told. */
    public static final int DEFAULT_PROGRAMS = 4;
    /** Milliseconds between two replaces unless told: longer than C2's recompile after one. */
    public static final double DEFAULT_INTERVAL_MS = 200;
    /** Seconds of polling before the first replace, so that C2 has compiled the loop. */
    public static final double DEFAULT_WARMUP = 3;
    /** The end of the warm-up, at most this long, is the quiet stretch the replaces are compared with. */
    static final double QUIET_SECONDS = 1;
    /** The throughput series' resolution. */
    static final long BUCKET_NS = 100_000;
    /** A bucket counts as recovered at this share of the median bucket... */
    static final double RECOVERED = 0.9;
    /** ...when this many buckets in a row reach it. */
    static final int RECOVERED_RUN = 5;

    private DispatcherSwaps() {}

    /**
     * One run's figures. Times in µs; {@code dipMin}: the lowest bucket after a replace over the median
     * bucket; {@code lostUs}: the frames the buckets after a replace fell short of the median by, as time at
     * the median rate ({@code quietLostUs}: the same over stretches without a replace); {@code jitMs}: C2's
     * compile time during the replaces ({@code quietJitMs}: during the quiet second before them).
     */
    public record Result(int programs, int swaps, double intervalMs, double[] swapUs, double medianMpps,
                         double[] dipMin, double[] recoveryUs, double[] lostUs, double[] quietLostUs,
                         long generations, long jitMs, long quietJitMs) {

        public String json() {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("suite", "dispatcher-swaps");
            o.put("programs", programs);
            o.put("swaps", swaps);
            o.put("interval_ms", intervalMs);
            o.put("bucket_us", BUCKET_NS / 1e3);
            o.put("dispatch_classes_built", generations);
            quantiles(o.putObject("swap_us"), swapUs);
            ObjectNode dip = o.putObject("dip");
            dip.put("median_mpps", Trials.round(medianMpps, 4));
            quantiles(dip.putObject("min_ratio"), dipMin);
            quantiles(dip.putObject("recovery_us"), recoveryUs);
            quantiles(dip.putObject("lost_us"), lostUs);
            quantiles(dip.putObject("quiet_lost_us"), quietLostUs);
            ObjectNode jit = o.putObject("jit_ms");
            jit.put("during_swaps", jitMs);
            jit.put("quiet", quietJitMs);
            return o.toString();
        }

        private static void quantiles(ObjectNode n, double[] xs) {
            n.put("median", Trials.round(quantile(xs, 0.5), 3));
            n.put("p99", Trials.round(quantile(xs, 0.99), 3));
            n.put("max", Trials.round(quantile(xs, 1), 3));
        }

        public String table() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "dispatcher swaps: one worker, %d program%s through the dispatcher, "
                    + "%d replaces of one of them every %s ms, 64-byte frames%n%n", programs, programs == 1 ? "" : "s",
                    swaps, Trials.seconds(intervalMs)));
            b.append(String.format(Locale.ROOT, "%-44s %10s %10s %10s%n", "", "median", "p99", "max"));
            row(b, "replace (xdp_call_update), us", swapUs);
            row(b, "lowest 100-us bucket after it / median", dipMin);
            row(b, "until the rate is back (>= 0.9), us", recoveryUs);
            row(b, "frames lost to it, as worker time, us", lostUs);
            row(b, "the same, quiet stretches, us", quietLostUs);
            b.append(String.format(Locale.ROOT, "%nmedian rate %.3f Mpps; %d dispatch classes built; C2 compile time "
                    + "%d ms during the replaces, %d ms in the quiet second before them%n", medianMpps, generations, jitMs, quietJitMs));
            return b.toString();
        }

        private static void row(StringBuilder b, String what, double[] xs) {
            b.append(String.format(Locale.ROOT, "%-44s %10.3f %10.3f %10.3f%n", what, quantile(xs, 0.5),
                    quantile(xs, 0.99), quantile(xs, 1)));
        }
    }

    // the q-quantile (nearest rank) of xs; NaN for none
    static double quantile(double[] xs, double q) {
        if (xs.length == 0) {
            return Double.NaN;
        }
        double[] s = xs.clone();
        Arrays.sort(s);
        int i = (int) Math.ceil(q * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, i))];
    }

    /** The polling thread: frames received, sampled into buckets of {@link #BUCKET_NS} since {@code t0}. */
    private static final class Poller extends Thread {
        final NapiWorker[] workers;
        final long t0;
        final long[] frames;  // per bucket; buckets past the end are not recorded
        volatile boolean stop;

        Poller(NapiWorker[] workers, long t0, int buckets) {
            super("jxdp-swap-poller");
            setDaemon(true);
            this.workers = workers;
            this.t0 = t0;
            this.frames = new long[buckets];
        }

        @Override
        public void run() {
            NapiWorker[] ws = workers;
            long[] f = frames;
            while (!stop) {
                long got = 0;
                for (int i = 0; i < ws.length; i++) {
                    got += ws[i].poll(NapiWorker.BUDGET);
                }
                long b = (System.nanoTime() - t0) / BUCKET_NS;
                if (b < f.length) {
                    f[(int) b] += got;
                }
            }
        }
    }

    /**
     * Runs {@code swaps} replaces {@code intervalMs} apart on a worker polling {@code programs} devices,
     * after {@code warmup} seconds of polling; progress lines on {@code progress} (null: quiet).
     */
    public static Result run(int programs, int swaps, double intervalMs, double warmup, PrintWriter progress) {
        if (programs < 1 || programs > BpfDispatcher.MAX || swaps < 1 || !(intervalMs >= 1) || !(warmup >= 0)) {
            throw new IllegalArgumentException("programs " + programs + ", swaps " + swaps + ", interval " + intervalMs
                    + " ms, warm-up " + warmup + " s");
        }
        long intervalNs = (long) (intervalMs * 1e6);
        long warmNs = (long) (warmup * 1e9);
        long swapPhaseNs = swaps * intervalNs;
        // room for replaces that run late (each replace takes milliseconds on a busy machine): twice the
        // planned stretch; the analysis never reads past what was recorded
        int buckets = (int) ((warmNs + 2 * swapPhaseNs + 4 * intervalNs) / BUCKET_NS) + 1;
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        try (DispatcherBench bench = new DispatcherBench(programs, true, false)) {
            XdpCall call = bench.calls()[0];
            JitProgram own = bench.programs()[0].jit();
            // the same program compiled again by a compiler of its own: another class, as a new version is
            JitProgram other = JitCompiler.verifying().program(bench.programs()[0].program());
            long t0 = System.nanoTime();
            Poller poller = new Poller(bench.workers(), t0, buckets);
            poller.start();
            say(progress, "warm-up  %s s, %d program%s", Trials.seconds(warmup), programs, programs == 1 ? "" : "s");
            // the last stretch of the warm-up: the rate, the shortfall and C2's compile time without replaces
            long quietFrom = t0 + warmNs - Math.min(warmNs, (long) (QUIET_SECONDS * 1e9));
            sleepUntil(quietFrom);
            long jitQuiet0 = jit.getTotalCompilationTime();
            long start = t0 + warmNs;
            sleepUntil(start);
            long jitQuiet1 = jit.getTotalCompilationTime();
            long generation0 = BpfDispatcher.xdp().generation();
            say(progress, "replaces %d, every %s ms", swaps, Trials.seconds(intervalMs));
            long[] at = new long[swaps];
            double[] swapUs = new double[swaps];
            for (int s = 0; s < swaps; s++) {
                sleepUntil(start + s * intervalNs);
                long a = System.nanoTime();
                call.update(s % 2 == 0 ? other : own);  // xdp_call_update(): a new dispatch class, set and synced
                long z = System.nanoTime();
                at[s] = a;
                swapUs[s] = (z - a) / 1e3;
            }
            sleepUntil(Math.max(start + swapPhaseNs, at[swaps - 1] + intervalNs));
            long jitSwaps = jit.getTotalCompilationTime() - jitQuiet1;
            long generations = BpfDispatcher.xdp().generation() - generation0;
            poller.stop = true;
            try {
                poller.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BenchException("interrupted");
            }
            if (call.program() != own) {
                call.update(own);  // the datapath closes with its own program attached
            }
            return analyse(programs, swaps, intervalMs, poller.frames, (int) ((quietFrom - t0) / BUCKET_NS),
                    (int) ((start - t0) / BUCKET_NS), at, t0, swapUs, generations, jitSwaps, jitQuiet1 - jitQuiet0);
        }
    }

    // the throughput series after each replace (until the next), against the median bucket of the quiet
    // stretch [quietFrom, quietTo) before the first
    static Result analyse(int programs, int swaps, double intervalMs, long[] frames, int quietFrom, int quietTo,
                                  long[] at, long t0, double[] swapUs, long generations, long jitMs, long quietJitMs) {
        double[] quietBuckets = new double[Math.max(1, quietTo - quietFrom)];
        for (int i = 0; i < quietTo - quietFrom; i++) {
            quietBuckets[i] = frames[quietFrom + i];
        }
        double median = quantile(quietBuckets, 0.5);
        int window = (int) Math.max(1, (long) (intervalMs * 1e6) / BUCKET_NS);
        double[] dip = new double[swaps];
        double[] recovery = new double[swaps];
        double[] lost = new double[swaps];
        double[] quiet = new double[Math.max(1, (quietTo - quietFrom) / window)];
        double usPerFrame = median > 0 ? BUCKET_NS / 1e3 / median : 0;
        for (int s = 0; s < swaps; s++) {
            int b = (int) Math.min((at[s] - t0) / BUCKET_NS, frames.length - 1);
            int w = Math.min(window, frames.length - b);  // a replace so late that its window runs past the record
            double min = Double.POSITIVE_INFINITY;
            for (int i = b; i < b + w; i++) {
                min = Math.min(min, frames[i]);
            }
            dip[s] = median > 0 ? min / median : 0;
            recovery[s] = recoveredAfter(frames, b, w, median) * BUCKET_NS / 1e3;
            lost[s] = shortfall(frames, b, w, median) * usPerFrame;
        }
        for (int w = 0; w < quiet.length; w++) {
            quiet[w] = shortfall(frames, quietFrom + w * window, Math.min(window, quietTo - quietFrom), median) * usPerFrame;
        }
        return new Result(programs, swaps, intervalMs, swapUs, median * 1e3 / BUCKET_NS, dip, recovery, lost, quiet,
                generations, jitMs, quietJitMs);
    }

    // buckets from b until RECOVERED_RUN in a row reach RECOVERED of the median (window when they never do)
    private static int recoveredAfter(long[] frames, int b, int window, double median) {
        int run = 0;
        for (int i = b; i < b + window; i++) {
            run = frames[i] >= RECOVERED * median ? run + 1 : 0;
            if (run == RECOVERED_RUN) {
                return i - RECOVERED_RUN + 1 - b;
            }
        }
        return window;
    }

    // the frames buckets b..b+window-1 fell short of the median by
    private static double shortfall(long[] frames, int b, int window, double median) {
        double lost = 0;
        for (int i = b; i < b + window; i++) {
            lost += Math.max(0, median - frames[i]);
        }
        return lost;
    }

    private static void sleepUntil(long deadline) {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }

    private static void say(PrintWriter progress, String format, Object... args) {
        if (progress != null) {
            progress.printf(Locale.ROOT, "dispatcher " + format + "%n", args);
            progress.flush();
        }
    }
}
