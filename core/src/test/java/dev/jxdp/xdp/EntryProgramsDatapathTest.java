package dev.jxdp.xdp;

import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.ebpf.maps.CpuMap;
import dev.jxdp.ebpf.maps.DevMap;
import dev.jxdp.ebpf.maps.DevMapHash;
import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfProgram;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * XDP_REDIRECT into maps whose entries run a second program, through the NAPI loop: a devmap entry's
 * egress program at the flush, before the frames leave; a cpumap entry's consumer thread, which runs its
 * program and hands PASS frames to the stack.
 */
class EntryProgramsDatapathTest {

    private static final Path BPF = Path.of(System.getProperty("jxdp.repo", "."), "core/src/test/bpf");

    /** Frames from byte arrays, each received once: a driver for hand-made traffic. */
    private static final class Frames implements RxDriver {
        final PagePool pool;
        final PagePool.Cache cache;
        final List<byte[]> frames;
        int next;

        Frames(PagePool pool, PagePool.Cache cache, List<byte[]> frames) {
            this.pool = pool;
            this.cache = cache;
            this.frames = frames;
        }

        @Override
        public int receive(int[] ids, int from, int max) {
            int n = 0;
            while (n < max && next < frames.size()) {
                int id = cache.alloc();
                byte[] f = frames.get(next++);
                Mem.write(pool.address(id) + PagePool.HEADROOM, f);
                pool.meta().prepare(id, f.length, 1, 0);
                ids[from + n++] = id;
            }
            return n;
        }
    }

    private static byte[] frame(int b14, int b15, int b16) {
        byte[] f = new byte[60];
        f[14] = (byte) b14;
        f[15] = (byte) b15;
        f[16] = (byte) b16;
        return f;
    }

