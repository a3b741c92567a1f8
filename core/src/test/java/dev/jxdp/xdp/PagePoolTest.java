package dev.jxdp.xdp;

import dev.jxdp.ebpf.mem.Mem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PagePoolTest {

    private final PagePool pool = new PagePool(300, true);

    @AfterEach
    void close() {
        pool.close();
    }

    /** returnBulk as a thread that owns no cache of the pool does it (TX completion on another core). */
    private static void returnFromElsewhere(PagePool p, int[] ids, int from, int n) {
        Throwable[] thrown = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                p.returnBulk(ids, from, n);
            } catch (Throwable e) {
                thrown[0] = e;
            }
        });
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        if (thrown[0] instanceof RuntimeException r) {
            throw r;
        }
        if (thrown[0] != null) {
            throw new AssertionError(thrown[0]);
        }
    }

    private int[] allocAll(PagePool.Cache cache, int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = cache.alloc();
            assertTrue(ids[i] >= 0, "alloc " + i);
        }
        return ids;
    }

    @Test
    void rejectsPoolSizesOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> new PagePool(0, true));
        assertThrows(IllegalArgumentException.class, () -> new PagePool(PagePool.MAX_FRAMES + 1, true));
    }

    @Test
    void allocUntilExhaustedFailsCleanlyAndCounts() {
        PagePool.Cache cache = pool.cache();
        allocAll(cache, 300);
        assertEquals(-1, cache.alloc());
        assertEquals(-1, cache.alloc());
        assertEquals(2, cache.allocFailed());
        assertEquals(2, pool.allocFailed());
        assertEquals(300, pool.allocated());
        assertEquals(300, pool.framesOutstanding());
    }

    @Test
    void everyFrameIsDistinctPageAlignedAndUsable() {
        PagePool.Cache cache = pool.cache();
        int[] ids = allocAll(cache, 300);
        BitSet idsSeen = new BitSet();
        Set<Long> pages = new HashSet<>();
        for (int id : ids) {
            assertFalse(idsSeen.get(id), "frame " + id + " handed out twice");
            idsSeen.set(id);
            long page = pool.address(id);
            assertEquals(0, page % PagePool.FRAME_SIZE, "frame " + id);
            assertTrue(pages.add(page));
            Mem.putU32(page, id);
            Mem.putU32(page + PagePool.FRAME_SIZE - 4, ~id);
        }
        for (int id : ids) {   // no frame's bytes overlap another's
            assertEquals(id, Mem.getI32(pool.address(id)));
            assertEquals(~id, Mem.getI32(pool.address(id) + PagePool.FRAME_SIZE - 4));
        }
        assertEquals(pool.address(0) + 299L * PagePool.FRAME_SIZE, pool.address(299));
        assertEquals(300L * PagePool.FRAME_SIZE, pool.memory().byteSize());
        assertThrows(IndexOutOfBoundsException.class, () -> pool.address(300));
        assertThrows(IndexOutOfBoundsException.class, () -> pool.address(-1));
    }

    @Test
    void bulkRecycleFillsTheCacheSpillsTheRestAndEveryFrameComesBack() {
        for (boolean check : new boolean[] {false, true}) {
            try (PagePool p = new PagePool(300, check)) {
                PagePool.Cache cache = p.cache();
                int[] ids = allocAll(cache, 300);
                cache.recycleDirectBulk(ids, 0, 200);  // more than the cache holds: spills to the ring
                assertEquals(200, cache.recycled());
                assertEquals(100, p.framesOutstanding());
                assertEquals(ids[199], cache.alloc(), "the last recycled is the next allocated");
                cache.recycleDirectBulk(ids, 199, 101);
                assertEquals(0, p.framesOutstanding());
                Set<Integer> seen = new HashSet<>();
                for (int i = 0; i < 300; i++) {
                    assertTrue(seen.add(cache.alloc()), "a frame handed out twice");
                }
                assertThrows(IndexOutOfBoundsException.class, () -> cache.recycleDirectBulk(new int[] {300}, 0, 1));
                if (check) {
                    cache.recycleDirectBulk(ids, 0, 1);
                    assertThrows(IllegalStateException.class, () -> cache.recycleDirectBulk(ids, 0, 1), "double return");
                }
            }
        }
    }

    @Test
    void recycledFrameIsTheNextAllocated() {
        PagePool.Cache cache = pool.cache();
        int[] ids = allocAll(cache, 300);
        cache.recycleDirect(ids[17]);
        assertEquals(1, cache.recycled());
        assertEquals(ids[17], cache.alloc());
        assertEquals(-1, cache.alloc());
    }

    @Test
    void returnedFramesCanBeAllocatedAgain() {
        PagePool.Cache cache = pool.cache();
        int[] ids = allocAll(cache, 300);
        returnFromElsewhere(pool, ids, 100, 50);
        assertEquals(50, pool.returned());
        assertEquals(50, pool.inRing());
        assertEquals(250, pool.framesOutstanding());
        BitSet again = new BitSet();
        for (int i = 0; i < 50; i++) {
            again.set(cache.alloc());
        }
        assertEquals(-1, cache.alloc());
        for (int i = 100; i < 150; i++) {
            assertTrue(again.get(ids[i]), "frame " + ids[i]);
        }
    }

    @Test
    void emptyCacheRefillsFromTheRingInBulksOf64() {
        PagePool.Cache cache = pool.cache();
        cache.alloc();
        assertEquals(64, cache.refilled());
        assertEquals(63, cache.count());
        assertEquals(300 - 64, pool.inRing());
        allocAll(cache, 63);
        assertEquals(64, cache.refilled());
        assertEquals(0, cache.count());
        cache.alloc();
        assertEquals(128, cache.refilled());
        assertEquals(300 - 128, pool.inRing());
    }

    @Test
    void lastRefillTakesWhatIsLeft() {
        PagePool.Cache cache = pool.cache();
        allocAll(cache, 257);   // five bulks: 64 * 4 + 44
        assertEquals(300, cache.refilled());
        assertEquals(43, cache.count());
        assertEquals(0, pool.inRing());
    }

    @Test
    void fullCacheSpillsItsColdest64ToTheRing() {
        PagePool.Cache cache = pool.cache();
        int[] ids = allocAll(cache, 256);   // four refills, cache now empty
        assertEquals(0, cache.count());
        for (int i = 0; i < PagePool.CACHE_SIZE; i++) {
            cache.recycleDirect(ids[i]);
        }
        assertEquals(PagePool.CACHE_SIZE, cache.count());
        assertEquals(0, cache.spilled());
        int ringBefore = pool.inRing();
        cache.recycleDirect(ids[200]);
        assertEquals(64, cache.spilled());
        assertEquals(65, cache.count());
        assertEquals(ringBefore + 64, pool.inRing());
        // the hot end stays: newest first, then the newer half of what was there
        assertEquals(ids[200], cache.alloc());
        assertEquals(ids[127], cache.alloc());
        // the cold end went to the ring: drain the cache and the ring gives them back first (FIFO)
        PagePool.Cache other = pool.cache();
        BitSet fromRing = new BitSet();
        for (int i = 0; i < 64; i++) {
            int id = other.alloc();
            fromRing.set(id);
        }
        for (int id = 256; id < 300; id++) {
            assertTrue(fromRing.get(id), "never-allocated frame " + id);   // first the 44 still in the ring...
        }
        for (int i = 0; i < 20; i++) {
            assertTrue(fromRing.get(ids[i]), "cold frame " + ids[i]);   // ...then the oldest ones spilled
        }
    }

    @Test
    void drainGivesTheCacheBackAndNothingIsOutstanding() {
        PagePool.Cache worker = pool.cache();
        int[] ids = allocAll(worker, 200);
        for (int i = 0; i < 120; i++) {
            worker.recycleDirect(ids[i]);
        }
        returnFromElsewhere(pool, ids, 120, 80);
        assertEquals(0, pool.framesOutstanding());
        assertTrue(worker.count() > 0);
        worker.drain();
        assertEquals(0, worker.count());
        assertEquals(300, pool.inRing());
        assertEquals(0, pool.framesOutstanding());
        assertEquals(200, pool.allocated());
        assertEquals(120, pool.recycled());
        assertEquals(80, pool.returned());
    }

    @Test
    void aReturnOnTheThreadOfTheCachesWorkerGoesStraightBackToItsCache() {
        PagePool.Cache worker = pool.cache();
        int[] ids = allocAll(worker, 100);  // this thread is now the cache's worker
        int ringBefore = pool.inRing();
        int cached = worker.count();
        pool.returnBulk(ids, 0, 40);
        assertEquals(ringBefore, pool.inRing(), "not through the ring");
        assertEquals(cached + 40, worker.count());
        assertEquals(ids[39], worker.alloc(), "the last returned is the next allocated, hot");
        returnFromElsewhere(pool, ids, 40, 60);
        assertEquals(ringBefore + 60, pool.inRing(), "another thread's return goes to the ring");
        assertEquals(100, pool.returned());
        assertEquals(1, pool.framesOutstanding());
        worker.recycleDirect(ids[39]);
        assertEquals(0, pool.framesOutstanding());
    }

    @Test
    void doubleReturnThrowsNamingTheFrame() {
        PagePool.Cache cache = pool.cache();
        int[] ids = allocAll(cache, 300);
        pool.returnBulk(ids, 7, 1);
        var e = assertThrows(IllegalStateException.class, () -> pool.returnBulk(ids, 7, 1));
        assertEquals("page pool: frame " + ids[7] + " returned twice", e.getMessage());
        cache.recycleDirect(ids[8]);
        e = assertThrows(IllegalStateException.class, () -> cache.recycleDirect(ids[8]));
        assertEquals("page pool: frame " + ids[8] + " returned twice", e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> pool.returnBulk(ids, 8, 1));
        assertTrue(e.getMessage().contains("frame " + ids[8]));
        assertEquals(298, pool.framesOutstanding());
    }

    @Test
    void duplicateInOneBulkThrowsAndReturnsNothing() {
        PagePool.Cache cache = pool.cache();
        int[] ids = allocAll(cache, 300);
        int[] batch = {ids[1], ids[2], ids[1]};
        var e = assertThrows(IllegalStateException.class, () -> pool.returnBulk(batch, 0, 3));
        assertTrue(e.getMessage().contains("frame " + ids[1]), e.getMessage());
        assertEquals(300, pool.framesOutstanding());
        assertEquals(0, pool.returned());
        pool.returnBulk(batch, 0, 2);   // the marks of the failed bulk were undone
        assertEquals(298, pool.framesOutstanding());
    }

    @Test
    void returningAFrameThatNeverLeftThrows() {
        PagePool.Cache cache = pool.cache();
        int id = cache.alloc();
        int neverLeft = cache.alloc();
        cache.recycleDirect(neverLeft);
        assertThrows(IllegalStateException.class, () -> pool.returnBulk(new int[] {neverLeft}, 0, 1));
        cache.recycleDirect(id);
        assertEquals(0, pool.framesOutstanding());
    }

    @Test
    void idsOutsideThePoolAreRejectedBeforeAnythingMoves() {
        PagePool.Cache cache = pool.cache();
        int[] ids = allocAll(cache, 2);
        assertThrows(IndexOutOfBoundsException.class, () -> pool.returnBulk(new int[] {ids[0], 300}, 0, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> cache.recycleDirect(-1));
        assertEquals(2, pool.framesOutstanding());
        assertEquals(0, pool.returned());
    }

    @Test
    void withoutCheckModeAnOverfullRingStillFailsLoudly() {
        try (PagePool small = new PagePool(64, false)) {
            assertFalse(small.checkMode());
            assertEquals(64, small.inRing());
            var e = assertThrows(IllegalStateException.class, () -> small.returnBulk(new int[] {5}, 0, 1));
            assertTrue(e.getMessage().contains("ring full"), e.getMessage());
        }
    }

    @Test
    void aPoolOfOneFrame() {
        try (PagePool one = new PagePool(1, true)) {
            PagePool.Cache cache = one.cache();
            assertEquals(0, cache.alloc());
            assertEquals(-1, cache.alloc());
            one.returnBulk(new int[] {0}, 0, 1);
            assertEquals(0, one.framesOutstanding());
            assertEquals(0, cache.alloc());
        }
    }
}
