package dev.jxdp.io.pcap;

import dev.jxdp.ebpf.mem.Mem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;

import static dev.jxdp.io.pcap.CaptureBytes.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pcapng files built block by block, read back field by field. */
class PcapngReaderTest {
    private static final long T = 1_700_000_000_123_456_789L; // ns since the epoch

    @TempDir
    Path dir;

    private static ByteOrder order(String name) {
        return name.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    private void expect(PcapReader r, long index, long ts, byte[] data, int original) {
        assertTrue(r.next());
        assertEquals(index, r.index());
        assertEquals(ts, r.timestampNanos());
        assertEquals(data.length, r.capturedLength());
        assertEquals(original, r.originalLength());
        assertArrayEquals(data, Mem.read(r.dataAddress(), r.capturedLength()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"LITTLE_ENDIAN", "BIG_ENDIAN"})
    void nanosecondInterface(String order) throws IOException {
        Path f = new CaptureBytes(order(order)).sectionHeader()
                .interfaceDescription(1, 0, 9)
                .enhancedPacket(0, T, frame(1, 61), 61) // 61: the block pads the data
                .enhancedPacket(0, T + 1, frame(2, 1514), 1514)
                .write(dir.resolve("t.pcapng"));
        try (PcapReader r = PcapReader.open(f)) {
            expect(r, 0, T, frame(1, 61), 61);
            expect(r, 1, T + 1, frame(2, 1514), 1514);
            assertFalse(r.next());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"LITTLE_ENDIAN", "BIG_ENDIAN"})
    void microsecondInterfaceExplicitAndByDefault(String order) throws IOException {
        long us = T / 1000;
        Path f = new CaptureBytes(order(order)).sectionHeader()
                .interfaceDescription(1, 0, 6)
                .interfaceDescription(1, 0, -1)
                .enhancedPacket(0, us, frame(1, 64), 64)
                .enhancedPacket(1, us + 5, frame(2, 64), 100)
                .write(dir.resolve("t.pcapng"));
        try (PcapReader r = PcapReader.open(f)) {
            expect(r, 0, us * 1000, frame(1, 64), 64);
            expect(r, 1, (us + 5) * 1000, frame(2, 64), 100);
            assertFalse(r.next());
        }
    }

    @Test
    void powerOfTwoResolution() throws IOException {
        // 2^-10 s units: 3.5 s is 3584 units
        Path f = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).sectionHeader()
                .interfaceDescription(1, 0, 0x80 | 10)
                .enhancedPacket(0, 3584, frame(1, 64), 64)
                .write(dir.resolve("t.pcapng"));
        try (PcapReader r = PcapReader.open(f)) {
            expect(r, 0, 3_500_000_000L, frame(1, 64), 64);
        }
    }

    @Test
    void timestampConversions() {
        assertEquals(T, PcapngInterfaces.unitsToNanos(T, 9));
        assertEquals(T / 1000 * 1000, PcapngInterfaces.unitsToNanos(T / 1000, 6));
        assertEquals(T / 10, PcapngInterfaces.unitsToNanos(T, 10));
        assertEquals(1_500_000_000L, PcapngInterfaces.unitsToNanos(3L << 62, 0x80 | 63));
        assertEquals(2_000_000_000L, PcapngInterfaces.unitsToNanos(2, 0x80));
    }

    @Test
    void simplePacketHasNoTimestampAndIsCutToTheSnaplen() throws IOException {
        Path f = new CaptureBytes(ByteOrder.BIG_ENDIAN).sectionHeader()
                .interfaceDescription(1, 128, 9)
                .simplePacket(60, frame(1, 60))
                .simplePacket(1500, frame(2, 128))
                .write(dir.resolve("t.pcapng"));
        try (PcapReader r = PcapReader.open(f)) {
            expect(r, 0, 0, frame(1, 60), 60);
            expect(r, 1, 0, frame(2, 128), 1500);
            assertFalse(r.next());
        }
    }

    @Test
    void otherBlocksAreSkipped() throws IOException {
        Path f = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).sectionHeader()
                .block(4, b -> b.u16(1).u16(8).bytes(new byte[] {10, 0, 0, 1, 'a', 0, 0, 0}).u16(0).u16(0)) // NRB
                .interfaceDescription(1, 0, 9)
                .block(5, b -> b.u32(0).u32(0).u32(0)) // ISB
                .enhancedPacket(0, T, frame(1, 64), 64)
                .block(0x00000bad, b -> b.u32(32473).bytes(new byte[] {1, 2, 3})) // custom
                .block(0x7ffffff0, b -> { }) // unknown, empty body
                .enhancedPacket(0, T + 9, frame(2, 64), 64)
                .write(dir.resolve("t.pcapng"));
        try (PcapReader r = PcapReader.open(f)) {
            expect(r, 0, T, frame(1, 64), 64);
            expect(r, 1, T + 9, frame(2, 64), 64);
            assertFalse(r.next());
        }
    }

    @Test
    void interfacesKeepTheirOwnResolution() throws IOException {
        Path f = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).sectionHeader()
                .interfaceDescription(1, 0, 6)
                .interfaceDescription(1, 0, 9)
                .enhancedPacket(1, T, frame(1, 64), 64)
                .enhancedPacket(0, T / 1000, frame(2, 64), 64)
                .write(dir.resolve("t.pcapng"));
        try (PcapReader r = PcapReader.open(f)) {
            expect(r, 0, T, frame(1, 64), 64);
            expect(r, 1, T / 1000 * 1000, frame(2, 64), 64);
        }
    }

    @Test
    void sectionsChangeByteOrderAndInterfaces() throws IOException {
        CaptureBytes b = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).sectionHeader()
                .interfaceDescription(1, 0, 6)
                .enhancedPacket(0, T / 1000, frame(1, 64), 64);
        // the second section declares its own interface 0, nanoseconds this time, big-endian
        b.order(ByteOrder.BIG_ENDIAN).sectionHeader()
                .interfaceDescription(1, 0, 9)
                .enhancedPacket(0, T, frame(2, 70), 70);
        try (PcapReader r = PcapReader.open(b.write(dir.resolve("t.pcapng")))) {
            expect(r, 0, T / 1000 * 1000, frame(1, 64), 64);
            expect(r, 1, T, frame(2, 70), 70);
            assertFalse(r.next());
        }
    }

    @Test
    void tsOffsetAddsSeconds() throws IOException {
        Path f = new CaptureBytes(ByteOrder.BIG_ENDIAN).sectionHeader()
                .block(1, b -> b.u16(1).u16(0).u32(0).u16(9).u16(1).u8(9).pad4().u16(14).u16(8).u64(100).u16(0).u16(0))
                .enhancedPacket(0, 5, frame(1, 64), 64)
                .write(dir.resolve("t.pcapng"));
        try (PcapReader r = PcapReader.open(f)) {
            expect(r, 0, 100_000_000_005L, frame(1, 64), 64);
        }
    }

    @Test
    void obsoletePacketBlock() throws IOException {
        byte[] data = frame(3, 64);
        Path f = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).sectionHeader()
                .interfaceDescription(1, 0, 9)
                .block(2, b -> b.u16(0).u16(0).u32(T >>> 32).u32(T).u32(64).u32(64).bytes(data))
                .write(dir.resolve("t.pcapng"));
        try (PcapReader r = PcapReader.open(f)) {
            expect(r, 0, T, data, 64);
        }
    }
}
