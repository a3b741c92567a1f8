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
import dev.jxdp.xdp.RxQueueStats;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bpf_redirect_map to an XSKMAP through the NAPI loop, copy mode (the generic path): each frame goes to the
 * socket in the slot of its RX queue, into a chunk from the socket's fill ring, as an RX descriptor
 * published at the end of the poll; an empty fill ring, a full RX ring or a socket bound elsewhere drop
 * the frame as a redirect error, counted where the kernel counts it; every page goes back to the pool.
 */
class XskRedirectTest {

    // the xdp-tutorial / libxdp default program's shape: bpf_redirect_map(&xsks_map, ctx->rx_queue_index, 0)
    private static final String PROGRAM = """
            r2 = *(u32 *)(r1 +16)
            r1 = map[idx:0] ll
            r3 = 0
            call bpf_redirect_map
            exit""";

    private record Run(RxQueueStats stats, XdpSock sock) {}

    // packets of pktgen's 64-byte frames on queue 0 of device 7, through a worker whose XSKMAP slot 0 holds sock
    private static RxQueueStats run(XdpSock sock, int packets) {
        PagePool pool = new PagePool(256, true);
        try (Harness h = new Harness(List.of(Harness.spec("xsks_map", MapType.XSKMAP, 4, 4, 4)), Asm.assemble(PROGRAM));
             PktGen gen = new PktGen(PktGenSpec.parse("flows=8,size=64"))) {
            ((XskMap) h.map(0)).set(0, sock);
            PagePool.Cache cache = pool.cache();
            PktGenDriver rx = new PktGenDriver(gen, pool, cache, 7, 0, packets);
            NapiWorker w = new NapiWorker(pool, cache, rx, (ids, from, n) -> {
                pool.returnBulk(ids, from, n);
                return n;
            }, PassSink.DISCARD, JitCompiler.verifying().program(h.prog(0)), h.coll, 0, 7, 0);
            while (rx.generated() < packets) {
                w.poll(NapiWorker.BUDGET);
            }
            w.stats().checkAccounting();
            cache.drain();
            assertEquals(0, pool.framesOutstanding(), "every page back: the socket took a copy");
            return w.stats();
        } finally {
            pool.close();
        }
    }

    // chunks sitting in the socket's four rings (fill, RX, TX, completion): with what the application
    // holds, every chunk it ever gave is somewhere
    private static int chunksInRings(XdpSock s) {
        return s.fill().producer() - s.fill().consumer() + s.rx().producer() - s.rx().consumer()
                + s.tx().producer() - s.tx().consumer() + s.completion().producer() - s.completion().consumer();
    }

    private static void giveChunks(XdpSock s, int n) {
        XskProdRing fill = s.fill();
        assertEquals(n, fill.reserve(n));
        int first = fill.firstIndex();
        for (int i = 0; i < n; i++) {
            fill.setAddr(first + i, s.umem().frameAddr(i));
        }
        fill.submit(n);
    }

