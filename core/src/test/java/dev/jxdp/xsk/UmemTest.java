package dev.jxdp.xsk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jxdp.JxdpException;
import org.junit.jupiter.api.Test;

/** The UMEM: xdp_umem_reg()'s checks on its shape, xp_validate_desc()'s on a descriptor. */
class UmemTest {

    private static final long OFFSET = 1L << IfXdp.XSK_UNALIGNED_BUF_OFFSET_SHIFT;

    private static String problem(UmemConfig c) {
        JxdpException e = assertThrows(JxdpException.class, () -> Umem.allocate(c));
        return e.getMessage();
    }

    @Test
    void defaultsAreLibxdps() {
        try (Umem u = Umem.allocate(UmemConfig.DEFAULT)) {
            assertEquals(4096, u.frames());
            assertEquals(4096, u.chunkSize());
            assertEquals(4096L * 4096, u.size());
            assertEquals(0, u.region().address() % Umem.PAGE_SIZE, "page-aligned");
            assertEquals(256, u.rxDataOffset());
        }
    }

    @Test
    void chunkTooSmall() {
        assertEquals("umem: chunk size 1024: want 2048 to 4096 (PAGE_SIZE)",
                problem(UmemConfig.DEFAULT.withChunkSize(1024)));
    }

    @Test
    void chunkTooBig() {
        assertTrue(problem(UmemConfig.DEFAULT.withChunkSize(8192)).startsWith("umem: chunk size 8192"));
    }

    @Test
    void chunkNotAPowerOfTwoOnlyInAlignedMode() {
        assertEquals("umem: chunk size 3000: want a power of two in aligned mode",
                problem(UmemConfig.DEFAULT.withChunkSize(3000)));
        try (Umem u = Umem.allocate(UmemConfig.DEFAULT.withChunkSize(3000).withUnaligned(true).withFrames(10))) {
            assertEquals(30_000, u.size());
        }
    }

    @Test
    void headroomMustLeaveRoomForXdpPacketHeadroomAndTailroom() {
        assertEquals("umem: headroom 3393: want at most 3392 for chunk size 4096 (XDP_PACKET_HEADROOM,"
                + " skb_shared_info and 128 bytes of packet must fit)", problem(UmemConfig.DEFAULT.withHeadroom(3393)));
        assertTrue(problem(UmemConfig.DEFAULT.withChunkSize(2048).withHeadroom(1345)).startsWith("umem: headroom"));
        assertNull(UmemConfig.DEFAULT.withHeadroom(3392).problem());
        assertNull(UmemConfig.DEFAULT.withChunkSize(2048).withHeadroom(1344).problem());
        assertTrue(problem(UmemConfig.DEFAULT.withHeadroom(-1)).startsWith("umem: headroom 4294967295"));
    }

    @Test
    void atLeastOneFrame() {
        assertEquals("umem: frames 0: want at least one chunk", problem(UmemConfig.DEFAULT.withFrames(0)));
    }

    // ------------------------------------------------------------------------- aligned descriptors

    private static Umem aligned() {
        return Umem.allocate(new UmemConfig(16, 2048, 0, false));
    }

    @Test
    void alignedDescInsideAChunkIsValid() {
        try (Umem u = aligned()) {
            assertEquals(XskDescCheck.VALID, u.checkDesc(0, 2048, 0));
            assertEquals(XskDescCheck.VALID, u.checkDesc(15 * 2048 + 256, 1792, 0));
            assertEquals(XskDescCheck.VALID, u.checkDesc(2048 + 100, 60, IfXdp.XDP_PKT_CONTD));
        }
    }

    @Test
    void alignedDescCrossingAChunkIsRefused() {
        try (Umem u = aligned()) {
            assertEquals(XskDescCheck.CROSSES_CHUNK, u.checkDesc(2048 + 2000, 49, 0));
            assertEquals(XskDescCheck.CROSSES_CHUNK, u.checkDesc(0, 2049, 0));
            assertEquals(XskDescCheck.CROSSES_CHUNK, u.checkDesc(0, -1, 0), "len is u32: 4 GiB - 1");
        }
    }

