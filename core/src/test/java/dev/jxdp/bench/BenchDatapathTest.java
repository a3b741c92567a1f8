package dev.jxdp.bench;

import dev.jxdp.xdp.CpuMapRunner;
import dev.jxdp.xdp.NapiWorker;
import dev.jxdp.xdp.RxMode;
import dev.jxdp.xdp.RxQueueStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmark datapath does what each case says, frame for frame: every action lands where it should,
 * the accounting holds, and every page is back in the pool after each poll.
 */
class BenchDatapathTest {

    private static final int POLLS = 50;
    private static final long FRAMES = (long) POLLS * NapiWorker.BUDGET;

    private static BenchDatapath polled(XdpBenchMode mode, RxMode rx, int bulk) {
        BenchDatapath p = new BenchDatapath(mode, rx, bulk);
        for (int i = 0; i < POLLS; i++) {
            assertEquals(NapiWorker.BUDGET, p.poll(), "pktgen never runs dry and the pool never empties");
            assertEquals(0, p.framesOutstanding(), "every page back after poll " + i);
        }
        p.stats().checkAccounting();
        assertEquals(FRAMES, p.received());
        return p;
    }

    @ParameterizedTest
    @EnumSource(value = XdpBenchMode.class, names = {"DROP", "REDIRECT", "REDIRECT_MAP"})
    void pollingAllocatesNothingOnceWarm(XdpBenchMode mode) {
        // 0 B/op: the redirect path (device queue, devmap entry, veth ring and its peer) as drop's
        try (BenchDatapath p = new BenchDatapath(mode, RxMode.SCALAR, NapiWorker.TX_BULK)) {
            for (int i = 0; i < 20_000; i++) {
                p.poll();
            }
            com.sun.management.ThreadMXBean mx =
                    (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 10_000; i++) {
                p.poll();
            }
            long bytes = mx.getCurrentThreadAllocatedBytes() - before;
            assertTrue(bytes < 64 * 1024, mode + ": " + bytes + " bytes allocated by 640,000 packets");
            p.stats().checkAccounting();
        }
    }

    @Test
    void theFloorReceivesAndRecyclesWithoutAWorker() {
        try (BenchDatapath p = polled(XdpBenchMode.FLOOR, RxMode.SCALAR, NapiWorker.TX_BULK)) {
            assertEquals(0, p.stats().rx);
            assertEquals(0, p.transmitted());
        }
    }

    @Test
    void dropDropsEveryFrame() {
        try (BenchDatapath p = polled(XdpBenchMode.DROP, RxMode.SCALAR, NapiWorker.TX_BULK)) {
            assertEquals(FRAMES, p.stats().drop);
        }
    }

    @Test
    void passHandsEveryFrameToTheStackStageWhichFindsValidIpv4Udp() {
        try (BenchDatapath p = polled(XdpBenchMode.PASS, RxMode.SCALAR, NapiWorker.TX_BULK)) {
            assertEquals(FRAMES, p.stats().pass);
            assertEquals(FRAMES, p.stack().udp());
            assertEquals(0, p.stack().badHeader());
        }
    }

    @Test
    void txSendsEveryFrameOnTheReceivingDevice() {
        try (BenchDatapath p = polled(XdpBenchMode.TX, RxMode.SCALAR, NapiWorker.TX_BULK)) {
            assertEquals(FRAMES, p.stats().tx);
            assertEquals(FRAMES, p.transmitted());
        }
    }

    @ParameterizedTest
    @EnumSource(value = XdpBenchMode.class, names = {"REDIRECT", "REDIRECT_MAP"})
    void redirectedFramesArriveAtTheVethPeerBulkedOrNot(XdpBenchMode mode) {
        for (int bulk : new int[] {NapiWorker.TX_BULK, 1}) {
            try (BenchDatapath p = polled(mode, RxMode.SCALAR, bulk)) {
                assertEquals(FRAMES, p.stats().redirect, mode + " bulk " + bulk);
                assertEquals(FRAMES, p.peerReceived(), mode + " bulk " + bulk);
                assertEquals(0, p.stats().errors);
            }
        }
    }

    @Test
    void redirectCpuHandsFramesToTheCpumapConsumerWhichPassesThemToItsStack() {
        BenchDatapath p = new BenchDatapath(XdpBenchMode.REDIRECT_CPU, RxMode.SCALAR, NapiWorker.TX_BULK);
        try {
            for (int i = 0; i < POLLS; i++) {
                assertEquals(NapiWorker.BUDGET, p.poll());
            }
        } finally {
            p.close();  // the consumer empties its queue before it stops
        }
        RxQueueStats s = p.stats();
        s.checkAccounting();
        assertEquals(FRAMES, s.rx);
        assertEquals(FRAMES, s.redirect + s.errors, "a frame the queue refused is a counted error");
        assertTrue(s.redirect > 0, s.toString());
        CpuMapRunner.Stats c = p.cpuMapStats();
        c.checkAccounting();
        assertEquals(s.redirect, c.enqueued());
        assertEquals(s.redirect, c.passed());
        assertEquals(s.redirect, p.cpuStack().udp(), "the consumer's stack stage saw every frame it passed");
        assertEquals(0, p.stack().total(), "nothing reached the worker's own stack stage");
        assertEquals(0, p.framesOutstanding(), "every page back in the pool");
    }

    /** How many of the first {@code n} packets the mixed program gives each verdict: by source port mod 10. */
    private static long[] expectedMix(long n) {
        long[] drop = new long[3];
        for (long seq = 0; seq < n; seq++) {
            int port = 1024 + (int) (seq % BenchDatapath.FLOWS);  // pktgen: flow seq % flows takes port 1024 + flow
            int bucket = port % 10;
            drop[bucket < 5 ? 0 : bucket < 8 ? 1 : 2]++;
        }
        return drop;
    }

    @ParameterizedTest
    @EnumSource(value = RxMode.class, names = {"SCALAR", "VECTOR"})
    void mixedSplitsFiftyThirtyTwentyInBothRxModes(RxMode rx) {
        long[] want = expectedMix(FRAMES);
        assertEquals(FRAMES / 2, want[0], 2.0);  // the split itself is 50/30/20 up to the last partial 10
        try (BenchDatapath p = polled(XdpBenchMode.MIXED, rx, NapiWorker.TX_BULK)) {
            RxQueueStats s = p.stats();
            assertEquals(want[0], s.drop);
            assertEquals(want[1], s.pass);
            assertEquals(want[2], s.tx);
            assertEquals(want[1], p.stack().udp(), "the stack stage saw the PASS frames");
            assertEquals(want[2], p.transmitted());
        }
    }

    @Test
    void runStopsWhenAskedAndCountsWhatItReceived() {
        try (BenchDatapath p = new BenchDatapath(XdpBenchMode.DROP, RxMode.SCALAR, NapiWorker.TX_BULK)) {
            long n = p.run(60_000_000_000L, () -> true);  // stop at the first look: one slice of polls
            assertEquals(p.received(), n);
            assertEquals(0, n % NapiWorker.BUDGET);
            assertEquals(n, p.stats().drop);
        }
    }
}
