package dev.jxdp.xsk;

/**
 * {@code struct xdp_desc}, the entry of the RX and TX rings: 16 bytes in the machine's byte order, the
 * address 8-aligned so that an entry never straddles a cache line.
 */
public final class XdpDescLayout {
    private XdpDescLayout() {}

    /** u64 addr: where the frame starts in the UMEM (unaligned mode: offset in the top 16 bits). */
    public static final long ADDR = 0;
    /** u32 len: bytes of the frame. */
    public static final long LEN = 8;
    /** u32 options: XDP_PKT_CONTD, XDP_TX_METADATA. */
    public static final long OPTIONS = 12;
    /** sizeof(struct xdp_desc). */
    public static final int SIZE = 16;

    /** Bytes of a fill or completion ring entry: a bare u64 UMEM address. */
    public static final int ADDR_SIZE = 8;
}
