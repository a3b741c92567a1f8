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
import dev.jxdp.xdp.RxQueues;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A socket closed while traffic flows (issue 18's reliability case): the worker keeps running, frames for
 * the closed socket become redirect errors, it stops sending from its TX ring, and every page goes back.
 */
class XskCloseTest {

    @Test
    void closingSocketsUnderTrafficLeavesTheDatapathRunningAndEveryPageAccountedFor() throws Exception {
        PagePool pool = new PagePool(1024, true);
        try (Harness h = new Harness(List.of(Harness.spec("xsks_map", MapType.XSKMAP, 4, 4, 4)), Asm.assemble("""
                r2 = *(u32 *)(r1 +16)
                r1 = map[idx:0] ll
                r3 = 0
                call bpf_redirect_map
                exit"""));
             PktGen gen = new PktGen(PktGenSpec.parse("flows=8,size=64"))) {
            Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(256).withChunkSize(2048));
            XdpSock sock = new XdpSock(umem, 7, 0, 256, 256);
            XskRxDrop.populateFillRing(sock);
            ((XskMap) h.map(0)).set(0, sock);
            // an application that forwards (l2fwd), so the worker also sends from the TX ring when it closes
            XskL2Fwd app = new XskL2Fwd(sock, 32);
            Thread appThread = Thread.ofPlatform().daemon(true).start(app);
            RxQueues rxq = new RxQueues(pool, 1, (q, cache) -> new PktGenDriver(gen, pool, cache, 7, q, 1, -1),
                    (q, cache, d) -> new NapiWorker(pool, cache, d, (ids, from, n) -> {
                        pool.returnBulk(ids, from, n);
                        return n;
                    }, PassSink.DISCARD, JitCompiler.verifying().program(h.prog(0)), h.coll, q, 7, q).xsk(sock));
            rxq.start();
            waitFor(() -> app.forwarded() > 10_000, "the socket forwards");
            // the application goes first, then the socket and its UMEM, all while the worker polls on
            app.stop();
            appThread.join();
            sock.close();
            umem.close();
            long at = rxq.stats(0).rx;
            waitFor(() -> rxq.stats(0).rx > at + 100_000, "the worker keeps receiving after the close");
            long errorsBefore = rxq.stats(0).errors;
            waitFor(() -> rxq.stats(0).errors > errorsBefore + 10_000, "frames for the closed socket are errors");
            rxq.stop();
            rxq.checkAccounting();
            RxQueueStats st = rxq.stats(0);
            assertEquals(st.rx, st.redirect + st.errors + st.drop + st.pass, st.toString());
            assertTrue(sock.txPackets() > 0, "it sent before the close");
            assertEquals(0, pool.framesOutstanding(), "every page back in the pool");
        } finally {
            pool.close();
        }
    }

    @Test
    void closingAZeroCopySocketUnderTrafficLosesNoChunk() throws Exception {
        try (Harness h = new Harness(List.of(Harness.spec("xsks_map", MapType.XSKMAP, 4, 4, 4)), Asm.assemble("""
                r2 = *(u32 *)(r1 +16)
                r1 = map[idx:0] ll
                r3 = 0
                call bpf_redirect_map
                exit"""));
             PktGen gen = new PktGen(PktGenSpec.parse("flows=8,size=64"))) {
            Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(256));
            XdpSock sock = new XdpSock(umem, 7, 0, 256, 256);
            PagePool pool = PagePool.overUmem(sock, true);
            XskRxDrop.populateFillRing(sock);
            ((XskMap) h.map(0)).set(0, sock);
            XskL2Fwd app = new XskL2Fwd(sock, 32);
            Thread appThread = Thread.ofPlatform().daemon(true).start(app);
            RxQueues rxq = new RxQueues(pool, 1, (q, cache) -> new PktGenDriver(gen, pool, cache, 7, q, 1, -1),
                    (q, cache, d) -> new NapiWorker(pool, cache, d, (ids, from, n) -> {
                        pool.returnBulk(ids, from, n);
                        return n;
                    }, PassSink.DISCARD, JitCompiler.verifying().program(h.prog(0)), h.coll, q, 7, q).xsk(sock));
            rxq.start();
            waitFor(() -> app.forwarded() > 10_000, "the socket forwards");
            app.stop();
            appThread.join();
            sock.close();
            umem.close();
            long polls = rxq.stats(0).polls;
            waitFor(() -> rxq.stats(0).polls > polls + 10_000, "the worker keeps polling after the close");
            rxq.stop();
            rxq.checkAccounting();
            RxQueueStats st = rxq.stats(0);
            assertEquals(st.rx, st.redirect + st.errors, st.toString());
            assertTrue(sock.txPackets() > 0, "it sent before the close");
            int inRings = sock.fill().producer() - sock.fill().consumer() + sock.rx().producer() - sock.rx().consumer()
                    + sock.tx().producer() - sock.tx().consumer() + sock.completion().producer() - sock.completion().consumer();
            assertEquals(256, inRings + pool.inRing(), "every chunk on a ring or in the datapath's free list");
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + ": not within 20 s");
            LockSupport.parkNanos(1_000_000);
        }
    }
}
