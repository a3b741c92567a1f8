package dev.jxdp.junit;

/**
 * Builders for the frames a test feeds an XDP program. Every field has a default, so a frame is one line:
 *
 * <pre>{@code
 * byte[] query = Packets.udp4().dst("10.0.0.2", 53).payload("hello").build();
 * byte[] syn   = Packets.tcp6().dst("2001:db8::2", 443).vlan(100).build();
 * byte[] ping  = Packets.icmp4Echo().sequence(7).payloadLength(56).build();
 * byte[] who   = Packets.arpRequest().targetIp("10.0.0.254").build();
 * }</pre>
 *
 * Lengths and checksums (IPv4 header, UDP, TCP, ICMP, ICMPv6 with their pseudo-headers) are computed when the frame
 * is built; {@link IpBuilder#ipChecksum(int)} and {@link IpBuilder#l4Checksum(int)} write a wrong one on purpose.
 * Parse what a program returns with {@link Frame#parse(byte[])}.
 */
public final class Packets {
    /** Default source MAC (locally administered). */
    public static final String MAC_A = "02:00:00:00:00:01";
    /** Default destination MAC. */
    public static final String MAC_B = "02:00:00:00:00:02";
    /** Default IPv4 source. */
    public static final String IP4_A = "10.0.0.1";
    /** Default IPv4 destination. */
    public static final String IP4_B = "10.0.0.2";
    /** Default IPv6 source (documentation prefix). */
    public static final String IP6_A = "2001:db8::1";
    /** Default IPv6 destination. */
    public static final String IP6_B = "2001:db8::2";
    /** Default source port of UDP and TCP. */
    public static final int PORT_A = 40000;

    private Packets() {}

    /**
     * UDP over IPv4, to port 53.
     *
     * @return a builder with every field at its default
     */
    public static UdpBuilder udp4() {
        return new UdpBuilder(false);
    }

    /**
     * UDP over IPv6, to port 53.
     *
     * @return a builder with every field at its default
     */
    public static UdpBuilder udp6() {
        return new UdpBuilder(true);
    }

    /**
     * A TCP SYN over IPv4, to port 80.
     *
     * @return a builder with every field at its default
     */
    public static TcpBuilder tcp4() {
        return new TcpBuilder(false);
    }

    /**
     * A TCP SYN over IPv6, to port 80.
     *
     * @return a builder with every field at its default
     */
    public static TcpBuilder tcp6() {
        return new TcpBuilder(true);
    }

    /**
     * An ICMP echo request (type 8); {@link IcmpBuilder#type(int)} makes any other ICMP message.
     *
     * @return a builder with every field at its default
     */
    public static IcmpBuilder icmp4Echo() {
        return new IcmpBuilder(false, Frame.Icmp.ECHO_REQUEST);
    }

    /**
     * An ICMPv6 echo request (type 128); {@link IcmpBuilder#type(int)} makes any other ICMPv6 message.
     *
     * @return a builder with every field at its default
     */
    public static IcmpBuilder icmp6Echo() {
        return new IcmpBuilder(true, Frame.Icmp.ECHO6_REQUEST);
    }

    /**
     * A neighbor solicitation for {@code target}, to its solicited-node multicast address.
     *
     * @param target the address being resolved
     * @return a builder with every field at its default
     */
    public static NdpBuilder neighborSolicitation(String target) {
        return new NdpBuilder(true, target);
    }

    /**
     * A solicited neighbor advertisement of {@code target}, from the default source to the default destination.
     *
     * @param target the address being announced
     * @return a builder with every field at its default
     */
    public static NdpBuilder neighborAdvertisement(String target) {
        return new NdpBuilder(false, target);
    }

    /**
     * An ARP request: who has {@value #IP4_B}? tell {@value #IP4_A}.
     *
     * @return a builder with every field at its default
     */
    public static ArpBuilder arpRequest() {
        return new ArpBuilder(ArpBuilder.REQUEST);
    }

    /**
     * An ARP reply: {@value #IP4_A} is at {@value #MAC_A}, to {@value #MAC_B}.
     *
     * @return a builder with every field at its default
     */
    public static ArpBuilder arpReply() {
        return new ArpBuilder(ArpBuilder.REPLY);
    }

    /**
     * An IPv4 packet of this protocol whose payload is everything after the IP header.
     *
     * @param protocol the IP protocol number
     * @return a builder with every field at its default
     */
    public static RawIpBuilder ip4(int protocol) {
        return new RawIpBuilder(false, protocol);
    }

    /**
     * An IPv6 packet of this next header whose payload is everything after the IPv6 header(s).
     *
     * @param nextHeader the next header value
     * @return a builder with every field at its default
     */
    public static RawIpBuilder ip6(int nextHeader) {
        return new RawIpBuilder(true, nextHeader);
    }

    /**
     * An Ethernet frame of any EtherType and body.
     *
     * @param etherType the EtherType, e.g. 0x0800
     * @return a builder with every field at its default
     */
    public static EthernetBuilder ethernet(int etherType) {
        return new EthernetBuilder(etherType);
    }
}
