package dev.jxdp.junit;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.opentest4j.AssertionFailedError;

/**
 * Assertions on a frame, header by header. Each header's assertions ({@link #ipv4()}, {@link #udp()}, ...) return to
 * any other header or to the frame-wide checks, so one chain reads as the frame does:
 * {@code frame().eth().dst("02:00:00:00:00:01").ipv4().ttl(63).udp().dstPort(53).checksumsValid()}.
 */
public final class FrameAssert {
    private final Frame frame;

    FrameAssert(Frame frame) {
        this.frame = frame;
    }

    /**
     * The frame under test.
     *
     * @return the parsed frame
     */
    public Frame frame() {
        return frame;
    }

    /**
     * The frame is exactly these bytes; a failure shows both as a hex dump with the differing rows marked.
     *
     * @param expected the value wanted
     * @return this assertion
     */
    public FrameAssert isEqualTo(byte[] expected) {
        byte[] actual = frame.bytes();
        if (!Arrays.equals(expected, actual)) {
            throw new AssertionFailedError("frames differ\n" + Hexdump.diff(expected, actual),
                    HexFormat.of().formatHex(expected), HexFormat.of().formatHex(actual));
        }
        return this;
    }

    /**
     * The frame is this many bytes long.
     *
     * @param expected the value wanted
     * @return this assertion
     */
    public FrameAssert hasLength(int expected) {
        return check("frame length", expected, frame.length());
    }

    /**
     * Every checksum the frame carries is right ({@link Frame#checksumsValid()}); a failure lists the wrong ones.
     *
     * @return this assertion
     */
    public FrameAssert checksumsValid() {
        if (!frame.checksumsValid()) {
            throw new AssertionFailedError("expected valid checksums but " + String.join("; ", frame.checksumErrors())
                    + "\nin frame: " + frame);
        }
        return this;
    }

    /**
     * The bytes after the innermost header ({@link Frame#payload()}) are these.
     *
     * @param expected the value wanted
     * @return this assertion
     */
    public FrameAssert payload(byte[] expected) {
        byte[] actual = frame.payload();
        if (!Arrays.equals(expected, actual)) {
            throw new AssertionFailedError("payloads differ\n" + Hexdump.diff(expected, actual) + "in frame: " + frame,
                    HexFormat.of().formatHex(expected), HexFormat.of().formatHex(actual));
        }
        return this;
    }