    @Test
    void alignedDescPastTheEndIsRefused() {
        try (Umem u = aligned()) {
            assertEquals(XskDescCheck.OUT_OF_UMEM, u.checkDesc(16 * 2048, 60, 0));
            assertEquals(XskDescCheck.OUT_OF_UMEM, u.checkDesc(-2048, 60, 0), "u64 address near 2^64");
            // an unaligned-mode address (offset in the top bits) means nothing in aligned mode
            assertEquals(XskDescCheck.OUT_OF_UMEM, u.checkDesc(OFFSET * 100 + 2048, 60, 0));
        }
    }

    @Test
    void zeroLengthAndUnknownOptionsAreRefused() {
        try (Umem u = aligned()) {
            assertEquals(XskDescCheck.ZERO_LENGTH, u.checkDesc(0, 0, 0));
            assertEquals(XskDescCheck.BAD_OPTIONS, u.checkDesc(0, 60, 1 << 2));
            assertEquals(XskDescCheck.VALID, u.checkDesc(0, 60, IfXdp.XDP_TX_METADATA));
        }
    }

    @Test
    void alignedAddressesSplitIntoChunkAndOffset() {
        try (Umem u = aligned()) {
            long addr = 3 * 2048 + 300;
            assertEquals(3 * 2048, u.chunkBase(addr));
            assertEquals(300, u.chunkOffset(addr));
            assertEquals(addr, u.dataOffset(addr));
            assertEquals(3 * 2048, u.frameAddr(3));
        }
    }

    @Test
    void alignedFillAddressesNameTheirChunk() {
        try (Umem u = aligned()) {
            assertEquals(5 * 2048, u.checkFillAddr(5 * 2048 + 17), "the kernel masks an unaligned fill address");
            assertEquals(-1, u.checkFillAddr(16 * 2048));
            assertEquals(-1, u.checkFillAddr(-1));
        }
    }

    // ------------------------------------------------------------------------- unaligned descriptors

    private static Umem unaligned() {
        return Umem.allocate(new UmemConfig(16, 3000, 0, true));   // 48,000 bytes
    }

    @Test
    void unalignedAddressesCarryAnOffsetInTheTopBits() {
        try (Umem u = unaligned()) {
            long addr = OFFSET * 40 + 5000;
            assertEquals(5000, u.chunkBase(addr));
            assertEquals(40, u.chunkOffset(addr));
            assertEquals(5040, u.dataOffset(addr));
            assertEquals(XskDescCheck.VALID, u.checkDesc(addr, 3000, 0));
        }
    }

    @Test
    void unalignedDescMayStartAnywhereAndCrossPages() {
        try (Umem u = unaligned()) {
            assertEquals(XskDescCheck.VALID, u.checkDesc(4000, 3000, 0), "crosses the page at 4096: contiguous");
            assertEquals(XskDescCheck.VALID, u.checkDesc(48_000 - 60, 60, 0));
        }
    }

    @Test
    void unalignedDescLongerThanAChunkOrPastTheEndIsRefused() {
        try (Umem u = unaligned()) {
            assertEquals(XskDescCheck.TOO_LONG, u.checkDesc(0, 3001, 0));
            assertEquals(XskDescCheck.OUT_OF_UMEM, u.checkDesc(48_000 - 59, 60, 0));
            assertEquals(XskDescCheck.OUT_OF_UMEM, u.checkDesc(48_000, 1, 0));
            assertEquals(XskDescCheck.OUT_OF_UMEM, u.checkDesc(OFFSET * 0xffff + 47_000, 60, 0),
                    "base inside, base plus offset outside");
            assertEquals(XskDescCheck.OUT_OF_UMEM, u.checkDesc(-1, 60, 0));
        }
    }

    @Test
    void unalignedFillAddressesNeedAWholeChunk() {
        try (Umem u = unaligned()) {
            assertEquals(45_000, u.checkFillAddr(45_000));
            assertEquals(-1, u.checkFillAddr(45_001));
            assertEquals(1000, u.checkFillAddr(OFFSET * 234 + 1000), "xp_check_unaligned() drops the offset");
            assertEquals(45_000, u.checkFillAddr(OFFSET * 1 + 45_000), "a whole chunk from the base, whatever the offset");
        }
    }
}
