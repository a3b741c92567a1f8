package dev.jxdp.junit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A frame parsed into the headers a test asserts on: Ethernet, VLAN tags (802.1Q, 802.1ad), ARP, IPv4, IPv6 with
 * extension headers, UDP, TCP, ICMP, ICMPv6. Parsing never throws: a header the frame is too short for, or does not
 * have, is absent, and asking for it ({@link #ipv4()} on an IPv6 frame) throws an {@link IllegalStateException} that
 * says what the frame holds instead.
 *
 * <pre>{@code
 * Frame f = Frame.parse(result.dataOut());
 * assertEquals(63, f.ipv4().ttl());
 * assertEquals(53, f.udp().dstPort());
 * assertTrue(f.checksumsValid(), f.checksumErrors().toString());
 * }</pre>
 */
public final class Frame {
    private static final int ETH_IPV4 = 0x0800;
    private static final int ETH_IPV6 = 0x86DD;
    private static final int ETH_ARP = 0x0806;
    private static final int PROTO_ICMP = 1;
    private static final int PROTO_TCP = 6;
    private static final int PROTO_UDP = 17;
    private static final int PROTO_ICMP6 = 58;

    private final byte[] bytes;
    private final List<String> layers = new ArrayList<>();
    private final List<String> checksumErrors = new ArrayList<>();
    private Ethernet eth;
    private final List<Vlan> vlans = new ArrayList<>();
    private int etherType = -1;
    private Arp arp;
    private Ipv4 ipv4;
    private Ipv6 ipv6;
    private Udp udp;
    private Tcp tcp;
    private Icmp icmp;
    private int payloadOff;
    private int payloadEnd;
    private String truncated;

    private Frame(byte[] bytes) {
        this.bytes = bytes;
        this.payloadOff = bytes.length;
        this.payloadEnd = bytes.length;
        parse();
    }

    /**
     * Parses a frame (a copy of {@code bytes} is kept).
     *
     * @param bytes the frame's bytes, from the destination MAC on
     * @return this assertion
     */
    public static Frame parse(byte[] bytes) {
        return new Frame(bytes.clone());
    }

    /**
     * The frame's bytes (a copy).
     *
     * @return the bytes
     */
    public byte[] bytes() {
        return bytes.clone();
    }

    /**
     * The frame's length in bytes.
     *
     * @return the frame's length in bytes
     */
    public int length() {
        return bytes.length;
    }

    /**
     * The headers found, outermost first, by name: "eth", "vlan", "arp", "ipv4", "ipv6", "udp", "tcp", "icmp", "icmp6".
     *
     * @return the layer names, e.g. {@code [eth, vlan, ipv4, udp]}
     */
    public List<String> layers() {
        return List.copyOf(layers);
    }

    /**
     * Whether the frame has this header, by the names {@link #layers()} uses.
     *
     * @param layer a name as {@link #layers()} spells it
     * @return true when the frame has it
     */
    public boolean has(String layer) {
        return layers.contains(layer);
    }

    /**
     * The Ethernet header.
     *
     * @return the Ethernet header
     */
    public Ethernet eth() {
        return present(eth, "Ethernet header");
    }

    /**
     * The VLAN tags, outermost first; empty if untagged.
     *
     * @return the EtherType, or -1
     */
    public List<Vlan> vlans() {
        return List.copyOf(vlans);
    }

    /**
     * The innermost tag's VLAN id; throws if untagged.
     *
     * @return the innermost VLAN tag
     */
    public Vlan vlan() {
        if (vlans.isEmpty()) {
            throw absent("VLAN tag");
        }
        return vlans.getLast();
    }

    /**
     * The EtherType after any VLAN tags, or -1 if the frame is too short to hold one.
     *
     * @return the tags, possibly none
     */
    public int etherType() {
        return etherType;
    }

    /**
     * The ARP header.
     *
     * @return the ARP header
     */
    public Arp arp() {
        return present(arp, "ARP header");
    }

    /**
     * The IPv4 header.
     *
     * @return the IPv4 header
     */
    public Ipv4 ipv4() {
        return present(ipv4, "IPv4 header");
    }

    /**
     * The IPv6 header.
     *
     * @return the IPv6 header
     */
    public Ipv6 ipv6() {
        return present(ipv6, "IPv6 header");
    }

    /**
     * The UDP header.
     *
     * @return the UDP header
     */
    public Udp udp() {
        return present(udp, "UDP header");
    }

    /**
     * The TCP header.
     *
     * @return the TCP header
     */
    public Tcp tcp() {
        return present(tcp, "TCP header");
    }

    /**
     * The ICMP header (over IPv4) or ICMPv6 header (over IPv6).
     *
     * @return the ICMP or ICMPv6 header
     */
    public Icmp icmp() {
        return present(icmp, "ICMP or ICMPv6 header");
    }

    /**
     * The bytes after the innermost header parsed (the transport header if any, else the IP header), up to the end
     * the IP length says (Ethernet padding excluded).
     *
     * @return the bytes
     */
    public byte[] payload() {
        return Arrays.copyOfRange(bytes, payloadOff, Math.max(payloadOff, payloadEnd));
    }

    /**
     * Whether every checksum the frame carries is right: the IPv4 header's, and UDP's, TCP's, ICMP's or ICMPv6's over
     * their pseudo-header. A transport checksum of a fragment cannot be checked and is not; one of a segment the
     * frame cuts short counts as wrong.
     *
     * @return true when every checksum is right
     */
    public boolean checksumsValid() {
        return checksumErrors.isEmpty();
    }

    /**
     * What {@link #checksumsValid()} found wrong, one line each, e.g. "udp checksum 0x1234, want 0xabcd".
     *
     * @return one line per wrong checksum, empty when all are right
     */
    public List<String> checksumErrors() {
        return List.copyOf(checksumErrors);
    }

    /** The headers in one line, e.g. "eth 02:00:00:00:00:01 > 02:00:00:00:00:02 / ipv4 10.0.0.1 > 10.0.0.2 ttl 64 / udp 40000 > 53". */
    @Override
    public String toString() {
        if (eth == null) {
            return bytes.length + " bytes, too short for an Ethernet header";
        }
        List<String> parts = new ArrayList<>();
        parts.add("eth " + eth.src + " > " + eth.dst);
        for (Vlan v : vlans) {
            parts.add((v.tpid == FrameBuilder.TPID_8021Q ? "vlan " : String.format("tag 0x%04x ", v.tpid)) + v.vid);
        }
        if (arp != null) {
            parts.add(arp.toString());
        }
        if (ipv4 != null) {
            parts.add("ipv4 " + ipv4.src + " > " + ipv4.dst + " ttl " + ipv4.ttl + " proto " + ipv4.protocol);
        }
        if (ipv6 != null) {
            parts.add("ipv6 " + ipv6.src + " > " + ipv6.dst + " hlim " + ipv6.hopLimit + " next " + ipv6.protocol);
        }
        if (udp != null) {
            parts.add("udp " + udp.srcPort + " > " + udp.dstPort);
        }
        if (tcp != null) {
            parts.add("tcp " + tcp.srcPort + " > " + tcp.dstPort + " [" + tcp.flagString() + "]");
        }
        if (icmp != null) {
            parts.add((ipv6 != null ? "icmp6" : "icmp") + " type " + icmp.type + " code " + icmp.code);
        }
        if (payloadEnd > payloadOff) {
            parts.add((payloadEnd - payloadOff) + " bytes payload");
        }
        if (truncated != null) {
            parts.add("cut short in " + truncated);
        }
        return String.join(" / ", parts);
    }

    // ------------------------------------------------------------------ parsing

    private void parse() {
        if (bytes.length < 14) {
            truncated = "eth";
            return;
        }
        eth = new Ethernet(Addresses.mac(bytes, 0), Addresses.mac(bytes, 6), u16(12));
        layers.add("eth");
        int off = 12;
        int type = u16(off);
        while (type == FrameBuilder.TPID_8021Q || type == FrameBuilder.TPID_8021AD || type == 0x9100) {
            if (off + 6 > bytes.length) {
                truncated = "vlan";
                return;
            }
            int tci = u16(off + 2);
            vlans.add(new Vlan(type, tci >>> 13, (tci & 0x1000) != 0, tci & 0xFFF));
            layers.add("vlan");
            off += 4;
            type = u16(off);
        }
        etherType = type;
        off += 2;
        payloadOff = off;
        switch (type) {
            case ETH_IPV4 -> parseIpv4(off);
            case ETH_IPV6 -> parseIpv6(off);
            case ETH_ARP -> parseArp(off);
            default -> { }
        }
    }

    private void parseArp(int off) {
        if (off + 28 > bytes.length) {
            truncated = "arp";
            return;
        }
        arp = new Arp(u16(off + 6), Addresses.mac(bytes, off + 8), Addresses.ipv4(bytes, off + 14),
                Addresses.mac(bytes, off + 18), Addresses.ipv4(bytes, off + 24));
        layers.add("arp");
        payloadOff = off + 28;
    }

    private void parseIpv4(int off) {
        if (off + 20 > bytes.length) {
            truncated = "ipv4";
            return;
        }
        int ihl = (bytes[off] & 0xF) * 4;
        int flags = u16(off + 6);
        ipv4 = new Ipv4(ihl, u8(off + 1), u16(off + 2), u16(off + 4), (flags & 0x4000) != 0, (flags & 0x2000) != 0,
                (flags & 0x1FFF) * 8, u8(off + 8), u8(off + 9), u16(off + 10),
                Addresses.ipv4(bytes, off + 12), Addresses.ipv4(bytes, off + 16));
        layers.add("ipv4");
        if (ihl < 20 || off + ihl > bytes.length) {
            truncated = "ipv4";
            return;
        }
        int sum = Checksums.internet(bytes, off, ihl);
        if (sum != 0) {
            checksumErrors.add(String.format("ipv4 header checksum 0x%04x, want 0x%04x", ipv4.checksum,
                    fieldValue(off, ihl, 10, 0, false)));
        }
        int end = Math.min(off + ipv4.totalLength, bytes.length);
        boolean cut = off + ipv4.totalLength > bytes.length;
        boolean fragment = ipv4.moreFragments || ipv4.fragmentOffset != 0;
        parseL4(ipv4.protocol, off + ihl, end, cut, fragment, ipv4.fragmentOffset != 0, srcDst(off + 12, 4),
                srcDst(off + 16, 4));
    }

    private void parseIpv6(int off) {
        if (off + 40 > bytes.length) {
            truncated = "ipv6";
            return;
        }
        long first = u32(off);
        int plen = u16(off + 4);
        int next = u8(off + 6);
        List<Integer> ext = new ArrayList<>();
        int p = off + 40;
        int end = Math.min(off + 40 + plen, bytes.length);
        boolean fragment = false;
        boolean laterFragment = false;
        while (next == 0 || next == 43 || next == 44 || next == 60 || next == 51) {
            if (p + 8 > end) {
                truncated = "ipv6 extension header";
                break;
            }
            ext.add(next);
            int len = next == 44 ? 8 : next == 51 ? (u8(p + 1) + 2) * 4 : (u8(p + 1) + 1) * 8;
            if (next == 44) {
                fragment |= (u16(p + 2) & 0xFFF9) != 0; // offset or M set: not an atomic fragment
                laterFragment |= (u16(p + 2) & 0xFFF8) != 0;
            }
            next = u8(p);
            p += len;
        }
        ipv6 = new Ipv6((int) (first >>> 20) & 0xFF, (int) first & 0xFFFFF, plen, u8(off + 6), u8(off + 7),
                Addresses.ipv6(bytes, off + 8), Addresses.ipv6(bytes, off + 24), List.copyOf(ext), next);
        layers.add("ipv6");
        if (truncated != null) {
            payloadOff = Math.min(p, bytes.length);
            return;
        }
        parseL4(next, p, end, off + 40 + plen > bytes.length, fragment, laterFragment, srcDst(off + 8, 16),
                srcDst(off + 24, 16));
    }

    private void parseL4(int proto, int off, int end, boolean cut, boolean fragment, boolean laterFragment, byte[] src,
                         byte[] dst) {
        payloadOff = Math.min(off, bytes.length);
        payloadEnd = end;
        if (laterFragment) {
            return; // a non-first fragment carries no transport header
        }
        boolean v6 = ipv6 != null;
        int hdr;
        int csumAt;
        String name;
        switch (proto) {
            case PROTO_UDP -> {
                hdr = 8;
                csumAt = 6;
                name = "udp";
            }
            case PROTO_TCP -> {
                hdr = 20;
                csumAt = 16;
                name = "tcp";
            }
            case PROTO_ICMP -> {
                hdr = 8;
                csumAt = 2;
                name = "icmp";
            }
            case PROTO_ICMP6 -> {
                hdr = 8;
                csumAt = 2;
                name = "icmp6";
            }
            default -> {
                return;
            }
        }
        if (off + hdr > end) {
            truncated = name;
            return;
        }
        switch (proto) {
            case PROTO_UDP -> udp = new Udp(u16(off), u16(off + 2), u16(off + 4), u16(off + 6));
            case PROTO_TCP -> {
                int dataOff = (u8(off + 12) >>> 4) * 4;
                tcp = new Tcp(u16(off), u16(off + 2), u32(off + 4), u32(off + 8), dataOff, u8(off + 13), u16(off + 14),
                        u16(off + 16), u16(off + 18));
                hdr = Math.max(20, Math.min(dataOff, end - off));
            }
            default -> icmp = new Icmp(u8(off), u8(off + 1), u16(off + 2), u32(off + 4));
        }
        layers.add(name);
        payloadOff = off + hdr;
        if (fragment) {
            return;
        }
        if (cut) {
            checksumErrors.add(name + " checksum not checkable: the frame ends before the IP length says");
            return;
        }
        int have = u16(off + csumAt);
        if (proto == PROTO_UDP && have == 0) {
            if (v6) {
                checksumErrors.add("udp checksum 0 over ipv6, where it is required");
            }
            return; // over IPv4, zero means the sender computed none
        }
        boolean pseudo = proto != PROTO_ICMP;
        int sum = pseudo ? Checksums.fold(Checksums.sum(bytes, off, end - off,
                Checksums.pseudoHeader(src, dst, proto, end - off))) : Checksums.internet(bytes, off, end - off);
        if (sum != 0) {
            int want = fieldValue(off, end - off, csumAt, pseudo ? Checksums.pseudoHeader(src, dst, proto, end - off) : 0,
                    proto == PROTO_UDP);
            checksumErrors.add(String.format("%s checksum 0x%04x, want 0x%04x", name, have, want));
        }
    }

    /** The right value of the checksum field at {@code at} of the {@code len} bytes at {@code off}. */
    private int fieldValue(int off, int len, int at, long initial, boolean udp) {
        byte[] copy = Arrays.copyOfRange(bytes, off, off + len);
        copy[at] = 0;
        copy[at + 1] = 0;
        int c = Checksums.fold(Checksums.sum(copy, 0, len, initial));
        return c == 0 && udp ? 0xFFFF : c;
    }

    private byte[] srcDst(int off, int len) {
        return Arrays.copyOfRange(bytes, off, off + len);
    }

    private int u8(int off) {
        return bytes[off] & 0xFF;
    }

    private int u16(int off) {
        return ((bytes[off] & 0xFF) << 8) | (bytes[off + 1] & 0xFF);
    }

    private long u32(int off) {
        return ((long) u16(off) << 16) | u16(off + 2);
    }

    private <T> T present(T header, String what) {
        if (header == null) {
            throw absent(what);
        }
        return header;
    }

    private IllegalStateException absent(String what) {
        return new IllegalStateException("the frame has no " + what + ": " + this);
    }

    // ------------------------------------------------------------------ views

    /**
     * The Ethernet header.
     *
     * @param dst  destination MAC, lower-case, colon-separated
     * @param src  source MAC
     * @param type the EtherType, or the outer tag's TPID, as on the wire (see {@link Frame#etherType()} for the one
     *             after the tags)
     */
    public record Ethernet(String dst, String src, int type) {}

    /**
     * One VLAN tag.
     *
     * @param tpid 0x8100 (802.1Q), 0x88a8 (802.1ad) or 0x9100
     * @param pcp  priority code point, 0..7
     * @param dei  the drop-eligible bit
     * @param vid  VLAN id, 0..4095
     */
    public record Vlan(int tpid, int pcp, boolean dei, int vid) {}

    /**
     * An ARP header for IPv4 over Ethernet.
     *
     * @param op        1 request, 2 reply
     * @param senderMac sender hardware address
     * @param senderIp  sender protocol address
     * @param targetMac target hardware address (zero in a request)
     * @param targetIp  target protocol address
     */
    public record Arp(int op, String senderMac, String senderIp, String targetMac, String targetIp) {
        @Override
        public String toString() {
            return op == 1 ? "arp who-has " + targetIp + " tell " + senderIp
                    : op == 2 ? "arp reply " + senderIp + " is-at " + senderMac : "arp op " + op;
        }
    }

    /**
     * An IPv4 header.
     *
     * @param headerLength   in bytes (20 without options)
     * @param tos            type of service: DSCP and ECN
     * @param totalLength    the header's total length field
     * @param id             identification
     * @param dontFragment   the DF flag
     * @param moreFragments  the MF flag
     * @param fragmentOffset in bytes
     * @param ttl            time to live
     * @param protocol       e.g. 6 TCP, 17 UDP, 1 ICMP
     * @param checksum       the header checksum as found
     * @param src            source address, dotted quad
     * @param dst            destination address
     */
    public record Ipv4(int headerLength, int tos, int totalLength, int id, boolean dontFragment, boolean moreFragments,
                       int fragmentOffset, int ttl, int protocol, int checksum, String src, String dst) {}

    /**
     * An IPv6 header.
     *
     * @param trafficClass     traffic class
     * @param flowLabel        flow label, 20 bits
     * @param payloadLength    the payload length field
     * @param nextHeader       the fixed header's next header (an extension header's type if there is one)
     * @param hopLimit         hop limit
     * @param src              source address, RFC 5952 text
     * @param dst              destination address
     * @param extensionHeaders the extension headers' types, in order
     * @param protocol         the next header after the extension headers: the transport protocol
     */
    public record Ipv6(int trafficClass, int flowLabel, int payloadLength, int nextHeader, int hopLimit, String src,
                       String dst, List<Integer> extensionHeaders, int protocol) {}

    /**
     * A UDP header.
     *
     * @param srcPort  source port
     * @param dstPort  destination port
     * @param length   the length field (header and payload)
     * @param checksum the checksum as found (0: none, over IPv4)
     */
    public record Udp(int srcPort, int dstPort, int length, int checksum) {}

    /**
     * A TCP header.
     *
     * @param srcPort       source port
     * @param dstPort       destination port
     * @param seq           sequence number
     * @param ackNumber     acknowledgment number
     * @param dataOffset    header length in bytes
     * @param flags         the flag byte ({@link #SYN}, {@link #ACK}, ...)
     * @param window        receive window
     * @param checksum      the checksum as found
     * @param urgentPointer urgent pointer
     */
    public record Tcp(int srcPort, int dstPort, long seq, long ackNumber, int dataOffset, int flags, int window,
                      int checksum, int urgentPointer) {
        public static final int FIN = 0x01;
        public static final int SYN = 0x02;
        public static final int RST = 0x04;
        public static final int PSH = 0x08;
        public static final int ACK = 0x10;
        public static final int URG = 0x20;
        public static final int ECE = 0x40;
        public static final int CWR = 0x80;
        private static final String LETTERS = "FSRPAUEW";

        /**
         * Whether every flag of {@code mask} is set.
         *
         * @param mask the flags, or'ed
         * @return true when all are set
         */
        public boolean has(int mask) {
            return (flags & mask) == mask;
        }

        /**
         * The flags by letter in tcpdump's order, e.g. "SA" for SYN-ACK (see {@link TcpBuilder#flags(String)}).
         *
         * @return the letters of the flags set, e.g. "SA"
         */
        public String flagString() {
            StringBuilder sb = new StringBuilder();
            for (int i : new int[] {1, 0, 2, 3, 4, 5, 6, 7}) { // S F R P A U E W, as tcpdump prints them
                if ((flags & (1 << i)) != 0) {
                    sb.append(LETTERS.charAt(i));
                }
            }
            return sb.toString();
        }

        static int parseFlags(String letters) {
            int f = 0;
            for (char c : letters.toUpperCase(java.util.Locale.ROOT).toCharArray()) {
                int i = LETTERS.indexOf(c);
                if (i < 0) {
                    throw new IllegalArgumentException("TCP flag '" + c + "' in \"" + letters + "\": want letters of " + LETTERS);
                }
                f |= 1 << i;
            }
            return f;
        }
    }

    /**
     * An ICMP or ICMPv6 header.
     *
     * @param type         message type
     * @param code         message code
     * @param checksum     the checksum as found
     * @param restOfHeader the four bytes after the checksum (echo: identifier and sequence number)
     */
    public record Icmp(int type, int code, int checksum, long restOfHeader) {
        public static final int ECHO_REPLY = 0;
        public static final int DEST_UNREACHABLE = 3;
        public static final int ECHO_REQUEST = 8;
        public static final int TIME_EXCEEDED = 11;
        public static final int ECHO6_REQUEST = 128;
        public static final int ECHO6_REPLY = 129;
        public static final int NEIGHBOR_SOLICIT = 135;
        public static final int NEIGHBOR_ADVERT = 136;

        /**
         * The echo identifier (upper half of the rest of the header).
         *
         * @return the identifier
         */
        public int echoId() {
            return (int) (restOfHeader >>> 16);
        }

        /**
         * The echo sequence number (lower half of the rest of the header).
         *
         * @return the sequence number
         */
        public int sequence() {
            return (int) (restOfHeader & 0xFFFF);
        }
    }
}
