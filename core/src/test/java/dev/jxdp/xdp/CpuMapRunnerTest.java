package dev.jxdp.xdp;

import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.maps.CpuMap;
import dev.jxdp.ebpf.maps.Cpus;
import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.XdpBuff;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/**
 * CPUMAP entries run by consumer threads: every queued frame ends passed, dropped or aborted, the stack
 * sees the frame's own page, a full queue refuses the rest, and every page comes back to the pool.
 * Tests wait for consumers by closing the runner (which lets them finish their queues) or on latches,
 * never on time.
 */
class CpuMapRunnerTest {

    private static final Path BPF = Path.of(System.getProperty("jxdp.repo", "."), "core/src/test/bpf");
    private static final int RX_IFINDEX = 7;
    private static final int RX_QUEUE = 3;

    /** A stack packet as the sink saw it, copied. */
    private record Seen(long data, byte[] bytes, int ingressIfindex, int rxQueueIndex, String thread) {}

    /** A thread-safe sink that keeps copies. */
    private static final class Stack implements PassSink {
        final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void pass(XdpBuff b) {
            seen.add(new Seen(b.data, Mem.read(b.data, b.length()), b.ingressIfindex, b.rxQueueIndex,
                    Thread.currentThread().getName()));
        }
    }

    private final BpfCollection coll = BpfCollection.load(ElfLoader.load(BPF.resolve("maps_cpumap_prog.o")));
    private final CpuMap cpus = (CpuMap) coll.map("cpus");
    private final PagePool pool = new PagePool(512, true);
    private final PagePool.Cache cache = pool.cache();
    private final Stack stack = new Stack();
    private final JitCompiler jit = JitCompiler.verifying();
    private CpuMapRunner runner;

    @AfterEach
    void tearDown() {
        if (runner != null) {
            runner.close();
        }
        pool.close();
        coll.close();
    }

    private CpuMapRunner runner(PassSink sink) {
        runner = new CpuMapRunner(cpus, pool, sink, coll, jit::program);
        return runner;
    }

    private void entry(int cpu, int qsize, boolean withProgram) {
        byte[] key = {(byte) cpu, 0, 0, 0};
        assertEquals(0, cpus.updateWithProgram(key, qsize, withProgram ? coll.program("xdp_cpu_stage") : null, 0));
    }

    /** A received 64-byte frame whose byte 14 picks the cpumap program's verdict; byte 20 numbers it. */
    private int frame(int verdict, int n) {
        int id = cache.alloc();
        assertTrue(id >= 0, "pool exhausted");
        byte[] pkt = new byte[64];
        for (int i = 0; i < pkt.length; i++) {
            pkt[i] = (byte) (0x10 + i);
        }
        pkt[14] = (byte) verdict;
        pkt[20] = (byte) n;
        Mem.write(pool.address(id) + PagePool.HEADROOM, pkt);
        pool.meta().prepare(id, pkt.length, RX_IFINDEX, RX_QUEUE);
        return id;
    }

    /** Enqueues one bulk, freeing what the queue refused as a worker would; returns how many were taken. */
    private int enqueue(CpuMapRunner r, int cpu, int[] ids) {
        int took = r.enqueue(cpu, ids, 0, ids.length);
        for (int i = took; i < ids.length; i++) {
            cache.recycleDirect(ids[i]);
        }
        return took;
    }

    private void assertNoFrameLost() {
        cache.drain();
        assertEquals(0, pool.framesOutstanding(), "frames out of the pool");
    }

    @Test
    void withoutAProgramEveryFrameGoesUpTheStackOnItsOwnPage() {
        entry(0, 64, false);
        CpuMapRunner r = runner(stack);
        int[] ids = new int[CpuMapRunner.BULK];
        long[] data = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = frame(0, i);
            data[i] = pool.address(ids[i]) + PagePool.HEADROOM;
        }
        assertEquals(8, enqueue(r, 0, ids));
        r.close();

