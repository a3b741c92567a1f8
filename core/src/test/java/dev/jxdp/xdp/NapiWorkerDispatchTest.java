package dev.jxdp.xdp;

import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.isa.Asm;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.io.pktgen.PktGen;
import dev.jxdp.io.pktgen.PktGenDriver;
import dev.jxdp.io.pktgen.PktGenSpec;
import dev.jxdp.xdp.dispatch.BpfDispatcher;
import dev.jxdp.xdp.dispatch.XdpCall;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker entering its program through an xdp_call: two queues with different programs each reach their
 * own through the one system-wide dispatcher, in both RX modes, and the handles count every run.
 */
class NapiWorkerDispatchTest {

    private static final int PACKETS = 1000;

    @ParameterizedTest
    @EnumSource(value = RxMode.class, names = {"SCALAR", "VECTOR"})
    void twoQueuesWithDifferentProgramsEachReachTheirOwn(RxMode mode) {
        // queue 0 drops, queue 1 sends back: a frame of one queue run by the other's program shows as the wrong action
        try (Harness h = new Harness(Asm.assemble("r0 = 1\nexit"), Asm.assemble("r0 = 3\nexit"));
             PagePool pool = new PagePool(512, true);
             PktGen gen = new PktGen(PktGenSpec.parse("flows=8,size=64"))) {
            JitCompiler jit = JitCompiler.verifying();
            JitProgram[] progs = {jit.program(h.prog(0)), jit.program(h.prog(1))};
            XdpCall[] calls = {new XdpCall(), new XdpCall()};
            NapiWorker[] workers = new NapiWorker[2];
            PktGenDriver[] rx = new PktGenDriver[2];
            PagePool.Cache[] caches = new PagePool.Cache[2];
            TxDriver wire = (ids, from, n) -> {
                pool.returnBulk(ids, from, n);
                return n;
            };
            try {
                for (int q = 0; q < 2; q++) {
                    caches[q] = pool.cache();
                    rx[q] = new PktGenDriver(gen, pool, caches[q], 7, q, PACKETS);
                    workers[q] = new NapiWorker(pool, caches[q], rx[q], wire, PassSink.DISCARD, progs[q], h.coll, q, 7, q)
                            .rxMode(mode).xdpCall(calls[q]);
                }
                BpfDispatcher d = BpfDispatcher.xdp();
                assertTrue(d.hasSlot(progs[0].code()) && d.hasSlot(progs[1].code()), "each program has its slot");
                // the two queues' polls interleave on this thread, as two programs' calls meet at the dispatcher
                while (!rx[0].done() || !rx[1].done()) {
                    workers[0].poll(NapiWorker.BUDGET);
                    workers[1].poll(NapiWorker.BUDGET);
                }
                RxQueueStats drop = workers[0].stats();
                RxQueueStats tx = workers[1].stats();
                assertEquals(PACKETS, drop.rx , "queue 0's frames: " + drop);
                assertEquals(PACKETS, tx.rx , "queue 1's frames: " + tx);
                assertEquals(drop.rx, drop.drop, "queue 0 ran its own program only: " + drop);
                assertEquals(tx.rx, tx.tx, "queue 1 ran its own program only: " + tx);
                assertEquals(drop.rx, calls[0].runs(), "every run of queue 0 went through its xdp_call");
                assertEquals(tx.rx, calls[1].runs(), "every run of queue 1 went through its xdp_call");
                assertSame(calls[0], workers[0].xdpCall());
            } finally {
                for (XdpCall c : calls) {
                    c.update(null);
                }
                for (PagePool.Cache c : caches) {
                    if (c != null) {
                        c.drain();
                    }
                }
            }
            assertFalse(BpfDispatcher.xdp().hasSlot(progs[0].code()), "the last user's leaving frees the slot");
            assertEquals(0, pool.framesOutstanding());
        }
    }

    @ParameterizedTest
    @EnumSource(value = RxMode.class, names = {"SCALAR", "VECTOR"})
    void pollingThroughTheDispatcherAllocatesNothingOnceWarm(RxMode mode) {
        try (Harness h = new Harness(Asm.assemble("r0 = 3\nexit"));
             PagePool pool = new PagePool(512, false);
             PktGen gen = new PktGen(PktGenSpec.parse("flows=64,size=64"))) {
            PagePool.Cache cache = pool.cache();
            PktGenDriver rx = new PktGenDriver(gen, pool, cache, 7, 0, -1);
            TxDriver wire = (ids, from, n) -> {
                pool.returnBulk(ids, from, n);
                return n;
            };
            XdpCall call = new XdpCall();
            try {
                NapiWorker w = new NapiWorker(pool, cache, rx, wire, PassSink.DISCARD,
                        JitCompiler.verifying().program(h.prog(0)), h.coll, 0, 7, 0).rxMode(mode).xdpCall(call);
                for (int i = 0; i < 20_000; i++) {
                    w.poll(NapiWorker.BUDGET);
                }
                com.sun.management.ThreadMXBean mx =
                        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 10_000; i++) {
                    w.poll(NapiWorker.BUDGET);
                }
                long bytes = mx.getCurrentThreadAllocatedBytes() - before;
                // one object per packet would be 10 MB and more
                assertTrue(bytes < 64 * 1024, bytes + " bytes allocated by 640,000 packets");
                assertEquals(w.stats().rx, call.runs());
                w.stats().checkAccounting();
            } finally {
                call.update(null);
                cache.drain();
            }
        }
    }
}
