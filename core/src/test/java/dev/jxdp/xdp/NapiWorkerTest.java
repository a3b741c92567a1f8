package dev.jxdp.xdp;

import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.isa.Asm;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.runtime.XdpBuff;
import dev.jxdp.io.pktgen.PktGen;
import dev.jxdp.io.pktgen.PktGenDriver;
import dev.jxdp.io.pktgen.PktGenSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scalar NAPI loop: every frame ends in exactly one counted outcome, and every page comes back. */
class NapiWorkerTest {

    /** A TX driver that "sends" a bulk by returning the frames to their pool, as TX completion would. */
    private static final class Wire implements TxDriver {
        final PagePool pool;
        final int room;
        final List<Integer> bulks = new ArrayList<>();
        final List<Integer> lengths = new ArrayList<>();
        final List<int[]> held = new ArrayList<>();
        boolean hold;

        Wire(PagePool pool, int room) {
            this.pool = pool;
            this.room = room;
        }

        @Override
        public int transmit(int[] ids, int from, int n) {
            int took = Math.min(n, room);
            bulks.add(n);
            for (int i = 0; i < took; i++) {
                lengths.add(pool.meta().length(ids[from + i]));
            }
            if (hold) {
                held.add(java.util.Arrays.copyOfRange(ids, from, from + took));
            } else {
                pool.returnBulk(ids, from, took);
            }
            return took;
        }

        void release() {
            for (int[] h : held) {
                pool.returnBulk(h, 0, h.length);
            }
            held.clear();
        }
    }

    private record Run(RxQueueStats stats, PktGenDriver driver, Wire wire, PagePool pool) {}

    private static Run run(String asm, int packets, int poolFrames, int txRoom, PassSink pass) {
        PagePool pool = new PagePool(poolFrames, true);
        try (Harness h = new Harness(Asm.assemble(asm));
             PktGen gen = new PktGen(PktGenSpec.parse("flows=8,size=64"))) {
            PagePool.Cache cache = pool.cache();
            PktGenDriver rx = new PktGenDriver(gen, pool, cache, 7, 0, packets);
            Wire wire = new Wire(pool, txRoom);
            NapiWorker w = new NapiWorker(pool, cache, rx, wire, pass, JitCompiler.verifying().program(h.prog(0)),
                    h.coll, 0, 7, 0);
            while (rx.generated() < packets) {
                w.poll(NapiWorker.BUDGET);
            }
            w.stats().checkAccounting();
            cache.drain();
            return new Run(w.stats(), rx, wire, pool);
        }
    }

    @Test
    void eachActionIsCountedOnceAndEveryPageComesBack() {
        String[][] cases = {{"1", "drop"}, {"2", "pass"}, {"3", "tx"}, {"0", "aborted"}, {"4", "errors"}, {"9", "aborted"}};
        for (String[] c : cases) {
            Run r = run("r0 = " + c[0] + "\nexit", 1000, 256, 1 << 20, PassSink.DISCARD);
            String why = "r0 = " + c[0] + ": " + r.stats();
            assertEquals(1000, r.stats().rx, why);
            long counted = switch (c[1]) {
                case "drop" -> r.stats().drop;
                case "pass" -> r.stats().pass;
                case "tx" -> r.stats().tx;
                case "aborted" -> r.stats().aborted;
                default -> r.stats().errors;
            };
            assertEquals(1000, counted, why);
            assertEquals(0, r.pool().framesOutstanding(), why);
            r.pool().close();
        }
    }

    @Test
    void txLeavesInBulksOfSixteenFlushedAtTheEndOfEachPoll() {
        // 100 packets: a poll of 64 is four bulks of 16; the last poll of 36 is 16, 16 and the 4 left at the flush
        Run r = run("r0 = 3\nexit", 100, 256, 1 << 20, PassSink.DISCARD);
        assertEquals(List.of(16, 16, 16, 16, 16, 16, 4), r.wire().bulks);
        assertTrue(r.wire().lengths.stream().allMatch(len -> len == 60), "64-byte frames on the wire: 60 in memory");
        r.pool().close();
    }

