package dev.jxdp.xsk;

import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.isa.Asm;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.jit.JitProgram;
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
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * XDP_SHARED_UMEM: several sockets on one UMEM. On the first socket's queue they share its fill and
 * completion rings and the program picks the socket by XSKMAP key; on another queue a socket has rings of
 * its own. Every chunk stays in exactly one place.
 */
class XskSharedUmemTest {

    // the last byte of the IPv4 source address picks the key: even to slot 0, odd to slot 1
    private static final String BY_SOURCE_PARITY = """
            r2 = *(u32 *)(r1 +0)
            r3 = *(u32 *)(r1 +4)
            r4 = r2
            r4 += 34
            if r4 > r3 goto out
            r2 = *(u8 *)(r2 +29)
            r2 &= 1
            r1 = map[idx:0] ll
            r3 = 0
            call bpf_redirect_map
            exit
            out:
            r0 = 1
            exit""";

    private static final String BY_QUEUE = """
            r2 = *(u32 *)(r1 +16)
            r1 = map[idx:0] ll
            r3 = 0
            call bpf_redirect_map
            exit""";

    // source addresses 10.0.0.0 to 10.0.0.7, one per flow, round robin: half the frames even, half odd
    private static final String TRAFFIC = "flows=8,size=64,src=10.0.0.0/29";

    private static void giveChunks(XskProdRing fill, Umem umem, int from, int n) {
        assertEquals(n, fill.reserve(n));
        int first = fill.firstIndex();
        for (int i = 0; i < n; i++) {
            fill.setAddr(first + i, umem.frameAddr(from + i));
        }
        fill.submit(n);
    }

    private static int entries(XskProdRing r) { return r.producer() - r.consumer(); }

    private static int entries(XskConsRing r) { return r.producer() - r.consumer(); }

    // every RX descriptor's frame has a source address whose parity is the socket's key
    private static int checkParity(XdpSock s, int key) {
        XskConsRing rx = s.rx();
        int n = rx.peek(1024);
        for (int i = 0; i < n; i++) {
            long at = s.umem().dataOffset(rx.addr(rx.firstIndex() + i));
            assertEquals(key, s.umem().region().get(ValueLayout.JAVA_BYTE, at + 29) & 1, "frame " + i + " of key " + key);
        }
        rx.cancel(n);
        return n;
    }

