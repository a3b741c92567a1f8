package dev.jxdp.io.veth;

import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.isa.Asm;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.io.pktgen.PktGen;
import dev.jxdp.io.pktgen.PktGenDriver;
import dev.jxdp.io.pktgen.PktGenSpec;
import dev.jxdp.xdp.FrameMeta;
import dev.jxdp.xdp.NapiWorker;
import dev.jxdp.xdp.NetDevices;
import dev.jxdp.xdp.PagePool;
import dev.jxdp.xdp.PassSink;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The in-memory veth pair: what one end transmits the other receives, bounds and bytes intact. */
class VethPairTest {

    /** Takes {@code n} frames from the pool, frame i with i + 1 at its first byte and bounds moved by i. */
    private static int[] frames(PagePool pool, PagePool.Cache cache, int n) {
        int[] ids = new int[n];
        FrameMeta meta = pool.meta();
        for (int i = 0; i < n; i++) {
            ids[i] = cache.alloc();
            meta.prepare(ids[i], 60, 3, 0);
            meta.bounds(ids[i], PagePool.HEADROOM - i, 60 + i, i % 4);
            Mem.putU8(pool.address(ids[i]) + meta.dataOffset(ids[i]), i + 1);
        }
        return ids;
    }

    @Test
    void whatOneEndTransmitsTheOtherReceivesWithItsBounds() {
        try (PagePool pool = new PagePool(256, true)) {
            PagePool.Cache cache = pool.cache();
            VethPair pair = VethPair.create(pool, "veth0", 5, "veth1", 6, 64);
            Veth a = pair.a();
            Veth b = pair.b();
            assertSame(b, a.peer());
            assertSame(a, b.peer());
            assertSame(a, a.device().tx());
            assertEquals(5, a.device().ifindex());
            assertEquals("veth1", b.device().name());

            int[] sent = frames(pool, cache, 10);
            assertEquals(10, a.transmit(sent, 0, 10));
            assertEquals(0, a.receive(new int[16], 0, 16), "nothing comes back to the sender");
            int[] got = new int[16];
            assertEquals(10, b.receive(got, 0, 16));
            FrameMeta meta = pool.meta();
            for (int i = 0; i < 10; i++) {
                assertEquals(sent[i], got[i], "in order");
                assertEquals(PagePool.HEADROOM - i, meta.dataOffset(got[i]));
                assertEquals(60 + i, meta.length(got[i]));
                assertEquals(i % 4, meta.metaLength(got[i]));
                assertEquals(i + 1, Mem.getU8(pool.address(got[i]) + meta.dataOffset(got[i])));
                assertEquals(6, meta.rxIfindex(got[i]), "it arrived on veth1");
                assertEquals(0, meta.rxQueue(got[i]));
            }
            // and back the other way
            assertEquals(4, b.transmit(got, 0, 4));
            int[] back = new int[8];
            assertEquals(4, a.receive(back, 0, 8));
            assertEquals(5, meta.rxIfindex(back[0]));
            assertEquals(10, a.txPackets());
            assertEquals(10, b.rxPackets());
            assertEquals(4, b.txPackets());
            assertEquals(4, a.rxPackets());
            assertEquals(0, a.txRingFull() + b.txRingFull());
            pool.returnBulk(back, 0, 4);
            pool.returnBulk(got, 4, 6);
            cache.drain();
            assertEquals(0, pool.framesOutstanding());
        }
    }

    @Test
    void aFullRingTakesWhatFitsAndCountsTheRest() {
        try (PagePool pool = new PagePool(256, true)) {
            PagePool.Cache cache = pool.cache();
            VethPair pair = VethPair.create(pool, "veth0", 5, "veth1", 6, 8);
            int[] ids = frames(pool, cache, 12);
            assertEquals(8, pair.a().transmit(ids, 0, 12));
            assertEquals(4, pair.a().txRingFull());
            assertEquals(4, pair.a().txErrors());
            assertEquals(0, pair.a().transmit(ids, 8, 4), "still full");
            assertEquals(8, pair.a().txRingFull());
            assertEquals(8, pair.b().pending());
            assertEquals(8, pair.b().dropReceived(new int[16]), "the peer's stack frees them");
            assertEquals(4, pair.a().transmit(ids, 8, 4), "room again");
            assertEquals(4, pair.b().dropReceived(new int[16]));
            assertEquals(12, pair.a().txPackets());
            cache.drain();
            assertEquals(0, pool.framesOutstanding());
        }
    }

