package dev.jxdp.junit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The builders against frames built independently: the hex strings are what the differential suite's Python
 * builders (struct.pack, their own RFC 1071 sum) produce for the same fields; the rest checks checksums with a sum
 * written out here.
 */
class PacketsTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String s) {
        return HEX.parseHex(s);
    }

    @Test
    void udp4MatchesReferenceBytes() {
        byte[] f = Packets.udp4().ipId(0x1234).dst("10.0.0.2", 53).payload("hello").build();
        assertEquals("02000000000202000000000108004500002112344000401114960a0000010a0000029c400035000d0b8a68656c6c6f",
                HEX.formatHex(f));
    }

    @Test
    void tcp4SynMatchesReferenceBytes() {
        byte[] f = Packets.tcp4().ipId(0x1234).seq(1000).window(8192).build();
        assertEquals("020000000002020000000001080045000028123440004006149a0a0000010a0000029c400050000003e80000000050022000db670000",
                HEX.formatHex(f));
    }

    @Test
    void udp6MatchesReferenceBytes() {
        byte[] f = Packets.udp6().flowLabel(0x12345).payload("hello").build();
        assertEquals("02000000000202000000000186dd60012345000d114020010db800000000000000000000000120010db8000000000000"
                + "0000000000029c400035000dc41768656c6c6f", HEX.formatHex(f));
    }

    @Test
    void tcp6SynAckMatchesReferenceBytes() {
        byte[] f = Packets.tcp6().flowLabel(0x12345).dstPort(443).flags("SA").seq(1000).window(8192).payload("xyz").build();
        assertEquals("02000000000202000000000186dd600123450017064020010db800000000000000000000000120010db8000000000000"
                + "0000000000029c4001bb000003e800000000501220009ffd000078797a", HEX.formatHex(f));
    }

    @Test
    void icmp4EchoMatchesReferenceBytes() {
        byte[] f = Packets.icmp4Echo().ipId(0x1234).echoId(0x4242).sequence(1).payload("ping").build();
        assertEquals("02000000000202000000000108004500002012344000400114a70a0000010a0000020800d6eb4242000170696e67",
                HEX.formatHex(f));
    }

    @Test
    void icmp6EchoMatchesReferenceBytes() {
        byte[] f = Packets.icmp6Echo().flowLabel(0x12345).echoId(0x4242).sequence(1).payload("ping").build();
        assertEquals("02000000000202000000000186dd60012345000c3a4020010db800000000000000000000000120010db8000000000000"
                + "000000000002800003304242000170696e67", HEX.formatHex(f));
    }

    @Test
    void arpRequestMatchesReferenceBytes() {
        byte[] f = Packets.arpRequest().dstMac(Packets.MAC_B).build();
        assertEquals("020000000002020000000001080600010800060400010200000000010a0000010000000000000a000002", HEX.formatHex(f));
    }

    @Test
    void arpRequestGoesToBroadcastAndReplyToItsTarget() {
        Frame req = Packets.arpRequest().targetIp("10.0.0.254").buildFrame();
        assertEquals("ff:ff:ff:ff:ff:ff", req.eth().dst());
        assertEquals(new Frame.Arp(1, Packets.MAC_A, "10.0.0.1", "00:00:00:00:00:00", "10.0.0.254"), req.arp());
        Frame reply = Packets.arpReply().sender("02:aa:bb:cc:dd:ee", "10.0.0.2").target(Packets.MAC_A, "10.0.0.1").buildFrame();
        assertEquals(Packets.MAC_A, reply.eth().dst());
        assertEquals("02:aa:bb:cc:dd:ee", reply.eth().src());
        assertEquals(2, reply.arp().op());
    }

    @Test
    void vlanAndQinqTagsMatchReferenceBytes() {
        assertEquals("0200000000020200000000018100006408004500002112344000401114960a0000010a0000029c400035000d0b8a68656c6c6f",
                HEX.formatHex(Packets.udp4().ipId(0x1234).vlan(100).payload("hello").build()));
        assertEquals("02000000000202000000000188a8000a8100001408004500002112344000401114960a0000010a0000029c400035000d0b8a"
                + "68656c6c6f", HEX.formatHex(Packets.udp4().ipId(0x1234).qinq(10, 20).payload("hello").build()));
    }

    @Test
    void rfc1071ExampleSum() {
        // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to 0xddf2 (carries folded); the checksum is its complement
        assertEquals(0x220d, Checksums.internet(hex("0001f203f4f5f6f7"), 0, 8));
        assertEquals(0x220d, rfc1071(hex("0001f203f4f5f6f7")));
    }

    @Test
    void udpOverIpv6WithExtensionHeadersHasPseudoHeaderChecksum() {
        byte[] f = Packets.udp6().hopByHop().destinationOptions().dst("2001:db8::99", 5353).payloadLength(33).build();
        Frame frame = Frame.parse(f);
        assertEquals(List.of(0, 60), frame.ipv6().extensionHeaders());
        assertEquals(17, frame.ipv6().protocol());
        assertEquals(0, frame.ipv6().nextHeader());
        assertEquals(16 + 8 + 33, frame.ipv6().payloadLength());
        int udpOff = 14 + 40 + 16;
        byte[] seg = java.util.Arrays.copyOfRange(f, udpOff, f.length);
        seg[6] = 0;
        seg[7] = 0;
        ByteArrayOutputStream pseudo = new ByteArrayOutputStream();
        pseudo.writeBytes(hex("20010db8000000000000000000000001"));
        pseudo.writeBytes(hex("20010db8000000000000000000000099"));
        pseudo.writeBytes(new byte[] {0, 0, 0, (byte) seg.length, 0, 0, 0, 17});
        pseudo.writeBytes(seg);
        int want = rfc1071(pseudo.toByteArray());
        assertEquals(want == 0 ? 0xFFFF : want, frame.udp().checksum());
        assertTrue(frame.checksumsValid(), frame.checksumErrors().toString());
        assertEquals(33, frame.payload().length);
    }

    @Test
    void ipv6FragmentHeaderCarriesOffsetAndId() {
        Frame f = Packets.ip6(17).ipId(0xCAFE).fragment(1480, true).payloadLength(64).buildFrame();
        assertEquals(List.of(44), f.ipv6().extensionHeaders());
        byte[] b = f.bytes();
        assertEquals(17, b[54] & 0xFF); // next header after the fragment header
        assertEquals((1480 | 1), ((b[56] & 0xFF) << 8) | (b[57] & 0xFF));
        assertEquals(0xCAFE, ((b[60] & 0xFF) << 8) | (b[61] & 0xFF));
        assertFalse(f.has("udp"), "a later fragment has no UDP header");
    }

    @Test
    void tcpOptionsFlagsAndAck() {
        Frame f = Packets.tcp4().flags("S").mss(1460).ack(77).payload("data").buildFrame();
        assertEquals(24, f.tcp().dataOffset());
        assertTrue(f.tcp().has(Frame.Tcp.SYN | Frame.Tcp.ACK));
        assertEquals("SA", f.tcp().flagString());
        assertEquals(77, f.tcp().ackNumber());
        assertEquals("data", new String(f.payload(), StandardCharsets.US_ASCII));
        assertTrue(f.checksumsValid(), f.checksumErrors().toString());
    }

    @Test
    void neighborSolicitationGoesToSolicitedNodeMulticast() {
        Frame f = Packets.neighborSolicitation("2001:db8::a:bc:de").buildFrame();
        assertEquals("ff02::1:ffbc:de", f.ipv6().dst());
        assertEquals("33:33:ff:bc:00:de", f.eth().dst());
        assertEquals(255, f.ipv6().hopLimit());
        assertEquals(Frame.Icmp.NEIGHBOR_SOLICIT, f.icmp().type());
        byte[] p = f.payload(); // target address, then the source link-layer address option
        assertEquals("20010db8000000000000000a00bc00de", HEX.formatHex(p, 0, 16));
        assertEquals("0101" + Packets.MAC_A.replace(":", ""), HEX.formatHex(p, 16, 24));
        assertTrue(f.checksumsValid(), f.checksumErrors().toString());
    }

    @Test
    void neighborAdvertisementIsSolicitedAndOverride() {
        Frame f = Packets.neighborAdvertisement("2001:db8::1").buildFrame();
        assertEquals(Frame.Icmp.NEIGHBOR_ADVERT, f.icmp().type());
        assertEquals(NdpBuilder.SOLICITED | NdpBuilder.OVERRIDE, f.icmp().restOfHeader());
        assertEquals(Packets.MAC_B, f.eth().dst());
        assertTrue(f.checksumsValid(), f.checksumErrors().toString());
    }

    @Test
    void multicastDestinationsGetMulticastMacs() {
        assertEquals("01:00:5e:7f:00:fb", Packets.udp4().dst("239.255.0.251").buildFrame().eth().dst());
        assertEquals("33:33:00:00:00:fb", Packets.udp6().dst("ff02::fb").buildFrame().eth().dst());
    }

    @Test
    void echoReplyAndOtherIcmpTypes() {
        assertEquals(Frame.Icmp.ECHO_REPLY, Packets.icmp4Echo().reply().buildFrame().icmp().type());
        assertEquals(Frame.Icmp.ECHO6_REPLY, Packets.icmp6Echo().reply().buildFrame().icmp().type());
        Frame unreachable = Packets.icmp4Echo().type(3).code(4).restOfHeader(1400).buildFrame();
        assertEquals(3, unreachable.icmp().type());
        assertEquals(4, unreachable.icmp().code());
        assertEquals(1400, unreachable.icmp().sequence());
        assertTrue(unreachable.checksumsValid());
    }

    @Test
    void padToAddsTrailingZerosOutsideTheIpPacket() {
        Frame f = Packets.udp4().padTo(60).buildFrame();
        assertEquals(60, f.length());
        assertEquals(28, f.ipv4().totalLength());
        assertEquals(0, f.payload().length);
        assertTrue(f.checksumsValid(), f.checksumErrors().toString());
    }

    @Test
    void wrongChecksumsOnPurpose() {
        assertEquals(0xBEEF, Packets.udp4().ipChecksum(0xBEEF).buildFrame().ipv4().checksum());
        assertEquals(0, Packets.udp4().l4Checksum(0).buildFrame().udp().checksum());
        assertTrue(Packets.udp4().l4Checksum(0).buildFrame().checksumsValid(), "UDP over IPv4 may carry no checksum");
        assertFalse(Packets.udp6().l4Checksum(0).buildFrame().checksumsValid(), "UDP over IPv6 must carry one");
    }

    @Test
    void badInputIsOneClearLine() {
        assertEquals("not an IPv4 address: 10.0.0.300",
                assertThrows(IllegalArgumentException.class, () -> Packets.udp4().dst("10.0.0.300")).getMessage());
        assertEquals("not an IPv6 address: 10.0.0.1",
                assertThrows(IllegalArgumentException.class, () -> Packets.udp6().dst("10.0.0.1")).getMessage());
        assertEquals("port 70000: want 0..65535",
                assertThrows(IllegalArgumentException.class, () -> Packets.udp4().dst("10.0.0.2", 70000)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Packets.udp4().vlan(4096));
        assertThrows(IllegalStateException.class, () -> Packets.udp4().hopByHop());
        assertThrows(IllegalArgumentException.class, () -> Packets.tcp4().flags("SX"));
        assertThrows(IllegalArgumentException.class, () -> Packets.udp4().srcMac("02:00:00:00:01"));
    }

    @Test
    void defaultsMakeOneLineFrames() {
        Frame f = Packets.udp4().dst("10.0.0.2", 53).buildFrame();
        assertEquals("eth 02:00:00:00:00:01 > 02:00:00:00:00:02 / ipv4 10.0.0.1 > 10.0.0.2 ttl 64 proto 17 / udp 40000 > 53",
                f.toString());
        assertArrayEquals(f.bytes(), Packets.udp4().build());
    }

    /** RFC 1071 over the whole array, written independently of {@link Checksums}: 32-bit accumulation, then fold. */
    private static int rfc1071(byte[] data) {
        int sum = 0;
        for (int i = 0; i < data.length; i += 2) {
            int hi = data[i] & 0xFF;
            int lo = i + 1 < data.length ? data[i + 1] & 0xFF : 0;
            sum += (hi << 8) + lo;
        }
        sum = (sum >> 16) + (sum & 0xFFFF);
        sum += sum >> 16;
        return ~sum & 0xFFFF;
    }
}
