package dev.jxdp.cli;

import dev.jxdp.bench.BenchException;
import dev.jxdp.bench.ChainCase;
import dev.jxdp.bench.ChainChart;
import dev.jxdp.bench.ChainSuite;
import dev.jxdp.bench.DatapathCase;
import dev.jxdp.bench.DatapathChart;
import dev.jxdp.bench.DatapathSuite;
import dev.jxdp.bench.DispatcherCase;
import dev.jxdp.bench.DispatcherChart;
import dev.jxdp.bench.DispatcherSuite;
import dev.jxdp.bench.DispatcherSwaps;
import dev.jxdp.bench.XdpBench;
import dev.jxdp.bench.XdpBenchMode;
import dev.jxdp.bench.XskCase;
import dev.jxdp.bench.XskChart;
import dev.jxdp.bench.XskSuite;
import dev.jxdp.xdp.NapiWorker;
import dev.jxdp.xdp.RxMode;
import dev.jxdp.xdp.dispatch.BpfDispatcher;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code jxdp bench}: the datapath benchmarks (dev.jxdp.bench); this class parses options and prints. */
@Command(name = "bench", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Measure the datapath: one program like xdp-bench, or the datapath table.",
        description = {"Every benchmark runs one worker on pktgen's 64-byte IPv4 UDP frames, with the built-in "
                + "programs (core/src/main/bpf). Progress goes to stderr, results to stdout.", ""},
        subcommands = {BenchCommand.Xdp.class, BenchCommand.Datapath.class, BenchCommand.Dispatcher.class,
                BenchCommand.Chain.class, BenchCommand.Xsk.class},
        commandListHeading = "%nSuites:%n")
