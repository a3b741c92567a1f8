package dev.jxdp.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class FrameTest {
    @Test
    void parsesEveryLayerOfATaggedTcp6Frame() {
        Frame f = Packets.tcp6().src("2001:db8::10", 1234).dst("2001:db8::20", 22).ttl(5).tos(0x2e).vlan(7, 3)
                .flags("PA").seq(0xFFFFFFF0L).ack(9).window(512).payload("ssh").buildFrame();
        assertEquals(List.of("eth", "vlan", "ipv6", "tcp"), f.layers());
        assertEquals(new Frame.Vlan(0x8100, 3, false, 7), f.vlan());
        assertEquals(0x86DD, f.etherType());
        assertEquals("2001:db8::10", f.ipv6().src());
        assertEquals(5, f.ipv6().hopLimit());
        assertEquals(0x2e, f.ipv6().trafficClass());
        assertEquals(new Frame.Tcp(1234, 22, 0xFFFFFFF0L, 9, 20, Frame.Tcp.PSH | Frame.Tcp.ACK, 512, f.tcp().checksum(), 0), f.tcp());
        assertTrue(f.checksumsValid(), f.checksumErrors().toString());
    }

    @Test
    void aFlippedByteBreaksTheRightChecksum() {
        byte[] b = Packets.udp4().payload("hello").build();
        b[b.length - 1] ^= 1;
        Frame f = Frame.parse(b);
        assertFalse(f.checksumsValid());
        assertEquals(1, f.checksumErrors().size());
        assertTrue(f.checksumErrors().getFirst().startsWith("udp checksum 0x"), f.checksumErrors().toString());

        byte[] c = Packets.tcp4().build();
        c[14 + 8] = 63; // TTL: the IPv4 header checksum covers it, TCP's does not
        Frame g = Frame.parse(c);
        assertEquals(1, g.checksumErrors().size());
        assertTrue(g.checksumErrors().getFirst().startsWith("ipv4 header checksum"), g.checksumErrors().toString());
    }

    @Test
    void errorNamesTheRightValue() {
        byte[] good = Packets.icmp4Echo().build();
        byte[] bad = good.clone();
        bad[14 + 20 + 2] = 0;
        bad[14 + 20 + 3] = 0;
        int want = ((good[36] & 0xFF) << 8) | (good[37] & 0xFF);
        assertEquals(List.of(String.format("icmp checksum 0x0000, want 0x%04x", want)), Frame.parse(bad).checksumErrors());
    }

    @Test
    void aCutFrameHasNoCheckableChecksumAndSaysWhere() {
        byte[] b = Packets.udp4().payload("hello world").build();
        Frame f = Frame.parse(java.util.Arrays.copyOf(b, b.length - 3));
        assertTrue(f.has("udp"));
        assertFalse(f.checksumsValid());
        Frame g = Frame.parse(java.util.Arrays.copyOf(b, 14 + 10));
        assertFalse(g.has("ipv4"));
        assertTrue(g.toString().endsWith("cut short in ipv4"), g.toString());
        assertEquals("6 bytes, too short for an Ethernet header", Frame.parse(new byte[6]).toString());
    }

    @Test
    void askingForAMissingHeaderSaysWhatIsThere() {
        Frame f = Packets.arpRequest().buildFrame();
        IllegalStateException e = assertThrows(IllegalStateException.class, f::ipv4);
        assertEquals("the frame has no IPv4 header: eth 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff / arp who-has 10.0.0.2 tell 10.0.0.1",
                e.getMessage());
    }

    @Test
    void ipv4FragmentFlags() {
        Frame first = Packets.udp4().fragment(0, true).buildFrame();
        assertTrue(first.ipv4().moreFragments());
        assertFalse(first.ipv4().dontFragment());
        assertTrue(first.has("udp"));
        assertTrue(first.checksumsValid(), "a fragment's UDP checksum is not checked");
        Frame later = Packets.ip4(17).fragment(1480, false).payloadLength(20).buildFrame();
        assertEquals(1480, later.ipv4().fragmentOffset());
        assertFalse(later.has("udp"));
        assertEquals(20, later.payload().length);
    }

    @Test
    void ipv6AddressesPrintInRfc5952Form() {
        Frame f = Packets.udp6().src("2001:0db8:0000:0000:0001:0000:0000:0001").dst("fe80::").buildFrame();
        assertEquals("2001:db8::1:0:0:1", f.ipv6().src());
        assertEquals("fe80::", f.ipv6().dst());
        assertEquals("::1", Addresses.ipv6(Addresses.ipv6("::1"), 0));
        assertEquals("1:0:2:0:3:0:4:0", Addresses.ipv6(Addresses.ipv6("1:0:2:0:3:0:4:0"), 0));
    }

    @Test
    void hexdumpDiffMarksDifferingRows() {
        byte[] a = Packets.udp4().build();
        byte[] b = a.clone();
        b[20] = 0x7f;
        String d = Hexdump.diff(a, b);
        assertTrue(d.startsWith("expected 42 bytes, actual 42 bytes, first difference at offset 20 (0x14)\n"), d);
        List<String> rows = d.lines().toList();
        assertTrue(rows.get(2).startsWith("0000  ") && rows.get(2).contains(" | "), rows.get(2));
        assertTrue(rows.get(3).startsWith("0010  ") && rows.get(3).contains(" < "), rows.get(3));
    }
}
