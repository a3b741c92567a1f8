package dev.jxdp.xdp;

import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.isa.Asm;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.ebpf.maps.MapType;
import dev.jxdp.io.pktgen.PktGen;
import dev.jxdp.io.pktgen.PktGenDriver;
import dev.jxdp.io.pktgen.PktGenSpec;
import dev.jxdp.xdp.chain.ChainPlan;
import dev.jxdp.xdp.chain.XdpMultiProg;
import dev.jxdp.xdp.dispatch.BpfDispatcher;
import dev.jxdp.xdp.dispatch.XdpCall;
import dev.jxdp.xdp.dispatch.LoadedChain;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The text poke under traffic, at the datapath's level: two RX queues, each a worker on its own thread
 * entering its program through its own xdp_call, pktgen's frames flowing without end, while this thread
 * replaces each queue's program a thousand times and more. Versions A and B are two compiled programs that
 * both drop, each counting the frames it sees per queue in a map of its own, so afterwards every frame a
 * queue received is found in exactly one version's count: none lost, none run twice. The same holds when
 * A and B are chains (issue 17): each a program that counts and passes, then one that drops, compiled or
 * run by the dynamic executor; replacing a chain is the dispatcher's replace of one program.
 */
class NapiWorkerLiveUpdateTest {

    static final int SWAPS = 1000;
    static final int QUEUES = 2;
    // each update waits for the queue to move on, so that every version attached gets frames
    static final long PROGRESS_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    /** What versions A and B are: two programs, or two chains of two programs each. */
    enum Versions { PROGRAMS, COMPILED_CHAINS, DYNAMIC_CHAINS }

    // counts the frame in map idx at key rx_queue_index (one writer per key: the queue's worker), then
    // returns code (XDP_DROP for a version of its own, XDP_PASS as a chain's first part)
    private static String counting(int map, int code) {
        return """
                r2 = *(u32 *)(r1 +16)
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
                r0 = %d
                exit""".formatted(map, code);
    }

    /** Two queues running A or B through the dispatcher, pktgen's traffic flowing until stopped. */
    private static final class Datapath implements AutoCloseable {
        final Harness h = new Harness(List.of(Harness.spec("count_a", MapType.ARRAY, 4, 8, QUEUES),
                Harness.spec("count_b", MapType.ARRAY, 4, 8, QUEUES)),
                Asm.assemble(counting(0, 1)), Asm.assemble(counting(1, 1)),
                Asm.assemble(counting(0, 2)), Asm.assemble(counting(1, 2)), Asm.assemble("r0 = 1\nexit"));
        final PagePool pool = new PagePool(4096, false);
        final PktGen gen = new PktGen(PktGenSpec.parse("flows=64,size=64"));
        // per queue: its own runners of A and B (a runner keeps per-run state: one thread each)
        final JitProgram[] qa = new JitProgram[QUEUES];
        final JitProgram[] qb = new JitProgram[QUEUES];
        final XdpCall[] calls = new XdpCall[QUEUES];
        final RxQueues rxq;

        Datapath(RxMode mode) {
            this(mode, Versions.PROGRAMS);
        }

        Datapath(RxMode mode, Versions versions) {
            JitCompiler jit = JitCompiler.verifying();
            java.util.function.IntFunction<JitProgram> a;
            java.util.function.IntFunction<JitProgram> b;
            if (versions == Versions.PROGRAMS) {
                JitProgram pa = jit.program(h.prog(0));
                JitProgram pb = jit.program(h.prog(1));
                a = q -> pa.forThread();
                b = q -> pb.forThread();
            } else {
                LoadedChain.Executor ex = versions == Versions.COMPILED_CHAINS ? LoadedChain.Executor.COMPILED : LoadedChain.Executor.DYNAMIC;
                int pass = 1 << 2;
                ChainPlan plan = XdpMultiProg.of(List.of(new XdpMultiProg.Program(java.nio.file.Path.of("count.o"), "count", 1, pass),
                        new XdpMultiProg.Program(java.nio.file.Path.of("drop.o"), "drop", 2, pass))).toChain();
                JitProgram drop = jit.program(h.prog(4));
                LoadedChain ca = LoadedChain.of(plan, List.of(jit.program(h.prog(2)), drop), ex);
                LoadedChain cb = LoadedChain.of(plan, List.of(jit.program(h.prog(3)), drop), ex);
                a = ca::runner;
                b = cb::runner;
            }
            for (int q = 0; q < QUEUES; q++) {
                qa[q] = a.apply(q);
                qb[q] = b.apply(q);
                calls[q] = new XdpCall();
            }
            TxDriver wire = (ids, from, n) -> {
                pool.returnBulk(ids, from, n);
                return n;
            };
            rxq = new RxQueues(pool, QUEUES, (q, cache) -> new PktGenDriver(gen, pool, cache, 7, q, QUEUES, -1),
                    (q, cache, d) -> new NapiWorker(pool, cache, d, wire, PassSink.DISCARD, qa[q], h.coll, q, 7, q)
                            .xdpCall(calls[q])).rxMode(mode);
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

        long count(int map, int q) {
            byte[] v = h.map(map).userLookup(new byte[] {(byte) q, 0, 0, 0});
            return ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong();
        }

        @Override
        public void close() {
            try {
                rxq.close();
            } finally {
                for (XdpCall c : calls) {
                    c.update(null);
                }
                gen.close();
                pool.close();
                h.close();
            }
        }
    }

