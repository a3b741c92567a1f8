package dev.jxdp;

import java.nio.ByteBuffer;

/** Small IPv4 frames for the API tests: Ethernet, IPv4 (checksummed), then UDP, TCP or ICMP echo. */
final class Frames {
    private Frames() {}

    static final int UDP = 17;
    static final int TCP = 6;
    static final int ICMP = 1;

    /** An IPv4 frame from {@code src} to 10.0.0.2 with an 8-byte L4 header and {@code payload} zero bytes. */
    static byte[] ipv4(int proto, int src, int sport, int dport, int payload) {
        int l4 = proto == TCP ? 20 : 8;
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + l4 + payload);
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        int ip = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4 + payload)).putShort((short) 0x1234)
                .putShort((short) 0x4000).put((byte) 64).put((byte) proto).putShort((short) 0)
                .putInt(src).putInt(0x0a000002);
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += b.getShort(ip + i) & 0xffff;
        }
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        b.putShort(ip + 10, (short) ~sum);
        if (proto == ICMP) {
            b.put((byte) 8).put((byte) 0).putShort((short) ~(8 << 8)).putShort((short) 1).putShort((short) 1);
        } else {
            b.putShort((short) sport).putShort((short) dport);
            if (proto == TCP) {
                b.putInt(1).putInt(0).put((byte) 0x50).put((byte) 0x02).putShort((short) 512).putInt(0);
            } else {
                b.putShort((short) (8 + payload)).putShort((short) 0);
            }
        }
        return b.array();
    }

    static byte[] udp(int dport) {
        return ipv4(UDP, 0x0a000001, 4242, dport, 16);
    }

    /** An ARP-typed frame: not IPv4, so most programs pass it. */
    static byte[] arp() {
        byte[] f = new byte[60];
        f[12] = 0x08;
        f[13] = 0x06;
        return f;
    }
}