    @Test
    void twoSocketsOnOneQueueShareTheFillRingAndTheProgramPicksTheSocket() {
        for (boolean zeroCopy : new boolean[] {false, true}) {
            try (Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(64));
                 XdpSock s0 = new XdpSock(umem, 7, 0, 64, 64);
                 XdpSock s1 = XdpSock.shared(s0, 7, 0, 64);
                 Harness h = new Harness(List.of(Harness.spec("xsks_map", MapType.XSKMAP, 4, 4, 4)), Asm.assemble(BY_SOURCE_PARITY));
                 PktGen gen = new PktGen(PktGenSpec.parse(TRAFFIC))) {
                assertSame(s0.fill(), s1.fill(), "the first socket's fill ring");
                assertSame(s0.completion(), s1.completion(), "and its completion ring");
                assertTrue(s0.rx() != s1.rx(), "each its own RX ring");
                ((XskMap) h.map(0)).set(0, s0);
                ((XskMap) h.map(0)).set(1, s1);
                PagePool pool = zeroCopy ? PagePool.overUmem(s0, true) : new PagePool(64, true);
                PagePool.Cache cache = pool.cache();
                PktGenDriver rx = new PktGenDriver(gen, pool, cache, 7, 0, 40);
                NapiWorker w = new NapiWorker(pool, cache, rx, (ids, from, n) -> n, PassSink.DISCARD,
                        JitCompiler.verifying().program(h.prog(0)), h.coll, 0, 7, 0);
                giveChunks(s0.fill(), umem, 0, 64);
                while (rx.generated() < 40) {
                    w.poll(NapiWorker.BUDGET);
                }
                assertEquals(40, w.stats().redirect, w.stats().toString());
                assertEquals(20, checkParity(s0, 0), "even sources to slot 0");
                assertEquals(20, checkParity(s1, 1), "odd sources to slot 1");
                int datapath = zeroCopy ? pool.inRing() + cache.count() : 0;
                assertEquals(64, entries(s0.fill()) + entries(s0.rx()) + entries(s1.rx()) + datapath,
                        (zeroCopy ? "zero copy" : "copy") + ": the shared fill ring, both RX rings, the datapath's free list");
                if (!zeroCopy) {
                    cache.drain();
                    assertEquals(0, pool.framesOutstanding(), "copy mode: every page back to the pool");
                }
                pool.close();
            }
        }
    }

    @Test
    void socketsOnTwoQueuesShareTheUmemWithFillRingsOfTheirOwn() {
        PagePool pool = new PagePool(128, true);
        try (Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(64));
             XdpSock s0 = new XdpSock(umem, 7, 0, 32, 64);
             XdpSock s1 = XdpSock.shared(s0, 7, 1, 32, 64);
             Harness h = new Harness(List.of(Harness.spec("xsks_map", MapType.XSKMAP, 4, 4, 4)), Asm.assemble(BY_QUEUE));
             PktGen gen = new PktGen(PktGenSpec.parse(TRAFFIC))) {
            assertSame(umem, s1.umem());
            assertTrue(s0.fill() != s1.fill() && !s0.sharesRingsWith(s1), "a fill ring per queue");
            ((XskMap) h.map(0)).set(0, s0);
            ((XskMap) h.map(0)).set(1, s1);
            giveChunks(s0.fill(), umem, 0, 32);
            giveChunks(s1.fill(), umem, 32, 32);
            JitProgram jit = JitCompiler.verifying().program(h.prog(0));
            XdpSock[] socks = {s0, s1};
            PktGenDriver[] drivers = new PktGenDriver[2];
            NapiWorker[] workers = new NapiWorker[2];
            for (int q = 0; q < 2; q++) {
                PagePool.Cache cache = pool.cache();
                drivers[q] = new PktGenDriver(gen, pool, cache, 7, q, 2, 60);
                workers[q] = new NapiWorker(pool, cache, drivers[q], (ids, from, n) -> n, PassSink.DISCARD,
                        q == 0 ? jit : jit.forThread(), h.coll, q, 7, q);
            }
            long received = 0;
            for (int q = 0; q < 2; q++) {
                while (!drivers[q].done()) {
                    workers[q].poll(NapiWorker.BUDGET);
                }
                XskConsRing rx = socks[q].rx();
                int n = rx.peek(1024);
                for (int i = 0; i < n; i++) {
                    long chunk = umem.chunkBase(rx.addr(rx.firstIndex() + i));
                    assertTrue(chunk >= umem.frameAddr(32 * q) && chunk < umem.frameAddr(32 * q + 32),
                            "queue " + q + "'s frames in the chunks of its own fill ring");
                }
                rx.cancel(n);
                assertEquals(workers[q].stats().redirect, n);
                assertEquals(drivers[q].generated(), workers[q].stats().redirect + workers[q].stats().errors);
                assertEquals(32, entries(socks[q].fill()) + entries(rx), "queue " + q + ": its 32 chunks");
                received += n;
            }
            assertEquals(60, received + s0.rxDropped() + s1.rxDropped() + s0.rxRingFull() + s1.rxRingFull(), "every frame a socket's or counted by it");
            assertEquals(32 + 32, entries(s0.fill()) + entries(s0.rx()) + entries(s1.fill()) + entries(s1.rx()));
        } finally {
            pool.close();
        }
    }

    @Test
    void theKernelsRulesForSharingAreEnforced() {
        try (Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(16));
             XdpSock first = new XdpSock(umem, 7, 0, 16, 16)) {
            IllegalArgumentException own = assertThrows(IllegalArgumentException.class, () -> XdpSock.shared(first, 7, 0, 16, 16));
            assertTrue(own.getMessage().contains("cannot have its own"), own.getMessage());
            IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> XdpSock.shared(first, 7, 1, 0, 16));
            assertTrue(none.getMessage().contains("needs its own"), none.getMessage());
            assertThrows(IllegalArgumentException.class, () -> XdpSock.shared(first, 8, 0, 0, 16), "another device: its own rings");
            XdpSock other = XdpSock.shared(first, 8, 0, 16, 16);
            assertSame(umem, other.umem());
            first.close();
            assertThrows(IllegalArgumentException.class, () -> XdpSock.shared(first, 7, 0, 16));
        }
    }
}
