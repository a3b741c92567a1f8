package dev.jxdp.xsk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** The per-frame paths of the rings and the UMEM allocate nothing on the Java heap; counted, not timed. */
class XskAllocationTest {

    private static final long LIMIT = 64 * 1024;

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    // fill -> (kernel) -> RX -> (user) back to fill, with TX descriptors checked against the UMEM on the way
    private static long cycle(Umem umem, XskProdRing fill, XskConsRing kFill, XskProdRing kRx, XskConsRing rx,
            int rounds) {
        long sum = 0;
        int frame = 0;
        for (int r = 0; r < rounds; r++) {
            int n = fill.reserve(32);
            int idx = fill.firstIndex();
            for (int i = 0; i < n; i++) {
                fill.setAddr(idx + i, umem.frameAddr(frame++ & 1023));
            }
            fill.submit(n);
            fill.needsWakeup();
            int m = kFill.peek(64);
            int k = kRx.reserveUpTo(m);
            for (int i = 0; i < k; i++) {
                long chunk = umem.checkFillAddr(kFill.addr(kFill.firstIndex() + i));
                kRx.setDesc(kRx.firstIndex() + i, chunk + umem.rxDataOffset(), 60, 0);
            }
            kFill.release(m);
            kRx.submit(k);
            int got = rx.peek(64);
            for (int i = 0; i < got; i++) {
                int j = rx.firstIndex() + i;
                if (umem.checkDesc(rx.addr(j), rx.len(j), rx.options(j)) == XskDescCheck.VALID) {
                    sum += umem.chunkBase(rx.addr(j)) + umem.dataOffset(rx.addr(j));
                }
            }
            rx.release(got);
        }
        return sum;
    }

    @Test
    void ringAndUmemHotPathsAllocateNothing() {
        try (Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(1024)); Arena arena = Arena.ofConfined()) {
            XskRing fillRing = XskRing.allocate(arena, XskRingType.FILL, 256);
            XskRing rxRing = XskRing.allocate(arena, XskRingType.RX, 256);
            XskProdRing fill = fillRing.producer();
            XskConsRing kFill = fillRing.consumer();
            XskProdRing kRx = rxRing.producer();
            XskConsRing rx = rxRing.consumer();
            cycle(umem, fill, kFill, kRx, rx, 50_000);
            long before = allocated();
            long sum = cycle(umem, fill, kFill, kRx, rx, 40_000);   // 1,280,000 frames round the two rings
            long bytes = allocated() - before;
            assertTrue(sum > 0);
            assertTrue(bytes < LIMIT, bytes + " bytes allocated by 1,280,000 frames through fill and RX");
            assertEquals(fill.producer(), rx.consumer(), "every filled chunk came back on RX");
        }
    }
}
