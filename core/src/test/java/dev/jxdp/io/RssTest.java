package dev.jxdp.io;

import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.io.pktgen.PktGen;
import dev.jxdp.io.pktgen.PktGenSpec;
import dev.jxdp.io.pktgen.Toeplitz;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** RSS over received frames: the NIC's 4-tuple Toeplitz hash and the default indirection table. */
class RssTest {
    private static Arena arena;
    private static long buf;

    @BeforeAll
    static void buffer() {
        arena = Arena.ofConfined();
        buf = arena.allocate(4096, 64).address();
    }

    @AfterAll
    static void free() {
        arena.close();
    }

    private static int hash(byte[] frame) {
        Mem.write(buf, frame);
        return Rss.hash(buf, frame.length);
    }

    /** Ethernet + IPv4 (IHL 5) + 8 bytes of L4 with the ports; {@code fragOff} the flags/offset field. */
    private static byte[] ipv4(String src, String dst, int proto, int sport, int dport, int fragOff) {
        byte[] f = new byte[14 + 20 + 8];
        f[12] = 0x08;
        f[14] = 0x45;
        f[14 + 6] = (byte) (fragOff >>> 8);
        f[14 + 7] = (byte) fragOff;
        f[14 + 9] = (byte) proto;
        System.arraycopy(java.net.InetAddress.ofLiteral(src).getAddress(), 0, f, 26, 4);
        System.arraycopy(java.net.InetAddress.ofLiteral(dst).getAddress(), 0, f, 30, 4);
        f[34] = (byte) (sport >>> 8);
        f[35] = (byte) sport;
        f[36] = (byte) (dport >>> 8);
        f[37] = (byte) dport;
        return f;
    }

    @Test
    void ipv4TcpAndUdpHashTheFourTupleAsMicrosoftsSuiteSays() {
        // "Verifying the RSS Hash Calculation": 66.9.149.187:2794 -> 161.142.100.80:1766
        assertEquals(0x51ccc178, hash(ipv4("66.9.149.187", "161.142.100.80", 6, 2794, 1766, 0x4000)));
        assertEquals(0x51ccc178, hash(ipv4("66.9.149.187", "161.142.100.80", 17, 2794, 1766, 0)));
        assertEquals(0xc626b0ea, hash(ipv4("199.92.111.2", "65.69.140.83", 6, 14230, 4739, 0)));
    }

    @Test
    void otherProtocolsAndFragmentsHashTheAddressesOnly() {
        assertEquals(0x323e8fc2, hash(ipv4("66.9.149.187", "161.142.100.80", 1, 2794, 1766, 0)), "ICMP");
        assertEquals(0x323e8fc2, hash(ipv4("66.9.149.187", "161.142.100.80", 17, 2794, 1766, 0x2000)), "first fragment");
        assertEquals(0x323e8fc2, hash(ipv4("66.9.149.187", "161.142.100.80", 17, 2794, 1766, 0x0010)), "later fragment");
    }

    @Test
    void ipv6UdpHashesItsFourTuple() {
        byte[] f = new byte[14 + 40 + 8];
        f[12] = (byte) 0x86;
        f[13] = (byte) 0xdd;
        f[14] = 0x60;
        f[14 + 6] = 17;
        System.arraycopy(java.net.InetAddress.ofLiteral("3ffe:2501:200:1fff::7").getAddress(), 0, f, 22, 16);
        System.arraycopy(java.net.InetAddress.ofLiteral("3ffe:2501:200:3::1").getAddress(), 0, f, 38, 16);
        f[54] = (byte) (2794 >>> 8);
        f[55] = (byte) 2794;
        f[56] = (byte) (1766 >>> 8);
        f[57] = (byte) 1766;
        assertEquals(0x40207d3d, hash(f));
        f[14 + 6] = 0;  // a hop-by-hop header first: the addresses only
        assertEquals(0x2cc18cd5, hash(f));
    }

    @Test
    void vlanTagsAreLookedThrough() {
        byte[] plain = ipv4("66.9.149.187", "161.142.100.80", 6, 2794, 1766, 0);
        byte[] tagged = new byte[plain.length + 4];
        System.arraycopy(plain, 0, tagged, 0, 12);
        tagged[12] = (byte) 0x81;
        tagged[15] = 42;
        System.arraycopy(plain, 12, tagged, 16, plain.length - 12);
        assertEquals(0x51ccc178, hash(tagged));
    }

    @Test
    void nonIpAndShortFramesGoToQueueZero() {
        byte[] arp = HexFormat.of().parseHex("ffffffffffff020000000001080600010800060400010200000000010a0000010000000000000a000002");
        assertEquals(0, hash(arp));
        assertEquals(0, Rss.queueOf(buf, arp.length, 4));
        byte[] cut = java.util.Arrays.copyOf(ipv4("66.9.149.187", "161.142.100.80", 6, 2794, 1766, 0), 30);
        assertEquals(0, hash(cut), "an IPv4 header cut short");
        byte[] noPorts = java.util.Arrays.copyOf(ipv4("66.9.149.187", "161.142.100.80", 6, 2794, 1766, 0), 34);
        assertEquals(0x323e8fc2, hash(noPorts), "TCP without its ports: the addresses");
    }

    @Test
    void theIndirectionTableTakesTheLowSevenBitsRoundRobin() {
        assertEquals(0, Rss.queueOf(0x80, 3), "entry 0");
        assertEquals(127 % 3, Rss.queueOf(0xffffffff, 3));
        assertEquals(5 % 4, Rss.queueOf(0x12345605, 4));
    }

    @ParameterizedTest
    @ValueSource(strings = {"flows=300,proto=udp", "flows=300,proto=tcp,ip=6", "flows=50,proto=icmp", "flows=77,vlan=7,ip=6",
            "flows=64,proto=icmp,ip=6"})
    void pktgenFramesHashAsPktgenSaysItsFlowsDo(String spec) {
        try (PktGen gen = new PktGen(PktGenSpec.parse(spec))) {
            for (int f = 0; f < gen.flows(); f++) {
                int len = gen.fill(buf, 4096, f);
                assertEquals(gen.rssHash(f), Rss.hash(buf, len), "flow " + f);
                assertEquals(gen.queueOf(f, 3), Rss.queueOf(buf, len, 3), "flow " + f);
            }
        }
    }

    @Test
    void theTableAgreesWithTheBitwiseToeplitz() {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        for (int i = 0; i < 500; i++) {
            byte[] f = ipv4("10.0.0.1", "10.0.0.2", 17, 0, 0, 0);
            for (int b = 26; b < 38; b++) {
                f[b] = (byte) rnd.nextInt(256);
            }
            assertEquals(Toeplitz.hash(java.util.Arrays.copyOfRange(f, 26, 38)), hash(f));
        }
    }
}
