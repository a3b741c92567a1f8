package dev.jxdp.io.pcap;

import dev.jxdp.ebpf.mem.Mem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

import static dev.jxdp.io.pcap.CaptureBytes.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PcapWriterTest {
    @TempDir
    Path dir;

    private String[] files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
        }
    }

    @ParameterizedTest
    @EnumSource(PcapWriter.Resolution.class)
    void roundTrip(PcapWriter.Resolution resolution) throws IOException {
        Random rnd = new Random(42);
        int n = 300;
        int[] lengths = new int[n];
        long[] ts = new long[n];
        long t = 1_700_000_000_000_000_000L;
        Path f = dir.resolve("out.pcap");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(9000);
            PcapWriter w = PcapWriter.open(f, resolution);
            try {
                for (int i = 0; i < n; i++) {
                    lengths[i] = i == 7 ? 9000 : 14 + rnd.nextInt(1505);
                    t += rnd.nextInt(2_000_000_000);
                    ts[i] = t;
                    if (i % 2 == 0) {
                        Mem.write(src.address(), frame(i, lengths[i]));
                        w.write(src.address(), lengths[i], ts[i]);
                    } else {
                        w.write(frame(i, lengths[i]), ts[i]);
                    }
                }
                assertEquals(n, w.packets());
                w.close();
            } finally {
                w.abort();
            }
        }
        long unit = resolution == PcapWriter.Resolution.NANOSECONDS ? 1 : 1000;
        try (PcapReader r = PcapReader.open(f)) {
            for (int i = 0; i < n; i++) {
                assertTrue(r.next());
                assertEquals(ts[i] / unit * unit, r.timestampNanos(), "packet " + i);
                assertEquals(lengths[i], r.capturedLength());
                assertEquals(lengths[i], r.originalLength());
                assertArrayEquals(frame(i, lengths[i]), Mem.read(r.dataAddress(), r.capturedLength()));
            }
            assertFalse(r.next());
        }
    }

    @Test
    void headerIsLibpcapsLittleEndian() throws IOException {
        Path f = dir.resolve("out.pcap");
        PcapWriter w = PcapWriter.open(f, PcapWriter.Resolution.NANOSECONDS);
        w.write(frame(1, 60), 3_000_000_007L);
        w.close();
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(24 + 16 + 60, b.limit());
        assertEquals(0xa1b23c4d, b.getInt(0));
        assertEquals(2, b.getShort(4));
        assertEquals(4, b.getShort(6));
        assertEquals(0, b.getInt(8));
        assertEquals(0, b.getInt(12));
        assertEquals(262144, b.getInt(16));
        assertEquals(1, b.getInt(20));
        assertEquals(3, b.getInt(24));
        assertEquals(7, b.getInt(28));
        assertEquals(60, b.getInt(32));
        assertEquals(60, b.getInt(36));
    }

    @Test
    void microsecondsTruncateTheNanoseconds() throws IOException {
        Path f = dir.resolve("out.pcap");
        PcapWriter w = PcapWriter.open(f, PcapWriter.Resolution.MICROSECONDS);
        w.write(frame(1, 60), 3_123_456_789L);
        w.close();
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xa1b2c3d4, b.getInt(0));
        assertEquals(3, b.getInt(24));
        assertEquals(123_456, b.getInt(28));
    }

    @Test
    void packetsOverTheSnaplenAreCutKeepingTheirLength() throws IOException {
        Path f = dir.resolve("out.pcap");
        PcapWriter w = PcapWriter.open(f, PcapWriter.Resolution.NANOSECONDS);
        w.write(frame(1, 300_000), 1);
        w.write(frame(2, 60), 2);
        w.close();
        try (PcapReader r = PcapReader.open(f)) {
            assertTrue(r.next());
            assertEquals(262144, r.capturedLength());
            assertEquals(300_000, r.originalLength());
            assertArrayEquals(java.util.Arrays.copyOf(frame(1, 300_000), 262144), Mem.read(r.dataAddress(), 262144));
            assertTrue(r.next());
            assertEquals(60, r.capturedLength());
        }
    }

    @Test
    void nothingAppearsBeforeClose() throws IOException {
        Path f = dir.resolve("out.pcap");
        PcapWriter w = PcapWriter.open(f, PcapWriter.Resolution.NANOSECONDS);
        for (int i = 0; i < 5000; i++) { // more than one buffer's worth
            w.write(frame(i, 1500), i);
        }
        assertFalse(Files.exists(f));
        String[] during = files();
        assertEquals(1, during.length);
        assertTrue(during[0].startsWith(".out.pcap.") && during[0].endsWith(".tmp"), during[0]);
        w.close();
        assertArrayEquals(new String[] {"out.pcap"}, files());
        assertEquals(24 + 5000L * (16 + 1500), Files.size(f));
    }

    @Test
    void closeReplacesAnExistingFile() throws IOException {
        Path f = Files.writeString(dir.resolve("out.pcap"), "old");
        PcapWriter w = PcapWriter.open(f, PcapWriter.Resolution.MICROSECONDS);
        w.write(frame(1, 60), 1);
        w.close();
        assertEquals(24 + 16 + 60, Files.size(f));
    }

    @Test
    void abortLeavesTheTargetAsItWas() throws IOException {
        Path f = Files.writeString(dir.resolve("out.pcap"), "old");
        PcapWriter w = PcapWriter.open(f, PcapWriter.Resolution.NANOSECONDS);
        for (int i = 0; i < 2000; i++) {
            w.write(frame(i, 1500), i);
        }
        w.abort();
        w.abort();
        w.close();
        assertArrayEquals(new String[] {"out.pcap"}, files());
        assertEquals("old", Files.readString(f));
    }

    @Test
    void abortAfterCloseKeepsTheFile() throws IOException {
        Path f = dir.resolve("out.pcap");
        PcapWriter w = PcapWriter.open(f, PcapWriter.Resolution.NANOSECONDS);
        w.write(frame(1, 60), 1);
        w.close();
        w.abort();
        assertEquals(24 + 16 + 60, Files.size(f));
    }

    @Test
    void writeAfterCloseIsRefused() {
        PcapWriter w = PcapWriter.open(dir.resolve("out.pcap"), PcapWriter.Resolution.NANOSECONDS);
        w.close();
        assertThrows(IllegalStateException.class, () -> w.write(frame(1, 60), 1));
    }

    @Test
    void timestampsOutsidePcapsRangeAreRefused() {
        PcapWriter w = PcapWriter.open(dir.resolve("out.pcap"), PcapWriter.Resolution.NANOSECONDS);
        try {
            assertThrows(IllegalArgumentException.class, () -> w.write(frame(1, 60), -1));
            assertThrows(IllegalArgumentException.class, () -> w.write(frame(1, 60), 0x1_0000_0000L * 1_000_000_000L));
        } finally {
            w.abort();
        }
    }

    @Test
    void missingDirectoryIsOneLine() {
        PcapException e = assertThrows(PcapException.class,
                () -> PcapWriter.open(dir.resolve("no/such/out.pcap"), PcapWriter.Resolution.NANOSECONDS));
        assertEquals("cannot write: no such file or directory", e.getMessage());
        assertEquals(dir.resolve("no/such/out.pcap"), e.path());
    }

    @Test
    void confinedToTheOpeningThread() throws Exception {
        PcapWriter w = PcapWriter.open(dir.resolve("out.pcap"), PcapWriter.Resolution.NANOSECONDS);
        try {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> CompletableFuture.runAsync(() -> w.write(frame(1, 60), 1)).get());
            assertInstanceOf(WrongThreadException.class, e.getCause());
        } finally {
            w.abort();
        }
    }
}
