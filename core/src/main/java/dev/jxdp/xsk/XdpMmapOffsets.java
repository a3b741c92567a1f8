package dev.jxdp.xsk;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code struct xdp_mmap_offsets}, what {@code getsockopt(SOL_XDP, XDP_MMAP_OFFSETS)} answers: one
 * {@link XdpRingOffsets} for each of the RX, TX, fill and completion rings, in that order.
 */
public record XdpMmapOffsets(XdpRingOffsets rx, XdpRingOffsets tx, XdpRingOffsets fr, XdpRingOffsets cr) {

    /** Bytes of the struct: four struct xdp_ring_offset. */
    public static final int SIZE = 4 * XdpRingOffsets.SIZE;

    /** What jxdp's own rings use: {@link XdpRingOffsets#DEFAULT} for all four. */
    public static final XdpMmapOffsets DEFAULT = new XdpMmapOffsets(
            XdpRingOffsets.DEFAULT, XdpRingOffsets.DEFAULT, XdpRingOffsets.DEFAULT, XdpRingOffsets.DEFAULT);

    /** Reads the struct as the kernel wrote it: u64 fields in the machine's byte order. */
    public static XdpMmapOffsets read(MemorySegment s) {
        return new XdpMmapOffsets(ring(s, 0), ring(s, 1), ring(s, 2), ring(s, 3));
    }

    /** The offsets of the ring of {@code type}. */
    public XdpRingOffsets of(XskRingType type) {
        return switch (type) {
            case RX -> rx;
            case TX -> tx;
            case FILL -> fr;
            case COMPLETION -> cr;
        };
    }

    // struct xdp_ring_offset { u64 producer; u64 consumer; u64 desc; u64 flags; }
    private static XdpRingOffsets ring(MemorySegment s, int i) {
        long base = (long) i * XdpRingOffsets.SIZE;
        return new XdpRingOffsets(s.get(ValueLayout.JAVA_LONG_UNALIGNED, base),
                s.get(ValueLayout.JAVA_LONG_UNALIGNED, base + 8),
                s.get(ValueLayout.JAVA_LONG_UNALIGNED, base + 16),
                s.get(ValueLayout.JAVA_LONG_UNALIGNED, base + 24));
    }
}
