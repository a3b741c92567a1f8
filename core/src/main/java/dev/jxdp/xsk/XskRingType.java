package dev.jxdp.xsk;

/**
 * The four rings of an XDP socket and its UMEM: what each entry is, and which side produces. The user
 * produces on fill and TX, the kernel on RX and completion; jxdp plays either side with the same classes.
 */
public enum XskRingType {
    /** User to kernel: UMEM addresses of empty chunks to receive into (u64 entries). */
    FILL(XdpDescLayout.ADDR_SIZE, true, IfXdp.XDP_UMEM_FILL_RING, IfXdp.XDP_UMEM_PGOFF_FILL_RING),
    /** Kernel to user: UMEM addresses of chunks whose transmission is done (u64 entries). */
    COMPLETION(XdpDescLayout.ADDR_SIZE, false, IfXdp.XDP_UMEM_COMPLETION_RING, IfXdp.XDP_UMEM_PGOFF_COMPLETION_RING),
    /** Kernel to user: received frames (struct xdp_desc entries). */
    RX(XdpDescLayout.SIZE, false, IfXdp.XDP_RX_RING, IfXdp.XDP_PGOFF_RX_RING),
    /** User to kernel: frames to transmit (struct xdp_desc entries). */
    TX(XdpDescLayout.SIZE, true, IfXdp.XDP_TX_RING, IfXdp.XDP_PGOFF_TX_RING);

    private final int entrySize;
    private final boolean userProduces;
    private final int sockopt;
    private final long pgoff;

    XskRingType(int entrySize, boolean userProduces, int sockopt, long pgoff) {
        this.entrySize = entrySize;
        this.userProduces = userProduces;
        this.sockopt = sockopt;
        this.pgoff = pgoff;
    }

    /** Bytes per entry: 8 for an address ring, 16 for a descriptor ring. */
    public int entrySize() { return entrySize; }

    /** Whether the entries are struct xdp_desc (RX, TX) rather than bare addresses (fill, completion). */
    public boolean descs() { return entrySize == XdpDescLayout.SIZE; }

    /** Whether user space is the producer (fill, TX) rather than the kernel (RX, completion). */
    public boolean userProduces() { return userProduces; }

    /** The SOL_XDP option that sizes this ring. */
    public int sockopt() { return sockopt; }

    /** The mmap() offset that maps this ring of a socket. */
    public long pgoff() { return pgoff; }
}