    @Test
    void framesReachTheSocketOfTheirQueueAsRxDescriptorsInChunksFromTheFillRing() {
        try (Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(64).withChunkSize(2048));
             XdpSock s = new XdpSock(umem, 7, 0, 64, 64)) {
            giveChunks(s, 32);
            RxQueueStats st = run(s, 20);
            assertEquals(20, st.redirect, st.toString());
            XskConsRing rx = s.rx();
            assertEquals(20, rx.peek(64), "published at the end of each poll");
            for (int i = 0; i < 20; i++) {
                int idx = rx.firstIndex() + i;
                assertEquals(60, rx.len(idx), "pktgen size=64 counts the FCS the frame does not carry");
                long addr = rx.addr(idx);
                assertEquals(umem.frameAddr(i) + umem.rxDataOffset(), addr, "chunk i, at headroom + XDP_PACKET_HEADROOM");
                // the copy is the frame: an IPv4 Ethernet frame
                assertEquals((byte) 0x08, umem.region().get(ValueLayout.JAVA_BYTE, addr + 12));
                assertEquals((byte) 0x00, umem.region().get(ValueLayout.JAVA_BYTE, addr + 13));
            }
            rx.release(20);
            assertEquals(20, s.rxPackets());
            assertEquals(0, s.rxDropped());
        }
    }

    @Test
    void anEmptyFillRingOrAFullRxRingDropsTheFrameAsTheKernelCountsIt() {
        try (Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(64).withChunkSize(2048));
             XdpSock s = new XdpSock(umem, 7, 0, 64, 64)) {
            giveChunks(s, 12);
            RxQueueStats st = run(s, 20);
            assertEquals(12, st.redirect);
            assertEquals(8, st.errors, "no chunk for 8: " + st);
            assertEquals(8, s.rxFillRingEmpty());
            assertEquals(8, s.rxDropped());
            assertEquals(12, chunksInRings(s), "the 12 chunks given are all on the RX ring now");
        }
        try (Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(64).withChunkSize(2048));
             XdpSock s = new XdpSock(umem, 7, 0, 64, 16)) {
            giveChunks(s, 32);
            RxQueueStats st = run(s, 20);
            assertEquals(16, st.redirect, "the RX ring holds 16 and nobody reads it: " + st);
            assertEquals(4, s.rxRingFull());
            assertEquals(4, st.errors);
            // the chunks the full ring refused stay on the fill ring (no UMEM chunk lost)
            assertEquals(32, chunksInRings(s), "16 on the RX ring, 16 left on the fill ring");
            assertEquals(16, s.rx().peek(64));
            s.rx().release(16);
            assertEquals(16, chunksInRings(s), "and the 16 the application took");
            RxQueueStats more = run(s, 4);
            assertEquals(4, more.redirect, "room again, and the 16 chunks left on the fill ring: " + more);
            assertEquals(16, chunksInRings(s), "4 moved from the fill ring to the RX ring");
        }
    }

    @Test
    void aSocketBoundToAnotherQueueOrDeviceIsARedirectError() {
        try (Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(64).withChunkSize(2048));
             XdpSock other = new XdpSock(umem, 7, 1, 64, 64); XdpSock elsewhere = new XdpSock(umem, 8, 0, 64, 64)) {
            giveChunks(other, 16);
            assertEquals(10, run(other, 10).errors, "xsk_rcv_check: queue 1's socket, a frame of queue 0");
            assertEquals(10, run(elsewhere, 10).errors, "a socket of device 8");
            assertTrue(other.rx().peek(64) == 0 && other.rxPackets() == 0);
        }
    }

    @Test
    void aProgramsLookupSeesAFilledSlotAndItsQueueId() {
        try (Harness h = new Harness(List.of(Harness.spec("xsks_map", MapType.XSKMAP, 4, 4, 4)), Asm.assemble(PROGRAM));
             Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(8).withChunkSize(2048));
             XdpSock s = new XdpSock(umem, 7, 3, 8, 8)) {
            XskMap m = (XskMap) h.map(0);
            assertTrue(m.socket(2) == null && !m.hasRedirectTarget(2));
            m.set(2, s);
            assertTrue(m.socket(2) == s && m.hasRedirectTarget(2));
            long key = h.memory(4).address();
            dev.jxdp.ebpf.mem.Mem.putU32(key, 2);
            long v = m.lookup(key, 0);
            assertTrue(v != 0);
            assertEquals(3, dev.jxdp.ebpf.mem.Mem.getU32(v), "the value a program reads: the queue id");
            m.set(2, null);
            assertEquals(0, m.lookup(key, 0));
        }
    }

    @Test
    void theWorkerSendsWhatTheTxRingHoldsAndCompletesEveryChunkCountingTheBadOnes() {
        PagePool pool = new PagePool(256, true);
        try (Harness h = new Harness(List.of(Harness.spec("xsks_map", MapType.XSKMAP, 4, 4, 4)), Asm.assemble(PROGRAM));
             PktGen gen = new PktGen(PktGenSpec.parse("flows=8,size=64"));
             Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(16).withChunkSize(2048));
             XdpSock s = new XdpSock(umem, 7, 0, 16, 16)) {
            PagePool.Cache cache = pool.cache();
            java.util.List<byte[]> sent = new java.util.ArrayList<>();
            NapiWorker w = new NapiWorker(pool, cache, new PktGenDriver(gen, pool, cache, 7, 0, 0), (ids, from, n) -> {
                for (int i = 0; i < n; i++) {
                    int id = ids[from + i];
                    sent.add(dev.jxdp.ebpf.mem.Mem.read(pool.address(id) + pool.meta().dataOffset(id), pool.meta().length(id)));
                }
                pool.returnBulk(ids, from, n);
                return n;
            }, PassSink.DISCARD, JitCompiler.verifying().program(h.prog(0)), h.coll, 0, 7, 0).xsk(s);
            // two frames in chunks 1 and 2, and a descriptor past the UMEM's end between them
            for (int c = 1; c <= 2; c++) {
                for (int b = 0; b < 60; b++) {
                    umem.region().set(ValueLayout.JAVA_BYTE, umem.frameAddr(c) + b, (byte) (c * 16 + b));
                }
            }
            XskProdRing tx = s.tx();
            assertEquals(3, tx.reserve(3));
            int t = tx.firstIndex();
            tx.setDesc(t, umem.frameAddr(1), 60, 0);
            tx.setDesc(t + 1, umem.size() + 4096, 60, 0);
            tx.setDesc(t + 2, umem.frameAddr(2), 60, 0);
            tx.submit(3);
            w.poll(NapiWorker.BUDGET);
            assertEquals(2, sent.size(), "the valid two went to the device");
            assertEquals((byte) 16, sent.get(0)[0]);
            assertEquals((byte) 32, sent.get(1)[0]);
            assertEquals(2, s.txPackets());
            assertEquals(1, s.txInvalidDescs());
            XskConsRing comp = s.completion();
            assertEquals(3, comp.peek(16), "every chunk completed, the refused one too (as 6.18 does)");
            assertEquals(umem.frameAddr(1), comp.addr(comp.firstIndex()));
            assertEquals(umem.size() + 4096, comp.addr(comp.firstIndex() + 1));
            assertEquals(umem.frameAddr(2), comp.addr(comp.firstIndex() + 2));
            comp.release(3);
            cache.drain();
            assertEquals(0, pool.framesOutstanding(), "the copies went back to the pool");
        } finally {
            pool.close();
        }
    }

    @Test
    void txonlysFrameIsAValidIpv4UdpFrame() {
        byte[] f = XskTxOnly.udpFrame();
        assertEquals(XskTxOnly.FRAME_LEN, f.length);
        int sum = 0;
        for (int i = 14; i < 34; i += 2) {
            sum += (f[i] & 0xff) << 8 | f[i + 1] & 0xff;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        assertEquals(0xffff, sum, "the IPv4 header checksums to all ones");
        assertEquals(46, (f[16] & 0xff) << 8 | f[17] & 0xff, "IPv4 total length: the frame less the Ethernet header");
    }
}
