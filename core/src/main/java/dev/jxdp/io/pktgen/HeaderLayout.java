package dev.jxdp.io.pktgen;

/**
 * The headers pktgen writes, as the kernel's uapi headers define them (linux/if_ether.h, if_vlan.h,
 * ip.h, ipv6.h, udp.h, tcp.h, icmp.h, icmpv6.h). Offsets are from the start of each header; every
 * multi-byte field is in network byte order.
 */
final class HeaderLayout {
    private HeaderLayout() {}

    /** Bytes the wire adds after the frame (the FCS); a "64-byte frame" is 60 bytes in memory. */
    static final int ETH_FCS_LEN = 4;
    /** The largest untagged frame on the wire, FCS included (1500-byte MTU). */
    static final int ETH_FRAME_LEN_MAX = 1518;
    /** The smallest frame on the wire, FCS included. */
    static final int ETH_ZLEN_WIRE = 64;

    static final int ETH_HLEN = 14;
    static final int ETH_DEST = 0;        // 6 bytes
    static final int ETH_SOURCE = 6;      // 6 bytes
    static final int ETH_PROTO = 12;      // u16, or ETH_P_8021Q when a tag follows
    static final int VLAN_HLEN = 4;       // inserted at ETH_PROTO: TPID 0x8100, then the TCI
    static final int VLAN_TCI = 2;        // u16 after the TPID: PCP(3) DEI(1) VID(12)
    static final int ETH_P_IP = 0x0800;
    static final int ETH_P_IPV6 = 0x86dd;
    static final int ETH_P_8021Q = 0x8100;

    static final int IPV4_HLEN = 20;      // no options
    static final int IPV4_VER_IHL = 0;    // u8: 0x45
    static final int IPV4_TOT_LEN = 2;    // u16: IP header and payload
    static final int IPV4_FRAG_OFF = 6;   // u16: flags and fragment offset
    static final int IPV4_TTL = 8;        // u8
    static final int IPV4_PROTOCOL = 9;   // u8
    static final int IPV4_CHECK = 10;     // u16: over the header only
    static final int IPV4_SADDR = 12;     // 4 bytes
    static final int IPV4_DADDR = 16;     // 4 bytes
    static final int IP_DF = 0x4000;

    static final int IPV6_HLEN = 40;
    static final int IPV6_VER_TC_FLOW = 0; // u32: version 6, traffic class, flow label
    static final int IPV6_PAYLOAD_LEN = 4; // u16: everything after this header
    static final int IPV6_NEXTHDR = 6;     // u8
    static final int IPV6_HOP_LIMIT = 7;   // u8
    static final int IPV6_SADDR = 8;       // 16 bytes
    static final int IPV6_DADDR = 24;      // 16 bytes

    static final int IPPROTO_ICMP = 1;
    static final int IPPROTO_TCP = 6;
    static final int IPPROTO_UDP = 17;
    static final int IPPROTO_ICMPV6 = 58;

    static final int UDP_HLEN = 8;
    static final int UDP_SOURCE = 0;      // u16
    static final int UDP_DEST = 2;        // u16
    static final int UDP_LEN = 4;         // u16: header and payload
    static final int UDP_CHECK = 6;       // u16: 0 means none (IPv4 only), so a computed 0 is sent as 0xffff

    static final int TCP_HLEN = 20;       // no options
    static final int TCP_SOURCE = 0;      // u16
    static final int TCP_DEST = 2;        // u16
    static final int TCP_SEQ = 4;         // u32
    static final int TCP_ACK_SEQ = 8;     // u32
    static final int TCP_DOFF_FLAGS = 12; // u16: data offset (4) in words, reserved, flags
    static final int TCP_WINDOW = 14;     // u16
    static final int TCP_CHECK = 16;      // u16
    static final int TCP_FLAG_PSH = 0x08;
    static final int TCP_FLAG_ACK = 0x10;

    static final int ICMP_HLEN = 8;       // echo request/reply, same layout for ICMPv6
    static final int ICMP_TYPE = 0;       // u8
    static final int ICMP_CODE = 1;       // u8
    static final int ICMP_CHECKSUM = 2;   // u16
    static final int ICMP_ECHO_ID = 4;    // u16
    static final int ICMP_ECHO_SEQ = 6;   // u16
    static final int ICMP_ECHO = 8;
    static final int ICMPV6_ECHO_REQUEST = 128;

    static final int DEFAULT_TTL = 64;

    /** Where the optional per-packet stamp goes: the first payload bytes, a big-endian u32. */
    static final int STAMP_LEN = 4;
}
