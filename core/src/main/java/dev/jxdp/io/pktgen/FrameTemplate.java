package dev.jxdp.io.pktgen;

import static dev.jxdp.io.pktgen.HeaderLayout.*;

/**
 * The headers of one flow's frame at one length, checksums included, built once when the generator
 * starts. The payload is not part of it: every flow shares the same payload bytes, whose checksum sum
 * the caller passes in.
 */
final class FrameTemplate {
    private FrameTemplate() {}

    /** Bytes before the IP header. */
    static int l3Offset(PktGenSpec spec) {
        return ETH_HLEN + (spec.vlan() != 0 ? VLAN_HLEN : 0);
    }

    /** Bytes before the L4 header. */
    static int l4Offset(PktGenSpec spec) {
        return l3Offset(spec) + (spec.ip() == 4 ? IPV4_HLEN : IPV6_HLEN);
    }

    /** Bytes of every header together: where the payload starts. */
    static int headerLen(PktGenSpec spec) {
        return l4Offset(spec) + switch (spec.proto()) {
            case UDP -> UDP_HLEN;
            case TCP -> TCP_HLEN;
            case ICMP -> ICMP_HLEN;
        };
    }

    /** The L4 checksum's offset in the frame. */
    static int l4ChecksumOffset(PktGenSpec spec) {
        return l4Offset(spec) + switch (spec.proto()) {
            case UDP -> UDP_CHECK;
            case TCP -> TCP_CHECK;
            case ICMP -> ICMP_CHECKSUM;
        };
    }

    /**
     * The headers of flow {@code flow} in a frame of {@code frameLen} bytes (in memory, no FCS) whose
     * payload words sum to {@code payloadSum} ({@link InetChecksum#partial}).
     */
    static byte[] headers(PktGenSpec spec, int flow, int frameLen, long payloadSum) {
        byte[] h = new byte[headerLen(spec)];
        putMac(h, ETH_DEST, spec.dmac());
        putMac(h, ETH_SOURCE, spec.smac());
        int l3 = l3Offset(spec);
        if (spec.vlan() != 0) {
            put16(h, ETH_PROTO, ETH_P_8021Q);
            put16(h, ETH_PROTO + VLAN_TCI, spec.vlan());
        }
        put16(h, l3 - 2, spec.ip() == 4 ? ETH_P_IP : ETH_P_IPV6);

        byte[] saddr = spec.src().forFlow(flow);
        byte[] daddr = spec.dst().forFlow(flow);
        int l4 = l4Offset(spec);
        int l4Len = frameLen - l4;
        int nexthdr = switch (spec.proto()) {
            case UDP -> IPPROTO_UDP;
            case TCP -> IPPROTO_TCP;
            case ICMP -> spec.ip() == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
        };
        long pseudo;
        if (spec.ip() == 4) {
            h[l3 + IPV4_VER_IHL] = 0x45;
            put16(h, l3 + IPV4_TOT_LEN, frameLen - l3);
            put16(h, l3 + IPV4_FRAG_OFF, IP_DF);
            h[l3 + IPV4_TTL] = (byte) DEFAULT_TTL;
            h[l3 + IPV4_PROTOCOL] = (byte) nexthdr;
            System.arraycopy(saddr, 0, h, l3 + IPV4_SADDR, 4);
            System.arraycopy(daddr, 0, h, l3 + IPV4_DADDR, 4);
            put16(h, l3 + IPV4_CHECK, InetChecksum.fold(InetChecksum.partial(h, l3, IPV4_HLEN, 0)));
            // RFC 768/793 pseudo header: addresses, zero, protocol, L4 length
            pseudo = InetChecksum.partial(h, l3 + IPV4_SADDR, 8, 0) + nexthdr + l4Len;
        } else {
            h[l3 + IPV6_VER_TC_FLOW] = 0x60;
            put16(h, l3 + IPV6_PAYLOAD_LEN, l4Len);
            h[l3 + IPV6_NEXTHDR] = (byte) nexthdr;
            h[l3 + IPV6_HOP_LIMIT] = (byte) DEFAULT_TTL;
            System.arraycopy(saddr, 0, h, l3 + IPV6_SADDR, 16);
            System.arraycopy(daddr, 0, h, l3 + IPV6_DADDR, 16);
            // RFC 8200 8.1 pseudo header: addresses, 32-bit upper-layer length, zeros, next header
            pseudo = InetChecksum.partial(h, l3 + IPV6_SADDR, 32, 0) + (l4Len >>> 16) + (l4Len & 0xffff) + nexthdr;
        }

        int sport = spec.sport().forFlow(flow);
        int csumAt;
        switch (spec.proto()) {
            case UDP -> {
                put16(h, l4 + UDP_SOURCE, sport);
                put16(h, l4 + UDP_DEST, spec.dport().forFlow(flow));
                put16(h, l4 + UDP_LEN, l4Len);
                csumAt = l4 + UDP_CHECK;
            }
            case TCP -> {
                put16(h, l4 + TCP_SOURCE, sport);
                put16(h, l4 + TCP_DEST, spec.dport().forFlow(flow));
                put32(h, l4 + TCP_SEQ, 1);
                put32(h, l4 + TCP_ACK_SEQ, 1);
                put16(h, l4 + TCP_DOFF_FLAGS, (TCP_HLEN / 4) << 12 | TCP_FLAG_ACK | TCP_FLAG_PSH);
                put16(h, l4 + TCP_WINDOW, 0xffff);
                csumAt = l4 + TCP_CHECK;
            }
            case ICMP -> {
                h[l4 + ICMP_TYPE] = (byte) (spec.ip() == 4 ? ICMP_ECHO : ICMPV6_ECHO_REQUEST);
                put16(h, l4 + ICMP_ECHO_ID, sport);
                csumAt = l4 + ICMP_CHECKSUM;
                if (spec.ip() == 4) {
                    pseudo = 0; // ICMPv4 sums its own message only
                }
            }
            default -> throw new AssertionError(spec.proto());
        }
        int csum = InetChecksum.fold(InetChecksum.partial(h, l4, h.length - l4, pseudo + payloadSum));
        if (csum == 0 && spec.proto() == PktGenSpec.Proto.UDP) {
            csum = 0xffff; // a UDP checksum of 0 means "none"; RFC 768 sends the one's-complement twin
        }
        put16(h, csumAt, csum);
        return h;
    }

    /** The bytes the RSS hash reads: addresses, then both ports when the protocol has them. */
    static byte[] rssInput(PktGenSpec spec, int flow) {
        byte[] saddr = spec.src().forFlow(flow);
        byte[] daddr = spec.dst().forFlow(flow);
        int ports = spec.proto().hasPorts() ? 4 : 0;
        byte[] in = new byte[saddr.length + daddr.length + ports];
        System.arraycopy(saddr, 0, in, 0, saddr.length);
        System.arraycopy(daddr, 0, in, saddr.length, daddr.length);
        if (ports != 0) {
            put16(in, saddr.length * 2, spec.sport().forFlow(flow));
            put16(in, saddr.length * 2 + 2, spec.dport().forFlow(flow));
        }
        return in;
    }

    private static void putMac(byte[] b, int off, long mac) {
        for (int i = 0; i < 6; i++) {
            b[off + i] = (byte) (mac >>> 8 * (5 - i));
        }
    }

    private static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    private static void put32(byte[] b, int off, int v) {
        put16(b, off, v >>> 16);
        put16(b, off + 2, v);
    }
}