    static Stream<Arguments> modesAndVersions() {
        return Stream.of(RxMode.SCALAR, RxMode.VECTOR).flatMap(m -> Stream.of(Versions.values()).map(v -> Arguments.of(m, v)));
    }

    @ParameterizedTest
    @MethodSource("modesAndVersions")
    void aThousandReplacesOnTwoQueuesLoseNoFrameAndRunNoneTwice(RxMode mode, Versions versions) {
        try (Datapath d = new Datapath(mode, versions)) {
            long generationBefore = BpfDispatcher.xdp().generation();
            d.rxq.start();
            long[] seen = new long[QUEUES];
            for (int s = 0; s < SWAPS; s++) {
                for (int q = 0; q < QUEUES; q++) {
                    seen[q] = d.progressed(q, seen[q]);
                    d.calls[q].update(s % 2 == 0 ? d.qb[q] : d.qa[q]);  // xdp_call_update(): replace
                }
            }
            for (int q = 0; q < QUEUES; q++) {
                d.progressed(q, seen[q]);
            }
            d.rxq.stop();
            d.rxq.checkAccounting();
            long total = 0;
            long totalA = 0;
            long totalB = 0;
            for (int q = 0; q < QUEUES; q++) {
                RxQueueStats st = d.rxq.stats(q);
                long byA = d.count(0, q);
                long byB = d.count(1, q);
                assertEquals(st.rx, byA + byB, "queue " + q + ": frames received = run by A + run by B: " + st
                        + ", A " + byA + ", B " + byB);
                assertEquals(st.rx, st.drop, "queue " + q + ": both versions drop every frame: " + st);
                assertEquals(st.rx, d.calls[q].runs(), "queue " + q + ": every frame went through its xdp_call");
                assertTrue(byA > 0 && byB > 0, "queue " + q + ": both versions saw traffic: A " + byA + ", B " + byB);
                total += st.rx;
                totalA += byA;
                totalB += byB;
            }
            assertEquals(d.rxq.total().rx, totalA + totalB, "in total: received = run by A + run by B");
            assertEquals(d.rxq.total().rx, total);
            assertTrue(BpfDispatcher.xdp().generation() - generationBefore >= SWAPS,
                    "the dispatch code was rebuilt " + (BpfDispatcher.xdp().generation() - generationBefore) + " times");
            assertEquals(0, d.pool.framesOutstanding(), "every frame back in the pool");
        }
    }

    @ParameterizedTest
    @EnumSource(value = RxMode.class, names = {"SCALAR", "VECTOR"})
    void detachAndAttachUnderTrafficPassFramesOnlyWhileNoProgramIsAttached(RxMode mode) {
        // A, none, B, none, A, ...: detached, a queue's frames go to the stack unrun (a driver whose
        // xdp_prog is NULL), and every other frame is run by exactly one of the two versions
        try (Datapath d = new Datapath(mode)) {
            d.rxq.start();
            long[] seen = new long[QUEUES];
            for (int s = 1; s <= SWAPS; s++) {
                for (int q = 0; q < QUEUES; q++) {
                    seen[q] = d.progressed(q, seen[q]);
                    d.calls[q].update(s % 2 == 1 ? null : s % 4 == 2 ? d.qb[q] : d.qa[q]);
                }
            }
            for (int q = 0; q < QUEUES; q++) {
                d.progressed(q, seen[q]);
            }
            d.rxq.stop();
            d.rxq.checkAccounting();
            for (int q = 0; q < QUEUES; q++) {
                RxQueueStats st = d.rxq.stats(q);
                long byA = d.count(0, q);
                long byB = d.count(1, q);
                assertEquals(st.rx, byA + byB + st.pass, "queue " + q + ": received = run by A + run by B + passed "
                        + "unrun: " + st + ", A " + byA + ", B " + byB);
                assertEquals(st.drop, byA + byB, "queue " + q + ": what ran was dropped: " + st);
                assertEquals(byA + byB, d.calls[q].runs(), "queue " + q + ": the xdp_call counts the runs only");
                assertTrue(byA > 0 && byB > 0 && st.pass > 0,
                        "queue " + q + ": A, B and no program each saw traffic: " + st + ", A " + byA + ", B " + byB);
            }
            assertEquals(0, d.pool.framesOutstanding(), "every frame back in the pool");
        }
    }
}
