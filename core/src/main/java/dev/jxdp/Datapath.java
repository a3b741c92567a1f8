package dev.jxdp;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.io.pcap.PcapException;
import dev.jxdp.io.pcap.PcapTxDriver;
import dev.jxdp.io.pcap.PcapWriter;
import dev.jxdp.io.pktgen.PktGen;
import dev.jxdp.io.pktgen.PktGenSpec;
import dev.jxdp.run.Captures;
import dev.jxdp.run.DatapathRun;
import dev.jxdp.xdp.FrameMeta;
import dev.jxdp.xdp.NetDevice;
import dev.jxdp.xdp.NetDevices;
import dev.jxdp.xdp.PagePool;
import dev.jxdp.xdp.PassSink;
import dev.jxdp.xdp.TxDriver;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The XDP datapath from Java, what {@code jxdp run} does: frames arrive on the RX queues of an input
 * device (ifindex 1), spread over the queues by RSS (the Toeplitz hash of the IP addresses and ports);
 * one worker thread per queue, each its own CPU for per-CPU maps, runs the program on every frame in a
 * NAPI loop (budget 64) and acts on the verdict: {@code XDP_DROP} and {@code XDP_ABORTED} free the frame,
 * {@code XDP_PASS} hands it to the stack stage, {@code XDP_TX} sends it back out. The program runs
 * compiled (JIT) over the loaded object's own maps, so they hold what the run counted afterwards.
 *
 * <pre>{@code
 * try (XdpObject obj = ObjectSpec.read(Path.of("examples/xdp_demo.o")).load()) {
 *     DatapathSummary s = Datapath.builder(obj)
 *             .rxPktgen("flows=64,size=64").count(1_000_000)
 *             .queues(2)
 *             .run();
 *     System.out.println(s.total() + " at " + s.mpps() + " Mpps");
 * }
 * }</pre>
 *
 * <p>A run ends when the input does (the end of the capture or the frame list, {@link Builder#count(long)}
 * frames), when {@link Builder#duration(Duration)} has passed, or at {@link #stop()} from another thread.
 * {@code XDP_REDIRECT} has no target device here and counts as an error.
 *
 * <p>Several programs, each of its own object, run on every frame as one chain with
 * {@link Builder#then(XdpProgram)}: {@code Datapath.builder(fw).then(lb.program()).then(mon.program())}.
 */
public final class Datapath {

    /** How a chain of programs ({@link Builder#then(XdpProgram)}) runs. */
    public enum ChainExecutor {
        /** One generated class calling each program directly, which the JVM can inline into one piece. */
        COMPILED,
        /** The next program looked up after each one and entered by the call every program shares. */
        DYNAMIC,
        /** As {@link #DYNAMIC}, each step a tail call: with the programs' own, at most 33 per frame. */
        TAILCALL
    }

    /** How a worker walks the frames of one poll. */
    public enum RxMode {
        /** One frame at a time through the program and its action, as kernel drivers do (the default). */
        SCALAR,
        /** Vectors of up to 16 frames: the program over the whole vector, then each action's frames together. */
        VECTOR,
        /** Vectors when a poll brings 8 frames or more, one at a time otherwise. */
        AUTO
    }

    private final Builder b;
    private volatile DatapathRun running;
    private volatile boolean stopped;

    private Datapath(Builder b) {
        this.b = b;
    }

    /**
     * A builder for a datapath over a loaded object.
     *
     * @param object the object whose program runs, loaded with {@link Engine#JIT} or
     *               {@link Engine#INTERPRETER} (the datapath runs compiled code either way)
     * @return a new builder
     */
    public static Builder builder(XdpObject object) {
        return new Builder(Objects.requireNonNull(object, "object"));
    }

    /** Stops a run under way on another thread soon; {@link #run()} then returns its summary as usual. */
    public void stop() {
        stopped = true;
        DatapathRun r = running;
        if (r != null) {
            r.requestStop();
        }
    }

    /**
     * Runs the datapath until the input ends, the duration passes or {@link #stop()}; blocks meanwhile.
     *
     * @return the counters and, when asked for, the frames passed and transmitted
     * @throws JxdpException for an input or output that cannot be read or written, or an object closed
     *                       or loaded with the kernel engine
     */
    public DatapathSummary run() {
        XdpObject obj = b.object;
        if (obj.engine() == Engine.KERNEL) {
            throw new JxdpException(obj.spec().name() + ": the datapath runs jxdp's engines only, not the kernel's");
        }
        XdpProgram prog = b.program != null ? obj.program(b.program) : obj.program();
        return obj.use(() -> runOn((JxdpBackend) obj.backend(), prog));
    }

    private DatapathSummary runOn(JxdpBackend backend, XdpProgram prog) {
        BpfProgram program = backend.collection().program(prog.name());
        if (!prog.spec().xdp()) {
            throw new JxdpException("program " + prog.name() + " is in section " + prog.section()
                    + ", not an XDP one: the datapath runs XDP programs only");
        }
        int queues = b.queues;
        List<List<byte[]>> passed = new ArrayList<>();
        List<List<byte[]>> sent = new ArrayList<>();
        for (int q = 0; q < queues; q++) {
            passed.add(new ArrayList<>());
            sent.add(new ArrayList<>());
        }
        PktGen gen = null;
        Captures captures = new Captures();
        Map<Integer, List<byte[]>> redirected = new TreeMap<>();
        try (PagePool pool = new PagePool(b.poolFrames)) {
            program.requireLoaded();
            DatapathRun.Input input = switch (b.input) {
                case null -> throw new JxdpException("datapath: no input (rxPcap, rxPktgen or rxFrames)");
                case Path p -> new DatapathRun.Pcap(p);
                case String spec -> new DatapathRun.Generated(gen = new PktGen(PktGenSpec.parse(spec)));
                case List<?> frames -> new DatapathRun.Frames(frameList(frames));
                default -> throw new IllegalStateException();
            };
            PcapWriter pw = captures.open(b.passPcap);
            PcapWriter tw = captures.open(b.txPcap);
            NetDevices devices = new NetDevices();
            for (Map.Entry<Integer, Device> d : b.devices.entrySet()) {
                int ifindex = d.getKey();
                PcapWriter w = captures.open(d.getValue().pcap);
                List<byte[]> keep = d.getValue().collect ? Collections.synchronizedList(new ArrayList<>()) : null;
                if (keep != null) {
                    redirected.put(ifindex, keep);
                }
                devices.add(new NetDevice(ifindex, "dev" + ifindex, deviceTx(pool, w, keep)));
            }
            for (DevmapEntry e : b.devmaps) {
                setDevmap(backend, devices, e);
            }
            DatapathRun run = new DatapathRun(backend.collection(), program, backend.compiler(), pool, devices)
                    .queues(queues).rxMode(dev.jxdp.xdp.RxMode.valueOf(b.mode.name())).limit(b.count)
                    .pass(q -> passSink(q, pool, pw, passed));
            if (!b.chain.isEmpty()) {
                run.chain(chain(prog));
            }
            run.tx(q -> txDriver(q, pool, tw, sent));
            running = run;
            if (stopped) {
                run.requestStop();
            }
            double seconds = b.duration == null ? Double.POSITIVE_INFINITY : b.duration.toNanos() / 1e9;
            Consumer<DatapathRun.Progress> progress = b.onStats == null ? null
                    : p -> b.onStats.accept(DatapathStats.of(p.total()));
            DatapathRun.Result r = run.run(input, seconds, b.statsInterval.toNanos(), progress);
            captures.closeAll();
            Map<Integer, List<byte[]>> redirectFrames = new TreeMap<>();
            redirected.forEach((ifindex, frames) -> redirectFrames.put(ifindex, List.copyOf(frames)));
            List<DatapathStats> perQueue = new ArrayList<>();
            for (dev.jxdp.xdp.RxQueueStats s : r.queues()) {
                perQueue.add(DatapathStats.of(s));
            }
            Map<String, Long> chainRuns = new java.util.LinkedHashMap<>();
            for (DatapathRun.ChainEntry c : r.chain()) {
                chainRuns.put(c.program(), c.runs());
            }
            return new DatapathSummary(DatapathStats.of(r.total()), List.copyOf(perQueue), sum(r.faults()),
                    sum(r.missed()), sum(r.oversize()), Duration.ofNanos(r.nanos()), flatten(passed), flatten(sent),
                    Collections.unmodifiableMap(redirectFrames), Collections.unmodifiableMap(chainRuns));
        } catch (PcapException e) {
            throw new JxdpException(e.path() + ": " + e.getMessage(), e);
        } catch (BpfException e) {
            throw new JxdpException("datapath: " + e.getMessage(), e);
        } finally {
            running = null;
            captures.abortAll();
            if (gen != null) {
                gen.close();
            }
        }
    }

    // first and the builder's further programs in the order given, each continuing on its object's
    // .xdp_run_config chain_call_actions (default XDP_PASS), each compiled by its own object's compiler
    private dev.jxdp.xdp.dispatch.LoadedChain chain(XdpProgram first) {
        List<XdpProgram> all = new ArrayList<>();
        all.add(first);
        all.addAll(b.chain);
        List<dev.jxdp.xdp.chain.XdpMultiProg.Program> list = new ArrayList<>();
        List<dev.jxdp.ebpf.jit.JitProgram> parts = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            XdpProgram p = all.get(i);
            XdpObject o = p.owner();
            if (o.engine() == Engine.KERNEL) {
                throw new JxdpException(o.spec().name() + ": the datapath runs jxdp's engines only, not the kernel's");
            }
            if (!p.spec().xdp()) {
                throw new JxdpException("program " + p.name() + " is in section " + p.section()
                        + ", not an XDP one: the datapath runs XDP programs only");
            }
            JxdpBackend backend = (JxdpBackend) o.backend();
            dev.jxdp.xdp.chain.XdpRunConfig config = dev.jxdp.xdp.chain.RunConfigBtf.read(o.spec().internal(), p.name());
            // the order given: run_prio i keeps it (libxdp sorts by run_prio)
            list.add(new dev.jxdp.xdp.chain.XdpMultiProg.Program(Path.of(o.spec().name()), p.name(), i,
                    config.chainCallActions()));
            BpfProgram bp = backend.collection().program(p.name());
            bp.requireLoaded();
            parts.add(backend.compiler().program(bp));
        }
        dev.jxdp.xdp.chain.ChainPlan plan = dev.jxdp.xdp.chain.XdpMultiProg.of(list).toChain();
        return dev.jxdp.xdp.dispatch.LoadedChain.of(plan, parts,
                dev.jxdp.xdp.dispatch.LoadedChain.Executor.valueOf(b.chainExecutor.name()));
    }

    private PassSink passSink(int q, PagePool pool, PcapWriter writer, List<List<byte[]>> passed) {
        PcapWriter.Lane lane = writer == null ? null : writer.lane();
        List<byte[]> keep = b.collectPass ? passed.get(q) : null;
        if (lane == null && keep == null) {
            return PassSink.DISCARD;
        }
        return buff -> {
            if (lane != null) {
                lane.write(buff.data, buff.length(), System.currentTimeMillis() * 1_000_000L);
            }
            if (keep != null) {
                keep.add(copy(pool, buff.data, buff.length()));
            }
        };
    }

    private TxDriver txDriver(int q, PagePool pool, PcapWriter writer, List<List<byte[]>> sent) {
        TxDriver wire = writer != null ? new PcapTxDriver(writer.lane(), pool) : (ids, from, n) -> {
            pool.returnBulk(ids, from, n);  // no wire: sent and completed at once
            return n;
        };
        if (!b.collectTx) {
            return wire;
        }
        List<byte[]> keep = sent.get(q);
        FrameMeta meta = pool.meta();
        return (ids, from, n) -> {
            for (int i = from; i < from + n; i++) {
                long addr = pool.address(ids[i]) + meta.dataOffset(ids[i]);
                keep.add(copy(pool, addr, meta.length(ids[i])));
            }
            return wire.transmit(ids, from, n);
        };
    }

    // a redirect target: to its capture, kept, or both; shared by every worker, so one at a time
    private static TxDriver deviceTx(PagePool pool, PcapWriter writer, List<byte[]> keep) {
        TxDriver wire = writer != null ? PcapTxDriver.shared(writer, pool) : (ids, from, n) -> {
            pool.returnBulk(ids, from, n);
            return n;
        };
        if (keep == null) {
            return wire;
        }
        FrameMeta meta = pool.meta();
        return (ids, from, n) -> {
            for (int i = from; i < from + n; i++) {
                long addr = pool.address(ids[i]) + meta.dataOffset(ids[i]);
                keep.add(copy(pool, addr, meta.length(ids[i])));
            }
            return wire.transmit(ids, from, n);
        };
    }

    // as jxdp run --devmap: the slot names one of the run's devices, as the kernel's dev_get_by_index() must find it
    private static void setDevmap(JxdpBackend backend, NetDevices devices, DevmapEntry e) {
        try {
            DatapathRun.setDevmapSlot(backend.collection(), devices, e.map(), Integer.toUnsignedLong(e.key()), e.ifindex());
        } catch (BpfException x) {
            String hint = devices.get(e.ifindex()) == null ? " (add it with redirectTo or redirectPcap)" : "";
            throw new JxdpException("devmap: " + x.getMessage() + hint);
        }
    }

    // the bytes of a frame in the pool's memory (the worker recycles the page right after)
    private static byte[] copy(PagePool pool, long addr, int length) {
        MemorySegment m = pool.memory();
        return m.asSlice(addr - m.address(), length).toArray(ValueLayout.JAVA_BYTE);
    }

    private static List<byte[]> frameList(List<?> frames) {
        List<byte[]> out = new ArrayList<>(frames.size());
        for (Object f : frames) {
            out.add((byte[]) f);
        }
        return out;
    }

    private static List<byte[]> flatten(List<List<byte[]>> perQueue) {
        List<byte[]> out = new ArrayList<>();
        perQueue.forEach(out::addAll);
        return Collections.unmodifiableList(out);
    }

    private static long sum(long[] v) {
        long s = 0;
        for (long x : v) {
            s += x;
        }
        return s;
    }

    /** A redirect target the builder was given: frames kept, written to a capture, or both. */
    private static final class Device {
        boolean collect;
        Path pcap;
    }

    private record DevmapEntry(String map, int key, int ifindex) {}

    /** Builds a {@link Datapath}; not thread-safe. */
    public static final class Builder {
        private final XdpObject object;
        private String program;
        private Object input;
        private int queues = 1;
        private RxMode mode = RxMode.SCALAR;
        private long count = -1;
        private Duration duration;
        private int poolFrames = 4096;
        private Path passPcap;
        private Path txPcap;
        private boolean collectPass;
        private boolean collectTx;
        private Consumer<DatapathStats> onStats;
        private Duration statsInterval = Duration.ofSeconds(1);
        private final Map<Integer, Device> devices = new TreeMap<>();
        private final List<DevmapEntry> devmaps = new ArrayList<>();
        private final List<XdpProgram> chain = new ArrayList<>();
        private ChainExecutor chainExecutor = ChainExecutor.COMPILED;

        private Builder(XdpObject object) {
            this.object = object;
        }

        /**
         * The program to run (default: the object's only XDP program).
         *
         * @param name the program's name
         * @return this builder
         */
        public Builder program(String name) {
            this.program = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Runs {@code next} after the programs before it on each frame, as libxdp's multi-program
         * dispatcher runs a list: a program continues to the next when its return code is one of its
         * chain_call_actions (from its object's {@code .xdp_run_config}, default XDP_PASS), else that code
         * is the frame's action; when the last program continues, the action is XDP_PASS. The programs run
         * in the order given, starting with the builder's; each in its own object, with that object's maps.
         * Names must differ; at most 64 programs. {@link DatapathSummary#chainRuns()} counts each one's runs.
         *
         * @param next a program of an open object loaded with jxdp's engine
         * @return this builder
         */
        public Builder then(XdpProgram next) {
            chain.add(Objects.requireNonNull(next, "next"));
            return this;
        }

        /**
         * How a chain ({@link #then(XdpProgram)}) runs (default: {@link ChainExecutor#COMPILED}).
         *
         * @param executor compiled, dynamic or as tail calls
         * @return this builder
         */
        public Builder chainExecutor(ChainExecutor executor) {
            this.chainExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Frames from a capture file, pcap or pcapng, each once.
         *
         * @param file the capture
         * @return this builder
         */
        public Builder rxPcap(Path file) {
            this.input = Objects.requireNonNull(file, "file");
            return this;
        }

        /**
         * Frames from the packet generator, as {@code jxdp run --in pktgen:SPEC} takes it: comma-separated
         * {@code key=value} (flows, size 64..1518 or imix, proto udp|tcp|icmp, ip 4|6, vlan, src, dst,
         * sport, dport, smac, dmac, seed, stamp, order seq|shuffle); "" for 64-byte IPv4 UDP. It never
         * ends by itself: give {@link #count(long)} or {@link #duration(Duration)}.
         *
         * @param spec the generator's spec
         * @return this builder
         * @throws JxdpException for a spec the generator does not take
         */
        public Builder rxPktgen(String spec) {
            try {
                PktGenSpec.parse(spec);
            } catch (BpfException e) {
                throw new JxdpException("pktgen: " + e.getMessage(), e);
            }
            this.input = spec;
            return this;
        }

        /**
         * Frames from memory, each once, in order (with several queues, each queue's in order).
         *
         * @param frames the frames, 14 to 3520 bytes each (longer ones are dropped and counted as oversize)
         * @return this builder
         */
        public Builder rxFrames(List<byte[]> frames) {
            this.input = List.copyOf(frames);
            return this;
        }

        /**
         * RX queues of the input device (default 1): one worker thread and CPU each.
         *
         * @param n 1 to the machine's CPUs (at most 128)
         * @return this builder
         */
        public Builder queues(int n) {
            int max = Math.min(dev.jxdp.io.Rss.MAX_QUEUES, dev.jxdp.ebpf.maps.Cpus.possible());
            if (n < 1 || n > max) {
                throw new JxdpException("queues " + n + ": want 1.." + max + " (one worker per CPU)");
            }
            this.queues = n;
            return this;
        }

        /**
         * How workers walk each poll's frames (default {@link RxMode#SCALAR}).
         *
         * @param mode the mode
         * @return this builder
         */
        public Builder rxMode(RxMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Stops after the input's first {@code n} frames.
         *
         * @param n 0 or more
         * @return this builder
         */
        public Builder count(long n) {
            if (n < 0) {
                throw new JxdpException("count must be 0 or more (got " + n + ")");
            }
            this.count = n;
            return this;
        }

        /**
         * Stops after this long, whatever is left of the input.
         *
         * @param d a positive duration
         * @return this builder
         */
        public Builder duration(Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new JxdpException("duration must be positive (got " + d + ")");
            }
            this.duration = d;
            return this;
        }

        /**
         * The page pool's size in 4 KiB frames, shared by the queues (default 4096).
         *
         * @param frames 64 or more
         * @return this builder
         */
        public Builder poolFrames(int frames) {
            if (frames < 64) {
                throw new JxdpException("pool frames must be at least 64 (got " + frames + ")");
            }
            this.poolFrames = frames;
            return this;
        }

        /**
         * Writes the {@code XDP_PASS} frames to a pcap file (written atomically when the run ends).
         *
         * @param file the capture to write
         * @return this builder
         */
        public Builder passPcap(Path file) {
            this.passPcap = file;
            return this;
        }

        /**
         * Writes the {@code XDP_TX} frames to a pcap file (written atomically when the run ends).
         *
         * @param file the capture to write
         * @return this builder
         */
        public Builder txPcap(Path file) {
            this.txPcap = file;
            return this;
        }

        /**
         * Keeps a copy of every {@code XDP_PASS} frame for {@link DatapathSummary#passFrames()}.
         *
         * @return this builder
         */
        public Builder collectPass() {
            this.collectPass = true;
            return this;
        }

        /**
         * Keeps a copy of every {@code XDP_TX} frame for {@link DatapathSummary#txFrames()}.
         *
         * @return this builder
         */
        public Builder collectTx() {
            this.collectTx = true;
            return this;
        }

        /**
         * A device with this ifindex, as a NIC the program can redirect to ({@code bpf_redirect(ifindex, 0)},
         * or a DEVMAP entry naming it, see {@link #devmap}): what it transmits is kept for
         * {@link DatapathSummary#redirectFrames()}.
         *
         * @param ifindex the device's ifindex, 1 or more
         * @return this builder
         */
        public Builder redirectTo(int ifindex) {
            device(ifindex).collect = true;
            return this;
        }

        /**
         * A device with this ifindex (as {@link #redirectTo}) whose transmitted frames are written to a pcap
         * file, written whole at the end of the run or not at all.
         *
         * @param ifindex the device's ifindex, 1 or more
         * @param file    the capture to write
         * @return this builder
         */
        public Builder redirectPcap(int ifindex, Path file) {
            device(ifindex).pcap = Objects.requireNonNull(file, "file");
            return this;
        }

        /**
         * Sets a DEVMAP or DEVMAP_HASH entry before the run, as {@code jxdp run --devmap MAP:KEY=IFINDEX}
         * does: slot {@code key} of map {@code map} sends to device {@code ifindex}, which must be one of
         * {@link #redirectTo} or {@link #redirectPcap} (the kernel refuses an ifindex with no device).
         *
         * @param map     the map's name
         * @param key     the slot (a u32)
         * @param ifindex the device
         * @return this builder
         */
        public Builder devmap(String map, int key, int ifindex) {
            devmaps.add(new DevmapEntry(Objects.requireNonNull(map, "map"), key, ifindex));
            return this;
        }

        private Device device(int ifindex) {
            if (ifindex <= 0 || ifindex == DatapathRun.INPUT_IFINDEX) {
                throw new JxdpException("device ifindex " + ifindex + ": want 1 or more, not the RX device's "
                        + DatapathRun.INPUT_IFINDEX);
            }
            return devices.computeIfAbsent(ifindex, i -> new Device());
        }

        /**
         * Calls {@code listener} with the counters so far, every {@code interval} while the run goes on,
         * on the thread that called {@link Datapath#run()}.
         *
         * @param interval how often
         * @param listener what to call
         * @return this builder
         */
        public Builder onStats(Duration interval, Consumer<DatapathStats> listener) {
            if (interval.isNegative() || interval.isZero()) {
                throw new JxdpException("stats interval must be positive (got " + interval + ")");
            }
            this.statsInterval = interval;
            this.onStats = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * The datapath, ready to {@link Datapath#run()} (once or several times).
         *
         * @return the datapath
         */
        public Datapath build() {
            return new Datapath(this);
        }

        /**
         * Builds the datapath and runs it: {@code build().run()}.
         *
         * @return the run's summary
         */
        public DatapathSummary run() {
            return build().run();
        }
    }
}