    /**
     * The payload is this text in UTF-8.
     *
     * @param expected the value wanted
     * @return this assertion
     */
    public FrameAssert payload(String expected) {
        return payload(expected.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The frame has no VLAN tag.
     *
     * @return this assertion
     */
    public FrameAssert untagged() {
        if (!frame.vlans().isEmpty()) {
            throw fail("expected no VLAN tag");
        }
        return this;
    }

    /**
     * Any other check on the parsed frame, e.g. with plain JUnit assertions.
     *
     * @param check a check that throws on failure
     * @return this assertion
     */
    public FrameAssert satisfies(Consumer<Frame> check) {
        check.accept(frame);
        return this;
    }

    /**
     * Assertions on the frame's Ethernet header; fails when it has none.
     *
     * @return assertions on the Ethernet header
     */
    public EthAssert eth() {
        return new EthAssert(this, layer("an Ethernet header", frame::eth));
    }

    /**
     * The innermost VLAN tag.
     *
     * @return assertions on the innermost VLAN tag
     */
    public VlanAssert vlan() {
        return new VlanAssert(this, layer("a VLAN tag", frame::vlan));
    }

    /**
     * Assertions on the frame's ARP header; fails when it has none.
     *
     * @return assertions on the ARP header
     */
    public ArpAssert arp() {
        return new ArpAssert(this, layer("an ARP header", frame::arp));
    }

    /**
     * Assertions on the frame's IPv4 header; fails when it has none.
     *
     * @return assertions on the IPv4 header
     */
    public Ipv4Assert ipv4() {
        return new Ipv4Assert(this, layer("an IPv4 header", frame::ipv4));
    }

    /**
     * Assertions on the frame's IPv6 header; fails when it has none.
     *
     * @return assertions on the IPv6 header
     */
    public Ipv6Assert ipv6() {
        return new Ipv6Assert(this, layer("an IPv6 header", frame::ipv6));
    }

    /**
     * Assertions on the frame's UDP header; fails when it has none.
     *
     * @return assertions on the UDP header
     */
    public UdpAssert udp() {
        return new UdpAssert(this, layer("a UDP header", frame::udp));
    }

    /**
     * Assertions on the frame's TCP header; fails when it has none.
     *
     * @return assertions on the TCP header
     */
    public TcpAssert tcp() {
        return new TcpAssert(this, layer("a TCP header", frame::tcp));
    }

    /**
     * The ICMP (IPv4) or ICMPv6 header.
     *
     * @return assertions on the ICMP or ICMPv6 header
     */
    public IcmpAssert icmp() {
        return new IcmpAssert(this, layer("an ICMP header", frame::icmp));
    }

    private <T> T layer(String what, Supplier<T> view) {
        try {
            return view.get();
        } catch (IllegalStateException e) {
            throw fail("expected " + what);
        }
    }

    FrameAssert check(String field, Object expected, Object actual) {
        if (!Objects.equals(expected, actual)) {
            throw new AssertionFailedError(field + ": expected " + expected + " but was " + actual + "\nin frame: " + frame,
                    expected, actual);
        }
        return this;
    }

    AssertionFailedError fail(String message) {
        return new AssertionFailedError(message + " but the frame is: " + frame);
    }

    /**
     * What every header's assertions share: moving to another header or to the frame-wide checks.
     *
     * @param <S> the concrete header assertion
     */
    public abstract static class LayerAssert<S extends LayerAssert<S>> {
        final FrameAssert frame;

        LayerAssert(FrameAssert frame) {
            this.frame = frame;
        }

        @SuppressWarnings("unchecked")
        final S check(String field, Object expected, Object actual) {
            frame.check(field, expected, actual);
            return (S) this;
        }

        /**
         * Back to the whole frame's assertions.
         *
         * @return the whole frame's assertions
         */
        public FrameAssert frame() {
            return frame;
        }

        /**
         * Assertions on the frame's Ethernet header; fails when it has none.
         *
         * @return assertions on the Ethernet header
         */
        public EthAssert eth() {
            return frame.eth();
        }

        /**
         * Assertions on the frame's innermost VLAN tag; fails when it has none.
         *
         * @return assertions on the innermost VLAN tag
         */
        public VlanAssert vlan() {
            return frame.vlan();
        }

        /**
         * Assertions on the frame's ARP header; fails when it has none.
         *
         * @return assertions on the ARP header
         */
        public ArpAssert arp() {
            return frame.arp();
        }

        /**
         * Assertions on the frame's IPv4 header; fails when it has none.
         *
         * @return assertions on the IPv4 header
         */
        public Ipv4Assert ipv4() {
            return frame.ipv4();
        }

        /**
         * Assertions on the frame's IPv6 header; fails when it has none.
         *
         * @return assertions on the IPv6 header
         */
        public Ipv6Assert ipv6() {
            return frame.ipv6();
        }

        /**
         * Assertions on the frame's UDP header; fails when it has none.
         *
         * @return assertions on the UDP header
         */
        public UdpAssert udp() {
            return frame.udp();
        }

        /**
         * Assertions on the frame's TCP header; fails when it has none.
         *
         * @return assertions on the TCP header
         */
        public TcpAssert tcp() {
            return frame.tcp();
        }

        /**
         * Assertions on the frame's ICMP or ICMPv6 header; fails when it has none.
         *
         * @return assertions on the ICMP or ICMPv6 header
         */
        public IcmpAssert icmp() {
            return frame.icmp();
        }

        /**
         * See {@link FrameAssert#checksumsValid()}.
         *
         * @return the whole frame's assertions
         */
        public FrameAssert checksumsValid() {
            return frame.checksumsValid();
        }

        /**
         * See {@link FrameAssert#payload(byte[])}.
         *
         * @param expected the value wanted
         * @return the whole frame's assertions
         */
        public FrameAssert payload(byte[] expected) {
            return frame.payload(expected);
        }

        /**
         * See {@link FrameAssert#payload(String)}.
         *
         * @param expected the value wanted
         * @return the whole frame's assertions
         */
        public FrameAssert payload(String expected) {
            return frame.payload(expected);
        }
    }

    /** Assertions on the frame's Ethernet header, from {@link FrameAssert#eth()}. */
    public static final class EthAssert extends LayerAssert<EthAssert> {
        private final Frame.Ethernet eth;

        EthAssert(FrameAssert frame, Frame.Ethernet eth) {
            super(frame);
            this.eth = eth;
        }

        /**
         * Checks the eth src.
         *
         * @param mac the MAC address, six hex bytes separated by colons (e.g. {@code "02:00:00:00:00:01"})
         * @return this assertion
         */
        public EthAssert src(String mac) {
            return check("eth src", mac.toLowerCase(java.util.Locale.ROOT), eth.src());
        }

        /**
         * Checks the eth dst.
         *
         * @param mac the MAC address, six hex bytes separated by colons (e.g. {@code "02:00:00:00:00:01"})
         * @return this assertion
         */
        public EthAssert dst(String mac) {
            return check("eth dst", mac.toLowerCase(java.util.Locale.ROOT), eth.dst());
        }

        /**
         * The EtherType after any VLAN tags, e.g. 0x0800.
         *
         * @param etherType the EtherType, e.g. 0x0800
         * @return this assertion
         */
        public EthAssert type(int etherType) {
            return check("EtherType", hex4(etherType), hex4(frame.frame().etherType()));
        }
    }

    /** Assertions on the frame's innermost VLAN tag, from {@link FrameAssert#vlan()}. */
    public static final class VlanAssert extends LayerAssert<VlanAssert> {
        private final Frame.Vlan vlan;

        VlanAssert(FrameAssert frame, Frame.Vlan vlan) {
            super(frame);
            this.vlan = vlan;
        }

        /**
         * Checks the VLAN id.
         *
         * @param vid the VLAN id wanted
         * @return this assertion
         */
        public VlanAssert vid(int vid) {
            return check("VLAN id", vid, vlan.vid());
        }

        /**
         * Checks the VLAN priority.
         *
         * @param pcp the VLAN priority wanted
         * @return this assertion
         */
        public VlanAssert pcp(int pcp) {
            return check("VLAN priority", pcp, vlan.pcp());
        }

        /**
         * Checks the VLAN TPID.
         *
         * @param tpid the VLAN TPID wanted
         * @return this assertion
         */
        public VlanAssert tpid(int tpid) {
            return check("VLAN TPID", hex4(tpid), hex4(vlan.tpid()));
        }
    }

    /** Assertions on the frame's ARP header, from {@link FrameAssert#arp()}. */
    public static final class ArpAssert extends LayerAssert<ArpAssert> {
        private final Frame.Arp arp;

        ArpAssert(FrameAssert frame, Frame.Arp arp) {
            super(frame);
            this.arp = arp;
        }

        /**
         * Checks the ARP op.
         *
         * @return this assertion
         */
        public ArpAssert isRequest() {
            return check("ARP op", "request (1)", opName(arp.op()));
        }

        /**
         * Checks the ARP op.
         *
         * @return this assertion
         */
        public ArpAssert isReply() {
            return check("ARP op", "reply (2)", opName(arp.op()));
        }

        /**
         * Checks the ARP sender MAC.
         *
         * @param mac the MAC address, six hex bytes separated by colons (e.g. {@code "02:00:00:00:00:01"})
         * @return this assertion
         */
        public ArpAssert senderMac(String mac) {
            return check("ARP sender MAC", mac.toLowerCase(java.util.Locale.ROOT), arp.senderMac());
        }

        /**
         * Checks the ARP sender IP.
         *
         * @param ip the ARP sender IP wanted
         * @return this assertion
         */
        public ArpAssert senderIp(String ip) {
            return check("ARP sender IP", ip, arp.senderIp());
        }

        /**
         * Checks the ARP target MAC.
         *
         * @param mac the MAC address, six hex bytes separated by colons (e.g. {@code "02:00:00:00:00:01"})
         * @return this assertion
         */
        public ArpAssert targetMac(String mac) {
            return check("ARP target MAC", mac.toLowerCase(java.util.Locale.ROOT), arp.targetMac());
        }

        /**
         * Checks the ARP target IP.
         *
         * @param ip the ARP target IP wanted
         * @return this assertion
         */
        public ArpAssert targetIp(String ip) {
            return check("ARP target IP", ip, arp.targetIp());
        }

        private static String opName(int op) {
            return (op == 1 ? "request" : op == 2 ? "reply" : "op") + " (" + op + ")";
        }
    }

    /** Assertions on the frame's IPv4 header, from {@link FrameAssert#ipv4()}. */
    public static final class Ipv4Assert extends LayerAssert<Ipv4Assert> {
        private final Frame.Ipv4 ip;

        Ipv4Assert(FrameAssert frame, Frame.Ipv4 ip) {
            super(frame);
            this.ip = ip;
        }

        /**
         * Checks the ipv4 src.
         *
         * @param addr the ipv4 src wanted
         * @return this assertion
         */
        public Ipv4Assert src(String addr) {
            return check("ipv4 src", addr, ip.src());
        }

        /**
         * Checks the ipv4 dst.
         *
         * @param addr the ipv4 dst wanted
         * @return this assertion
         */
        public Ipv4Assert dst(String addr) {
            return check("ipv4 dst", addr, ip.dst());
        }

        /**
         * Checks the ipv4 ttl.
         *
         * @param ttl the ipv4 ttl wanted
         * @return this assertion
         */
        public Ipv4Assert ttl(int ttl) {
            return check("ipv4 ttl", ttl, ip.ttl());
        }

        /**
         * Checks the ipv4 tos.
         *
         * @param tos the ipv4 tos wanted
         * @return this assertion
         */
        public Ipv4Assert tos(int tos) {
            return check("ipv4 tos", tos, ip.tos());
        }

        /**
         * Checks the ipv4 protocol.
         *
         * @param protocol the ipv4 protocol wanted
         * @return this assertion
         */
        public Ipv4Assert protocol(int protocol) {
            return check("ipv4 protocol", protocol, ip.protocol());
        }

        /**
         * Checks the ipv4 id.
         *
         * @param id the ipv4 id wanted
         * @return this assertion
         */
        public Ipv4Assert id(int id) {
            return check("ipv4 id", id, ip.id());
        }

        /**
         * Checks the ipv4 total length.
         *
         * @param length the ipv4 total length wanted
         * @return this assertion
         */
        public Ipv4Assert totalLength(int length) {
            return check("ipv4 total length", length, ip.totalLength());
        }
    }

    /** Assertions on the frame's IPv6 header, from {@link FrameAssert#ipv6()}. */
    public static final class Ipv6Assert extends LayerAssert<Ipv6Assert> {
        private final Frame.Ipv6 ip;

        Ipv6Assert(FrameAssert frame, Frame.Ipv6 ip) {
            super(frame);
            this.ip = ip;
        }

        /**
         * The source address, in any IPv6 text form (compared as addresses, not as strings).
         *
         * @param addr the address, in any text form of its family
         * @return this assertion
         */
        public Ipv6Assert src(String addr) {
            return check("ipv6 src", canonical(addr), ip.src());
        }

        /**
         * Checks the ipv6 dst.
         *
         * @param addr the ipv6 dst wanted
         * @return this assertion
         */
        public Ipv6Assert dst(String addr) {
            return check("ipv6 dst", canonical(addr), ip.dst());
        }

        /**
         * Checks the ipv6 hop limit.
         *
         * @param hopLimit the ipv6 hop limit wanted
         * @return this assertion
         */
        public Ipv6Assert hopLimit(int hopLimit) {
            return check("ipv6 hop limit", hopLimit, ip.hopLimit());
        }

        /**
         * Checks the ipv6 traffic class.
         *
         * @param tc the ipv6 traffic class wanted
         * @return this assertion
         */
        public Ipv6Assert trafficClass(int tc) {
            return check("ipv6 traffic class", tc, ip.trafficClass());
        }

        /**
         * Checks the ipv6 flow label.
         *
         * @param label the ipv6 flow label wanted
         * @return this assertion
         */
        public Ipv6Assert flowLabel(int label) {
            return check("ipv6 flow label", label, ip.flowLabel());
        }

        /**
         * The transport protocol: the next header after any extension headers.
         *
         * @param protocol the IP protocol number
         * @return this assertion
         */
        public Ipv6Assert protocol(int protocol) {
            return check("ipv6 upper-layer protocol", protocol, ip.protocol());
        }

        private static String canonical(String addr) {
            return Addresses.ipv6(Addresses.ipv6(addr), 0);
        }
    }

    /** Assertions on the frame's UDP header, from {@link FrameAssert#udp()}. */
    public static final class UdpAssert extends LayerAssert<UdpAssert> {
        private final Frame.Udp udp;

        UdpAssert(FrameAssert frame, Frame.Udp udp) {
            super(frame);
            this.udp = udp;
        }

        /**
         * Checks the udp src port.
         *
         * @param port the udp src port wanted
         * @return this assertion
         */
        public UdpAssert srcPort(int port) {
            return check("udp src port", port, udp.srcPort());
        }

        /**
         * Checks the udp dst port.
         *
         * @param port the udp dst port wanted
         * @return this assertion
         */
        public UdpAssert dstPort(int port) {
            return check("udp dst port", port, udp.dstPort());
        }

        /**
         * Checks the udp length.
         *
         * @param length the udp length wanted
         * @return this assertion
         */
        public UdpAssert length(int length) {
            return check("udp length", length, udp.length());
        }
    }

    /** Assertions on the frame's TCP header, from {@link FrameAssert#tcp()}. */
    public static final class TcpAssert extends LayerAssert<TcpAssert> {
        private final Frame.Tcp tcp;

        TcpAssert(FrameAssert frame, Frame.Tcp tcp) {
            super(frame);
            this.tcp = tcp;
        }

        /**
         * Checks the tcp src port.
         *
         * @param port the tcp src port wanted
         * @return this assertion
         */
        public TcpAssert srcPort(int port) {
            return check("tcp src port", port, tcp.srcPort());
        }

        /**
         * Checks the tcp dst port.
         *
         * @param port the tcp dst port wanted
         * @return this assertion
         */
        public TcpAssert dstPort(int port) {
            return check("tcp dst port", port, tcp.dstPort());
        }

        /**
         * Exactly these flags, by letter as {@link TcpBuilder#flags(String)} takes them, e.g. "SA" or "R".
         *
         * @param letters the flags by letter
         * @return this assertion
         */
        public TcpAssert flags(String letters) {
            return check("tcp flags", new Frame.Tcp(0, 0, 0, 0, 0, Frame.Tcp.parseFlags(letters), 0, 0, 0).flagString(),
                    tcp.flagString());
        }

        /**
         * Checks the tcp seq.
         *
         * @param seq the tcp seq wanted
         * @return this assertion
         */
        public TcpAssert seq(long seq) {
            return check("tcp seq", seq, tcp.seq());
        }

        /**
         * Checks the tcp ack.
         *
         * @param ack the tcp ack wanted
         * @return this assertion
         */
        public TcpAssert ack(long ack) {
            return check("tcp ack", ack, tcp.ackNumber());
        }

        /**
         * Checks the tcp window.
         *
         * @param window the tcp window wanted
         * @return this assertion
         */
        public TcpAssert window(int window) {
            return check("tcp window", window, tcp.window());
        }
    }

    /** Assertions on the frame's ICMP or ICMPv6 header, from {@link FrameAssert#icmp()}. */
    public static final class IcmpAssert extends LayerAssert<IcmpAssert> {
        private final Frame.Icmp icmp;

        IcmpAssert(FrameAssert frame, Frame.Icmp icmp) {
            super(frame);
            this.icmp = icmp;
        }

        /**
         * Checks the icmp type.
         *
         * @param type the icmp type wanted
         * @return this assertion
         */
        public IcmpAssert type(int type) {
            return check("icmp type", type, icmp.type());
        }

        /**
         * Checks the icmp code.
         *
         * @param code the icmp code wanted
         * @return this assertion
         */
        public IcmpAssert code(int code) {
            return check("icmp code", code, icmp.code());
        }

        /**
         * An echo reply: ICMP type 0, or ICMPv6 type 129.
         *
         * @return this assertion
         */
        public IcmpAssert isEchoReply() {
            return type(frame.frame().has("icmp6") ? Frame.Icmp.ECHO6_REPLY : Frame.Icmp.ECHO_REPLY);
        }

        /**
         * An echo request: ICMP type 8, or ICMPv6 type 128.
         *
         * @return this assertion
         */
        public IcmpAssert isEchoRequest() {
            return type(frame.frame().has("icmp6") ? Frame.Icmp.ECHO6_REQUEST : Frame.Icmp.ECHO_REQUEST);
        }

        /**
         * Checks the icmp echo id.
         *
         * @param id the icmp echo id wanted
         * @return this assertion
         */
        public IcmpAssert echoId(int id) {
            return check("icmp echo id", id, icmp.echoId());
        }

        /**
         * Checks the icmp echo sequence.
         *
         * @param seq the icmp echo sequence wanted
         * @return this assertion
         */
        public IcmpAssert sequence(int seq) {
            return check("icmp echo sequence", seq, icmp.sequence());
        }
    }

    static String hex4(int v) {
        return String.format("0x%04x", v);
    }
}
