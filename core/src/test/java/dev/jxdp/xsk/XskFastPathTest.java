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
import dev.jxdp.xdp.RxMode;
import dev.jxdp.xdp.RxQueueStats;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.ValueLayout;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Seed 002's fast path through the NAPI loop: with exactly one socket bound to the queue, XDP_REDIRECT_XSK
 * and a plain bpf_redirect_map whose XSKMAP slot holds that socket go straight to it (counted in
 * {@code redirectXsk}), one frame at a time in scalar mode and a vector at a time in vector mode; anything
 * else takes the generic path or, for XDP_REDIRECT_XSK without the socket, is an invalid action. The
 * frames, their order, the socket's counters and the UMEM's chunks are the generic path's in every case.
 */
@org.junit.jupiter.api.Timeout(value = 2, unit = java.util.concurrent.TimeUnit.MINUTES)  // a guard against a hang, not a measurement
class XskFastPathTest {

    // the xdp-tutorial / libxdp default program's shape: bpf_redirect_map(&xsks_map, ctx->rx_queue_index, 0)
    private static final String REDIRECT_MAP = """
            r2 = *(u32 *)(r1 +16)
            r1 = map[idx:0] ll
            r3 = 0
            call bpf_redirect_map
            exit""";

    // a program that returns XDP_REDIRECT_XSK itself (5), as the RFC's drivers accept it
    private static final String RETURN_5 = """
            r0 = 5
            exit""";

    private static final int DEV = 7;

    private record Outcome(RxQueueStats stats, long[] addrs, int[] lens) {}

    // packets of pktgen's 64-byte frames on queue 0, through a worker whose XSKMAP slot 0 holds slot0; the
    // sockets in bound are bound to the worker's queue (the RX queue's xsk when there is one)
    private static Outcome run(String program, RxMode mode, boolean fastPath, XdpSock slot0, int packets, XdpSock... bound) {
        PagePool pool = new PagePool(256, true);
        try (Harness h = new Harness(List.of(Harness.spec("xsks_map", MapType.XSKMAP, 4, 4, 4)), Asm.assemble(program));
             PktGen gen = new PktGen(PktGenSpec.parse("flows=8,size=64"))) {
            ((XskMap) h.map(0)).set(0, slot0);
            PagePool.Cache cache = pool.cache();
            PktGenDriver rx = new PktGenDriver(gen, pool, cache, DEV, 0, packets);
            NapiWorker w = new NapiWorker(pool, cache, rx, (ids, from, n) -> {
                pool.returnBulk(ids, from, n);
                return n;
            }, PassSink.DISCARD, JitCompiler.verifying().program(h.prog(0)), h.coll, 0, DEV, 0)
                    .rxMode(mode).xskFastPath(fastPath);
            for (XdpSock s : bound) {
                w.xsk(s);
            }
            while (rx.generated() < packets) {
                w.poll(NapiWorker.BUDGET);
            }
            w.stats().checkAccounting();
            cache.drain();
            assertEquals(0, pool.framesOutstanding(), "every page back: the socket took a copy");
            XskConsRing r = slot0.rx();
            int n = r.peek(1 << 16);
            long[] addrs = new long[n];
            int[] lens = new int[n];
            for (int i = 0; i < n; i++) {
                addrs[i] = r.addr(r.firstIndex() + i);
                lens[i] = r.len(r.firstIndex() + i);
            }
            r.cancel(n);
            return new Outcome(w.stats(), addrs, lens);
        } finally {
            pool.close();
        }
    }

    private static void giveChunks(XdpSock s, int n) {
        XskProdRing fill = s.fill();
        assertEquals(n, fill.reserve(n));
        for (int i = 0; i < n; i++) {
            fill.setAddr(fill.firstIndex() + i, s.umem().frameAddr(i));
        }
        fill.submit(n);
    }

    private static Umem umem() {
        return Umem.allocate(UmemConfig.DEFAULT.withFrames(128).withChunkSize(2048));
    }

    // the first received frame's flow is pktgen's first: the same bytes as the generic path's copy
    private static void assertFramesInChunkOrder(Umem umem, Outcome o, int n) {
        assertEquals(n, o.addrs().length);
        for (int i = 0; i < n; i++) {
            assertEquals(umem.frameAddr(i) + umem.rxDataOffset(), o.addrs()[i], "frame " + i + " in chunk " + i);
            assertEquals(60, o.lens()[i]);
            assertEquals((byte) 0x08, umem.region().get(ValueLayout.JAVA_BYTE, o.addrs()[i] + 12), "an IPv4 frame");
        }
    }

