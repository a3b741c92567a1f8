package dev.jxdp.xdp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameRingTest {

    @Test
    void capacityMustBeAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new FrameRing(12));
        assertThrows(IllegalArgumentException.class, () -> new FrameRing(0));
        assertEquals(16, new FrameRing(16).capacity());
    }

    @Test
    void offerStopsWhenFullAndPollReturnsInOrder() {
        FrameRing ring = new FrameRing(8);
        assertEquals(5, ring.offerBulk(new int[] {10, 11, 12, 13, 14}, 0, 5));
        assertEquals(3, ring.offerBulk(new int[] {15, 16, 17, 18, 19}, 0, 5));
        assertEquals(0, ring.offerBulk(new int[] {20}, 0, 1));
        assertEquals(8, ring.size());
        int[] out = new int[10];
        assertEquals(8, ring.pollBulk(out, 1, 9));
        assertArrayEquals(new int[] {0, 10, 11, 12, 13, 14, 15, 16, 17, 0}, out);
        assertEquals(0, ring.pollBulk(out, 0, 10));
        assertEquals(0, ring.size());
    }

    @Test
    void bulksMoveOnlyTheGivenRange() {
        FrameRing ring = new FrameRing(8);
        assertEquals(2, ring.offerBulk(new int[] {1, 2, 3, 4}, 1, 2));
        int[] out = {-1, -1, -1};
        assertEquals(1, ring.pollBulk(out, 2, 1));
        assertArrayEquals(new int[] {-1, -1, 2}, out);
        assertEquals(1, ring.size());
        assertThrows(IndexOutOfBoundsException.class, () -> ring.offerBulk(new int[2], 1, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> ring.pollBulk(new int[2], -1, 1));
    }

    @Test
    void wrapsAroundForManyLaps() {
        FrameRing ring = new FrameRing(4);
        int[] in = new int[3];
        int[] out = new int[3];
        int next = 0;
        int expect = 0;
        for (int lap = 0; lap < 1000; lap++) {
            for (int i = 0; i < 3; i++) {
                in[i] = next++;
            }
            assertEquals(3, ring.offerBulk(in, 0, 3));
            assertEquals(3, ring.pollBulk(out, 0, 3));
            for (int i = 0; i < 3; i++) {
                assertEquals(expect++, out[i]);
            }
        }
        assertEquals(0, ring.size());
    }

    /**
     * Three producers and three consumers move 600,000 distinct ids through a small ring in small bulks
     * (many claims, so many chances to race): each id arrives exactly once, and each consumer sees one
     * producer's ids in the order that producer offered them.
     */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)   // a guard against a hang, not a measurement
    void concurrentProducersAndConsumersMoveEveryIdOnce() throws Exception {
        int producers = 3;
        int perProducer = 200_000;
        int total = producers * perProducer;
        FrameRing ring = new FrameRing(256);
        AtomicIntegerArray seen = new AtomicIntegerArray(total);
        AtomicInteger consumed = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int p = 0; p < producers; p++) {
            int first = p * perProducer;
            threads.add(new Thread(() -> {
                int[] batch = new int[13];
                int next = first;
                int end = first + perProducer;
                while (next < end) {
                    int n = Math.min(batch.length, end - next);
                    for (int i = 0; i < n; i++) {
                        batch[i] = next + i;
                    }
                    int done = 0;
                    while (done < n) {
                        int moved = ring.offerBulk(batch, done, n - done);
                        if (moved == 0) {
                            Thread.yield();
                        }
                        done += moved;
                    }
                    next += n;
                }
            }, "producer-" + p));
            threads.getLast().setDaemon(true);
        }
        for (int c = 0; c < 3; c++) {
            threads.add(new Thread(() -> {
                int[] out = new int[7];
                int[] lastPerProducer = {-1, -1, -1};
                while (consumed.get() < total) {
                    int n = ring.pollBulk(out, 0, out.length);
                    if (n == 0) {
                        Thread.yield();
                        continue;
                    }
                    for (int i = 0; i < n; i++) {
                        int id = out[i];
                        int p = id / perProducer;
                        if (id <= lastPerProducer[p]) {
                            failures.add(new AssertionError("id " + id + " after " + lastPerProducer[p]));
                        }
                        lastPerProducer[p] = id;
                        seen.incrementAndGet(id);
                    }
                    consumed.addAndGet(n);
                }
            }, "consumer-" + c));
            threads.getLast().setDaemon(true);
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(failures.isEmpty(), () -> failures.get(0).getMessage());
        assertEquals(total, consumed.get());
        for (int id = 0; id < total; id++) {
            assertEquals(1, seen.get(id), "id " + id);
        }
        assertEquals(0, ring.size());
    }

    /** Two consumers race for a full ring, claiming 1-4 ids at a time: every id is taken exactly once. */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)   // a guard against a hang, not a measurement
    void racingConsumersTakeEachIdOnce() throws Exception {
        int capacity = 1 << 16;
        FrameRing ring = new FrameRing(capacity);
        int[] all = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            all[i] = i;
        }
        AtomicIntegerArray seen = new AtomicIntegerArray(capacity);
        CyclicBarrier start = new CyclicBarrier(2);
        for (int round = 0; round < 8; round++) {
            assertEquals(capacity, ring.offerBulk(all, 0, capacity));
            AtomicInteger taken = new AtomicInteger();
            runBoth(start, () -> {
                int[] out = new int[4];
                int size = 1;
                while (taken.get() < capacity) {
                    int n = ring.pollBulk(out, 0, size);
                    for (int i = 0; i < n; i++) {
                        seen.incrementAndGet(out[i]);
                    }
                    taken.addAndGet(n);
                    size = size % 4 + 1;
                }
            });
        }
        for (int id = 0; id < capacity; id++) {
            assertEquals(8, seen.get(id), "id " + id);
        }
    }

    /** Two producers race to fill an empty ring, 1-4 ids at a time: every id lands exactly once. */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)   // a guard against a hang, not a measurement
    void racingProducersLoseNothing() throws Exception {
        int capacity = 1 << 16;
        FrameRing ring = new FrameRing(capacity);
        CyclicBarrier start = new CyclicBarrier(2);
        int[] out = new int[capacity];
        for (int round = 0; round < 8; round++) {
            AtomicInteger half = new AtomicInteger();
            runBoth(start, () -> {
                int first = half.getAndIncrement() * (capacity / 2);   // disjoint ids per producer
                int[] batch = new int[4];
                int size = 1;
                for (int id = first; id < first + capacity / 2; ) {
                    int n = Math.min(size, first + capacity / 2 - id);
                    for (int i = 0; i < n; i++) {
                        batch[i] = id + i;
                    }
                    int moved = ring.offerBulk(batch, 0, n);
                    id += moved;
                    size = size % 4 + 1;
                }
            });
            assertEquals(capacity, ring.pollBulk(out, 0, capacity));
            BitSet ids = new BitSet(capacity);
            for (int id : out) {
                assertTrue(id >= 0 && id < capacity && !ids.get(id), "round " + round + ": id " + id);
                ids.set(id);
            }
        }
    }

    private static void runBoth(CyclicBarrier start, Runnable body) throws Exception {
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        Thread[] threads = new Thread[2];
        for (int t = 0; t < 2; t++) {
            threads[t] = new Thread(() -> {
                try {
                    start.await();
                    body.run();
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            threads[t].setDaemon(true);   // a broken ring may spin forever: let the timeout end the run
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(failures.isEmpty(), () -> failures.get(0).toString());
    }
}
