package dev.jxdp.xsk;

/**
 * {@code struct xdp_ring_offset}: where, in a ring's mmapped memory, the producer index, the consumer
 * index, the first entry and the flags word are. The kernel reports them per ring through
 * {@code getsockopt(XDP_MMAP_OFFSETS)}; jxdp's own rings use {@link #DEFAULT}, the layout the kernel gives
 * on machines with 64-byte cache lines.
 *
 * @param producer offset of the u32 producer index
 * @param consumer offset of the u32 consumer index
 * @param desc     offset of entry 0
 * @param flags    offset of the u32 flags word (XDP_RING_NEED_WAKEUP)
 */
public record XdpRingOffsets(long producer, long consumer, long desc, long flags) {

    /** Bytes of one struct xdp_ring_offset: four u64. */
    public static final int SIZE = 32;

    /** The layout of net/xdp/xsk_queue.h's struct xdp_ring with 64-byte cache lines. */
    public static final XdpRingOffsets DEFAULT = forCacheLine(64);

    public XdpRingOffsets {
        if ((producer & 3) != 0 || (consumer & 3) != 0 || (flags & 3) != 0 || (desc & 7) != 0
                || producer < 0 || consumer < 0 || flags < 0 || desc < 0) {
            throw new IllegalArgumentException("xdp_ring_offset " + producer + "/" + consumer + "/" + desc + "/"
                    + flags + ": indices must be 4-aligned, entries 8-aligned");
        }
    }

    /**
     * The kernel's struct xdp_ring for a cache line of {@code line} bytes: producer and consumer each on a
     * line of their own with an empty line between them (so the adjacent-line prefetcher does not pull one
     * in with the other), the flags word just after the pad word on the consumer's next line, and the
     * entries starting on the line after that.
     */
    public static XdpRingOffsets forCacheLine(int line) {
        return new XdpRingOffsets(0, 2L * line, 5L * line, 3L * line + 4);
    }

    /** Bytes of a ring of {@code entries} entries of {@code entrySize} bytes: what mmap() must cover. */
    public long ringBytes(int entries, int entrySize) {
        return desc + (long) entries * entrySize;
    }
}
