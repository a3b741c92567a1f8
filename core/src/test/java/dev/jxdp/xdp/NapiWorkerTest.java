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

    private static RxQueueStats redirectRun(String asm, List<dev.jxdp.ebpf.maps.MapSpec> maps,
                                            java.util.function.Function<PagePool, NetDevices> devicesOf,
                                            java.util.function.Consumer<Harness> setup, int packets) {
        PagePool pool = new PagePool(256, true);
        NetDevices devices = devicesOf.apply(pool);
        try (Harness h = new Harness(maps, Asm.assemble(asm));
             PktGen gen = new PktGen(PktGenSpec.parse("flows=8,size=64"))) {
            setup.accept(h);
            PagePool.Cache cache = pool.cache();
            PktGenDriver rx = new PktGenDriver(gen, pool, cache, 7, 0, packets);
            NapiWorker w = new NapiWorker(pool, cache, rx, new Wire(pool, 1 << 20), PassSink.DISCARD,
                    JitCompiler.verifying().program(h.prog(0)), h.coll, 0, 7, 0, devices);
            while (rx.generated() < packets) {
                w.poll(NapiWorker.BUDGET);
            }
            w.stats().checkAccounting();
            cache.drain();
            for (int i = 1; i < devices.capacity(); i++) {
                if (devices.get(i) != null && devices.get(i).tx() instanceof Wire wire) {
                    assertEquals(0, wire.held.size());
                }
            }
            assertEquals(0, pool.framesOutstanding(), "every page back");
            return w.stats();
        } finally {
            pool.close();
        }
    }

    @Test
    void bpfRedirectReachesTheDeviceInBulksAndMissingOrDownDevicesAreErrors() {
        NetDevices devices = new NetDevices();
        List<Integer> bulks = new ArrayList<>();
        TxDriver[] target = new TxDriver[1];
        // the wire needs the pool of the run: it is made inside; record bulk sizes and return through it
        String asm = "r1 = 5\nr2 = 0\ncall bpf_redirect\nexit";
        NetDevice veth = new NetDevice(5, "veth0", (ids, from, n) -> {
            bulks.add(n);
            return target[0].transmit(ids, from, n);
        });
        devices.add(veth);
        PagePool pool = new PagePool(256, true);
        try (Harness h = new Harness(Asm.assemble(asm)); PktGen gen = new PktGen(PktGenSpec.parse("size=64"))) {
            target[0] = (ids, from, n) -> {
                pool.returnBulk(ids, from, n);
                return n;
            };
            PagePool.Cache cache = pool.cache();
            PktGenDriver rx = new PktGenDriver(gen, pool, cache, 7, 0, 100);
            NapiWorker w = new NapiWorker(pool, cache, rx, new Wire(pool, 1 << 20), PassSink.DISCARD,
                    JitCompiler.verifying().program(h.prog(0)), h.coll, 0, 7, 0, devices);
            while (rx.generated() < 100) {
                w.poll(NapiWorker.BUDGET);
            }
            assertEquals(100, w.stats().redirect, w.stats().toString());
            assertEquals(List.of(16, 16, 16, 16, 16, 16, 4), bulks, "bulks of 16, the rest at the poll's flush");
            veth.setUp(false);
            rx = new PktGenDriver(gen, pool, cache, 7, 0, 10);
            w = new NapiWorker(pool, cache, rx, new Wire(pool, 1 << 20), PassSink.DISCARD,
                    JitCompiler.verifying().program(h.prog(0)), h.coll, 0, 7, 0, devices);
            w.poll(NapiWorker.BUDGET);
            assertEquals(10, w.stats().errors, "a device that is down: " + w.stats());
            w.stats().checkAccounting();
            cache.drain();
            assertEquals(0, pool.framesOutstanding());
        } finally {
            pool.close();
        }
        RxQueueStats none = redirectRun("r1 = 6\nr2 = 0\ncall bpf_redirect\nexit", List.of(), p -> devices, h -> { }, 50);
        assertEquals(50, none.errors, "no device 6: " + none);
    }

    @Test
    void devmapEntriesPickTheDeviceAndAnEmptySlotGivesTheFlagsAction() {
        int[] sent = new int[3];
        java.util.function.Function<PagePool, NetDevices> devicesOf = pool -> {
            NetDevices d = new NetDevices();
            for (int ifindex : new int[] {5, 9}) {
                d.add(new NetDevice(ifindex, "veth" + ifindex, (ids, from, n) -> {
                    sent[ifindex == 5 ? 0 : 1] += n;
                    pool.returnBulk(ids, from, n);
                    return n;
                }));
            }
            return d;
        };
        String asm = "r1 = map[idx:0] ll\nr2 = 0\nr3 = 0\ncall bpf_redirect_map\nexit";
        List<dev.jxdp.ebpf.maps.MapSpec> maps = List.of(Harness.spec("tx_port", dev.jxdp.ebpf.maps.MapType.DEVMAP, 4, 4, 4));
        // slot 0 empty: bpf_redirect_map returns the flags' low bits, XDP_ABORTED
        RxQueueStats empty = redirectRun(asm, maps, devicesOf, h -> { }, 40);
        assertEquals(40, empty.aborted, empty.toString());
        // slot 0 -> ifindex 9: every frame leaves through veth9
        RxQueueStats filled = redirectRun(asm, maps, devicesOf,
                h -> assertEquals(0, h.map(0).userUpdate(new byte[4], new byte[] {9, 0, 0, 0}, 0)), 40);
        assertEquals(40, filled.redirect, filled.toString());
        assertEquals(0, sent[0]);
        assertEquals(40, sent[1]);
    }
}
