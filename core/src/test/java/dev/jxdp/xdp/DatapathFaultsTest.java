package dev.jxdp.xdp;

import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.isa.Asm;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.ebpf.maps.MapSpec;
import dev.jxdp.ebpf.maps.MapType;
import dev.jxdp.ebpf.runtime.XdpBuff;
import dev.jxdp.io.pcap.PcapReader;
import dev.jxdp.io.pcap.PcapRxDriver;
import dev.jxdp.io.pcap.PcapWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The faults the datapath must survive with the kernel's behaviour (drop and count) and without losing a
 * page: frames too long for a frame, a program that aborts every packet or fails a run-time check, a
 * redirect to a devmap slot whose device is gone. Every scenario runs in both RX modes and ends with the
 * accounting identity and every pool frame back home.
 */
class DatapathFaultsTest {

    @TempDir
    Path dir;

    // 40 frames of 60..3600 bytes: the ones over XdpBuff.MAX_DATA (3520) do not fit a 4 KiB frame
    private Path capture() {
        Path p = dir.resolve("mixed.pcap");
        try (PcapWriter w = PcapWriter.open(p, PcapWriter.Resolution.MICROSECONDS)) {
            for (int i = 0; i < 40; i++) {
                int len = i % 10 == 9 ? (i < 20 ? 3521 : 9000) : 60 + i * 80;
                byte[] f = new byte[len];
                f[12] = 0x08;  // IPv4 ethertype, for whoever looks
                f[35] = (byte) i;
                w.write(f, i * 1000L);
            }
        }
        return p;
    }

    private record Result(RxQueueStats stats, PcapRxDriver driver, long faults) {}

    private Result runPcap(String asm, RxMode mode, boolean verified, List<MapSpec> maps, NetDevices devices,
                           java.util.function.Consumer<Harness> setup) {
        try (PagePool pool = new PagePool(128, true);
             PcapReader reader = PcapReader.open(capture());
             Harness h = new Harness(maps, Asm.assemble(asm))) {
            setup.accept(h);
            PagePool.Cache cache = pool.cache();
            PcapRxDriver rx = new PcapRxDriver(reader, pool, cache, 1, 0);
            JitProgram prog = (verified ? JitCompiler.verifying() : new JitCompiler()).program(h.prog(0));
            NapiWorker w = new NapiWorker(pool, cache, rx, (ids, f, n) -> {
                pool.returnBulk(ids, f, n);
                return n;
            }, PassSink.DISCARD, prog, h.coll, 0, 1, 0, devices).rxMode(mode);
            while (!rx.done()) {
                w.poll(NapiWorker.BUDGET);
            }
            w.poll(NapiWorker.BUDGET);
            w.stats().checkAccounting();
            cache.drain();
            assertEquals(0, pool.framesOutstanding(), "pool frames not returned");
            return new Result(w.stats(), rx, prog.faults());
        }
    }

    @Test
    void framesTooLongForAFrameAreDroppedByTheDriverAndCountedAndAnAbortingProgramAbortsTheRest() {
        for (RxMode mode : RxMode.values()) {
            Result r = runPcap("r0 = 0\nexit", mode, true, List.of(), null, h -> { });
            assertEquals(4, r.driver().oversize(), mode + ": two of 3521 bytes, two of 9000");
            assertEquals(36, r.stats().rx, r.stats().toString());
            assertEquals(36, r.stats().aborted, r.stats().toString());
        }
    }

    @Test
    void aProgramFailingARunTimeCheckAbortsThatFrameOnly() {
        // unverified, checked code: reads 2000 bytes past data, which only the long frames have
        String asm = """
                r2 = *(u32 *)(r1 +0)
                r3 = *(u8 *)(r2 +2000)
                r0 = 1
                exit""";
        for (RxMode mode : RxMode.values()) {
            Result r = runPcap(asm, mode, false, List.of(), null, h -> { });
            // frames of 60 + 80 i bytes: i >= 24 reach byte 2000; of i = 0..39 minus the oversize ones
            long longOnes = java.util.stream.IntStream.range(0, 40)
                    .filter(i -> i % 10 != 9 && 60 + i * 80 > 2000).count();
            assertEquals(longOnes, r.stats().drop, mode + " " + r.stats());
            assertEquals(36 - longOnes, r.stats().aborted, mode + " " + r.stats());
            assertEquals(36 - longOnes, r.faults(), mode + ": each counted as a fault");
        }
    }

    @Test
    void aDevmapSlotWhoseDeviceIsGoneIsARedirectError() {
        List<MapSpec> maps = List.of(Harness.spec("tx_port", MapType.DEVMAP, 4, 4, 4));
        String asm = "r1 = map[idx:0] ll\nr2 = 0\nr3 = 1\ncall bpf_redirect_map\nexit";
        NetDevices devices = new NetDevices();
        devices.add(new NetDevice(5, "other", (ids, f, n) -> n));  // a device, but not the slot's
        for (RxMode mode : RxMode.values()) {
            Result r = runPcap(asm, mode, true, maps, devices,
                    h -> assertEquals(0, h.map(0).userUpdate(new byte[4], new byte[] {42, 0, 0, 0}, 0)));
            assertEquals(36, r.stats().errors, mode + " " + r.stats());
            assertEquals(0, r.stats().redirect);
        }
        assertEquals(XdpBuff.MAX_DATA, 3520, "the limit the capture above is built around");
    }
}
