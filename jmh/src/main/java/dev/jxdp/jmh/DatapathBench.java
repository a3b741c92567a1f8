package dev.jxdp.jmh;

import dev.jxdp.bench.BenchDatapath;
import dev.jxdp.bench.DatapathCase;
import dev.jxdp.xdp.NapiWorker;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The datapath's cost per packet, ns: one NAPI poll of 64 pktgen frames on the benchmark datapath of
 * {@code jxdp bench} ({@link BenchDatapath}), so the figure covers the driver's RX, the program, the action
 * and the flush, as {@code jxdp bench datapath} measures them, one JVM per mode (no other program's
 * profile in it). {@code floor} is the driver loop alone (read each frame's first cache line, recycle);
 * {@code drop} is XDP_DROP into the page-pool cache; {@code redirect-map} is a DEVMAP redirect in bulks of
 * 16 to a veth whose peer frees the frames after each poll. Run with {@code -prof gc}: in steady state
 * {@code gc.alloc.rate.norm} is 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Djxdp.mem=unsafe"})
public class DatapathBench {

    /** A case of {@code jxdp bench datapath} by its label (e.g. mixed-scalar, redirect-map-nobulk). */
    @Param({"floor", "drop", "redirect-map"})
    public String mode;

    private BenchDatapath path;

    @Setup(Level.Trial)
    public void setup() {
        DatapathCase c = DatapathCase.byLabel(mode);
        if (c == null) {
            throw new IllegalArgumentException("mode " + mode + ": want a case of jxdp bench datapath");
        }
        path = new BenchDatapath(c.mode(), c.rxMode(), c.redirectBulk());
    }

    /** One poll: 64 frames in (pktgen never runs dry, the pool never empties), so ns/op is per packet. */
    @Benchmark
    @OperationsPerInvocation(NapiWorker.BUDGET)
    public int poll() {
        return path.poll();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        long rx = path.received();
        long polls = path.stats().polls;
        // every poll must have received a full budget, or ns/op would not be per packet
        if (polls > 0 && rx != polls * NapiWorker.BUDGET) {
            throw new IllegalStateException(mode + ": " + rx + " frames in " + polls + " polls, not " + NapiWorker.BUDGET + " each");
        }
        path.stats().checkAccounting();
        path.close();
    }
}