    @Test
    void aDownEndOnEitherSideTakesNothing() {
        try (PagePool pool = new PagePool(256, true)) {
            PagePool.Cache cache = pool.cache();
            VethPair pair = VethPair.create(pool, "veth0", 5, "veth1", 6, 64);
            int[] ids = frames(pool, cache, 6);
            pair.b().device().setUp(false);
            assertEquals(0, pair.a().transmit(ids, 0, 6), "peer down: veth_xdp_xmit's -ENXIO");
            pair.b().device().setUp(true);
            pair.a().device().setUp(false);
            assertEquals(0, pair.a().transmit(ids, 0, 6), "own end down");
            assertEquals(12, pair.a().txErrors());
            assertEquals(0, pair.a().txRingFull(), "not a ring that was full");
            assertEquals(0, pair.b().pending());
            pair.a().device().setUp(true);
            assertEquals(6, pair.a().transmit(ids, 0, 6));
            assertEquals(6, pair.b().dropReceived(new int[8]));
            cache.drain();
            assertEquals(0, pool.framesOutstanding());
        }
    }

    @Test
    void aFrameOverThePeersMtuEndsTheBulk() {
        try (PagePool pool = new PagePool(64, true)) {
            PagePool.Cache cache = pool.cache();
            VethPair pair = VethPair.create(pool, "veth0", 5, "veth1", 6, 64);
            int[] ids = frames(pool, cache, 4);
            pool.meta().prepare(ids[2], Veth.MAX_FRAME_LEN + 1, 3, 0);
            assertEquals(2, pair.a().transmit(ids, 0, 4), "veth_xdp_xmit stops at the first frame over max_len");
            assertEquals(2, pair.a().txErrors());
            assertEquals(0, pair.a().txRingFull());
            pool.meta().prepare(ids[2], Veth.MAX_FRAME_LEN, 3, 0);
            assertEquals(2, pair.a().transmit(ids, 2, 2), "a frame of exactly max_len goes");
            assertEquals(4, pair.b().dropReceived(new int[8]));
            cache.drain();
            assertEquals(0, pool.framesOutstanding());
        }
    }

    @Test
    void badShapesAreRefused() {
        try (PagePool pool = new PagePool(64, true)) {
            assertThrows(IllegalArgumentException.class, () -> VethPair.create(pool, "a", 5, "b", 6, 100));
            assertThrows(IllegalArgumentException.class, () -> VethPair.create(pool, "a", 5, "b", 5, 64));
            assertThrows(IllegalArgumentException.class, () -> VethPair.create(pool, "a", 0, "b", 6, 64));
        }
    }

    @Test
    void twoSendersAndAReceiverOnTheirOwnThreadsLoseAndDuplicateNothing() throws Exception {
        int perSender = 200_000;
        try (PagePool pool = new PagePool(1024, true)) {
            VethPair pair = VethPair.create(pool, "veth0", 5, "veth1", 6, 64);
            Veth a = pair.a();
            Veth b = pair.b();
            AtomicLong refused = new AtomicLong();
            AtomicLong firstBytes = new AtomicLong();
            AtomicLong wrongIfindex = new AtomicLong();
            Thread[] senders = new Thread[2];
            for (int s = 0; s < senders.length; s++) {
                int tag = s + 1;
                senders[s] = new Thread(() -> {
                    PagePool.Cache cache = pool.cache();
                    int[] bulk = new int[16];
                    int sent = 0;
                    while (sent < perSender) {
                        int n = 0;
                        while (n < bulk.length && sent + n < perSender) {
                            int id = cache.alloc();
                            if (id < 0) {
                                break;
                            }
                            pool.meta().prepare(id, 60, 9, 0);
                            Mem.putU8(pool.address(id) + PagePool.HEADROOM, tag);
                            bulk[n++] = id;
                        }
                        int took = a.transmit(bulk, 0, n);
                        for (int i = took; i < n; i++) {
                            cache.recycleDirect(bulk[i]);  // what xdp_do_flush does with the rest
                        }
                        refused.addAndGet(n - took);
                        sent += n;
                        if (n == 0) {
                            Thread.onSpinWait();
                        }
                    }
                    cache.drain();
                });
            }
            long[] received = new long[1];
            Thread receiver = new Thread(() -> {
                int[] ids = new int[64];
                long sum = 0;
                while (received[0] + refused.get() < 2L * perSender) {
                    int n = b.receive(ids, 0, ids.length);
                    for (int i = 0; i < n; i++) {
                        sum += Mem.getU8(pool.address(ids[i]) + pool.meta().dataOffset(ids[i]));
                        if (pool.meta().rxIfindex(ids[i]) != 6) {
                            wrongIfindex.incrementAndGet();
                        }
                    }
                    pool.returnBulk(ids, 0, n);  // check mode: a frame received twice would throw here
                    received[0] += n;
                }
                firstBytes.set(sum);
            });
            receiver.start();
            for (Thread t : senders) {
                t.start();
            }
            for (Thread t : senders) {
                t.join();
            }
            receiver.join(60_000);
            assertTrue(!receiver.isAlive(), "the receiver saw every accepted frame");
            assertEquals(2L * perSender, received[0] + refused.get());
            assertEquals(received[0], a.txPackets());
            assertEquals(received[0], b.rxPackets());
            assertEquals(refused.get(), a.txRingFull());
            assertEquals(0, wrongIfindex.get(), "every frame arrived on veth1");
            assertTrue(firstBytes.get() >= received[0] && firstBytes.get() <= 2 * received[0], "bytes came with the frames");
            assertEquals(0, pool.framesOutstanding());
        }
    }

