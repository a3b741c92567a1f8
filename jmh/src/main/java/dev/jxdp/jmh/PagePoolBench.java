package dev.jxdp.jmh;

import dev.jxdp.xdp.PagePool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The page pool's per-packet cost, ns per frame: a worker's alloc + recycleDirect (XDP_DROP), and alloc
 * + bulk return of 64 (TX completion, xdp_return_frame_bulk) from the same thread, so the ring's CAS
 * and the cache's refills are in the figure but not cross-core traffic. Run with -prof gc: 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Djxdp.mem=unsafe"})
public class PagePoolBench {

    private PagePool pool;
    private PagePool.Cache cache;
    private final int[] bulk = new int[PagePool.BULK];

    @Setup(Level.Trial)
    public void setup() {
        pool = new PagePool(4096, false);
        cache = pool.cache();
    }

    @Benchmark
    public int allocRecycleDirect() {
        int id = cache.alloc();
        cache.recycleDirect(id);
        return id;
    }

    @Benchmark
    @OperationsPerInvocation(PagePool.BULK)
    public int allocReturnBulk() {
        int sum = 0;
        for (int i = 0; i < bulk.length; i++) {
            int id = cache.alloc();
            bulk[i] = id;
            sum += id;
        }
        pool.returnBulk(bulk, 0, bulk.length);
        return sum;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (pool.framesOutstanding() != 0) {
            throw new IllegalStateException("page pool: " + pool.framesOutstanding() + " frames leaked");
        }
        pool.close();
    }
}
