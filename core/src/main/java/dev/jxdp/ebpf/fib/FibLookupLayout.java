package dev.jxdp.ebpf.fib;

/**
 * struct bpf_fib_lookup as programs pass it to bpf_fib_lookup() (uapi/linux/bpf.h): 64 bytes, addresses,
 * ports and the VLAN fields in network order, the rest host order. Several fields share bytes: what the
 * program puts in is partly overwritten by what the helper gives back.
 */
public final class FibLookupLayout {
    private FibLookupLayout() {}

    /** family u8: AF_INET or AF_INET6. */
    public static final int FAMILY = 0;
    /** l4_protocol u8. */
    public static final int L4_PROTOCOL = 1;
    /** sport, dport be16. */
    public static final int SPORT = 2;
    public static final int DPORT = 4;
    /** tot_len u16 in (the L3 length checked against the MTU), mtu_result u16 out: one field. */
    public static final int TOT_LEN = 6;
    /** ifindex u32: the ingress device in (the egress device for BPF_FIB_LOOKUP_OUTPUT), the egress device out. */
    public static final int IFINDEX = 8;
    /** tos u8 / flowinfo be32 in, rt_metric u32 out: one field. */
    public static final int TOS = 12;
    /** ipv4_src be32 or ipv6_src[16]: in, and out with BPF_FIB_LOOKUP_SRC. */
    public static final int SRC = 16;
    /** ipv4_dst be32 or ipv6_dst[16]: in, the next hop (gateway) out. */
    public static final int DST = 32;
    /** h_vlan_proto be16 and h_vlan_TCI be16 out, tbid u32 in (BPF_FIB_LOOKUP_TBID): one field. */
    public static final int TBID = 48;
    public static final int H_VLAN_TCI = 50;
    /** mark u32 in (BPF_FIB_LOOKUP_MARK); smac[6] and dmac[6] out. */
    public static final int MARK = 52;
    public static final int SMAC = 52;
    public static final int DMAC = 58;
    /** sizeof(struct bpf_fib_lookup). */
    public static final int SIZE = 64;

    /** AF_INET, AF_INET6. */
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    /** BPF_FIB_LOOKUP_* flags. */
    public static final int DIRECT = 1;
    public static final int OUTPUT = 1 << 1;
    public static final int SKIP_NEIGH = 1 << 2;
    public static final int TBID_FLAG = 1 << 3;
    public static final int SRC_FLAG = 1 << 4;
    public static final int MARK_FLAG = 1 << 5;
    /** BPF_FIB_LOOKUP_MASK: the flags kernel 6.18 accepts. */
    public static final int FLAGS_MASK = DIRECT | OUTPUT | SKIP_NEIGH | TBID_FLAG | SRC_FLAG | MARK_FLAG;

    /** BPF_FIB_LKUP_RET_* return codes. */
    public static final int RET_SUCCESS = 0;
    public static final int RET_BLACKHOLE = 1;
    public static final int RET_UNREACHABLE = 2;
    public static final int RET_PROHIBIT = 3;
    public static final int RET_NOT_FWDED = 4;
    public static final int RET_FWD_DISABLED = 5;
    public static final int RET_UNSUPP_LWT = 6;
    public static final int RET_NO_NEIGH = 7;
    public static final int RET_FRAG_NEEDED = 8;
    public static final int RET_NO_SRC_ADDR = 9;
}
