package dev.jxdp.xsk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ring protocol on one thread: reserve/submit and peek/release, libxdp's semantics, u32 wraparound. */
class XskRingProtocolTest {

    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        arena.close();
    }

    private XskRing ring(XskRingType type, int size) {
        return XskRing.allocate(arena, type, size);
    }

    /** A ring whose shared producer and consumer both start at {@code start}, as after long use. */
    private XskRing ringAt(XskRingType type, int size, int start) {
        XskRing r = ring(type, size);
        r.memory().set(ValueLayout.JAVA_INT, r.offsets().producer(), start);
        r.memory().set(ValueLayout.JAVA_INT, r.offsets().consumer(), start);
        return r;
    }

    @Test
    void reserveMoreThanFreeReservesNothing() {
        XskProdRing p = ring(XskRingType.FILL, 8).producer();
        assertEquals(0, p.reserve(9));
        assertEquals(6, p.reserve(6));
        assertEquals(0, p.reserve(3), "all or nothing: 2 free, 3 asked");
        assertEquals(2, p.reserve(2));
        assertEquals(0, p.reserve(1));
    }

    @Test
    void reserveUpToTakesWhatIsFree() {
        XskProdRing p = ring(XskRingType.COMPLETION, 8).producer();
        assertEquals(5, p.reserveUpTo(5));
        assertEquals(3, p.reserveUpTo(10));
        assertEquals(5, p.firstIndex());
        assertEquals(0, p.reserveUpTo(1));
    }

    @Test
    void reserveGivesConsecutiveIndices() {
        XskProdRing p = ring(XskRingType.FILL, 16).producer();
        p.reserve(3);
        assertEquals(0, p.firstIndex());
        p.reserve(4);
        assertEquals(3, p.firstIndex());
        assertEquals(7, p.cachedProducer());
    }

    @Test
    void submitPublishesOnlyWhatIsSubmitted() {
        XskRing r = ring(XskRingType.FILL, 8);
        XskProdRing p = r.producer();
        XskConsRing c = r.consumer();
        p.reserve(4);
        for (int i = 0; i < 4; i++) {
            p.setAddr(p.firstIndex() + i, 4096L * i);
        }
        assertEquals(0, c.peek(8), "nothing submitted yet");
        p.submit(3);
        assertEquals(3, c.peek(8));
        assertEquals(0, c.firstIndex());
        assertEquals(2 * 4096L, c.addr(2));
        p.submit(1);
        assertEquals(1, c.peek(8));
        assertEquals(3, c.firstIndex());
        assertEquals(3 * 4096L, c.addr(3));
    }

    @Test
    void peekMoreThanAvailableGivesWhatIsThere() {
        XskRing r = ring(XskRingType.RX, 8);
        XskProdRing p = r.producer();
        XskConsRing c = r.consumer();
        p.reserve(5);
        p.submit(5);
        assertEquals(2, c.peek(2));
        assertEquals(3, c.peek(100));
        assertEquals(2, c.firstIndex());
        assertEquals(0, c.peek(1));
    }

    @Test
    void releaseFreesSlotsForTheProducer() {
        XskRing r = ring(XskRingType.TX, 4);
        XskProdRing p = r.producer();
        XskConsRing c = r.consumer();
        assertEquals(4, p.reserve(4));
        p.submit(4);
        assertEquals(0, p.reserve(1), "full");
        assertEquals(4, c.peek(4));
        assertEquals(0, p.reserve(1), "peeked is not released");
        c.release(3);
        assertEquals(3, p.reserve(3));
        assertEquals(0, p.reserve(1));
        c.release(1);
        assertEquals(1, p.reserve(1));
    }

    @Test
    void producerReadsConsumerOnlyWhenCacheSaysFull() {
        XskRing r = ring(XskRingType.FILL, 8);
        XskProdRing p = r.producer();
        XskConsRing c = r.consumer();
        p.reserve(8);
        p.submit(8);
        c.peek(8);
        c.release(8);
        // the cached view says the ring is full: asking for 1 reads the shared consumer
        assertEquals(8, p.freeEntries(1));
        p.reserve(2);
        // 6 free in the cache: a request it satisfies does not read the shared consumer again
        r.memory().set(ValueLayout.JAVA_INT, r.offsets().consumer(), 0xdead);
        assertEquals(6, p.freeEntries(6));
    }

    @Test
    void consumerReadsProducerOnlyWhenCacheIsEmpty() {
        XskRing r = ring(XskRingType.RX, 8);
        XskProdRing p = r.producer();
        XskConsRing c = r.consumer();
        p.reserve(4);
        p.submit(4);
        assertEquals(1, c.peek(1));
        p.reserve(4);
        p.submit(4);
        assertEquals(3, c.peek(8), "the cache still holds 3: the new 4 wait until it is empty");
        assertEquals(4, c.peek(8));
    }

    @Test
    void cancelGivesBackReservedAndPeeked() {
        XskRing r = ring(XskRingType.TX, 8);
        XskProdRing p = r.producer();
        XskConsRing c = r.consumer();
        p.reserve(5);
        p.cancel(2);
        assertEquals(3, p.cachedProducer());
        p.submit(3);
        assertEquals(3, c.peek(8));
        c.cancel(1);
        assertEquals(1, c.peek(8));
        assertEquals(2, c.firstIndex());
    }

    @Test
    void descriptorsRoundTripByIndex() {
        XskRing r = ring(XskRingType.TX, 4);
        XskProdRing p = r.producer();
        XskConsRing c = r.consumer();
        p.reserve(2);
        p.setDesc(0, 0x1000, 60, 0);
        p.setAddr(1, 0x2100);
        p.setLen(1, 1500);
        p.setOptions(1, IfXdp.XDP_PKT_CONTD);
        p.submit(2);
        c.peek(2);
        assertEquals(0x1000, c.addr(0));
        assertEquals(60, c.len(0));
        assertEquals(0, c.options(0));
        assertEquals(0x2100, c.addr(1));
        assertEquals(1500, c.len(1));
        assertEquals(IfXdp.XDP_PKT_CONTD, c.options(1));
    }

    @Test
    void entriesSitWhereTheKernelLayoutSays() {
        XskRing r = ring(XskRingType.RX, 4);
        XskProdRing p = r.producer();
        p.reserve(4);
        p.setDesc(6, 0xabcdL, 77, 2);   // index 6 is slot 2
        p.submit(4);
        MemorySegment m = r.memory();
        long e = XdpRingOffsets.DEFAULT.desc() + 2L * XdpDescLayout.SIZE;
        assertEquals(0xabcdL, m.get(ValueLayout.JAVA_LONG, e + XdpDescLayout.ADDR));
        assertEquals(77, m.get(ValueLayout.JAVA_INT, e + XdpDescLayout.LEN));
        assertEquals(2, m.get(ValueLayout.JAVA_INT, e + XdpDescLayout.OPTIONS));
        assertEquals(4, m.get(ValueLayout.JAVA_INT, XdpRingOffsets.DEFAULT.producer()));
        assertEquals(XdpRingOffsets.DEFAULT.ringBytes(4, 16), m.byteSize());
    }

    @Test
    void addressRingsHaveNoLengthOrOptions() {
        XskRing r = ring(XskRingType.COMPLETION, 4);
        XskProdRing p = r.producer();
        XskConsRing c = r.consumer();
        assertThrows(IllegalStateException.class, () -> p.setLen(0, 1));
        assertThrows(IllegalStateException.class, () -> c.options(0));
        p.setAddr(1, 42);
        assertEquals(42, r.memory().get(ValueLayout.JAVA_LONG, XdpRingOffsets.DEFAULT.desc() + 8));
    }

    @Test
    void indicesWrapAroundTwoToThe32() {
        int start = -5;   // u32 0xfffffffb: five entries before the wrap
        XskRing r = ringAt(XskRingType.TX, 8, start);
        XskProdRing p = r.producer();
        XskConsRing c = r.consumer();
        long seq = 0;
        long got = 0;
        for (int round = 0; round < 10; round++) {
            int n = p.reserve(7);
            assertEquals(7, n, "round " + round);
            for (int i = 0; i < n; i++) {
                p.setDesc(p.firstIndex() + i, seq++, 64, 0);
            }
            p.submit(n);
            int m = c.peek(8);
            assertEquals(7, m, "round " + round);
            for (int i = 0; i < m; i++) {
                assertEquals(got++, c.addr(c.firstIndex() + i));
            }
            c.release(m);
        }
        assertEquals(start + 70, c.consumer());
        assertEquals(65, Integer.toUnsignedLong(c.consumer()), "crossed 2^32");
        assertEquals(p.producer(), c.consumer());
    }

    @Test
    void fullAndEmptyAcrossTheWrap() {
        XskRing r = ringAt(XskRingType.FILL, 4, -2);
        XskProdRing p = r.producer();
        XskConsRing c = r.consumer();
        assertEquals(4, p.reserve(4));
        assertEquals(-2, p.firstIndex());
        p.submit(4);
        assertEquals(2, p.producer());
        assertEquals(0, p.reserve(1));
        assertEquals(4, c.peek(5));
        c.release(4);
        assertEquals(0, c.peek(1));
        assertEquals(4, p.reserve(4));
    }

    @Test
    void needsWakeupIsTheFlagsWordBit() {
        XskRing r = ring(XskRingType.FILL, 4);
        XskProdRing user = r.producer();
        XskConsRing kernel = r.consumer();
        assertFalse(user.needsWakeup());
        kernel.setNeedsWakeup(true);
        assertTrue(user.needsWakeup());
        assertEquals(IfXdp.XDP_RING_NEED_WAKEUP, r.memory().get(ValueLayout.JAVA_INT, r.offsets().flags()));
        kernel.setNeedsWakeup(false);
        assertFalse(user.needsWakeup());
    }

    @Test
    void sizesArePowersOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> ring(XskRingType.RX, 0));
        assertThrows(IllegalArgumentException.class, () -> ring(XskRingType.RX, 3000));
        assertThrows(IllegalArgumentException.class, () -> ring(XskRingType.RX, -8));
        assertEquals(2048, ring(XskRingType.RX, XskRing.DEFAULT_ENTRIES).size());
    }

    @Test
    void oneProducerAndOneConsumerPerRing() {
        XskRing r = ring(XskRingType.TX, 4);
        r.producer();
        r.consumer();
        assertThrows(IllegalStateException.class, r::producer);
        assertThrows(IllegalStateException.class, r::consumer);
    }

    @Test
    void wrapChecksTheMemoryCoversTheRing() {
        MemorySegment small = arena.allocate(1024, 4096);
        assertThrows(IllegalArgumentException.class,
                () -> XskRing.wrap(small, XskRingType.RX, 64, XdpRingOffsets.DEFAULT));
        XdpRingOffsets other = new XdpRingOffsets(0, 64, 192, 128);   // another kernel's layout
        MemorySegment m = arena.allocate(other.ringBytes(4, 8), 4096);
        XskRing r = XskRing.wrap(m, XskRingType.FILL, 4, other);
        XskProdRing p = r.producer();
        p.reserve(1);
        p.setAddr(0, 7);
        p.submit(1);
        assertEquals(1, m.get(ValueLayout.JAVA_INT, 0));
        assertEquals(7, m.get(ValueLayout.JAVA_LONG, 192));
    }

    @Test
    void defaultLayoutIsTheKernelsOn64ByteLines() {
        assertEquals(new XdpRingOffsets(0, 128, 320, 196), XdpRingOffsets.DEFAULT);
    }
}