    @Test
    void aDevmapEntrysEgressProgramRunsOnItsFramesBeforeTheyLeave() {
        for (RxMode mode : new RxMode[] {RxMode.SCALAR, RxMode.VECTOR}) {
            try (BpfCollection coll = BpfCollection.load(ElfLoader.load(BPF.resolve("maps_devmap_prog.o")));
                 PagePool pool = new PagePool(256, true)) {
                BpfProgram main = coll.program("xdp_to_port");
                BpfProgram egress = coll.program("xdp_egress_mark");
                DevMap ports = (DevMap) coll.map("ports");
                DevMapHash byId = (DevMapHash) coll.map("ports_by_id");
                assertEquals(0, ports.updateWithProgram(new byte[] {0, 0, 0, 0}, 5, egress, 0));
                assertEquals(0, ports.updateWithProgram(new byte[] {1, 0, 0, 0}, 9, null, 0));
                assertEquals(0, byId.updateWithProgram(new byte[] {7, 0, 0, 0}, 9, egress, 0));
                CapturingWire dev5 = new CapturingWire(pool);
                CapturingWire dev9 = new CapturingWire(pool);
                NetDevices devices = new NetDevices();
                devices.add(new NetDevice(5, "veth5", dev5));
                devices.add(new NetDevice(9, "veth9", dev9));
                List<byte[]> traffic = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    traffic.add(frame(0, 0, 0));  // -> 5 through the egress program, which marks byte 6 with 5
                    traffic.add(frame(0, 0, 1));  // -> 5, dropped by the egress program
                    traffic.add(frame(0, 1, 0));  // -> 9, an entry without a program: unchanged
                    traffic.add(frame(1, 7, 0));  // -> 9 through the hash entry's program: marked 9
                }
                PagePool.Cache cache = pool.cache();
                JitProgram jit = JitCompiler.verifying().program(main);
                NapiWorker w = new NapiWorker(pool, cache, new Frames(pool, cache, traffic), (ids, f, n) -> 0,
                        PassSink.DISCARD, jit, coll, 0, 1, 0, devices).rxMode(mode);
                while (w.poll(NapiWorker.BUDGET) > 0) {
                    // until the traffic is through
                }
                w.stats().checkAccounting();
                assertEquals(120, w.stats().redirect, mode + " " + w.stats());
                assertEquals(40, w.stats().drop, mode + " " + w.stats());
                assertEquals(40, dev5.sent.size());
                assertTrue(dev5.sent.stream().allMatch(f -> f[6] == 5 && f[16] == 0), mode + ": marked by egress for 5");
                assertEquals(80, dev9.sent.size());
                assertEquals(40, dev9.sent.stream().filter(f -> f[6] == 9).count(), mode + ": the hash entry's frames");
                assertEquals(40, dev9.sent.stream().filter(f -> f[6] == 0).count(), mode + ": the plain entry's frames");
                cache.drain();
                assertEquals(0, pool.framesOutstanding());
            }
        }
    }

    @Test
    void aDevmapEntryReplacedBetweenPollsTakesEffectOnTheNextFrame() {
        // the worker keeps what it resolved from the last entry; every update must still be seen at once
        try (BpfCollection coll = BpfCollection.load(ElfLoader.load(BPF.resolve("maps_devmap_prog.o")));
             PagePool pool = new PagePool(256, true)) {
            BpfProgram egress = coll.program("xdp_egress_mark");
            DevMap ports = (DevMap) coll.map("ports");
            byte[] key0 = {0, 0, 0, 0};
            assertEquals(0, ports.updateWithProgram(key0, 5, egress, 0));
            CapturingWire dev5 = new CapturingWire(pool);
            CapturingWire dev9 = new CapturingWire(pool);
            NetDevices devices = new NetDevices();
            devices.add(new NetDevice(5, "veth5", dev5));
            NetDevice veth9 = new NetDevice(9, "veth9", dev9);
            devices.add(veth9);
            List<byte[]> traffic = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                traffic.add(frame(0, 0, 0));  // all to ports[0]
            }
            PagePool.Cache cache = pool.cache();
            NapiWorker w = new NapiWorker(pool, cache, new Frames(pool, cache, traffic), (ids, f, n) -> 0,
                    PassSink.DISCARD, JitCompiler.verifying().program(coll.program("xdp_to_port")), coll, 0, 1, 0,
                    devices);
            w.poll(4);  // -> 5 through the egress program: marked 5
            assertEquals(0, ports.updateWithProgram(key0, 9, null, 0));
            w.poll(4);  // -> 9, no program now: unmarked
            assertEquals(0, ports.updateWithProgram(key0, 9, egress, 0));
            w.poll(4);  // -> 9 with the program again: marked 9
            veth9.setUp(false);
            w.poll(4);  // the device went down: redirect errors
            veth9.setUp(true);
            assertEquals(0, ports.userDelete(key0));
            w.poll(4);  // an empty slot: bpf_redirect_map gives the flags' action, XDP_ABORTED
            assertEquals(0, ports.updateWithProgram(key0, 5, null, 0));
            w.poll(4);  // back to 5, no program: unmarked
            w.stats().checkAccounting();
            assertEquals(List.of(5, 5, 5, 5, 0, 0, 0, 0), dev5.bytesAt(6), "the first entry, then the last");
            assertEquals(List.of(0, 0, 0, 0, 9, 9, 9, 9), dev9.bytesAt(6), "the second entry, then the third");
            assertEquals(4, w.stats().errors, w.stats().toString());
            assertEquals(4, w.stats().aborted, w.stats().toString());
            assertEquals(16, w.stats().redirect, w.stats().toString());
            cache.drain();
            assertEquals(0, pool.framesOutstanding());
        }
    }

    @Test
    void cpumapEntriesTakeFramesInBulksAndTheirConsumersPassThemToTheStack() throws Exception {
        try (BpfCollection coll = BpfCollection.load(ElfLoader.load(BPF.resolve("maps_cpumap_prog.o")));
             PagePool pool = new PagePool(512, true)) {
            CpuMap cpus = (CpuMap) coll.map("cpus");
            assertEquals(0, cpus.updateWithProgram(new byte[] {1, 0, 0, 0}, 256, coll.program("xdp_cpu_stage"), 0));
            assertEquals(0, cpus.updateWithProgram(new byte[] {0, 0, 0, 0}, 8, null, 0));
            List<byte[]> stack = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch release = new CountDownLatch(1);
            PassSink sink = b -> {
                if (b.length() > 0 && Mem.getU8(b.data + 15) == 0) {
                    try {
                        release.await(10, TimeUnit.SECONDS);  // CPU 0's consumer stalls: its queue of 8 fills
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                stack.add(Mem.read(b.data, b.length()));
            };
            JitCompiler jit = JitCompiler.verifying();
            try (CpuMapRunner runner = new CpuMapRunner(cpus, pool, sink, coll, jit::program)) {
                List<byte[]> traffic = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    traffic.add(frame(0, 1, 0));  // CPU 1, whose program passes it (marking byte 0)
                    traffic.add(frame(1, 1, 0));  // CPU 1, dropped by its program
                    traffic.add(frame(0, 3, 0));  // CPU 3: no entry, bpf_redirect_map gives XDP_ABORTED
                }
                for (int i = 0; i < 40; i++) {
                    traffic.add(frame(0, 0, 0));  // CPU 0: no program; its consumer stalls on the first
                }
                PagePool.Cache cache = pool.cache();
                NapiWorker w = new NapiWorker(pool, cache, new Frames(pool, cache, traffic), (ids, f, n) -> 0,
                        PassSink.DISCARD, jit.program(coll.program("xdp_to_cpu")), coll, 0, 1, 0, null)
                        .cpuMaps(runner);
                while (w.poll(NapiWorker.BUDGET) > 0) {
                    // until the traffic is through
                }
                w.stats().checkAccounting();
                RxQueueStats s = w.stats();
                assertEquals(340, s.rx);
                assertEquals(100, s.aborted, s.toString());
                // CPU 0 holds at most 8 queued + 1 in its consumer's hands; the rest of its 40 are errors
                assertTrue(s.errors >= 40 - 8 - CpuMapRunner.BULK && s.errors < 40, s.toString());
                assertEquals(200 + 40 - s.errors, s.redirect, s.toString());
                release.countDown();
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (runner.total().queued() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                CpuMapRunner.Stats one = runner.stats(1);
                assertEquals(200, one.enqueued());
                assertEquals(100, one.passed(), one.toString());
                assertEquals(100, one.dropped(), one.toString());
                CpuMapRunner.Stats zero = runner.stats(0);
                assertEquals(40 - s.errors, zero.passed(), zero.toString());
                assertEquals(100 + zero.passed(), stack.size());
                assertEquals(100, stack.stream().filter(f -> f[15] == 1).count());
                cache.drain();
            }
            assertEquals(0, pool.framesOutstanding(), "every frame back after close");
        }
    }
}