        assertEquals(8, stack.seen.size());
        for (int i = 0; i < 8; i++) {
            Seen s = stack.seen.get(i);
            assertEquals(i, s.bytes()[20], "in queue order");
            assertEquals(data[i], s.data(), "the stack packet is built around the frame's page, not a copy");
            assertEquals(64, s.bytes().length);
            assertEquals(0x10, s.bytes()[0] & 0xff, "no program: the frame as received");
            assertEquals(RX_IFINDEX, s.ingressIfindex());
            assertEquals(RX_QUEUE, s.rxQueueIndex());
            assertEquals("cpumap/0/map:cpus", s.thread(), "the entry's own consumer thread, named as the kthread");
        }
        CpuMapRunner.Stats st = r.stats(0);
        assertEquals(new CpuMapRunner.Stats(8, 8, 0, 0, 0, 0), st);
        st.checkAccounting();
        assertNoFrameLost();
    }

    @Test
    void theEntryProgramsVerdictsAreCountedOnceEach() {
        int cpu = Cpus.possible() - 1;  // the program's per-CPU counter must land in this CPU's slot
        entry(cpu, 64, true);
        CpuMapRunner r = runner(stack);
        // PASS(mark), DROP, ABORTED, REDIRECT, TX, unknown 7, PASS after adjust_head(4), PASS(mark)
        int[] ids = new int[8];
        for (int i = 0; i < 7; i++) {
            ids[i] = frame(i, i);
        }
        ids[7] = frame(0, 7);
        long adjusted = pool.address(ids[6]) + PagePool.HEADROOM + 4;
        assertEquals(8, enqueue(r, cpu, ids));
        r.close();

        CpuMapRunner.Stats st = r.stats(cpu);
        assertEquals(8, st.enqueued());
        assertEquals(3, st.passed());
        assertEquals(2, st.dropped(), "XDP_DROP, and XDP_REDIRECT which a cpumap program cannot take here");
        assertEquals(1, st.redirectDropped());
        assertEquals(3, st.aborted(), "XDP_ABORTED, XDP_TX and an unknown action");
        st.checkAccounting();

        assertEquals(3, stack.seen.size());
        assertEquals(0xcc, stack.seen.get(0).bytes()[0] & 0xff, "the program's write is what the stack sees");
        assertEquals(60, stack.seen.get(1).bytes().length, "bpf_xdp_adjust_head(4) moved the packet's start");
        assertEquals(adjusted, stack.seen.get(1).data());
        assertEquals(7, stack.seen.get(2).bytes()[20]);
        assertEquals(RX_QUEUE, stack.seen.get(0).rxQueueIndex(), "the stack packet keeps the frame's queue");

        byte[] runs = coll.map("stage_runs").userLookup(new byte[4]);
        for (int c = 0; c < Cpus.possible(); c++) {
            assertEquals(c == cpu ? 8 : 0, readLong(runs, 8 * c), "per-CPU slot " + c);
        }
        BpfMap seen = coll.map("stage_seen");
        assertEquals(RX_IFINDEX, readLong(seen.userLookup(new byte[] {0, 0, 0, 0}), 0), "ingress_ifindex: the RX device");
        assertEquals(0, readLong(seen.userLookup(new byte[] {1, 0, 0, 0}), 0),
                "rx_queue_index: cpumap runs its program with a zeroed rxq");
        assertNoFrameLost();
    }

    @Test
    void aFullQueueTakesQsizeFramesAndRefusesTheRest() throws InterruptedException {
        entry(0, 5, false);  // not a power of two: the ring is 8 slots, the queue still holds 5
        CountDownLatch inSink = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CpuMapRunner r = runner(b -> {
            inSink.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertEquals(1, enqueue(r, 0, new int[] {frame(0, 0)}));
        inSink.await();  // the consumer holds that frame; its queue is empty
        int[] bulk = new int[8];
        for (int i = 0; i < 8; i++) {
            bulk[i] = frame(0, i);
        }
        assertEquals(5, enqueue(r, 0, bulk), "qsize 5");
        assertEquals(0, enqueue(r, 0, new int[] {frame(0, 9)}), "full");
        CpuMapRunner.Stats mid = r.stats(0);
        assertEquals(6, mid.enqueued());
        assertEquals(5, mid.queued());
        release.countDown();
        r.close();

        CpuMapRunner.Stats st = r.stats(0);
        assertEquals(6, st.passed());
        assertEquals(0, st.queued());
        st.checkAccounting();
        assertNoFrameLost();
    }

    @Test
    void noEntryOrAClosedRunnerTakesNothing() {
        entry(0, 8, false);
        CpuMapRunner r = runner(stack);
        int[] ids = {frame(0, 0), frame(0, 1)};
        assertEquals(0, enqueue(r, 1, ids), "no entry at key 1");
        ids = new int[] {frame(0, 0)};
        assertEquals(0, enqueue(r, 4, ids), "beyond max_entries");
        ids = new int[] {frame(0, 0)};
        assertEquals(0, enqueue(r, -1, ids), "a u32 key past 2^31");
        r.close();
        ids = new int[] {frame(0, 0)};
        assertEquals(0, enqueue(r, 0, ids), "closed");
        assertEquals(CpuMapRunner.Stats.ZERO, r.total());
        assertNoFrameLost();
    }

    @Test
    void aNewEntryAtAKeyGetsANewQueueAndTheOldFinishesItsOwn() {
        entry(0, 64, false);
        CpuMapRunner r = runner(stack);
        assertEquals(2, enqueue(r, 0, new int[] {frame(0, 0), frame(0, 1)}));
        entry(0, 64, true);  // the same qsize, now with a program: a new entry
        assertEquals(2, enqueue(r, 0, new int[] {frame(0, 2), frame(1, 3)}));
        assertEquals(0, cpus.userDelete(new byte[4]));
        assertEquals(0, enqueue(r, 0, new int[] {frame(0, 4)}), "deleted");
        r.close();

        CpuMapRunner.Stats st = r.stats(0);
        assertEquals(4, st.enqueued(), "summed over both entries");
        assertEquals(3, st.passed());
        assertEquals(1, st.dropped(), "the new entry's program dropped one");
        st.checkAccounting();
        assertEquals(3, stack.seen.size());
        assertEquals(0x10, stack.seen.stream().filter(s -> s.bytes()[20] == 0).findFirst().orElseThrow().bytes()[0] & 0xff,
                "frames of the old entry: no program");
        assertEquals(0xcc, stack.seen.stream().filter(s -> s.bytes()[20] == 2).findFirst().orElseThrow().bytes()[0] & 0xff,
                "frames of the new entry: its program");
        assertNoFrameLost();
    }

    @Test
    void anIdleConsumerParksAndAnEnqueueWakesIt() throws InterruptedException {
        entry(0, 64, false);
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch second = new CountDownLatch(2);
        List<Thread> consumer = new ArrayList<>();
        CpuMapRunner r = runner(b -> {
            consumer.add(Thread.currentThread());
            first.countDown();
            second.countDown();
        });
        enqueue(r, 0, new int[] {frame(0, 0)});
        first.await();
        Thread t = consumer.getFirst();
        while (t.getState() != Thread.State.WAITING) {
            Thread.onSpinWait();  // it spins a little, then parks: not burning a core while idle
        }
        enqueue(r, 0, new int[] {frame(0, 1)});
        second.await();  // woken by the enqueue
        r.close();
        assertFalse(t.isAlive(), "close stops the consumer");
        r.stats(0).checkAccounting();
        assertNoFrameLost();
    }

    @Test
    void concurrentProducersLoseNoFrame() throws InterruptedException {
        int producers = 3;
        int perProducer = 20_000;
        int second = Cpus.possible() > 1 ? 1 : 2;  // key 2 with one CPU: no entry, everything sent there refused
        entry(0, 16, false);
        if (second == 1) {
            entry(1, 7, true);
        }
        AtomicLong sunk = new AtomicLong();
        CpuMapRunner r = runner(b -> sunk.incrementAndGet());
        long[] refused = new long[producers];
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        for (int p = 0; p < producers; p++) {
            int me = p;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    PagePool.Cache own = pool.cache();
                    int[] bulk = new int[CpuMapRunner.BULK];
                    int sent = 0;
                    while (sent < perProducer) {
                        int n = 0;
                        while (n < bulk.length && sent + n < perProducer) {
                            int id = own.alloc();
                            if (id < 0) {
                                break;  // every frame is queued or in the other caches: flush what we have
                            }
                            pool.meta().prepare(id, 64, RX_IFINDEX, me);
                            Mem.putU8(pool.address(id) + PagePool.HEADROOM + 14, (sent + n) % 3 == 0 ? 1 : 0);
                            bulk[n++] = id;
                        }
                        int took = r.enqueue((sent / CpuMapRunner.BULK) % 2 == 0 ? 0 : second, bulk, 0, n);
                        for (int i = took; i < n; i++) {
                            own.recycleDirect(bulk[i]);
                            refused[me]++;
                        }
                        sent += n;
                    }
                    own.drain();
                } catch (Throwable t) {
                    errors.add(t);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        r.close();
        assertEquals(List.of(), errors);
        long allRefused = 0;
        for (long x : refused) {
            allRefused += x;
        }
        CpuMapRunner.Stats st = r.total();
        st.checkAccounting();
        assertEquals((long) producers * perProducer, st.enqueued() + allRefused, "every frame queued or refused");
        assertEquals(st.passed(), sunk.get());
        assertEquals(0, st.queued());
        assertNull(r.failure());
        assertNoFrameLost();
    }

    @Test
    void aConsumerWhoseSinkFailsFreesEveryFrame() throws InterruptedException {
        entry(0, 64, false);
        CountDownLatch failed = new CountDownLatch(1);
        CpuMapRunner r = runner(b -> {
            failed.countDown();
            throw new IllegalStateException("disk full");
        });
        int[] ids = new int[8];
        for (int i = 0; i < 8; i++) {
            ids[i] = frame(0, i);
        }
        assertEquals(8, enqueue(r, 0, ids));
        failed.await();
        int[] more = {frame(0, 8), frame(0, 9)};
        enqueue(r, 0, more);  // taken and freed, or refused: either way not lost
        r.close();
        assertEquals("disk full", r.failure().getMessage());
        CpuMapRunner.Stats st = r.stats(0);
        assertEquals(0, st.passed());
        st.checkAccounting();
        assertNoFrameLost();
    }

    @Test
    void enqueueAndTheConsumerAllocateNothingPerFrame() throws InterruptedException {
        entry(0, 64, true);
        AtomicLong sunk = new AtomicLong();
        Thread[] consumer = new Thread[1];
        CountDownLatch started = new CountDownLatch(1);
        CpuMapRunner r = runner(b -> {
            if (consumer[0] == null) {
                consumer[0] = Thread.currentThread();
                started.countDown();
            }
            sunk.incrementAndGet();
        });
        int[] bulk = new int[CpuMapRunner.BULK];
        produce(r, bulk, 20_000);  // warm-up: compiled code, the pool's counters, the latch
        started.await();
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long consumerBefore = mx.getThreadAllocatedBytes(consumer[0].threadId());
        long before = mx.getCurrentThreadAllocatedBytes();
        produce(r, bulk, 100_000);
        long producerBytes = mx.getCurrentThreadAllocatedBytes() - before;
        // read while the consumer lives (an ended thread reports -1); it is at most a queue behind
        long consumerAfter = mx.getThreadAllocatedBytes(consumer[0].threadId());
        r.close();
        assertTrue(consumerBefore >= 0 && consumerAfter >= 0);
        assertTrue(producerBytes < 64 * 1024, producerBytes + " bytes allocated by enqueues of 100,000 frames");
        assertTrue(consumerAfter - consumerBefore < 64 * 1024,
                (consumerAfter - consumerBefore) + " bytes allocated by the consumer for 100,000 frames");
        assertTrue(sunk.get() + r.stats(0).dropped() >= 120_000, "the consumer handled what was queued");
        r.stats(0).checkAccounting();
        assertNoFrameLost();
    }

    /** Queues frames (DROP or PASS by the program) in bulks until the queue took {@code frames}, freeing refused ones. */
    private void produce(CpuMapRunner r, int[] bulk, int frames) {
        for (int taken = 0; taken < frames; ) {
            int n = 0;
            while (n < bulk.length) {
                int id = cache.alloc();
                if (id < 0) {
                    break;
                }
                pool.meta().prepare(id, 64, RX_IFINDEX, RX_QUEUE);
                Mem.putU8(pool.address(id) + PagePool.HEADROOM + 14, n & 1);
                bulk[n++] = id;
            }
            int took = r.enqueue(0, bulk, 0, n);
            for (int i = took; i < n; i++) {
                cache.recycleDirect(bulk[i]);
            }
            taken += took;
        }
    }

    private static long readLong(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (b[off + i] & 0xff);
        }
        return v;
    }
}
