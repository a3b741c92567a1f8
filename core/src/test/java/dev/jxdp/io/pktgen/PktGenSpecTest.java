package dev.jxdp.io.pktgen;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PktGenSpecTest {

    @Test
    void emptySpecIsOneFlowOf64ByteIpv4Udp() {
        PktGenSpec s = PktGenSpec.parse("");
        assertEquals(1, s.flows());
        assertEquals(64, s.size());
        assertEquals(PktGenSpec.Proto.UDP, s.proto());
        assertEquals(4, s.ip());
        assertEquals(0, s.vlan());
        assertFalse(s.stamp());
        assertEquals("198.18.0.1", s.src().toString());
        assertEquals("198.19.0.1", s.dst().toString());
        assertEquals(0x020000000001L, s.smac());
        assertEquals(0x020000000002L, s.dmac());
    }

    @Test
    void fullSpecFromTheIssue() {
        PktGenSpec s = PktGenSpec.parse("flows=64,size=64,proto=udp,ip=4,vlan=0,src=10.0.0.0/24,dst=10.1.0.1,"
                + "sport=1024-2047,dport=53,smac=02:00:00:00:00:01,dmac=02:00:00:00:00:02,seed=1");
        assertEquals(64, s.flows());
        assertEquals(256, s.src().count());
        assertEquals("10.0.0.0-10.0.0.255", s.src().toString());
        assertEquals(1024, s.sport().first());
        assertEquals(1024, s.sport().count());
        assertEquals(53, s.dport().first());
        assertEquals(1, s.seed());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "flows=64,size=imix,proto=tcp,vlan=100,src=10.0.0.0/24,sport=1000-1063,dport=80,stamp=1",
        "ip=6,proto=icmp,flows=16,src=2001:db8::/120",
        "src=fd00::5-fd00::1:4,dst=fd00:1::/64,flows=300,seed=-7,smac=aa:bb:cc:dd:ee:ff",
        "size=1518,proto=udp,dst=0.0.0.0/0,flows=65536",
        "flows=100,order=shuffle",
    })
    void textRoundTrips(String text) {
        PktGenSpec s = PktGenSpec.parse(text);
        assertEquals(s, PktGenSpec.parse(s.toString()), s.toString());
    }

    @Test
    void ipFollowsTheAddressesWhenNotGiven() {
        assertEquals(6, PktGenSpec.parse("dst=2001:db8::1").ip());
        assertEquals("2001:2::1", PktGenSpec.parse("ip=6").src().toString());
    }

    @Test
    void prefixStartsAtTheNetworkAddress() {
        PktGenSpec.AddrRange r = PktGenSpec.parse("src=10.1.2.77/28").src();
        assertEquals("10.1.2.64-10.1.2.79", r.toString());
    }

    @Test
    void ipv6RangesAreCappedAt2To32Addresses() {
        PktGenSpec.AddrRange r = PktGenSpec.parse("src=2001:db8:1:2::/64").src();
        assertEquals(1L << 32, r.count());
        assertEquals("2001:db8:1:2::-2001:db8:1:2::ffff:ffff", r.toString());
    }

    @Test
    void ipv6RangeAcrossTheHalvesCountsTheBorrow() {
        PktGenSpec.AddrRange r = PktGenSpec.parse("src=fd00::ffff:ffff:ffff:fffe-fd00:0:0:1::1").src();
        assertEquals(4, r.count());
        assertEquals("fd00::ffff:ffff:ffff:fffe-fd00:0:0:1::1", r.toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "foo=1                 | unknown key 'foo' (keys: flows, size, proto, ip, vlan, src, dst, sport, dport, smac, dmac, seed, stamp, order)",
        "size                  | 'size': want key=value (keys: flows, size, proto, ip, vlan, src, dst, sport, dport, smac, dmac, seed, stamp, order)",
        "size=64,size=128      | size: given twice",
        "flows=abc             | flows=abc: not a number",
        "flows=0               | flows=0: want 1..65536",
        "size=60               | size=60: want 64..1518 (bytes on the wire, FCS included) or imix",
        "size=9000             | size=9000: want 64..1518 (bytes on the wire, FCS included) or imix",
        "proto=sctp            | proto=sctp: want udp, tcp or icmp",
        "ip=5                  | ip=5: want 4 or 6",
        "vlan=4095             | vlan=4095: want 1..4094, or 0 for untagged",
        "src=10.0.0.256        | src=10.0.0.256: not an IPv4 address",
        "dst=example.com       | dst=example.com: not an IPv4 or IPv6 address",
        "src=10.0.0.0/33       | src=10.0.0.0/33: want a prefix length 0..32",
        "src=10.0.0.9-10.0.0.1 | src=10.0.0.9-10.0.0.1: the last address is before the first",
        "src=10.0.0.1-fd00::1  | src=10.0.0.1-fd00::1: mixes IPv4 and IPv6",
        "ip=6,src=10.0.0.1     | src=10.0.0.1: not an IPv6 address (ip=6)",
        "src=fd00::1,dst=10.0.0.1 | dst=10.0.0.1: not an IPv6 address (ip=6)",
        "sport=70000           | sport=70000: want a port 0..65535 or a range A-B",
        "dport=90-80           | dport=90-80: the last port is before the first",
        "proto=icmp,dport=1    | dport: not used with proto=icmp (flows differ by src, dst and sport, the echo identifier)",
        "smac=02:00:00:00:01   | smac=02:00:00:00:01: want six hex bytes like 02:00:00:00:00:01",
        "dmac=02:00:00:00:00:zz| dmac=02:00:00:00:00:zz: want six hex bytes like 02:00:00:00:00:01",
        "stamp=yes             | stamp=yes: want 0 or 1",
        "seed=x                | seed=x: not a number",
        "order=random          | order=random: want seq or shuffle",
        "flows=300,sport=1-256 | flows=300: the ranges give only 256 distinct flows (every range steps once per flow; widen one, or make their lengths coprime)",
    })
    void badSpecsSayWhatIsWrong(String text, String message) {
        PktGenSpecException e = assertThrows(PktGenSpecException.class, () -> PktGenSpec.parse(text));
        assertEquals(message, e.getMessage());
    }

    @Test
    void coprimeRangesGiveTheProductOfDistinctFlows() {
        // 256 sources and 255 ports step together: the tuples repeat after lcm(256, 255) flows
        PktGenSpec s = PktGenSpec.parse("flows=65280,src=10.0.0.0/24,sport=1-255");
        assertEquals(65280, s.flows());
        assertThrows(PktGenSpecException.class, () -> PktGenSpec.parse("flows=1000,src=10.0.0.0/24,sport=1-256"));
    }
}
