package dev.jxdp.xdp;

import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.isa.Asm;
import dev.jxdp.ebpf.jit.JitClasses;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.ebpf.maps.MapType;
import dev.jxdp.ebpf.maps.ProgArray;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.io.pktgen.PktGen;
import dev.jxdp.io.pktgen.PktGenDriver;
import dev.jxdp.io.pktgen.PktGenSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A PROG_ARRAY slot changed from Java while traffic flows: two RX queues, each a worker on its own thread
 * running an entry program whose bpf_tail_call has a constant index (a direct call, the kernel's poke
 * descriptor), pktgen's frames flowing without end, while this thread puts version A, version B or nothing
 * in the slot a thousand times. Each version counts the frames it runs per queue in a map of its own, the
 * entry counts those its call fell through with, so afterwards every frame a queue received is found in
 * exactly one count: none lost, none run twice, none by a version after it left the slot's call site.
 */
class ProgArrayLiveUpdateTest {

    static final int SWAPS = 1000;
    static final int QUEUES = 2;
    static final int SLOT = 1;
    // each update waits for every queue to move on, so that every version put in the slot gets frames
    static final long PROGRESS_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    // counts the frame in map idx at key rx_queue_index (one writer per key: the queue's worker), XDP_DROP;
    // the context is in r6
    private static String counting(int map) {
        return """
                r2 = *(u32 *)(r6 +16)
                *(u32 *)(r10 -4) = r2
                r2 = r10
                r2 += -4
                r1 = map[idx:%d] ll
                call bpf_map_lookup_elem
                if r0 == 0 goto out
                r1 = *(u64 *)(r0 +0)
                r1 += 1
                *(u64 *)(r0 +0) = r1
                out:
                r0 = 1
                exit""".formatted(map);
    }

    // the entry: a tail call to the constant slot; what falls through is counted in map 3
    private static final String ENTRY = """
            r6 = r1
            r2 = map[idx:2] ll
            r3 = %d
            call bpf_tail_call
            """.formatted(SLOT) + counting(3);

    private static final class Datapath implements AutoCloseable {
        final Harness h = new Harness(List.of(Harness.spec("count_a", MapType.ARRAY, 4, 8, QUEUES),
                Harness.spec("count_b", MapType.ARRAY, 4, 8, QUEUES), Harness.spec("jmp", MapType.PROG_ARRAY, 4, 4, 4),
                Harness.spec("count_fallthrough", MapType.ARRAY, 4, 8, QUEUES)),
                Asm.assemble(ENTRY), Asm.assemble("r6 = r1\n" + counting(0)), Asm.assemble("r6 = r1\n" + counting(1)));
        final PagePool pool = new PagePool(4096, false);
        final PktGen gen = new PktGen(PktGenSpec.parse("flows=64,size=64"));
        final ProgArray jmp = (ProgArray) h.map(2);
        final BpfProgram a = h.prog(1);
        final BpfProgram b = h.prog(2);
        final RxQueues rxq;

        Datapath(RxMode mode) {
            JitProgram entry = JitCompiler.verifying().program(h.prog(0));
            TxDriver wire = (ids, from, n) -> {
                pool.returnBulk(ids, from, n);
                return n;
            };
            jmp.set(SLOT, a);
            rxq = new RxQueues(pool, QUEUES, (q, cache) -> new PktGenDriver(gen, pool, cache, 7, q, QUEUES, -1),
                    (q, cache, d) -> new NapiWorker(pool, cache, d, wire, PassSink.DISCARD, entry.forThread(), h.coll,
                            q, 7, q)).rxMode(mode);
        }

        // waits until queue q has received more than it had when it was last asked, and returns that
        long progressed(int q, long since) {
            long deadline = System.nanoTime() + PROGRESS_TIMEOUT_NS;
            long rx;
            while ((rx = rxq.stats(q).rx) <= since) {
                assertTrue(System.nanoTime() < deadline, "queue " + q + " received nothing for 10 s");
                LockSupport.parkNanos(10_000);
            }
            return rx;
        }

        // SWAPS changes of the slot, each after every queue received more frames
        void swap(IntFunction<BpfProgram> version) {
            rxq.start();
            long[] seen = new long[QUEUES];
            for (int s = 0; s < SWAPS; s++) {
                for (int q = 0; q < QUEUES; q++) {
                    seen[q] = progressed(q, seen[q]);
                }
                jmp.set(SLOT, version.apply(s));
            }
            for (int q = 0; q < QUEUES; q++) {
                progressed(q, seen[q]);
            }
            rxq.stop();
            rxq.checkAccounting();
        }

        long count(int map, int q) {
            byte[] v = h.map(map).userLookup(new byte[] {(byte) q, 0, 0, 0});
            return ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong();
        }

        @Override
        public void close() {
            try {
                rxq.close();
            } finally {
                gen.close();
                pool.close();
                h.close();
            }
        }
    }

    @Test
    void theEntrysTailCallIsDirect() {
        try (Datapath d = new Datapath(RxMode.SCALAR)) {
            assertEquals(1, JitClasses.directTailCalls(d.h.prog(0)));
        }
    }

    @ParameterizedTest
    @EnumSource(value = RxMode.class, names = {"SCALAR", "VECTOR"})
    void aThousandReplacementsOfASlotLoseNoFrameAndRunNoneTwice(RxMode mode) {
        try (Datapath d = new Datapath(mode)) {
            d.swap(s -> s % 2 == 0 ? d.b : d.a);
            long total = 0;
            for (int q = 0; q < QUEUES; q++) {
                RxQueueStats st = d.rxq.stats(q);
                long byA = d.count(0, q);
                long byB = d.count(1, q);
                assertEquals(st.rx, byA + byB, "queue " + q + ": frames received = run by A + run by B: " + st
                        + ", A " + byA + ", B " + byB);
                assertEquals(0, d.count(3, q), "queue " + q + ": the slot was never empty");
                assertEquals(st.rx, st.drop, "queue " + q + ": both versions drop every frame: " + st);
                assertTrue(byA > 0 && byB > 0, "queue " + q + ": both versions saw traffic: A " + byA + ", B " + byB);
                total += byA + byB;
            }
            assertEquals(d.rxq.total().rx, total, "in total: received = run by A + run by B");
            assertEquals(0, d.pool.framesOutstanding(), "every frame back in the pool");
        }
    }

    @ParameterizedTest
    @EnumSource(value = RxMode.class, names = {"SCALAR", "VECTOR"})
    void aSlotEmptiedAndFilledAThousandTimesRunsEachFrameOnceOrFallsThrough(RxMode mode) {
        // A, none, B, none, A, ...: while the slot is empty the entry's call falls through and it counts
        try (Datapath d = new Datapath(mode)) {
            d.swap(s -> s % 2 == 0 ? null : s % 4 == 1 ? d.b : d.a);
            for (int q = 0; q < QUEUES; q++) {
                RxQueueStats st = d.rxq.stats(q);
                long byA = d.count(0, q);
                long byB = d.count(1, q);
                long fell = d.count(3, q);
                assertEquals(st.rx, byA + byB + fell, "queue " + q + ": received = run by A + run by B + fell "
                        + "through: " + st + ", A " + byA + ", B " + byB + ", fell through " + fell);
                assertEquals(st.rx, st.drop, "queue " + q + ": every path drops: " + st);
                assertTrue(byA > 0 && byB > 0 && fell > 0, "queue " + q + ": A, B and the empty slot each saw "
                        + "traffic: A " + byA + ", B " + byB + ", fell through " + fell);
            }
            assertEquals(0, d.pool.framesOutstanding(), "every frame back in the pool");
        }
    }
}
