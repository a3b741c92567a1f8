package dev.jxdp.xdp;

import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.isa.Asm;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.runtime.XdpAction;
import dev.jxdp.io.pktgen.PktGen;
import dev.jxdp.io.pktgen.PktGenDriver;
import dev.jxdp.io.pktgen.PktGenSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RX-stages (seed 004): vector mode runs the program over a vector before acting, sorts the verdicts per
 * action and sends the vector's TX frames in one bulk; every frame still ends in the outcome scalar mode
 * gives it.
 */
class RxStagesTest {

    // the action by flow, from the low byte of the UDP source port (pktgen: flow i has sport 1024 + i):
    // i % 10 in 0..4 drop, 5..7 pass, 8 tx, 9 an invalid action (7); flows 16.. redirect to ifindex 3
    private static final String MIXED = """
            r2 = *(u32 *)(r1 +0)
            r3 = *(u32 *)(r1 +4)
            r4 = r2
            r4 += 36
            r0 = 1
            if r4 > r3 goto out
            r5 = *(u8 *)(r2 +35)
            if r5 < 16 goto local
            r1 = 3
            r2 = 0
            call 23
            goto out
            local:
            r5 %= 10
            r0 = 1
            if r5 < 5 goto out
            r0 = 2
            if r5 < 8 goto out
            r0 = 3
            if r5 == 8 goto out
            r0 = 7
            out:
            exit""";

    private record Outcome(RxQueueStats stats, List<Integer> txSports, List<Integer> passSports,
                           List<Integer> redirected, List<Integer> txBulks) {}

    private static Outcome run(RxMode mode, int packets, int budget) {
        try (PagePool pool = new PagePool(512, true);
             Harness h = new Harness(Asm.assemble(MIXED));
             PktGen gen = new PktGen(PktGenSpec.parse("flows=24,size=64"))) {
            PagePool.Cache cache = pool.cache();
            PktGenDriver rx = new PktGenDriver(gen, pool, cache, 7, 0, packets);
            CapturingWire wire = new CapturingWire(pool);
            CapturingWire dev = new CapturingWire(pool);
            NetDevices devices = new NetDevices();
            devices.add(new NetDevice(3, "peer", dev));
            List<Integer> passed = new ArrayList<>();
            PassSink sink = b -> passed.add(Mem.getU8(b.data + 35));
            NapiWorker w = new NapiWorker(pool, cache, rx, wire, sink, JitCompiler.verifying().program(h.prog(0)),
                    h.coll, 0, 7, 0, devices).rxMode(mode);
            while (rx.generated() < packets) {
                w.poll(budget);
            }
            w.stats().checkAccounting();
            cache.drain();
            assertEquals(0, pool.framesOutstanding(), mode + ": frames not back in the pool");
            return new Outcome(w.stats(), wire.bytesAt(35), passed, dev.bytesAt(35), wire.bulks);
        }
    }

    @Test
    void vectorModeGivesEveryFrameTheOutcomeScalarModeGives() {
        Outcome s = run(RxMode.SCALAR, 2400, NapiWorker.BUDGET);
        for (RxMode m : new RxMode[] {RxMode.VECTOR, RxMode.AUTO}) {
            Outcome v = run(m, 2400, NapiWorker.BUDGET);
            assertEquals(s.stats().toString(), v.stats().toString(), m.toString());
            // per action, the same frames in the same order (vectors keep the arrival order within an action)
            assertEquals(s.txSports(), v.txSports(), m + " tx");
            assertEquals(s.passSports(), v.passSports(), m + " pass");
            assertEquals(s.redirected(), v.redirected(), m + " redirect");
        }
        // 24 flows round robin, 2400 frames = 100 of each flow; flows 0..15 by i % 10
        RxQueueStats st = s.stats();
        assertEquals(2400, st.rx);
        assertEquals(100 * 8, st.redirect, st.toString());  // flows 16..23
        assertEquals(100 * (5 + 5), st.drop, st.toString());  // 0..4, 10..14
        assertEquals(100 * (3 + 1), st.pass, st.toString());  // 5..7, 15
        assertEquals(100 * 1, st.tx, st.toString());  // 8
        assertEquals(100 * 1, st.aborted, st.toString());  // 9 returns 7, an invalid action
    }

