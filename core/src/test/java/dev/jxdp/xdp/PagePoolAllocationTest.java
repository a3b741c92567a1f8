package dev.jxdp.xdp;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pool's per-packet paths allocate nothing on the Java heap (seed 000); counted, not timed. */
class PagePoolAllocationTest {

    private static final long LIMIT = 64 * 1024;

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static long allocRecycle(PagePool.Cache cache, int[] held, int rounds) {
        long sum = 0;
        for (int r = 0; r < rounds; r++) {
            // hold a few so the cache crosses its refill and spill points, then give them back
            for (int i = 0; i < held.length; i++) {
                held[i] = cache.alloc();
                sum += held[i];
            }
            for (int i = 0; i < held.length; i++) {
                cache.recycleDirect(held[i]);
            }
        }
        return sum;
    }

    private static long allocReturnBulk(PagePool pool, PagePool.Cache cache, int[] bulk, int rounds) {
        long sum = 0;
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < bulk.length; i++) {
                bulk[i] = cache.alloc();
                sum += bulk[i];
            }
            pool.returnBulk(bulk, 0, bulk.length);
        }
        return sum;
    }

    @Test
    void allocAndRecycleDirectAllocateNothing() {
        try (PagePool pool = new PagePool(1024, false)) {
            PagePool.Cache cache = pool.cache();
            int[] held = new int[200];
            allocRecycle(cache, held, 5_000);
            long before = allocated();
            long sum = allocRecycle(cache, held, 2_500);   // 1,000,000 operations
            long bytes = allocated() - before;
            assertTrue(sum > 0);
            assertTrue(bytes < LIMIT, bytes + " bytes allocated by 1,000,000 alloc/recycleDirect");
            assertTrue(cache.spilled() > 0 && cache.refilled() > 1024, "crossed the ring");
            assertEquals(0, pool.framesOutstanding());
        }
    }

    @Test
    void allocAndReturnBulkAllocateNothing() {
        try (PagePool pool = new PagePool(1024, false)) {
            PagePool.Cache cache = pool.cache();
            int[] bulk = new int[PagePool.BULK];
            allocReturnBulk(pool, cache, bulk, 20_000);
            long before = allocated();
            long sum = allocReturnBulk(pool, cache, bulk, 8_000);   // 1,024,000 operations
            long bytes = allocated() - before;
            assertTrue(sum > 0);
            assertTrue(bytes < LIMIT, bytes + " bytes allocated by 512,000 alloc + bulk return");
            assertEquals(0, pool.framesOutstanding());
        }
    }
}