    @Test
    void transmitAndReceiveAllocateNothingOnceWarm() {
        try (PagePool pool = new PagePool(256, false)) {
            PagePool.Cache cache = pool.cache();
            VethPair pair = VethPair.create(pool, "veth0", 5, "veth1", 6, 64);
            int[] ids = frames(pool, cache, 16);
            int[] got = new int[16];
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            for (int round = 0; round < 2; round++) {
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 100_000; i++) {
                    pair.a().transmit(ids, 0, 16);
                    pair.b().receive(got, 0, 16);
                    pair.b().transmit(got, 0, 16);
                    pair.a().receive(ids, 0, 16);
                }
                long bytes = mx.getCurrentThreadAllocatedBytes() - before;
                if (round == 1) {
                    assertTrue(bytes < 64 * 1024, bytes + " bytes allocated moving 3,200,000 frames");
                }
            }
            assertArrayEquals(got, ids, "the same frames went round and round");
        }
    }

    @Test
    void aWorkerRedirectsIntoOneEndAndAnotherReceivesFromThePeer() {
        try (PagePool pool = new PagePool(512, true);
             Harness redirect = new Harness(Asm.assemble("r1 = 5\nr2 = 0\ncall bpf_redirect\nexit"));
             Harness drop = new Harness(Asm.assemble("r0 = 1\nexit"));
             PktGen gen = new PktGen(PktGenSpec.parse("flows=8,size=64"))) {
            VethPair pair = VethPair.create(pool, "veth0", 5, "veth1", 6, 256);
            NetDevices devices = new NetDevices();
            devices.add(pair.a().device());
            PagePool.Cache inCache = pool.cache();
            PktGenDriver rx = new PktGenDriver(gen, pool, inCache, 1, 0, 200);
            NapiWorker in = new NapiWorker(pool, inCache, rx, (ids, from, n) -> 0, PassSink.DISCARD,
                    JitCompiler.verifying().program(redirect.prog(0)), redirect.coll, 0, 1, 0, devices);
            PagePool.Cache peerCache = pool.cache();
            NapiWorker peer = new NapiWorker(pool, peerCache, pair.b(), (ids, from, n) -> 0, PassSink.DISCARD,
                    JitCompiler.verifying().program(drop.prog(0)), drop.coll, 1, 6, 0, null);
            while (!rx.done()) {
                in.poll(NapiWorker.BUDGET);
                peer.poll(NapiWorker.BUDGET);
            }
            while (peer.poll(NapiWorker.BUDGET) > 0) {
                // drain what is left on veth1's ring
            }
            assertEquals(200, in.stats().redirect, in.stats().toString());
            assertEquals(200, peer.stats().rx);
            assertEquals(200, peer.stats().drop);
            assertEquals(200, pair.b().rxPackets());
            inCache.drain();
            peerCache.drain();
            assertEquals(0, pool.framesOutstanding());
        }
    }
}
