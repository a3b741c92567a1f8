package dev.jxdp.xdp;

import dev.jxdp.ebpf.runtime.XdpAction;
import dev.jxdp.io.pktgen.PktGen;
import dev.jxdp.io.pktgen.PktGenDriver;
import dev.jxdp.io.pktgen.PktGenSpec;
import dev.jxdp.io.pktgen.Toeplitz;
import dev.jxdp.io.veth.VethPair;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Several RX queues, one worker thread each: RSS spreads the frames, every frame counted once, no page lost. */
class RxQueuesTest {

    /** A TX queue that "sends" a bulk by returning it to the pool at once (TX completion). */
    private static TxDriver wire(PagePool pool) {
        return (ids, from, n) -> {
            pool.returnBulk(ids, from, n);
            return n;
        };
    }

    /** Records, on its queue's thread only, each frame's stamp (seq), flow and the CPU it ran on; drops it. */
    private static final class Recorder implements XdpJavaProgram {
        final List<long[]> seen = new ArrayList<>();

        @Override
        public int run(XdpContext ctx) {
            // IPv4 UDP from pktgen: source port 1024 + flow at 34, the stamp at 42
            seen.add(new long[] {ctx.getU32(42), ctx.getU16(34) - 1024, ctx.rxQueueIndex(), ctx.cpu()});
            return XdpAction.DROP;
        }
    }

    /** The queue of flow {@code f} from the spec's own fields and the bitwise Toeplitz hash: no pktgen RSS code. */
    private static int toeplitzQueue(PktGenSpec spec, int f, int queues) {
        byte[] in = ByteBuffer.allocate(12).put(spec.src().forFlow(f)).put(spec.dst().forFlow(f))
                .putShort((short) spec.sport().forFlow(f)).putShort((short) spec.dport().forFlow(f)).array();
        return (Toeplitz.hash(in) & 127) % queues;
    }

    @Test
    void everyFrameArrivesOnceOnTheQueueToeplitzSaysAndTheCountsAddUp() {
        int queues = 4;
        int count = 20_000;
        PktGenSpec spec = PktGenSpec.parse("flows=64,stamp=1");
        Recorder[] recorders = new Recorder[queues];
        try (PagePool pool = new PagePool(1024, true); PktGen gen = new PktGen(spec)) {
            PktGenDriver[] drivers = new PktGenDriver[queues];
            RxQueues rxq = new RxQueues(pool, queues,
                    (q, cache) -> drivers[q] = new PktGenDriver(gen, pool, cache, 3, q, queues, count),
                    (q, cache, rx) -> new NapiWorker(pool, cache, rx, wire(pool), PassSink.DISCARD,
                            recorders[q] = new Recorder(), q, 3, q, null));
            assertSame(drivers[2], rxq.driver(2));
            rxq.start().join();
            assertTrue(rxq.finished());
            rxq.checkAccounting();
            boolean[] once = new boolean[count];
            int used = 0;
            for (int q = 0; q < queues; q++) {
                RxQueueStats s = rxq.stats(q);
                assertEquals(gen.packetsOnQueue(count, q, queues), s.rx, "queue " + q);
                assertEquals(s.rx, s.drop);
                assertEquals(s.rx, recorders[q].seen.size());
                used += s.rx > 0 ? 1 : 0;
                for (long[] r : recorders[q].seen) {
                    int seq = (int) r[0];
                    assertFalse(once[seq], "seq " + seq + " twice");
                    once[seq] = true;
                    assertEquals(seq % 64, r[1], "the stream's flow");
                    assertEquals(toeplitzQueue(spec, (int) r[1], queues), q, "flow " + r[1] + " on queue " + q);
                    assertEquals(q, r[2], "rx_queue_index");
                    assertEquals(q, r[3], "queue q runs as CPU q");
                }
            }
            for (int s = 0; s < count; s++) {
                assertTrue(once[s], "seq " + s + " never arrived");
            }
            assertEquals(count, rxq.total().rx);
            assertTrue(used >= 3, "64 flows reach most of 4 queues");
            assertEquals(0, pool.framesOutstanding(), "every page back after the join");
        }
    }

    /** DROP, PASS, TX, REDIRECT into a veth, ABORTED by flow. */
    private static int mixed(XdpContext ctx) {
        return switch ((ctx.getU16(34) - 1024) % 5) {
            case 0 -> XdpAction.DROP;
            case 1 -> XdpAction.PASS;
            case 2 -> XdpAction.TX;
            case 3 -> ctx.redirect(5);
            default -> XdpAction.ABORTED;
        };
    }