    @Test
    void aFullTxRingDropsTheRestAsErrorsWithoutLosingPages() {
        Run r = run("r0 = 3\nexit", 640, 256, 10, PassSink.DISCARD);
        assertEquals(400, r.stats().tx, r.stats().toString());
        assertEquals(240, r.stats().errors, r.stats().toString());
        assertEquals(0, r.pool().framesOutstanding());
        r.pool().close();
    }

    @Test
    void passFramesReachTheSinkWithTheProgramsEdits() {
        // the program rewrites the first byte, then passes: the sink must see the edited frame
        List<Integer> firstBytes = new ArrayList<>();
        PassSink sink = (XdpBuff b) -> firstBytes.add(dev.jxdp.ebpf.mem.Mem.getU8(b.data));
        String asm = """
                r2 = *(u32 *)(r1 +0)
                r3 = *(u32 *)(r1 +4)
                r4 = r2
                r4 += 1
                if r4 > r3 goto out
                r5 = 171
                *(u8 *)(r2 +0) = r5
                out:
                r0 = 2
                exit""";
        Run r = run(asm, 200, 256, 1 << 20, sink);
        assertEquals(200, firstBytes.size());
        assertTrue(firstBytes.stream().allMatch(b -> b == 171), firstBytes.toString());
        assertEquals(0, r.pool().framesOutstanding());
        r.pool().close();
    }

    @Test
    void anExhaustedPoolMissesPacketsAtTheDriverAndRecoversWhenPagesReturn() {
        PagePool pool = new PagePool(32, true);
        try (Harness h = new Harness(Asm.assemble("r0 = 3\nexit"));
             PktGen gen = new PktGen(PktGenSpec.parse("size=64"))) {
            PagePool.Cache cache = pool.cache();
            PktGenDriver rx = new PktGenDriver(gen, pool, cache, 7, 0, -1);
            Wire wire = new Wire(pool, 1 << 20);
            wire.hold = true;  // the "wire" keeps every page: the pool runs dry
            NapiWorker w = new NapiWorker(pool, cache, rx, wire, PassSink.DISCARD,
                    JitCompiler.verifying().program(h.prog(0)), h.coll, 0, 7, 0);
            for (int i = 0; i < 4; i++) {
                w.poll(NapiWorker.BUDGET);
            }
            assertEquals(32, w.stats().tx, w.stats().toString());
            assertTrue(rx.noBuffers() >= 1, "missed: " + rx.noBuffers());
            assertEquals(32, pool.framesOutstanding());
            wire.release();
            w.poll(NapiWorker.BUDGET);
            assertEquals(64, w.stats().tx, "pages back, packets flow again: " + w.stats());
            w.stats().checkAccounting();
            wire.release();
            cache.drain();
            assertEquals(0, pool.framesOutstanding());
        } finally {
            pool.close();
        }
    }

    @Test
    void pollingAllocatesNothingOnceWarm() {
        PagePool pool = new PagePool(512, false);
        try (Harness h = new Harness(Asm.assemble("r0 = 3\nexit"));
             PktGen gen = new PktGen(PktGenSpec.parse("flows=64,size=64"))) {
            PagePool.Cache cache = pool.cache();
            PktGenDriver rx = new PktGenDriver(gen, pool, cache, 7, 0, -1);
            TxDriver wire = (ids, from, n) -> {
                pool.returnBulk(ids, from, n);  // no bookkeeping lists: nothing of the test's own allocates
                return n;
            };
            NapiWorker w = new NapiWorker(pool, cache, rx, wire, PassSink.DISCARD,
                    JitCompiler.verifying().program(h.prog(0)), h.coll, 0, 7, 0);
            for (int i = 0; i < 20_000; i++) {
                w.poll(NapiWorker.BUDGET);
            }
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 10_000; i++) {
                w.poll(NapiWorker.BUDGET);
            }
            long bytes = mx.getCurrentThreadAllocatedBytes() - before;
            assertTrue(bytes < 64 * 1024, bytes + " bytes allocated by 640,000 packets");
            w.stats().checkAccounting();
        } finally {
            pool.close();
        }
    }
}
