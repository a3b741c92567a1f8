package dev.jxdp.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jxdp.xdp.CpuMapRunner;
import dev.jxdp.xdp.RxMode;
import dev.jxdp.xdp.RxQueueStats;
import dev.jxdp.xdp.dispatch.XdpCall;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * {@code jxdp bench xdp MODE}, as xdp-bench runs one of its programs: the built-in program of the mode on
 * the {@link BenchDatapath} (one worker on the calling thread, pktgen's 64-byte frames), a line per second
 * with the receive rate and each action's rate, and a summary at the end.
 */
public final class XdpBench {

    private XdpBench() {}

    /**
     * The outcome of a run.
     *
     * @param stats   the worker's counters (all zero but for the floor's rx, which has no worker)
     * @param seconds the time polled
     * @param stackUdp IPv4 UDP packets the stack stage took (XDP_PASS)
     * @param peer    frames that arrived at the redirect target's peer (veth1)
     * @param cpuMap  what the CPUMAP consumer did with the frames it was given (redirect-cpu)
     * @param redirectBulk frames per device bulk of XDP_REDIRECT
     * @param dispatcher  whether the worker entered its program through the BPF dispatcher (asked for; the
     *                    floor has no program)
     * @param dispatcherRuns runs of the program through the dispatcher
     */
    public record Result(XdpBenchMode mode, RxMode rxMode, RxQueueStats stats, double seconds, long stackUdp,
                         long peer, CpuMapRunner.Stats cpuMap, int redirectBulk, boolean dispatcher,
                         long dispatcherRuns) {
        public double mpps() {
            return seconds > 0 ? stats.rx / seconds / 1e6 : 0;
        }

        public double nsPerPkt() {
            return stats.rx > 0 ? seconds * 1e9 / stats.rx : 0;
        }

        public String json() {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("mode", mode.label()).put("rx_mode", rxMode.name().toLowerCase(Locale.ROOT))
                    .put("redirect_bulk", redirectBulk)
                    .put("seconds", Math.round(seconds * 1e6) / 1e6)
                    .put("rx", stats.rx).put("drop", stats.drop).put("aborted", stats.aborted).put("tx", stats.tx)
                    .put("redirect", stats.redirect).put("pass", stats.pass).put("errors", stats.errors)
                    .put("mpps", Math.round(mpps() * 1e4) / 1e4).put("ns_per_pkt", Math.round(nsPerPkt() * 100) / 100.0);
            if (dispatcher) {  // only when on: the plain run's object is as it always was
                o.put("dispatcher", true).put("dispatcher_runs", dispatcherRuns);
            }
            if (mode == XdpBenchMode.REDIRECT_CPU) {
                o.put("cpumap_passed", cpuMap.passed()).put("cpumap_dropped", cpuMap.dropped() + cpuMap.aborted());
            }
            return o.toString();
        }

        public String summary() {
            String s = String.format(Locale.ROOT, "%s (%s RX%s): %.3f Mpps, %.1f ns/pkt over %.2f s, one worker, 64-byte frames%n"
                            + "rx %d  drop %d  aborted %d  tx %d  redirect %d  pass %d  errors %d%n",
                    mode.label(), rxMode.name().toLowerCase(Locale.ROOT), dispatcher ? ", BPF dispatcher" : "", mpps(), nsPerPkt(), seconds, stats.rx,
                    stats.drop, stats.aborted, stats.tx, stats.redirect, stats.pass, stats.errors);
            if (mode == XdpBenchMode.REDIRECT_CPU) {
                s += String.format(Locale.ROOT, "cpumap   passed %d to the stack (%.3f Mpps), dropped %d%n", cpuMap.passed(),
                        seconds > 0 ? cpuMap.passed() / seconds / 1e6 : 0, cpuMap.dropped() + cpuMap.aborted());
            }
            if (dispatcher) {
                s += String.format(Locale.ROOT, "xdp_call %d runs through the BPF dispatcher%n", dispatcherRuns);
            }
            return s;
        }
    }

    /**
     * Runs {@code mode} for {@code seconds} (or until {@code stop}), XDP_REDIRECT's device bulks of
     * {@code redirectBulk} frames (1..16), printing a line per second on {@code live} (null: quiet). The
     * floor counts its frames as received only.
     */
    public static Result run(XdpBenchMode mode, RxMode rxMode, int redirectBulk, double seconds, PrintWriter live,
                             BooleanSupplier stop) {
        return run(mode, rxMode, redirectBulk, false, seconds, live, stop);
    }

    /**
     * As {@link #run(XdpBenchMode, RxMode, int, double, PrintWriter, BooleanSupplier)}; with
     * {@code dispatcher} the worker enters its program through the BPF dispatcher ({@link XdpCall}).
     */
    public static Result run(XdpBenchMode mode, RxMode rxMode, int redirectBulk, boolean dispatcher, double seconds,
                             PrintWriter live, BooleanSupplier stop) {
        if (!(seconds > 0)) {
            throw new IllegalArgumentException("seconds " + seconds);
        }
        BenchDatapath p = new BenchDatapath(mode, rxMode, redirectBulk, dispatcher);
        try {
            RxQueueStats s = p.stats();
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            long last = start;
            long nextLine = start + 1_000_000_000L;
            Snapshot prev = new Snapshot(p);
            while (!stop.getAsBoolean()) {
                long now = System.nanoTime();
                if (now >= end) {
                    break;
                }
                p.run(Math.min(nextLine, end) - now, stop);
                now = System.nanoTime();
                if (now >= nextLine || now >= end) {
                    Snapshot cur = new Snapshot(p);
                    if (live != null) {
                        live.println(line(mode, (now - start) / 1e9, prev, cur, now - last));
                        live.flush();
                    }
                    prev = cur;
                    last = now;
                    nextLine = now + 1_000_000_000L;
                }
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            RxQueueStats copy = copy(s);
            if (mode == XdpBenchMode.FLOOR) {
                copy.rx = p.received();
            }
            long runs = p.dispatcherRuns();
            p.close();  // the CPUMAP consumer finishes its queue first: its counters are final after this
            return new Result(mode, rxMode, copy, elapsed, p.stack().udp(), p.peerReceived(), p.cpuMapStats(), redirectBulk,
                    dispatcher, runs);
        } finally {
            p.close();
        }
    }

    private record Snapshot(long rx, long drop, long pass, long tx, long redirect, long errors) {
        Snapshot(BenchDatapath p) {
            this(p.received(), p.stats().drop + p.stats().aborted, p.stats().pass, p.stats().tx, p.stats().redirect,
                    p.stats().errors);
        }
    }

    // like xdp-bench's per-second line: the receive rate, then each action's rate
    private static String line(XdpBenchMode mode, double at, Snapshot a, Snapshot b, long ns) {
        double per = 1e3 / ns;  // packets per ns * 1e3 = Mpps
        if (mode == XdpBenchMode.FLOOR) {
            return String.format(Locale.ROOT, "%-13s %6.1fs  rx %8.3f Mpps  (no program: read and recycled)",
                    mode.label(), at, (b.rx - a.rx) * per);
        }
        return String.format(Locale.ROOT,
                "%-13s %6.1fs  rx %8.3f Mpps  drop %7.3f  pass %7.3f  tx %7.3f  redirect %7.3f  errors %7.3f",
                mode.label(), at, (b.rx - a.rx) * per, (b.drop - a.drop) * per, (b.pass - a.pass) * per,
                (b.tx - a.tx) * per, (b.redirect - a.redirect) * per, (b.errors - a.errors) * per);
    }

    private static RxQueueStats copy(RxQueueStats s) {
        RxQueueStats c = new RxQueueStats();
        c.rx = s.rx;
        c.drop = s.drop;
        c.aborted = s.aborted;
        c.tx = s.tx;
        c.redirect = s.redirect;
        c.pass = s.pass;
        c.errors = s.errors;
        c.polls = s.polls;
        return c;
    }
}