    @ParameterizedTest
    @EnumSource(value = RxMode.class, names = {"SCALAR", "VECTOR"})
    void aPlainRedirectMapToTheQueuesOnlySocketTakesTheFastPath(RxMode mode) {
        try (Umem umem = umem(); XdpSock s = new XdpSock(umem, DEV, 0, 128, 128)) {
            giveChunks(s, 100);
            Outcome o = run(REDIRECT_MAP, mode, true, s, 100, s);
            assertEquals(100, o.stats().redirect, o.stats().toString());
            assertEquals(100, o.stats().redirectXsk, "recognised: the slot holds the queue's only socket");
            assertFramesInChunkOrder(umem, o, 100);
            assertEquals(100, s.rxPackets());
        }
    }

    @ParameterizedTest
    @EnumSource(value = RxMode.class, names = {"SCALAR", "VECTOR"})
    void withTheFastPathOffTheSameFramesGoTheGenericWay(RxMode mode) {
        try (Umem umem = umem(); XdpSock s = new XdpSock(umem, DEV, 0, 128, 128)) {
            giveChunks(s, 100);
            Outcome o = run(REDIRECT_MAP, mode, false, s, 100, s);
            assertEquals(100, o.stats().redirect);
            assertEquals(0, o.stats().redirectXsk, "the generic path: redirect info, the flush list");
            assertFramesInChunkOrder(umem, o, 100);
        }
    }

    @ParameterizedTest
    @EnumSource(value = RxMode.class, names = {"SCALAR", "VECTOR"})
    void xdpRedirectXskGoesToTheQueuesOnlySocket(RxMode mode) {
        try (Umem umem = umem(); XdpSock s = new XdpSock(umem, DEV, 0, 128, 128)) {
            giveChunks(s, 100);
            Outcome o = run(RETURN_5, mode, true, s, 100, s);
            assertEquals(100, o.stats().redirectXsk);
            assertEquals(100, o.stats().redirect);
            assertFramesInChunkOrder(umem, o, 100);
        }
    }

    @ParameterizedTest
    @EnumSource(value = RxMode.class, names = {"SCALAR", "VECTOR"})
    void xdpRedirectXskWithoutExactlyOneSocketIsAnInvalidAction(RxMode mode) {
        // no socket bound to the queue: XDP_REDIRECT_XSK is an action the queue cannot take (the kernel,
        // without the RFC, warns and drops it as XDP_ABORTED)
        try (Umem umem = umem(); XdpSock s = new XdpSock(umem, DEV, 0, 128, 128)) {
            giveChunks(s, 100);
            Outcome o = run(RETURN_5, mode, true, s, 40);
            assertEquals(40, o.stats().aborted, o.stats().toString());
            assertEquals(0, o.addrs().length);
        }
        // two sockets bound to the queue: no netdev_rx_queue.xsk either
        try (Umem umem = umem(); XdpSock s = new XdpSock(umem, DEV, 0, 128, 128);
             XdpSock t = new XdpSock(umem, DEV, 0, 128, 128)) {
            giveChunks(s, 100);
            Outcome o = run(RETURN_5, mode, true, s, 40, s, t);
            assertEquals(40, o.stats().aborted, o.stats().toString());
        }
    }

    @ParameterizedTest
    @EnumSource(value = RxMode.class, names = {"SCALAR", "VECTOR"})
    void twoSocketsOnTheQueueOrAnUnboundSocketLeaveRedirectMapGeneric(RxMode mode) {
        try (Umem umem = umem(); XdpSock s = new XdpSock(umem, DEV, 0, 128, 128);
             XdpSock t = new XdpSock(umem, DEV, 0, 128, 128)) {
            giveChunks(s, 100);
            Outcome o = run(REDIRECT_MAP, mode, true, s, 50, s, t);
            assertEquals(50, o.stats().redirect);
            assertEquals(0, o.stats().redirectXsk, "two sockets: the generic path");
            assertFramesInChunkOrder(umem, o, 50);
        }
        // the slot's socket is bound to the queue but not registered with the worker: generic, as before
        try (Umem umem = umem(); XdpSock s = new XdpSock(umem, DEV, 0, 128, 128)) {
            giveChunks(s, 100);
            Outcome o = run(REDIRECT_MAP, mode, true, s, 50);
            assertEquals(50, o.stats().redirect);
            assertEquals(0, o.stats().redirectXsk);
        }
    }

