package dev.jxdp.io.pcap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading packets allocates nothing per packet: an allocation count, not a timing. */
class PcapAllocationTest {
    private static final int PACKETS = 100_000;

    @TempDir
    Path dir;

    @Test
    void readingPcapAllocatesAlmostNothingPerPacket() {
        Path f = dir.resolve("many.pcap");
        PcapWriter w = PcapWriter.open(f, PcapWriter.Resolution.NANOSECONDS);
        byte[] frame = CaptureBytes.frame(1, 64);
        for (int i = 0; i < PACKETS; i++) {
            w.write(frame, 1_700_000_000_000_000_000L + i);
        }
        w.close();
        readAll(f);
    }

    @Test
    void readingPcapngAllocatesAlmostNothingPerPacket() throws IOException {
        CaptureBytes b = new CaptureBytes(ByteOrder.BIG_ENDIAN, PACKETS * 100 + 4096).sectionHeader()
                .interfaceDescription(1, 0, 9).interfaceDescription(1, 0, 6);
        byte[] frame = CaptureBytes.frame(1, 64);
        for (int i = 0; i < PACKETS; i++) {
            b.enhancedPacket(i & 1, 1_700_000_000_000_000L + i, frame, 64);
        }
        readAll(b.write(dir.resolve("many.pcapng")));
    }

    private static void readAll(Path f) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofConfined(); PcapReader r = PcapReader.open(f)) {
            MemorySegment dst = arena.allocate(2048);
            long before = threads.getCurrentThreadAllocatedBytes();
            long packets = 0;
            long sum = 0;
            while (r.next()) {
                sum += r.timestampNanos() + r.originalLength() + r.index() + r.dataAddress();
                sum += r.copyTo(dst.address(), 2048);
                packets++;
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertEquals(PACKETS, packets);
            assertTrue(sum != 0);
            assertTrue(allocated < 64 * 1024, allocated + " bytes allocated reading " + PACKETS + " packets");
        }
    }
}
