package dev.jxdp.xsk;

import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.isa.Asm;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.maps.MapType;
import dev.jxdp.ebpf.maps.XskMap;
import dev.jxdp.io.pktgen.PktGen;
import dev.jxdp.io.pktgen.PktGenDriver;
import dev.jxdp.io.pktgen.PktGenSpec;
import dev.jxdp.xdp.NapiWorker;
import dev.jxdp.xdp.PagePool;
import dev.jxdp.xdp.PassSink;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Zero-copy AF_XDP: the RX queue's page pool is the socket's UMEM ({@link PagePool#overUmem}), drawing from
 * the fill ring when its free list is empty, and a frame redirected to the socket becomes an RX descriptor
 * of its own chunk. After every run each chunk is in exactly one place: the fill ring, the RX ring, the
 * application, the TX or completion ring, or the datapath's free list (its ring and cache).
 */
class XskZeroCopyTest {

    // bpf_redirect_map(&xsks_map, ctx->rx_queue_index, 0)
    private static final String REDIRECT = """
            r2 = *(u32 *)(r1 +16)
            r1 = map[idx:0] ll
            r3 = 0
            call bpf_redirect_map
            exit""";

    private static final String DROP = """
            r0 = 1
            exit""";

    /** A worker of queue 0 of device 7 over a pool on sock's UMEM, pktgen's 64-byte frames, slot 0 = sock. */
    private static final class Rig implements AutoCloseable {
        final Harness h;
        final PktGen gen;
        final PagePool pool;
        final PagePool.Cache cache;
        final PktGenDriver rx;
        final NapiWorker w;

        Rig(XdpSock sock, String program, long packets) {
            h = new Harness(List.of(Harness.spec("xsks_map", MapType.XSKMAP, 4, 4, 4)), Asm.assemble(program));
            gen = new PktGen(PktGenSpec.parse("flows=8,size=64"));
            ((XskMap) h.map(0)).set(0, sock);
            pool = PagePool.overUmem(sock, true);
            cache = pool.cache();
            rx = new PktGenDriver(gen, pool, cache, 7, 0, packets);
            w = new NapiWorker(pool, cache, rx, (ids, from, n) -> {
                pool.returnBulk(ids, from, n);
                return n;
            }, PassSink.DISCARD, JitCompiler.verifying().program(h.prog(0)), h.coll, 0, 7, 0).xsk(sock);
        }

        /** Polls until the driver generated all its packets (received or missed). */
        void runAll(long packets) {
            while (rx.generated() < packets) {
                w.poll(NapiWorker.BUDGET);
            }
            w.stats().checkAccounting();
        }

        /** Chunks the datapath holds free: its ring and its cache (nothing is in flight between polls). */
        int datapathFree() {
            return pool.inRing() + cache.count();
        }

        @Override
        public void close() {
            gen.close();
            h.close();
            pool.close();
        }
    }

    private static int onFill(XdpSock s) { return s.fill().producer() - s.fill().consumer(); }

    private static int onRx(XdpSock s) { return s.rx().producer() - s.rx().consumer(); }

    private static int onTxAndCompletion(XdpSock s) {
        return s.tx().producer() - s.tx().consumer() + s.completion().producer() - s.completion().consumer();
    }

    private static void giveChunks(XdpSock s, int from, int n) {
        XskProdRing fill = s.fill();
        assertEquals(n, fill.reserve(n));
        int first = fill.firstIndex();
        for (int i = 0; i < n; i++) {
            fill.setAddr(first + i, s.umem().frameAddr(from + i));
        }
        fill.submit(n);
    }

    // rxdrop's step: every RX descriptor's chunk back to the fill ring
    private static int rxdrop(XdpSock s) {
        XskConsRing rx = s.rx();
        int n = rx.peek(1024);
        XskProdRing fill = s.fill();
        assertEquals(n, fill.reserve(n));
        for (int i = 0; i < n; i++) {
            fill.setAddr(fill.firstIndex() + i, s.umem().chunkBase(rx.addr(rx.firstIndex() + i)));
        }
        fill.submit(n);
        rx.release(n);
        return n;
    }

    @Test
    void framesAreReceivedIntoFillRingChunksInPlaceAndEveryChunkIsSomewhere() {
        try (Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(128));
             XdpSock s = new XdpSock(umem, 7, 0, 128, 64);
             Rig r = new Rig(s, REDIRECT, 1000)) {
            assertEquals(umem.region().address(), r.pool.memory().address(), "the pool's frames are the UMEM's chunks");
            assertEquals(0, r.datapathFree(), "the pool starts empty: every chunk is the application's");
            giveChunks(s, 0, 128);
            long taken = 0;
            while (r.rx.generated() < 1000) {
                r.w.poll(NapiWorker.BUDGET);
                XskConsRing rx = s.rx();
                int n = rx.peek(1024);
                for (int i = 0; i < n; i++) {
                    long addr = rx.addr(rx.firstIndex() + i);
                    assertEquals(PagePool.HEADROOM, umem.chunkOffset(addr), "the data at XDP_PACKET_HEADROOM in its chunk");
                    assertEquals(60, rx.len(rx.firstIndex() + i));
                    assertEquals((byte) 0x08, umem.region().get(ValueLayout.JAVA_BYTE, addr + 12), "an IPv4 frame, in place");
                }
                rx.cancel(n);
                taken += rxdrop(s);
            }
            r.w.stats().checkAccounting();
            assertEquals(1000, r.w.stats().redirect, r.w.stats().toString());
            assertEquals(1000, taken);
            assertEquals(1000, s.rxPackets());
            assertEquals(0, s.rxDropped());
            assertEquals(0, r.rx.noBuffers());
            assertEquals(128, onFill(s) + onRx(s) + r.datapathFree(), "fill + RX + the datapath's free list");
            assertTrue(r.datapathFree() < PagePool.BULK, "only what the last bulk off the fill ring left unused: "
                    + "a redirected frame's chunk went to the application, not back to the pool");
        }
    }

    @Test
    void dropVerdictsKeepTheirChunksInTheDatapathsFreeListForReuse() {
        try (Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(256));
             XdpSock s = new XdpSock(umem, 7, 0, 256, 64);
             Rig r = new Rig(s, DROP, 5000)) {
            giveChunks(s, 0, 256);
            r.runAll(5000);
            assertEquals(5000, r.w.stats().drop, r.w.stats().toString());
            assertEquals(PagePool.BULK, s.fill().consumer(), "one bulk off the fill ring (a poll's budget), reused from then on");
            assertEquals(PagePool.BULK, r.datapathFree(), "dropped frames stay in the datapath");
            assertEquals(256, onFill(s) + onRx(s) + r.datapathFree());
            assertEquals(0, s.rxPackets());
        }
    }

    @Test
    void aFullRxRingDropsTheFrameAndItsChunkGoesToTheFreeList() {
        try (Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(64));
             XdpSock s = new XdpSock(umem, 7, 0, 64, 16);
             Rig r = new Rig(s, REDIRECT, 40)) {
            giveChunks(s, 0, 64);
            r.runAll(40);
            assertEquals(16, r.w.stats().redirect, "the RX ring holds 16 and nobody reads it");
            assertEquals(24, r.w.stats().errors);
            assertEquals(24, s.rxRingFull());
            assertEquals(0, s.rxDropped(), "rx_ring_full only, as struct xdp_statistics v2");
            assertEquals(16, onRx(s));
            assertEquals(64, onFill(s) + onRx(s) + r.datapathFree(), "the refused frames' chunks are in the free list");
            assertEquals(64 - 16, r.datapathFree());
        }
    }

    @Test
    void anEmptyFillRingLeavesTheDriverWithoutAFrame() {
        try (Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(64));
             XdpSock s = new XdpSock(umem, 7, 0, 64, 64);
             Rig r = new Rig(s, REDIRECT, 30)) {
            giveChunks(s, 0, 10);
            r.runAll(30);
            assertEquals(10, r.w.stats().redirect, r.w.stats().toString());
            assertEquals(10, r.w.stats().rx, "the other 20 never became frames");
            assertEquals(0, r.w.stats().errors);
            assertEquals(20, r.rx.noBuffers(), "missed by the driver");
            assertEquals(20, s.rxFillRingEmpty(), "as the kernel's driver sees an empty pool");
            assertEquals(0, s.rxDropped(), "no frame reached the socket to be dropped");
            assertEquals(10, onFill(s) + onRx(s) + r.datapathFree());
        }
    }

    @Test
    void theNextFramesUseTheChunksTheApplicationGaveBack() {
        try (Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(64));
             XdpSock s = new XdpSock(umem, 7, 0, 64, 64);
             Rig r = new Rig(s, REDIRECT, -1)) {
            giveChunks(s, 0, 10);
            for (int i = 0; i < 3; i++) {
                r.w.poll(NapiWorker.BUDGET);
            }
            assertEquals(10, r.w.stats().redirect);
            assertEquals(10, rxdrop(s));
            r.w.poll(NapiWorker.BUDGET);
            assertEquals(20, r.w.stats().redirect, "ten more, in the ten chunks given back");
            assertEquals(10, onFill(s) + onRx(s) + r.datapathFree());
        }
    }

    @Test
    void aFillAddressOutsideTheUmemIsConsumedAndCountedAndTheNextOneUsed() {
        try (Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(16));
             XdpSock s = new XdpSock(umem, 7, 0, 16, 16);
             Rig r = new Rig(s, REDIRECT, 4)) {
            XskProdRing fill = s.fill();
            assertEquals(5, fill.reserve(5));
            int f = fill.firstIndex();
            fill.setAddr(f, umem.frameAddr(0));
            fill.setAddr(f + 1, umem.size() + 4096);  // past the end
            for (int i = 2; i < 5; i++) {
                fill.setAddr(f + i, umem.frameAddr(i));
            }
            fill.submit(5);
            r.runAll(4);
            assertEquals(4, r.w.stats().redirect);
            assertEquals(1, s.rxInvalidFill());
            assertEquals(0, s.rxDropped());
            assertEquals(4, onRx(s) + onFill(s) + r.datapathFree(), "the four valid chunks");
        }
    }

    @Test
    void unalignedModeCarriesTheDataOffsetInTheTop16Bits() {
        try (Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(16).withUnaligned(true));
             XdpSock s = new XdpSock(umem, 7, 0, 16, 16);
             Rig r = new Rig(s, REDIRECT, 1)) {
            giveChunks(s, 3, 1);
            r.runAll(1);
            XskConsRing rx = s.rx();
            assertEquals(1, rx.peek(16));
            long addr = rx.addr(rx.firstIndex());
            assertEquals(umem.frameAddr(3), umem.chunkBase(addr));
            assertEquals(PagePool.HEADROOM, umem.chunkOffset(addr), "offset in the top 16 bits");
            assertEquals((byte) 0x08, umem.region().get(ValueLayout.JAVA_BYTE, umem.dataOffset(addr) + 12));
        }
    }

    @Test
    void l2fwdSendsEachChunkAsItIsAndCompletesItWhenTheDeviceGivesItBack() {
        try (Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(128));
             XdpSock s = new XdpSock(umem, 7, 0, 128, 64);
             Rig r = new Rig(s, REDIRECT, 600)) {
            giveChunks(s, 0, 128);
            long sent = 0;
            while (r.rx.generated() < 600) {
                r.w.poll(NapiWorker.BUDGET);
                // completions back to the fill ring, received frames onto the TX ring
                XskConsRing comp = s.completion();
                int c = comp.peek(1024);
                XskProdRing fill = s.fill();
                assertEquals(c, fill.reserve(c));
                for (int i = 0; i < c; i++) {
                    fill.setAddr(fill.firstIndex() + i, comp.addr(comp.firstIndex() + i));
                }
                fill.submit(c);
                comp.release(c);
                XskConsRing rx = s.rx();
                int n = rx.peek(1024);
                XskProdRing tx = s.tx();
                int m = tx.reserveUpTo(n);
                rx.cancel(n - m);
                for (int i = 0; i < m; i++) {
                    tx.setDesc(tx.firstIndex() + i, rx.addr(rx.firstIndex() + i), rx.len(rx.firstIndex() + i), 0);
                }
                tx.submit(m);
                rx.release(m);
            }
            for (int i = 0; i < 4; i++) {
                r.w.poll(NapiWorker.BUDGET);  // sends what is left on the TX ring
            }
            sent = s.txPackets();
            assertEquals(r.w.stats().redirect, s.rxPackets());
            assertTrue(sent > 0 && sent <= s.rxPackets(), "sent " + sent);
            assertTrue(s.rxPackets() - sent <= 64, "what is left on the TX ring at most: " + sent);
            assertEquals(128, onFill(s) + onRx(s) + onTxAndCompletion(s) + r.datapathFree(),
                    "fill + RX + TX + completion + the datapath's free list: every sent chunk completed");
        }
    }

    @Test
    void txSendsTheChunksBytesInPlaceAndCountsABadDescriptor() {
        try (Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(16));
             XdpSock s = new XdpSock(umem, 7, 0, 16, 16);
             Harness h = new Harness(List.of(Harness.spec("xsks_map", MapType.XSKMAP, 4, 4, 4)), Asm.assemble(REDIRECT));
             PktGen gen = new PktGen(PktGenSpec.parse("flows=8,size=64"))) {
            PagePool pool = PagePool.overUmem(s, true);
            PagePool.Cache cache = pool.cache();
            List<Long> sentAt = new java.util.ArrayList<>();
            NapiWorker w = new NapiWorker(pool, cache, new PktGenDriver(gen, pool, cache, 7, 0, 0), (ids, from, n) -> {
                for (int i = 0; i < n; i++) {
                    int id = ids[from + i];
                    sentAt.add(pool.address(id) + pool.meta().dataOffset(id) - umem.region().address());
                    assertEquals(60, pool.meta().length(id));
                }
                pool.returnBulk(ids, from, n);
                return n;
            }, PassSink.DISCARD, JitCompiler.verifying().program(h.prog(0)), h.coll, 0, 7, 0).xsk(s);
            XskProdRing tx = s.tx();
            assertEquals(3, tx.reserve(3));
            int t = tx.firstIndex();
            tx.setDesc(t, umem.frameAddr(1) + 100, 60, 0);
            tx.setDesc(t + 1, umem.size() + 4096, 60, 0);
            tx.setDesc(t + 2, umem.frameAddr(2), 60, 0);
            tx.submit(3);
            w.poll(NapiWorker.BUDGET);
            assertEquals(List.of(umem.frameAddr(1) + 100, umem.frameAddr(2)), sentAt, "the chunks themselves, no copy");
            assertEquals(2, s.txPackets());
            assertEquals(1, s.txInvalidDescs());
            XskConsRing comp = s.completion();
            assertEquals(3, comp.peek(16), "each completed once the device gave it back, the bad one unread");
            assertEquals(umem.frameAddr(1) + 100, comp.addr(comp.firstIndex()));
            assertEquals(umem.frameAddr(2), comp.addr(comp.firstIndex() + 2));
            assertEquals(0, pool.inRing() + cache.count(), "sent chunks are the application's again, not the pool's");
        }
    }

    @Test
    void theZeroCopyPathAllocatesNothingPerFrame() {
        try (Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(512));
             XdpSock s = new XdpSock(umem, 7, 0, 512, 256);
             Rig r = new Rig(s, REDIRECT, -1)) {
            giveChunks(s, 0, 512);
            for (int i = 0; i < 20_000; i++) {  // warm: compiled before counting
                r.w.poll(NapiWorker.BUDGET);
                rxdrop(s);
            }
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 10_000; i++) {
                r.w.poll(NapiWorker.BUDGET);
                rxdrop(s);
            }
            long bytes = mx.getCurrentThreadAllocatedBytes() - before;
            assertTrue(r.w.stats().redirect >= 30_000L * NapiWorker.BUDGET / 2, r.w.stats().toString());
            assertTrue(bytes < 64 * 1024, bytes + " bytes allocated by 640,000 frames in zero copy");
        }
    }

    @Test
    void aPoolOverAUmemWantsPageSizedChunksAndNoHeadroom() {
        try (Umem small = Umem.allocate(UmemConfig.DEFAULT.withFrames(16).withChunkSize(2048));
             XdpSock s = new XdpSock(small, 7, 0, 16, 16)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PagePool.overUmem(s));
            assertTrue(e.getMessage().contains("chunk size 2048"), e.getMessage());
        }
        try (Umem roomy = Umem.allocate(UmemConfig.DEFAULT.withFrames(16).withHeadroom(128));
             XdpSock s = new XdpSock(roomy, 7, 0, 16, 16)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PagePool.overUmem(s));
            assertTrue(e.getMessage().contains("headroom 128"), e.getMessage());
        }
    }

    @Test
    void checkModeCatchesAChunkTheApplicationGaveTwice() {
        try (Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(16));
             XdpSock s = new XdpSock(umem, 7, 0, 16, 16);
             Rig r = new Rig(s, DROP, 2)) {
            giveChunks(s, 0, 2);
            giveChunks(s, 0, 1);  // chunk 0 again
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.runAll(2));
            assertTrue(e.getMessage().contains("frame 0"), e.getMessage());
        }
    }
}