    @ParameterizedTest
    @EnumSource(value = RxMode.class, names = {"SCALAR", "VECTOR"})
    void theFastPathCountsAnEmptyFillRingAndAFullRxRingAsTheGenericOneDoes(RxMode mode) {
        for (boolean fast : new boolean[] {true, false}) {
            try (Umem umem = umem(); XdpSock s = new XdpSock(umem, DEV, 0, 128, 128)) {
                giveChunks(s, 37);
                Outcome o = run(REDIRECT_MAP, mode, fast, s, 100, s);
                assertEquals(37, o.stats().redirect, o.stats().toString());
                assertEquals(63, o.stats().errors);
                assertEquals(63, s.rxFillRingEmpty());
                assertEquals(63, s.rxDropped());
                assertEquals(fast ? 37 : 0, o.stats().redirectXsk);
                assertFramesInChunkOrder(umem, o, 37);
            }
            try (Umem umem = umem(); XdpSock s = new XdpSock(umem, DEV, 0, 128, 32)) {
                giveChunks(s, 100);
                Outcome o = run(REDIRECT_MAP, mode, fast, s, 50, s);
                assertEquals(32, o.stats().redirect, "the RX ring holds 32 and nobody reads it: " + o.stats());
                assertEquals(18, s.rxRingFull());
                assertEquals(18, o.stats().errors);
                assertFramesInChunkOrder(umem, o, 32);
                // the chunks the full ring refused stay on the fill ring
                assertEquals(68, s.fill().producer() - s.fill().consumer());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = RxMode.class, names = {"SCALAR", "VECTOR"})
    void aBadFillAddressInTheMiddleOfABatchIsConsumedAndCountedAsTheScalarPathDoes(RxMode mode) {
        try (Umem umem = umem(); XdpSock s = new XdpSock(umem, DEV, 0, 128, 128)) {
            XskProdRing fill = s.fill();
            assertEquals(20, fill.reserve(20));
            for (int i = 0; i < 20; i++) {
                // chunk 5 is given as an address past the UMEM
                long addr = i == 5 ? umem.frameAddr(4096) : umem.frameAddr(i);
                fill.setAddr(fill.firstIndex() + i, addr);
            }
            fill.submit(20);
            Outcome o = run(REDIRECT_MAP, mode, true, s, 20, s);
            assertEquals(19, o.stats().redirect, o.stats().toString());
            assertEquals(1, s.rxInvalidFill(), "skipped for the next entry, as xp_alloc() does");
            assertEquals(1, o.stats().errors, "19 chunks for 20 frames: the last finds the fill ring empty");
            assertEquals(1, s.rxFillRingEmpty());
            assertEquals(19, o.addrs().length);
            for (int i = 0; i < 19; i++) {
                int chunk = i < 5 ? i : i + 1;
                assertEquals(umem.frameAddr(chunk) + umem.rxDataOffset(), o.addrs()[i]);
            }
            assertEquals(0, s.fill().producer() - s.fill().consumer(), "all 20 fill entries consumed");
        }
    }

    @ParameterizedTest
    @EnumSource(dev.jxdp.xdp.dispatch.LoadedChain.Executor.class)
    void aRedirectByTheSecondProgramOfAChainTakesTheFastPathToo(dev.jxdp.xdp.dispatch.LoadedChain.Executor ex) {
        // libxdp's chain: a passes (and continues), b redirects to the XSKMAP; b runs on a state of its own
        // with no queue socket, and the worker, given b's redirect, still sees the slot holds its queue's
        PagePool pool = new PagePool(256, true);
        try (Umem umem = umem(); XdpSock s = new XdpSock(umem, DEV, 0, 128, 128);
             Harness a = new Harness(Asm.assemble("r0 = 2\nexit"));
             Harness b = new Harness(List.of(Harness.spec("xsks_map", MapType.XSKMAP, 4, 4, 4)), Asm.assemble(REDIRECT_MAP));
             PktGen gen = new PktGen(PktGenSpec.parse("flows=8,size=64"))) {
            giveChunks(s, 100);
            ((XskMap) b.map(0)).set(0, s);
            List<dev.jxdp.xdp.chain.XdpMultiProg.Program> ps = List.of(
                    new dev.jxdp.xdp.chain.XdpMultiProg.Program(java.nio.file.Path.of("a.o"), "a", 1, 1 << 2),
                    new dev.jxdp.xdp.chain.XdpMultiProg.Program(java.nio.file.Path.of("b.o"), "b", 2, 1 << 2));
            dev.jxdp.xdp.dispatch.LoadedChain chain = dev.jxdp.xdp.dispatch.LoadedChain.of(
                    dev.jxdp.xdp.chain.XdpMultiProg.of(ps).toChain(),
                    List.of(JitCompiler.verifying().program(a.prog(0)), JitCompiler.verifying().program(b.prog(0))), ex);
            PagePool.Cache cache = pool.cache();
            PktGenDriver rx = new PktGenDriver(gen, pool, cache, DEV, 0, 60);
            NapiWorker w = new NapiWorker(pool, cache, rx, (ids, from, n) -> {
                pool.returnBulk(ids, from, n);
                return n;
            }, PassSink.DISCARD, chain.runner(0), chain.collection(), 0, DEV, 0).xsk(s);
            while (rx.generated() < 60) {
                w.poll(NapiWorker.BUDGET);
            }
            w.stats().checkAccounting();
            assertEquals(60, w.stats().redirect, w.stats().toString());
            assertEquals(60, w.stats().redirectXsk, "the fast path, for b's redirect too");
            assertEquals(60, s.rxPackets());
            cache.drain();
            assertEquals(0, pool.framesOutstanding());
        } finally {
            pool.close();
        }
    }
}
