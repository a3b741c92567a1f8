package dev.jxdp.ebpf.runtime;

/** struct xdp_md as programs see it (uapi/linux/bpf.h): every field a u32. */
public final class XdpMdLayout {
    private XdpMdLayout() {}

    /** data: start of packet data (the kernel rewrites the load to the 64-bit xdp_buff->data). */
    public static final int DATA = 0;
    /** data_end: one past the last byte of packet data. */
    public static final int DATA_END = 4;
    /** data_meta: start of the metadata area in front of data (== data when empty). */
    public static final int DATA_META = 8;
    /** ingress_ifindex: the receiving device. */
    public static final int INGRESS_IFINDEX = 12;
    /** rx_queue_index: the receiving queue. */
    public static final int RX_QUEUE_INDEX = 16;
    /** egress_ifindex: the target device, set only for programs on devmap entries. */
    public static final int EGRESS_IFINDEX = 20;
    /** sizeof(struct xdp_md). */
    public static final int SIZE = 24;
}
