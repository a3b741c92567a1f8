package dev.jxdp.io.pcap;

import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.runtime.XdpBuff;
import dev.jxdp.io.pktgen.PktGen;
import dev.jxdp.io.pktgen.PktGenSpec;
import dev.jxdp.io.pktgen.Toeplitz;
import dev.jxdp.xdp.PagePool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A capture read as several RX queues: each packet on exactly the queue its RSS hash says, once. */
class PcapRxDriverTest {

    @TempDir
    Path dir;

    /** The queue a NIC puts the frame on, worked out here from the headers with the bitwise Toeplitz. */
    private static int expectedQueue(byte[] f, int queues) {
        int type = (f[12] & 0xff) << 8 | f[13] & 0xff;
        byte[] in;
        if (type == 0x0800) {
            int proto = f[23] & 0xff;
            boolean ports = proto == 6 || proto == 17;
            in = new byte[ports ? 12 : 8];
            System.arraycopy(f, 26, in, 0, 8);
            if (ports) {
                System.arraycopy(f, 34, in, 8, 4);
            }
        } else if (type == 0x86dd) {
            int next = f[20] & 0xff;
            boolean ports = next == 6 || next == 17;
            in = new byte[ports ? 36 : 32];
            System.arraycopy(f, 22, in, 0, 32);
            if (ports) {
                System.arraycopy(f, 54, in, 32, 4);
            }
        } else {
            return 0;
        }
        return (Toeplitz.hash(in) & 127) % queues;
    }

    private record Capture(Path file, List<byte[]> frames) {}

    /** IPv4 UDP, IPv6 TCP, IPv4 ICMP and ARP frames interleaved, and one IPv4 UDP frame over a page. */
    private Capture capture() {
        List<byte[]> frames = new ArrayList<>();
        try (PktGen udp = new PktGen(PktGenSpec.parse("flows=40,stamp=1"));
             PktGen tcp = new PktGen(PktGenSpec.parse("flows=40,proto=tcp,ip=6,stamp=1"));
             PktGen icmp = new PktGen(PktGenSpec.parse("flows=10,proto=icmp,stamp=1"));
             Arena arena = Arena.ofConfined()) {
            long buf = arena.allocate(4096).address();
            for (int i = 0; i < 300; i++) {
                PktGen g = i % 3 == 0 ? udp : i % 3 == 1 ? tcp : icmp;
                int len = g.fill(buf, 4096, i);
                frames.add(Mem.read(buf, len));
                if (i % 50 == 0) {
                    byte[] arp = HexFormat.of().parseHex("ffffffffffff020000000001080600010800060400010200000000010a000001"
                            + "0000000000000a0000" + String.format("%02x", i / 50));
                    frames.add(arp);
                }
            }
            byte[] big = new byte[XdpBuff.MAX_DATA + 1];
            System.arraycopy(frames.get(0), 0, big, 0, 42);  // the first UDP frame's headers: its 4-tuple
            frames.add(big);
        }
        Path f = dir.resolve("mixed.pcap");
        PcapWriter w = PcapWriter.open(f, PcapWriter.Resolution.NANOSECONDS);
        for (byte[] frame : frames) {
            w.write(frame, 1_000);
        }
        w.close();
        return new Capture(f, frames);
    }

    @Test
    void everyPacketArrivesOnceOnTheQueueItsRssHashSays() {
        Capture c = capture();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < c.frames().size(); i++) {
            index.put(HexFormat.of().formatHex(c.frames().get(i)), i);
        }
        assertEquals(c.frames().size(), index.size(), "distinct frames");
        int queues = 3;
        int big = c.frames().size() - 1;
        for (long limit : new long[] {-1, 100}) {
            int[] arrivedOn = new int[c.frames().size()];
            java.util.Arrays.fill(arrivedOn, -1);
            long oversize = 0;
            try (PagePool pool = new PagePool(256, true)) {
                for (int q = 0; q < queues; q++) {
                    try (PcapReader r = PcapReader.open(c.file())) {
                        PagePool.Cache cache = pool.cache();
                        PcapRxDriver d = new PcapRxDriver(r, pool, cache, 1, q, queues, limit);
                        int[] ids = new int[64];
                        while (!d.done()) {
                            int n = d.receive(ids, 0, ids.length);
                            for (int i = 0; i < n; i++) {
                                byte[] b = Mem.read(pool.address(ids[i]) + pool.meta().dataOffset(ids[i]),
                                        pool.meta().length(ids[i]));
                                int at = index.get(HexFormat.of().formatHex(b));
                                assertEquals(-1, arrivedOn[at], "frame " + at + " twice");
                                arrivedOn[at] = q;
                                assertEquals(q, pool.meta().rxQueue(ids[i]));
                            }
                            pool.returnBulk(ids, 0, n);
                        }
                        oversize += d.oversize();
                        if (limit < 0 && d.oversize() > 0) {
                            assertEquals(expectedQueue(c.frames().get(big), queues), q, "oversize counted on its own queue");
                        }
                        cache.drain();
                    }
                }
                assertEquals(0, pool.framesOutstanding());
            }
            int zeroQueue = 0;
            for (int i = 0; i < big; i++) {
                int want = limit >= 0 && i >= limit ? -1 : expectedQueue(c.frames().get(i), queues);
                assertEquals(want, arrivedOn[i], "frame " + i + (limit >= 0 ? " (limit " + limit + ")" : ""));
                if (want == 0) {
                    zeroQueue++;
                }
            }
            assertEquals(limit < 0 ? 1 : 0, oversize);
            assertTrue(zeroQueue > 6, "queue 0 has the ARP frames and its share of IP");
        }
    }

    @Test
    void oneQueueTakesEveryPacketInOrder() {
        Capture c = capture();
        try (PagePool pool = new PagePool(256, true); PcapReader r = PcapReader.open(c.file())) {
            PagePool.Cache cache = pool.cache();
            PcapRxDriver d = new PcapRxDriver(r, pool, cache, 1, 0);
            int[] ids = new int[64];
            int at = 0;
            while (!d.done()) {
                int n = d.receive(ids, 0, ids.length);
                for (int i = 0; i < n; i++) {
                    byte[] b = Mem.read(pool.address(ids[i]) + PagePool.HEADROOM, pool.meta().length(ids[i]));
                    assertEquals(HexFormat.of().formatHex(c.frames().get(at++)), HexFormat.of().formatHex(b));
                }
                pool.returnBulk(ids, 0, n);
            }
            assertEquals(c.frames().size() - 1, at);
            assertEquals(1, d.oversize());
            cache.drain();
        }
    }
}
