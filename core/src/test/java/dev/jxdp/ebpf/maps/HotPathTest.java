package dev.jxdp.ebpf.maps;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static dev.jxdp.ebpf.maps.MapFixture.spec;
import static org.junit.jupiter.api.Assertions.*;

/** The program side allocates nothing, and lock-free lookups never miss a key that stays in the map. */
class HotPathTest {

    private final MapFixture f = new MapFixture();
    private final BpfMap hash = Maps.create(spec("h", MapType.HASH, 8, 8, 1024, 0));
    private final BpfMap lru = Maps.create(spec("l", MapType.LRU_HASH, 4, 8, 64, 0));
    private final BpfMap array = Maps.create(spec("a", MapType.PERCPU_ARRAY, 4, 8, 16, 0));
    private final BpfMap lpm = Maps.create(spec("p", MapType.LPM_TRIE, 8, 4, 64, MapFlags.BPF_F_NO_PREALLOC));
    private final RingBufMap ring = (RingBufMap) Maps.create(spec("r", MapType.RINGBUF, 0, 0, 1 << 16, 0));

    @AfterEach
    void close() {
        hash.close();
        lru.close();
        array.close();
        lpm.close();
        ring.close();
        f.close();
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private void programCalls(long[] keys, long value, long lpmKey, int rounds) {
        for (int r = 0; r < rounds; r++) {
            for (long k : keys) {
                hash.update(k, value, MapFlags.BPF_ANY, 0);
                hash.lookup(k, 0);
                lru.update(k, value, MapFlags.BPF_ANY, 0);
                lru.lookup(k, 0);
                array.lookup(k, 1);
                lpm.lookup(lpmKey, 0);
                hash.delete(k, 0);
            }
            long rec = ring.reserve(32, 0);
            ring.submit(rec, 0);
            ring.output(value, 8, 0);
            hash.forEachElem(0, (k, v) -> true);
        }
    }

    @Test
    void programSideAllocatesNothing() {
        long[] keys = new long[100];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = f.u64(i * 977L);
        }
        long value = f.u64(5);
        long lpmKey = f.bytes(32, 0, 0, 0, 10, 1, 2, 3);
        lpm.update(f.bytes(8, 0, 0, 0, 10, 0, 0, 0), f.u32(1), 0, 0);
        programCalls(keys, value, lpmKey, 200); // warm up, and fill the ring
        ring.consume();
        long before = allocated();
        programCalls(keys, value, lpmKey, 50);
        long bytes = allocated() - before;
        assertTrue(bytes < 4096, "allocated " + bytes + " bytes on the program side");
    }

    @Test
    void concurrentLookupsNeverMissStableKeys() throws Exception {
        long[] stable = new long[200];
        for (int i = 0; i < stable.length; i++) {
            stable[i] = f.u64(i);
            assertEquals(0, hash.update(stable[i], f.u64(i), 0, 0));
        }
        // the writer has its own keys in its own (shared) memory
        java.lang.foreign.Arena shared = java.lang.foreign.Arena.ofShared();
        long churn = shared.allocate(8L * 600, 8).address();
        for (int i = 0; i < 600; i++) {
            dev.jxdp.ebpf.mem.Mem.putU64(churn + 8L * i, 100_000 + i);
        }
        long val = shared.allocate(8, 8).address();
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            int i = 0;
            while (!stop.get()) {
                long k = churn + 8L * (i % 600);
                if (hash.update(k, val, 0, 1) != 0 || i % 3 == 0) {
                    hash.delete(k, 1);
                }
                i++;
            }
        });
        writer.start();
        AtomicLong misses = new AtomicLong();
        try {
            long end = System.nanoTime() + 300_000_000L;
            while (System.nanoTime() < end) {
                for (long k : stable) {
                    if (hash.lookup(k, 0) == 0) {
                        misses.incrementAndGet();
                    }
                }
            }
        } finally {
            stop.set(true);
            writer.join();
            shared.close();
        }
        assertEquals(0, misses.get());
    }
}
