package dev.jxdp.xdp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One worker allocates, recycles directly and hands frames to four other threads, which give them back
 * in bulk (TX completion, cpumap consumers): check mode catches any frame handed out twice or returned
 * twice as it happens, and once everyone has stopped every frame is back exactly once.
 */
class PagePoolConcurrencyTest {

    private static final int FRAMES = 1024;
    private static final int RETURNERS = 4;
    private static final int OPERATIONS = 400_000;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)   // a guard against a hang, not a measurement
    void noFrameLostOrDuplicatedUnderConcurrentReturns() throws Exception {
        try (PagePool pool = new PagePool(FRAMES, true)) {
            FrameRing[] handOff = new FrameRing[RETURNERS];
            for (int r = 0; r < RETURNERS; r++) {
                handOff[r] = new FrameRing(256);
            }
            AtomicBoolean workerDone = new AtomicBoolean();
            List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
            long[] handedOff = new long[1];
            PagePool.Cache cache = pool.cache();

            Thread worker = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(5);
                int[] held = new int[300];   // frames the worker keeps a while, so the pool runs dry at times
                int heldCount = 0;
                int[] one = new int[1];
                for (int op = 0; op < OPERATIONS; op++) {
                    int id;
                    while ((id = cache.alloc()) < 0) {
                        Thread.yield();   // exhausted for now: the returners will give frames back
                    }
                    int choice = random.nextInt(10);
                    if (choice < 4) {
                        cache.recycleDirect(id);   // XDP_DROP
                    } else if (choice < 8) {
                        one[0] = id;               // XDP_TX / REDIRECT: another thread returns it
                        FrameRing to = handOff[random.nextInt(RETURNERS)];
                        while (to.offerBulk(one, 0, 1) == 0) {
                            Thread.yield();        // that returner is behind: let it run
                        }
                        handedOff[0]++;
                    } else if (heldCount < held.length) {
                        held[heldCount++] = id;
                    } else {
                        pool.returnBulk(held, 0, heldCount);   // the worker itself returning a bulk
                        heldCount = 0;
                        cache.recycleDirect(id);
                    }
                }
                pool.returnBulk(held, 0, heldCount);
                cache.drain();
            }, "worker");
            List<Thread> returners = new ArrayList<>();
            for (int r = 0; r < RETURNERS; r++) {
                FrameRing mine = handOff[r];
                returners.add(new Thread(() -> {
                    int[] bulk = new int[64];
                    while (true) {
                        boolean done = workerDone.get();   // read before polling: nothing arrives after
                        int n = mine.pollBulk(bulk, 0, bulk.length);
                        if (n > 0) {
                            pool.returnBulk(bulk, 0, n);
                        } else if (done) {
                            return;
                        } else {
                            Thread.yield();
                        }
                    }
                }, "returner-" + r));
            }
            Thread.UncaughtExceptionHandler record = (t, e) -> failures.add(e);
            worker.setUncaughtExceptionHandler(record);
            worker.setDaemon(true);
            returners.forEach(t -> t.setDaemon(true));
            returners.forEach(t -> t.setUncaughtExceptionHandler(record));
            returners.forEach(Thread::start);
            worker.start();
            worker.join();
            workerDone.set(true);
            for (Thread t : returners) {
                t.join();
            }

            assertTrue(failures.isEmpty(), () -> failures.get(0).toString());
            assertEquals(0, pool.framesOutstanding());
            assertEquals(FRAMES, pool.inRing());
            assertTrue(handedOff[0] > OPERATIONS / 3, "handed off " + handedOff[0]);   // 40% on average
            assertTrue(pool.returned() >= handedOff[0], "returned " + pool.returned());
            assertEquals(OPERATIONS, pool.allocated());
            assertEquals(pool.allocated(), pool.recycled() + pool.returned());

            // every frame exactly once: a fresh cache takes all of them, distinct, then the pool is empty
            PagePool.Cache after = pool.cache();
            BitSet ids = new BitSet();
            for (int i = 0; i < FRAMES; i++) {
                int id = after.alloc();
                assertTrue(id >= 0 && !ids.get(id), "frame " + id);
                ids.set(id);
            }
            assertEquals(-1, after.alloc());
        }
    }
}