    @Test
    void vectorModeQueuesTxFramesAfterTheVectorsXdpStage() {
        // every other frame is XDP_TX: the 16th TX frame is run 31; scalar mode sends the full bulk right
        // after that run; vector mode sends each vector's 8 TX frames in one bulk once the whole vector
        // (runs 1..16, 17..32, ...) has been through the program
        for (RxMode mode : new RxMode[] {RxMode.SCALAR, RxMode.VECTOR}) {
            PagePool pool = new PagePool(256, true);
            try (PktGen gen = new PktGen(PktGenSpec.parse("flows=4,size=64"))) {
                PagePool.Cache cache = pool.cache();
                PktGenDriver rx = new PktGenDriver(gen, pool, cache, 1, 0, 64);
                int[] runs = new int[1];
                List<Integer> runsAtTransmit = new ArrayList<>();
                List<Integer> bulks = new ArrayList<>();
                XdpJavaProgram everyOther = ctx -> ++runs[0] % 2 == 1 ? XdpAction.TX : XdpAction.DROP;
                TxDriver wire = (ids, f, n) -> {
                    runsAtTransmit.add(runs[0]);
                    bulks.add(n);
                    pool.returnBulk(ids, f, n);
                    return n;
                };
                NapiWorker w = new NapiWorker(pool, cache, rx, wire, PassSink.DISCARD, everyOther, 0, 1, 0, null)
                        .rxMode(mode);
                w.poll(NapiWorker.BUDGET);
                w.stats().checkAccounting();
                assertEquals(mode == RxMode.SCALAR ? List.of(16, 16) : List.of(8, 8, 8, 8), bulks, mode.toString());
                assertEquals(mode == RxMode.SCALAR ? List.of(31, 63) : List.of(16, 32, 48, 64), runsAtTransmit,
                        mode.toString());
                cache.drain();
                assertEquals(0, pool.framesOutstanding());
            } finally {
                pool.close();
            }
        }
    }

    @Test
    void autoModeRunsSmallPollsFrameByFrameAndLargeOnesAsVectors() {
        for (int budget : new int[] {5, NapiWorker.BUDGET}) {
            PagePool pool = new PagePool(256, true);
            try (PktGen gen = new PktGen(PktGenSpec.parse("flows=4,size=64"))) {
                PagePool.Cache cache = pool.cache();
                PktGenDriver rx = new PktGenDriver(gen, pool, cache, 1, 0, 320);
                int[] runs = new int[1];
                List<Integer> seenAtPass = new ArrayList<>();
                XdpJavaProgram count = ctx -> {
                    runs[0]++;
                    return XdpAction.PASS;
                };
                NapiWorker w = new NapiWorker(pool, cache, rx, (ids, f, n) -> 0, b -> seenAtPass.add(runs[0]), count,
                        0, 1, 0, null).rxMode(RxMode.AUTO);
                while (rx.generated() < 320) {
                    w.poll(budget);
                }
                w.stats().checkAccounting();
                for (int i = 0; i < seenAtPass.size(); i++) {
                    // scalar: the stack stage runs right after each run; vector: after the vector's 16 runs
                    int expect = budget < NapiWorker.VECTOR_MIN ? i + 1 : (i / NapiWorker.VECTOR + 1) * NapiWorker.VECTOR;
                    assertEquals(expect, seenAtPass.get(i), "budget " + budget + ", pass #" + i);
                }
                assertEquals(320, seenAtPass.size());
                cache.drain();
                assertEquals(0, pool.framesOutstanding());
            } finally {
                pool.close();
            }
        }
    }
}
