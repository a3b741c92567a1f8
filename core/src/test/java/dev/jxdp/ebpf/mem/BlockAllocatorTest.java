package dev.jxdp.ebpf.mem;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlockAllocatorTest {

    @Test
    void allocatesFromTheLowestFreeOffsetAligned() {
        BlockAllocator a = new BlockAllocator(4096, 1 << 20);
        assertEquals(4096, a.allocate(64, 64));
        assertEquals(4096 + 64, a.allocate(100, 8));
        assertEquals(8192, a.allocate(4096, 4096), "aligned past the first two");
        assertEquals(4096 + 164, a.allocate(8, 4), "best fit: the gap before the page");
    }

    @Test
    void takesTheSmallestBlockThatFits() {
        BlockAllocator a = new BlockAllocator(0, 1 << 16);
        long x = a.allocate(1024, 64);
        long keep = a.allocate(64, 64);
        long y = a.allocate(256, 64);
        a.allocate(64, 64);
        a.free(x, 1024);
        a.free(y, 256);
        assertEquals(y, a.allocate(200, 64), "the 256-byte hole, not the 1024-byte one");
        assertEquals(x, a.allocate(1024, 64));
        assertTrue(keep > x);
    }

    @Test
    void freedNeighboursCoalesce() {
        BlockAllocator a = new BlockAllocator(0, 3 * 4096);
        long p = a.allocate(4096, 4096);
        long q = a.allocate(4096, 4096);
        long r = a.allocate(4096, 4096);
        assertEquals(-1, a.allocate(64, 64), "full");
        a.free(p, 4096);
        a.free(r, 4096);
        a.free(q, 4096);
        assertEquals(3 * 4096, a.largestFree());
        assertEquals(0, a.allocate(3 * 4096, 4096), "one block again");
    }

    @Test
    void refusesWhatDoesNotFitAndADoubleFree() {
        BlockAllocator a = new BlockAllocator(4096, 8192);
        assertEquals(-1, a.allocate(8192, 64));
        assertEquals(-1, a.allocate(64, 8192), "no offset in range has that alignment room");
        long p = a.allocate(128, 64);
        a.free(p, 128);
        assertThrows(IllegalStateException.class, () -> a.free(p, 128));
        assertThrows(IllegalStateException.class, () -> a.free(0, 64));
        assertThrows(IllegalArgumentException.class, () -> a.allocate(64, 48));
    }

    @Test
    void randomAllocationsNeverOverlapAndAllComeBack() {
        BlockAllocator a = new BlockAllocator(4096, 1 << 24);
        Random rnd = new Random(7);
        List<long[]> live = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            if (!live.isEmpty() && rnd.nextInt(3) == 0) {
                long[] b = live.remove(rnd.nextInt(live.size()));
                a.free(b[0], b[1]);
            } else {
                long bytes = 64L * (1 + rnd.nextInt(rnd.nextBoolean() ? 8 : 200));
                long align = 1L << (6 + rnd.nextInt(7));
                long at = a.allocate(bytes, align);
                if (at < 0) {
                    continue;
                }
                assertEquals(0, at % align);
                for (long[] b : live) {
                    assertTrue(at + bytes <= b[0] || b[0] + b[1] <= at, "overlap");
                }
                live.add(new long[] {at, bytes});
            }
        }
        for (long[] b : live) {
            a.free(b[0], b[1]);
        }
        assertEquals(a.capacity(), a.free());
        assertEquals(a.capacity(), a.largestFree());
    }
}
