package dev.jxdp.xdp;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FrameMetaTest {

    private final PagePool pool = new PagePool(4, true);
    private final FrameMeta meta = pool.meta();

    @AfterEach
    void close() {
        pool.close();
    }

    @Test
    void framesStartAtTheStandardHeadroom() {
        for (int id = 0; id < 4; id++) {
            assertEquals(PagePool.HEADROOM, meta.dataOffset(id));
            assertEquals(0, meta.length(id));
        }
    }

    @Test
    void prepareDescribesAFreshRxPacket() {
        meta.bounds(2, 200, 10, 8);
        meta.prepare(2, 1514, 7, 3);
        assertEquals(PagePool.HEADROOM, meta.dataOffset(2));
        assertEquals(1514, meta.length(2));
        assertEquals(0, meta.metaLength(2));
        assertEquals(7, meta.rxIfindex(2));
        assertEquals(3, meta.rxQueue(2));
        assertEquals(0, meta.length(1));   // columns, one row per frame
    }

    @Test
    void boundsFollowAProgramsAdjustments() {
        meta.prepare(1, 60, 1, 0);
        meta.bounds(1, 242, 74, 32);
        assertEquals(242, meta.dataOffset(1));
        assertEquals(74, meta.length(1));
        assertEquals(32, meta.metaLength(1));
        assertEquals(1, meta.rxIfindex(1));
    }

    @Test
    void packetsStayInsideTheirPage() {
        assertThrows(IndexOutOfBoundsException.class, () -> meta.prepare(0, PagePool.FRAME_SIZE - PagePool.HEADROOM + 1, 1, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> meta.prepare(0, -1, 1, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> meta.bounds(0, 16, 10, 32));
        assertThrows(IndexOutOfBoundsException.class, () -> meta.bounds(0, 4000, 100, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> meta.bounds(0, 256, 10, -4));
        assertThrows(IndexOutOfBoundsException.class, () -> meta.bounds(0, 256, -4, 10));
        meta.prepare(0, PagePool.FRAME_SIZE - PagePool.HEADROOM, 1, 0);
        assertEquals(PagePool.FRAME_SIZE - PagePool.HEADROOM, meta.length(0));
    }
}
