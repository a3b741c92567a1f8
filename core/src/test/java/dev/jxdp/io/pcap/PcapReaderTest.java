package dev.jxdp.io.pcap;

import dev.jxdp.ebpf.mem.Mem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Path;

import static dev.jxdp.io.pcap.CaptureBytes.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Classic pcap files built byte by byte, read back field by field. */
class PcapReaderTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"LITTLE_ENDIAN, micro", "LITTLE_ENDIAN, nano", "BIG_ENDIAN, micro", "BIG_ENDIAN, nano"})
    void readsEveryField(String order, String resolution) throws IOException {
        boolean nanos = resolution.equals("nano");
        ByteOrder bo = order.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        CaptureBytes b = new CaptureBytes(bo).pcapHeader(nanos ? 0xa1b23c4d : 0xa1b2c3d4, 65535, 1);
        long[] seconds = {1_700_000_000L, 1_700_000_001L, 4_000_000_000L};
        long[] fractions = {0, 999_999, 123_456};
        int[] lengths = {60, 1514, 14};
        int[] originals = {60, 1514, 9000};
        for (int i = 0; i < 3; i++) {
            b.record(seconds[i], fractions[i], frame(i, lengths[i]), originals[i]);
        }
        try (PcapReader r = PcapReader.open(b.write(dir.resolve("t.pcap")))) {
            for (int i = 0; i < 3; i++) {
                assertTrue(r.next());
                assertEquals(i, r.index());
                assertEquals(seconds[i] * 1_000_000_000L + fractions[i] * (nanos ? 1 : 1000), r.timestampNanos());
                assertEquals(lengths[i], r.capturedLength());
                assertEquals(originals[i], r.originalLength());
                assertEquals(LinkType.ETHERNET, r.linkType());
                assertArrayEquals(frame(i, lengths[i]), Mem.read(r.dataAddress(), r.capturedLength()));
            }
            assertFalse(r.next());
            assertFalse(r.next());
        }
    }

    @Test
    void copyToStopsAtMax() throws IOException {
        Path f = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).pcapHeader(0xa1b2c3d4, 65535, 1)
                .record(1, 2, frame(7, 100), 100).write(dir.resolve("t.pcap"));
        try (PcapReader r = PcapReader.open(f); Arena a = Arena.ofConfined()) {
            MemorySegment dst = a.allocate(200);
            assertTrue(r.next());
            assertEquals(40, r.copyTo(dst.address(), 40));
            byte[] got = dst.asSlice(0, 41).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            assertArrayEquals(java.util.Arrays.copyOf(frame(7, 100), 40), java.util.Arrays.copyOf(got, 40));
            assertEquals(0, got[40], "nothing past max");
            assertEquals(100, r.copyTo(dst.address(), 200));
            assertArrayEquals(frame(7, 100), dst.asSlice(0, 100).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void headerOnlyFileHasNoPackets() throws IOException {
        Path f = new CaptureBytes(ByteOrder.BIG_ENDIAN).pcapHeader(0xa1b2c3d4, 262144, 1).write(dir.resolve("t.pcap"));
        try (PcapReader r = PcapReader.open(f)) {
            assertFalse(r.next());
        }
    }

    @Test
    void snaplenZeroMeansTheMaximum() throws IOException {
        Path f = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).pcapHeader(0xa1b2c3d4, 0, 1)
                .record(1, 0, frame(1, 70000), 70000).write(dir.resolve("t.pcap"));
        try (PcapReader r = PcapReader.open(f)) {
            assertTrue(r.next());
            assertEquals(70000, r.capturedLength());
        }
    }

    @Test
    void fcsBitsAboveTheLinkTypeAreIgnored() throws IOException {
        // libpcap's LT_FCS_DATALINK_EXT: FCS length 4 in the top bits, still Ethernet
        Path f = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).pcapHeader(0xa1b2c3d4, 65535, 0x14000001L)
                .record(1, 0, frame(1, 64), 64).write(dir.resolve("t.pcap"));
        try (PcapReader r = PcapReader.open(f)) {
            assertTrue(r.next());
        }
    }

    @Test
    void nextAfterCloseIsRefused() throws IOException {
        Path f = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).pcapHeader(0xa1b2c3d4, 65535, 1).write(dir.resolve("t.pcap"));
        PcapReader r = PcapReader.open(f);
        r.close();
        r.close();
        assertThrows(IllegalStateException.class, r::next);
    }
}
