package dev.jxdp.xsk;

/** The constants of {@code <linux/if_xdp.h>} and the socket numbers AF_XDP uses, named as the kernel names them. */
public final class IfXdp {
    private IfXdp() {}

    /** Address family of an XDP socket (linux/socket.h). */
    public static final int AF_XDP = 44;
    /** Socket option level of an XDP socket (linux/socket.h). */
    public static final int SOL_XDP = 283;
    /** The socket type AF_XDP accepts. */
    public static final int SOCK_RAW = 3;

    // socket options (getsockopt/setsockopt at SOL_XDP)
    public static final int XDP_MMAP_OFFSETS = 1;
    public static final int XDP_RX_RING = 2;
    public static final int XDP_TX_RING = 3;
    public static final int XDP_UMEM_REG = 4;
    public static final int XDP_UMEM_FILL_RING = 5;
    public static final int XDP_UMEM_COMPLETION_RING = 6;
    public static final int XDP_STATISTICS = 7;
    public static final int XDP_OPTIONS = 8;

    // mmap offsets that select which ring a mmap() of the socket maps
    public static final long XDP_PGOFF_RX_RING = 0;
    public static final long XDP_PGOFF_TX_RING = 0x80000000L;
    public static final long XDP_UMEM_PGOFF_FILL_RING = 0x100000000L;
    public static final long XDP_UMEM_PGOFF_COMPLETION_RING = 0x180000000L;

    /** struct xdp_umem_reg flags: chunks may start anywhere, descriptors carry an offset in their top 16 bits. */
    public static final int XDP_UMEM_UNALIGNED_CHUNK_FLAG = 1;

    /** The flags word of a ring: the kernel wants a syscall (poll/sendto/recvfrom) to make progress. */
    public static final int XDP_RING_NEED_WAKEUP = 1;

    // struct xdp_desc options
    /** The packet continues in the next descriptor (multi-buffer). */
    public static final int XDP_PKT_CONTD = 1;
    /** A struct xsk_tx_metadata precedes the packet in the chunk. */
    public static final int XDP_TX_METADATA = 1 << 1;

    /** Unaligned mode: a descriptor address's top 16 bits are an offset added to its low 48 bits. */
    public static final int XSK_UNALIGNED_BUF_OFFSET_SHIFT = 48;
    public static final long XSK_UNALIGNED_BUF_ADDR_MASK = (1L << XSK_UNALIGNED_BUF_OFFSET_SHIFT) - 1;

    /** Headroom the kernel keeps before every frame's data, besides the UMEM's own (include/uapi/linux/bpf.h). */
    public static final int XDP_PACKET_HEADROOM = 256;
}