    @Test
    void stoppingUnboundedQueuesFlushesEverythingAndLosesNoPage() throws Exception {
        int queues = 3;
        try (PagePool pool = new PagePool(2048, true); PktGen gen = new PktGen(PktGenSpec.parse("flows=100"))) {
            VethPair pair = VethPair.create(pool, "veth0", 5, "veth1", 6, 256);
            NetDevices devices = new NetDevices();
            devices.add(pair.a().device());
            long[] passed = new long[queues];
            RxQueues rxq = new RxQueues(pool, queues, (q, cache) -> new PktGenDriver(gen, pool, cache, 3, q, queues, -1),
                    (q, cache, rx) -> new NapiWorker(pool, cache, rx, wire(pool), b -> passed[q]++, RxQueuesTest::mixed,
                            q, 3, q, devices))
                    .rxMode(RxMode.AUTO);
            AtomicBoolean draining = new AtomicBoolean(true);
            Thread drain = new Thread(() -> {
                int[] scratch = new int[64];
                while (draining.get()) {
                    if (pair.b().dropReceived(scratch) == 0) {
                        Thread.onSpinWait();
                    }
                }
            });
            drain.start();
            rxq.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (rxq.total().rx < 100_000 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            rxq.stop();
            draining.set(false);
            drain.join();
            int[] scratch = new int[64];
            while (pair.b().dropReceived(scratch) > 0) {
                // what the last flushes put on the ring
            }
            assertTrue(rxq.finished());
            rxq.checkAccounting();
            RxQueueStats t = rxq.total();
            assertTrue(t.rx >= 100_000, t.toString());
            assertTrue(t.drop > 0 && t.pass > 0 && t.tx > 0 && t.redirect > 0 && t.aborted > 0, t.toString());
            assertEquals(t.redirect, pair.a().txPackets(), "every redirect counted went into the veth");
            assertEquals(t.redirect, pair.b().rxPackets(), "and came out of its peer");
            assertEquals(pair.a().txErrors(), t.errors, "the only errors are frames the veth refused");
            for (int q = 0; q < queues; q++) {
                assertEquals(passed[q], rxq.stats(q).pass, "queue " + q + "'s sink saw its PASS frames");
            }
            assertEquals(0, pool.framesOutstanding(), "no page left in a bulk queue, a cache or a ring");
        }
    }

    @Test
    void aFailureOnOneQueueStopsThemAllAndIsRethrown() {
        try (PagePool pool = new PagePool(512, true); PktGen gen = new PktGen(PktGenSpec.parse("flows=8"))) {
            RxQueues rxq = new RxQueues(pool, 2, (q, cache) -> q == 0
                    ? new PktGenDriver(gen, pool, cache, 3, q, 1, -1)  // never ends by itself
                    : (ids, from, max) -> {
                        throw new IllegalStateException("queue 1: the NIC fell over");
                    },
                    (q, cache, rx) -> new NapiWorker(pool, cache, rx, wire(pool), PassSink.DISCARD,
                            ctx -> XdpAction.DROP, q, 3, q, null));
            rxq.start();
            IllegalStateException e = assertThrows(IllegalStateException.class, rxq::join);
            assertEquals("queue 1: the NIC fell over", e.getMessage());
            assertTrue(rxq.finished(), "queue 0 stopped too");
            rxq.checkAccounting();
            rxq.stop();  // reported once: no second throw
            assertEquals(0, pool.framesOutstanding());
        }
    }

    @Test
    void theRxModeAndRedirectBulkReachEveryWorker() {
        try (PagePool pool = new PagePool(512, true); PktGen gen = new PktGen(PktGenSpec.parse("flows=32"))) {
            List<Integer> bulks = Collections.synchronizedList(new ArrayList<>());
            NetDevices devices = new NetDevices();
            devices.add(new NetDevice(5, "sink", (ids, from, n) -> {
                bulks.add(n);
                pool.returnBulk(ids, from, n);
                return n;
            }));
            RxQueues rxq = new RxQueues(pool, 2, (q, cache) -> new PktGenDriver(gen, pool, cache, 3, q, 2, 1000),
                    (q, cache, rx) -> new NapiWorker(pool, cache, rx, wire(pool), PassSink.DISCARD, ctx -> ctx.redirect(5),
                            q, 3, q, devices))
                    .rxMode(RxMode.VECTOR).redirectBulk(1);
            assertThrows(IllegalArgumentException.class, () -> rxq.redirectBulk(17));
            rxq.start().join();
            assertThrows(IllegalStateException.class, () -> rxq.rxMode(RxMode.SCALAR), "too late once started");
            assertEquals(RxMode.VECTOR, rxq.worker(0).rxMode());
            assertEquals(RxMode.VECTOR, rxq.worker(1).rxMode());
            assertEquals(1000, rxq.total().redirect);
            assertEquals(1000, bulks.size(), "bulks of one frame");
            assertEquals(0, pool.framesOutstanding());
        }
    }
}