final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing suite (xdp MODE, datapath, dispatcher, chain or xsk)");
    }

    // --dispatcher on|off, as jxdp run takes it
    private static boolean onOff(String dispatcher) {
        if (!dispatcher.equals("on") && !dispatcher.equals("off")) {
            throw new CliException("--dispatcher " + dispatcher + ": want on or off");
        }
        return dispatcher.equals("on");
    }

    /** {@code jxdp bench xdp MODE}: one built-in program, a line a second, a summary. */
    @Command(name = "xdp", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
            header = "Run one built-in XDP program over generated traffic, like xdp-bench.",
            description = {"MODE is one of: floor (no program: read each frame's first cache line and recycle it, "
                    + "the upper bound), drop, pass (to a stack stage that checks the IPv4 header), tx (MACs swapped, "
                    + "XDP_TX), redirect (bpf_redirect to a veth), redirect-map (DEVMAP slot 0, the same veth), "
                    + "redirect-cpu (CPUMAP to another CPU's consumer), mixed (50%% drop, 30%% pass, 20%% tx by UDP "
                    + "source port). A stats line every second on stderr, a summary at the end; Ctrl-C stops "
                    + "with the summary.", ""},
            footer = {"", "Examples:", "  jxdp bench xdp drop --duration 5", "  jxdp bench xdp mixed --rx-mode vector --json",
                    "  jxdp bench xdp drop --dispatcher on"})
    static final class Xdp implements Runnable {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "MODE", description = "floor, drop, pass, tx, redirect, redirect-map, redirect-cpu or mixed")
        String mode;

        @Option(names = "--duration", paramLabel = "S", defaultValue = "10", description = "seconds to run (default: ${DEFAULT-VALUE})")
        double duration;

        @Option(names = "--rx-mode", paramLabel = "MODE", defaultValue = "scalar",
                description = "scalar, vector (RX-stages vectors of 16) or auto (default: ${DEFAULT-VALUE})")
        String rxMode;

        @Option(names = "--redirect-bulk", paramLabel = "N", defaultValue = "16",
                description = "frames per device bulk of XDP_REDIRECT, 1 (each frame sent on its own) to 16 (default: ${DEFAULT-VALUE})")
        int redirectBulk;

        @Option(names = "--dispatcher", paramLabel = "on|off", defaultValue = "off",
                description = "on: the worker enters its program through the BPF dispatcher (an xdp_call, as jxdp run "
                        + "--dispatcher on) instead of its plain call; the summary says so, and the JSON has \"dispatcher\": true and "
                        + "\"dispatcher_runs\" (default: ${DEFAULT-VALUE})")
        String dispatcher;

        @Option(names = "--json", description = "print the summary as one JSON object")
        boolean json;

        private volatile boolean stop;

        @Override
        public void run() {
            XdpBenchMode m = XdpBenchMode.byLabel(mode);
            if (m == null) {
                throw new CliException("bench xdp: unknown mode '" + mode + "' (modes: " + XdpBenchMode.labels() + ")");
            }
            RxMode rx = RxMode.parse(rxMode);
            if (rx == null) {
                throw new CliException("--rx-mode " + rxMode + ": want scalar, vector or auto");
            }
            if (!(duration > 0) || Double.isInfinite(duration)) {
                throw new CliException("--duration must be a positive number of seconds (got " + duration + ")");
            }
            if (redirectBulk < 1 || redirectBulk > NapiWorker.TX_BULK) {
                throw new CliException("--redirect-bulk must be 1.." + NapiWorker.TX_BULK + " (got " + redirectBulk + ")");
            }
            boolean dispatch = onOff(dispatcher);
            PrintWriter err = spec.commandLine().getErr();
            CountDownLatch finished = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                stop = true;
                try {
                    finished.await(5, TimeUnit.SECONDS);  // let the run print its summary
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                Runtime.getRuntime().addShutdownHook(hook);
                XdpBench.Result r = XdpBench.run(m, rx, redirectBulk, dispatch, duration, err, () -> stop);
                PrintWriter out = spec.commandLine().getOut();
                out.print(json ? r.json() + System.lineSeparator() : r.summary());
                out.flush();
            } catch (BenchException e) {
                throw new CliException("bench xdp " + e.getMessage());
            } finally {
                finished.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException | IllegalArgumentException e) {
                    // shutting down already (Ctrl-C)
                }
            }
        }
    }

    /** What the table benches share: JSON or a table, how many trials and how long each; checked before a run. */
    static final class TrialOptions {
        @Option(names = "--json", description = "print one JSON object instead of the table")
        boolean json;

        @Option(names = "--trials", paramLabel = "N", defaultValue = "5", description = "trials per case, at least 5 (default: ${DEFAULT-VALUE})")
        int trials;

        @Option(names = "--seconds", paramLabel = "S", defaultValue = "1", description = "seconds per trial, 0.1 to 60 (default: ${DEFAULT-VALUE})")
        double seconds;

        /** A one-line error for a bad --trials or --seconds, or a --plot file that cannot be written: before the run, not after minutes of it. */
        void check(Path plot) {
            if (trials < DatapathSuite.MIN_TRIALS) {
                throw new CliException("--trials must be at least " + DatapathSuite.MIN_TRIALS + " (got " + trials + ")");
            }
            if (!(seconds >= 0.1 && seconds <= 60)) {
                throw new CliException("--seconds must be between 0.1 and 60 (got " + seconds + ")");
            }
            if (plot != null) {
                String bad = DatapathChart.checkWritable(plot);
                if (bad != null) {
                    throw new CliException(bad);
                }
            }
        }
    }

    /** {@code jxdp bench datapath}: the page-pool, bulking and RX-stages table. */
    @Command(name = "datapath", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
            header = "The datapath table: every action, bulked and unbulked redirects, scalar and vector RX.",
            description = {"Cases: floor, drop, pass, tx, redirect, redirect-map, redirect-map-nobulk (bulk 1), "
                    + "redirect-cpu, mixed-scalar and mixed-vector (50%% drop / 30%% pass / 20%% tx). Each case runs in "
                    + "a JVM of its own and is warmed up, then the trials run round-robin over the cases; each "
                    + "figure is the median of its trials. Prints a table with each mechanism's effect (a ratio of two cases) beside the kernel's, or with --json one object "
                    + "{\"suite\": \"datapath\", \"rows\": [{\"case\", \"mpps\", \"ns_per_pkt\", \"trials\"}]}. "
                    + "The defaults take about 70 seconds.", ""},
            footer = {"", "Examples:", "  jxdp bench datapath", "  jxdp bench datapath --json --plot datapath.png --trials 7",
                    "  jxdp bench datapath --dispatcher on --cases drop,mixed-scalar"})
    static final class Datapath implements Runnable {

        @Spec
        CommandSpec spec;

        @Mixin
        TrialOptions trial;

        @Option(names = "--plot", paramLabel = "FILE.png", description = "also write a PNG bar chart")
        Path plot;

        @Option(names = "--cases", paramLabel = "CASE[,CASE...]", split = ",",
                description = "run only these cases (default: all); a target is reported only when both its cases ran")
        List<String> cases;

        @Option(names = "--dispatcher", paramLabel = "on|off", defaultValue = "off",
                description = "on: every case's worker enters its program through the BPF dispatcher (an xdp_call, as "
                        + "jxdp run --dispatcher on) instead of its plain call; the table's header says so, and the "
                        + "JSON has \"dispatcher\": true (default: ${DEFAULT-VALUE})")
        String dispatcher;

        @Override
        public void run() {
            List<DatapathCase> which = selected(cases);
            boolean dispatch = onOff(dispatcher);
            trial.check(plot);
            PrintWriter out = spec.commandLine().getOut();
            try {
                DatapathSuite.Result r = DatapathSuite.run(which, dispatch, trial.trials, trial.seconds, spec.commandLine().getErr());
                if (plot != null) {
                    DatapathChart.write(r, plot);
                }
                out.print(trial.json ? r.json() + System.lineSeparator() : r.table());
                out.flush();
            } catch (BenchException e) {
                throw new CliException("bench datapath: " + e.getMessage());
            }
        }

        private static List<DatapathCase> selected(List<String> names) {
            if (names == null || names.isEmpty()) {
                return List.of(DatapathCase.values());
            }
            List<DatapathCase> out = new ArrayList<>();
            for (String n : names) {
                DatapathCase c = DatapathCase.byLabel(n.strip());
                if (c == null) {
                    throw new CliException("--cases: unknown case '" + n.strip() + "' (cases: " + DatapathCase.labels() + ")");
                }
                if (!out.contains(c)) {
                    out.add(c);
                }
            }
            return out;
        }
    }

    /** {@code jxdp bench dispatcher}: N programs entered through the BPF dispatcher or by their own virtual call. */
    @Command(name = "dispatcher", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
            header = "The BPF dispatcher table: N different programs, entered by direct calls or one shared virtual call.",
            description = {"One worker polls N devices in turn, each running its own copy of the XDP_DROP program (a "
                    + "class of its own), 64-byte frames. Cases: baseline-N (each program entered by the one virtual "
                    + "call every program shares) and dispatcher-N (through the BPF dispatcher's direct calls) for N in "
                    + "1, 2, 4, 8, 16, 32, 48; baseline-49 and full: 49 programs, one more than the dispatcher's 48 "
                    + "slots, measured on the traffic of the program left without a slot. Named with --cases only: "
                    + "shared-N (N = 2 to 48), the devices of dispatcher-N all running one program, which tells "
                    + "what N devices cost from what N programs cost (ratio dispatcher-N / shared-N). Each case runs in a JVM of "
                    + "its own and is warmed up, then the trials run round-robin over the cases; each figure is the "
                    + "median of its trials. Prints a table with the ratios dispatcher-N / dispatcher-1, dispatcher-N "
                    + "/ baseline-N and full / baseline-49, or with --json one object {\"suite\": \"dispatcher\", "
                    + "\"rows\": [{\"case\", \"mpps\", \"ns_per_pkt\", \"trials\"}], \"ratios\": [...]}. The defaults "
                    + "take about two minutes.", ""},
            footer = {"", "Examples:", "  jxdp bench dispatcher", "  jxdp bench dispatcher --json --plot dispatcher.png --trials 7",
                    "  jxdp bench dispatcher --cases baseline-16,dispatcher-16",
                    "  jxdp bench dispatcher --cases dispatcher-1,dispatcher-48,shared-48",
                    "  jxdp bench dispatcher --swaps 500 --programs 4 --json"})
    static final class Dispatcher implements Runnable {

        @Spec
        CommandSpec spec;

        @Mixin
        TrialOptions trial;

        @Option(names = "--plot", paramLabel = "FILE.png", description = "also write a PNG chart: Mpps against N, both lines")
        Path plot;

        @Option(names = "--cases", paramLabel = "CASE[,CASE...]", split = ",",
                description = "run only these cases (default: the table, without shared-N); a ratio is reported only "
                        + "when both its cases ran")
        List<String> cases;

        @Option(names = "--swaps", paramLabel = "N", arity = "0..1", fallbackValue = "" + DispatcherSwaps.DEFAULT_SWAPS,
                description = "instead of the table: the cost of a live replace. One worker polls --programs devices "
                        + "through the dispatcher while one device's program is replaced N times (default "
                        + DispatcherSwaps.DEFAULT_SWAPS + "); prints each replace's time (median, p99) and the "
                        + "throughput dip around it; with --json {\"suite\": \"dispatcher-swaps\", \"swap_us\": "
                        + "{median, p99, max}, \"dip\": {...}, \"jit_ms\": {...}}")
        Integer swaps;

        @Option(names = "--programs", paramLabel = "N", defaultValue = "" + DispatcherSwaps.DEFAULT_PROGRAMS,
                description = "with --swaps: programs (devices) the worker polls, 1 to 48 (default: ${DEFAULT-VALUE})")
        int programs;

        @Option(names = "--swap-interval", paramLabel = "MS", defaultValue = "" + DispatcherSwaps.DEFAULT_INTERVAL_MS,
                description = "with --swaps: milliseconds between two replaces, 1 to 1000 (default: ${DEFAULT-VALUE})")
        double interval;

        @Option(names = "--warmup", paramLabel = "S", defaultValue = "" + DispatcherSwaps.DEFAULT_WARMUP,
                description = "with --swaps: seconds of polling before the first replace, 0 to 60 (default: ${DEFAULT-VALUE})")
        double warmup;

        @Override
        public void run() {
            if (swaps != null) {
                runSwaps();
                return;
            }
            List<DispatcherCase> which = selected(cases);
            trial.check(plot);
            PrintWriter out = spec.commandLine().getOut();
            try {
                DispatcherSuite.Result r = DispatcherSuite.run(which, trial.trials, trial.seconds, DispatcherSuite.DEFAULT_WARMUP, true,
                        spec.commandLine().getErr());
                if (plot != null) {
                    DispatcherChart.write(r, plot);
                }
                out.print(trial.json ? r.json() + System.lineSeparator() : r.table());
                out.flush();
            } catch (BenchException e) {
                throw new CliException("bench dispatcher: " + e.getMessage());
            }
        }

        private void runSwaps() {
            if (swaps < 1 || swaps > 100_000) {
                throw new CliException("--swaps must be between 1 and 100000 (got " + swaps + ")");
            }
            if (programs < 1 || programs > BpfDispatcher.MAX) {
                throw new CliException("--programs must be between 1 and " + BpfDispatcher.MAX + " (got " + programs + ")");
            }
            if (!(interval >= 1 && interval <= 1000)) {
                throw new CliException("--swap-interval must be between 1 and 1000 ms (got " + interval + ")");
            }
            if (!(warmup >= 0 && warmup <= 60)) {
                throw new CliException("--warmup must be between 0 and 60 s (got " + warmup + ")");
            }
            DispatcherSwaps.Result r = DispatcherSwaps.run(programs, swaps, interval, warmup, spec.commandLine().getErr());
            PrintWriter out = spec.commandLine().getOut();
            out.print(trial.json ? r.json() + System.lineSeparator() : r.table());
            out.flush();
        }

        private static List<DispatcherCase> selected(List<String> names) {
            if (names == null || names.isEmpty()) {
                return DispatcherCase.table();
            }
            List<DispatcherCase> out = new ArrayList<>();
            for (String n : names) {
                DispatcherCase c = DispatcherCase.byLabel(n.strip());
                if (c == null) {
                    throw new CliException("--cases: unknown case '" + n.strip() + "' (cases: " + DispatcherCase.labels() + ")");
                }
                if (!out.contains(c)) {
                    out.add(c);
                }
            }
            return out;
        }
    }

    /** {@code jxdp bench chain}: several programs on one interface, against one program and a tail call. */
    @Command(name = "chain", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
            header = "The chain table (issue 17, seed 003): what running a frame through several XDP programs costs.",
            description = {"One worker, one device, 64-byte frames; every frame is dropped by the last program it "
                    + "runs. Cases, in order: single-drop (one program returning XDP_DROP), tailcall (a program that "
                    + "tail-calls a second one that drops), chain-dynamic (a chain of two: A returns XDP_PASS and the "
                    + "chain sends PASS to B, which drops; the next program looked up after each one, as seed 003's "
                    + "kernel code does), chain-compiled (the same chain compiled into one class calling A and B "
                    + "directly), chain-compiled-10 and chain-compiled-64 (10 and 64 programs, each passing to the "
                    + "next, the last dropping). Each program is loaded and compiled on its own. Each case runs in a "
                    + "JVM of its own and is warmed up, then the trials run round-robin over the cases; each figure "
                    + "is the median of its trials. Prints the rows, the seed's columns (additional overhead: ns/packet "
                    + "over the row before; total overhead: over single-drop), then the targets: overhead(chain-compiled) "
                    + "<= overhead(tailcall), overhead(chain-dynamic) <= 2 x overhead(tailcall) (the seed's kernel code: "
                    + "5x), and as aims overhead(chain-compiled) <= 0.5 ns and overhead(chain-compiled-64) <= 64 x "
                    + "overhead(chain-compiled) (linear, no cliff). With --json one object {\"suite\": \"chain\", "
                    + "\"rows\": [{\"case\", \"mpps\", \"ns_per_pkt\", \"trials\"}], \"overheads\": [...], "
                    + "\"targets\": [...]}. The defaults take about a minute.", ""},
            footer = {"", "Examples:", "  jxdp bench chain", "  jxdp bench chain --json --plot chain.png --trials 7",
                    "  jxdp bench chain --cases single-drop,tailcall,chain-compiled"})
    static final class Chain implements Runnable {

        @Spec
        CommandSpec spec;

        @Mixin
        TrialOptions trial;

        @Option(names = "--plot", paramLabel = "FILE.png", description = "also write a PNG bar chart of ns/packet per case")
        Path plot;

        @Option(names = "--cases", paramLabel = "CASE[,CASE...]", split = ",",
                description = "run only these cases (default: all); overheads need single-drop, and a target is "
                        + "reported only when its cases ran")
        List<String> cases;

        @Override
        public void run() {
            List<ChainCase> which = selected(cases);
            trial.check(plot);
            PrintWriter out = spec.commandLine().getOut();
            try {
                ChainSuite.Result r = ChainSuite.run(which, trial.trials, trial.seconds, ChainSuite.DEFAULT_WARMUP, true,
                        spec.commandLine().getErr());
                if (plot != null) {
                    ChainChart.write(r, plot);
                }
                out.print(trial.json ? r.json() + System.lineSeparator() : r.table());
                out.flush();
            } catch (BenchException e) {
                throw new CliException("bench chain: " + e.getMessage());
            }
        }

        private static List<ChainCase> selected(List<String> names) {
            if (names == null || names.isEmpty()) {
                return List.of(ChainCase.values());
            }
            List<ChainCase> out = new ArrayList<>();
            for (String n : names) {
                ChainCase c = ChainCase.byLabel(n.strip());
                if (c == null) {
                    throw new CliException("--cases: unknown case '" + n.strip() + "' (cases: " + ChainCase.labels() + ")");
                }
                if (!out.contains(c)) {
                    out.add(c);
                }
            }
            return out;
        }
    }

    /** {@code jxdp bench xsk}: AF_XDP rxdrop through the generic path, seed 002's fast path and jxdp's. */
    @Command(name = "xsk", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
            header = "The AF_XDP table (issue 18, seed 002): xdpsock rxdrop through each RX path to a socket.",
            description = {"One device with one RX queue, pktgen's 64-byte frames, one worker running the program "
                    + "and one application thread (xdpsock's rxdrop, batches of 64) reading one AF_XDP socket in copy "
                    + "mode; every frame is redirected to the socket. Cases, in order: generic (bpf_redirect_map to "
                    + "the XSKMAP through the redirect info and the XSKMAP flush list, one frame at a time: the "
                    + "kernel's path), redirect-xsk (bpf_redirect_xsk returning XDP_REDIRECT_XSK: straight to the "
                    + "queue's only socket, one frame at a time), redirect-xsk-batched (the same, a vector of 16 "
                    + "frames at a time: one fill-ring peek and one RX-ring reservation per vector), transparent "
                    + "(the unchanged bpf_redirect_map program; jxdp sees the target is the queue's only socket and "
                    + "takes the fast path), transparent-batched. Figures are the frames delivered to the socket. "
                    + "Each case runs in a JVM of its own and is warmed up, then the trials run round-robin; each "
                    + "figure is the median of its trials. Prints the rows, cycles per packet (ns/packet times the "
                    + "clock /proc/cpuinfo reports), then the targets as ratios of this run: transparent >= 0.97 x "
                    + "redirect-xsk, transparent-batched >= 0.97 x redirect-xsk-batched, redirect-xsk-batched >= "
                    + "redirect-xsk >= generic; the seed's redirect-xsk >= 1.13 x generic and redirect-xsk-batched >= "
                    + "1.27 x generic; the aim redirect-xsk-batched >= 1.5 x generic. With --json one object "
                    + "{\"suite\": \"xsk\", \"rows\": [{\"case\", \"mpps\", \"ns_per_pkt\", \"trials\"}], "
                    + "\"cpu_mhz\", \"cycles\": [...], \"targets\": [...]}. --busy-poll adds the same five with the application "
                    + "busy-polling on the worker's thread (generic-busy-poll, ...): seed 002's own setup, xdpsock -B on one "
                    + "core, with no cache line moving between two cores and no scheduler between datapath and "
                    + "application; their targets are reported apart. The defaults take about a minute.", ""},
            footer = {"", "Examples:", "  jxdp bench xsk", "  jxdp bench xsk --json --plot xsk.png --trials 7",
                    "  jxdp bench xsk --cases generic,transparent"})
    static final class Xsk implements Runnable {

        @Spec
        CommandSpec spec;

        @Mixin
        TrialOptions trial;

        @Option(names = "--plot", paramLabel = "FILE.png", description = "also write a PNG bar chart of Mpps per case")
        Path plot;

        @Option(names = "--cases", paramLabel = "CASE[,CASE...]", split = ",",
                description = "run only these cases (default: the five); a target is reported only when its cases ran")
        List<String> cases;

        @Option(names = "--busy-poll", description = "also the five cases with the application busy-polling on the "
                + "worker's thread instead of its own (the seed's xdpsock -B on one core; labels end in -busy-poll)")
        boolean busyPoll;

        @Override
        public void run() {
            List<XskCase> which = new ArrayList<>(cases == null || cases.isEmpty() ? XskCase.table(false) : selected(cases));
            if (busyPoll) {
                for (XskCase c : XskCase.table(true)) {
                    if (!which.contains(c)) {
                        which.add(c);
                    }
                }
            }
            trial.check(plot);
            PrintWriter out = spec.commandLine().getOut();
            try {
                XskSuite.Result r = XskSuite.run(which, trial.trials, trial.seconds, XskSuite.DEFAULT_WARMUP, true,
                        spec.commandLine().getErr());
                if (plot != null) {
                    XskChart.write(r, plot);
                }
                out.print(trial.json ? r.json() + System.lineSeparator() : r.table());
                out.flush();
            } catch (BenchException e) {
                throw new CliException("bench xsk: " + e.getMessage());
            }
        }

        private static List<XskCase> selected(List<String> names) {
            List<XskCase> out = new ArrayList<>();
            for (String n : names) {
                XskCase c = XskCase.byLabel(n.strip());
                if (c == null) {
                    throw new CliException("--cases: unknown case '" + n.strip() + "' (cases: " + XskCase.labels() + ")");
                }
                if (!out.contains(c)) {
                    out.add(c);
                }
            }
            return out;
        }
    }
}
