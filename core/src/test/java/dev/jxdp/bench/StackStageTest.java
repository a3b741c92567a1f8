package dev.jxdp.bench;

import dev.jxdp.ebpf.runtime.XdpBuff;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The benchmarks' stack stage: IPv4 header checks as ip_rcv() makes them, a count per protocol. */
class StackStageTest {

    private static StackStage seen(byte[]... frames) {
        StackStage s = new StackStage();
        try (Arena a = Arena.ofConfined()) {
            XdpBuff buff = XdpBuff.allocate(a);
            for (byte[] f : frames) {
                buff.load(f);
                s.pass(buff);
            }
        }
        return s;
    }

    /** Sets the IPv4 header checksum of {@code f} right for its (edited) header. */
    private static byte[] fixChecksum(byte[] f) {
        f[24] = 0;
        f[25] = 0;
        int sum = 0;
        for (int i = 14; i < 34; i += 2) {
            sum += (f[i] & 0xff) << 8 | f[i + 1] & 0xff;
        }
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = ~((sum & 0xffff) + (sum >>> 16)) & 0xffff;
        f[24] = (byte) (sum >>> 8);
        f[25] = (byte) sum;
        return f;
    }

    @Test
    void pktgenFramesAreValidIpv4Udp() {
        StackStage s = seen(BuiltinProgramTest.frame(0), BuiltinProgramTest.frame(57));
        assertEquals(2, s.udp());
        assertEquals(2, s.total());
    }

    @Test
    void aBadHeaderChecksumIsCountedNotTaken() {
        byte[] f = BuiltinProgramTest.frame(0);
        f[25] ^= 1;
        StackStage s = seen(f);
        assertEquals(1, s.badHeader());
        assertEquals(0, s.udp());
    }

    @Test
    void aBadVersionOrLengthIsCountedNotTaken() {
        byte[] v6 = BuiltinProgramTest.frame(0);
        v6[14] = 0x65;
        byte[] shortIhl = BuiltinProgramTest.frame(0);
        shortIhl[14] = 0x44;
        byte[] longIhl = BuiltinProgramTest.frame(0);
        longIhl[14] = 0x4f;  // 60 bytes of header in a 60-byte frame
        StackStage s = seen(fixChecksum(v6), fixChecksum(shortIhl), fixChecksum(longIhl));
        assertEquals(3, s.badHeader());
    }

    @Test
    void eachProtocolIsCountedAndTheRestIsOther() {
        byte[] tcp = BuiltinProgramTest.frame(0);
        tcp[23] = 6;
        byte[] icmp = BuiltinProgramTest.frame(0);
        icmp[23] = 1;
        byte[] gre = BuiltinProgramTest.frame(0);
        gre[23] = 47;
        byte[] arp = BuiltinProgramTest.frame(0);
        arp[12] = 0x08;
        arp[13] = 0x06;
        StackStage s = seen(fixChecksum(tcp), fixChecksum(icmp), fixChecksum(gre), arp, Arrays.copyOf(tcp, 30));
        assertEquals(1, s.tcp());
        assertEquals(1, s.icmp());
        assertEquals(3, s.other(), "GRE, ARP and a frame too short for an IPv4 header");
        assertEquals(0, s.badHeader());
    }
}
