package dev.jxdp.io.pcap;

import dev.jxdp.ebpf.mem.Mem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Several threads writing one capture, each through its own lane: nothing lost, nothing torn. */
class PcapWriterLaneTest {

    @TempDir
    Path dir;

    @Test
    void fourThreadsWriteOneFileEachInItsOwnOrder() throws Exception {
        int lanes = 4;
        int perLane = 20_000;
        Path f = dir.resolve("many.pcap");
        PcapWriter w = PcapWriter.open(f, PcapWriter.Resolution.NANOSECONDS);
        try {
            Thread[] threads = new Thread[lanes];
            for (int l = 0; l < lanes; l++) {
                PcapWriter.Lane lane = w.lane();
                int tag = l;
                threads[l] = new Thread(() -> {
                    try (Arena arena = Arena.ofConfined()) {
                        long buf = arena.allocate(1600).address();
                        for (int i = 0; i < perLane; i++) {
                            int len = 60 + (i * 7 + tag) % 1400;  // records of every size, so flushes fall anywhere
                            Mem.putU8(buf, tag);
                            Mem.putU32(buf + 1, i);
                            Mem.putU8(buf + len - 1, 0xee);
                            lane.write(buf, len, 1_000_000_000L + i);
                        }
                    }
                });
            }
            for (Thread t : threads) {
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            w.write(new byte[60], 5);  // the opener's own records still go in
            assertEquals((long) lanes * perLane + 1, w.packets());
            assertFalse(Files.exists(f), "nothing before close");
            w.close();
        } finally {
            w.abort();
        }
        int[] next = new int[lanes];
        int opener = 0;
        try (PcapReader r = PcapReader.open(f)) {
            while (r.next()) {
                int tag = Mem.getU8(r.dataAddress());
                int len = r.capturedLength();
                if (len == 60 && tag == 0 && Mem.getU32(r.dataAddress() + 1) == 0 && r.timestampNanos() == 5) {
                    opener++;
                    continue;
                }
                int i = (int) Mem.getU32(r.dataAddress() + 1);
                assertEquals(next[tag], i, "lane " + tag + " in order");
                assertEquals(60 + (i * 7 + tag) % 1400, len, "whole record");
                assertEquals(0xee, Mem.getU8(r.dataAddress() + len - 1), "not torn");
                assertEquals(1_000_000_000L + i, r.timestampNanos());
                next[tag]++;
            }
        }
        for (int l = 0; l < lanes; l++) {
            assertEquals(perLane, next[l], "lane " + l);
        }
        assertEquals(1, opener);
    }

    @Test
    void abortThrowsTheLanesAwayToo() throws IOException {
        Path f = Files.writeString(dir.resolve("out.pcap"), "old");
        PcapWriter w = PcapWriter.open(f, PcapWriter.Resolution.NANOSECONDS);
        PcapWriter.Lane lane = w.lane();
        for (int i = 0; i < 100; i++) {
            lane.write(new byte[1500], i);
        }
        w.abort();
        assertEquals("old", Files.readString(f));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary file left");
        }
        assertThrows(IllegalStateException.class, () -> lane.write(new byte[60], 1));
        assertThrows(IllegalStateException.class, w::lane);
    }

    @Test
    void aLaneOnlyFileHasTheHeaderFirst() throws IOException {
        Path f = dir.resolve("out.pcap");
        PcapWriter w = PcapWriter.open(f, PcapWriter.Resolution.MICROSECONDS);
        PcapWriter.Lane lane = w.lane();
        lane.write(new byte[60], 3_000_001_000L);
        assertEquals(1, lane.packets());
        w.close();
        byte[] b = Files.readAllBytes(f);
        assertEquals(24 + 16 + 60, b.length);
        try (PcapReader r = PcapReader.open(f)) {
            assertTrue(r.next());
            assertEquals(3_000_001_000L, r.timestampNanos());
        }
    }
}
