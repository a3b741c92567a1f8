package dev.jxdp.cli;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/** Builds small well-formed Ethernet frames (IPv4/IPv6, UDP/TCP/ICMP, ARP) for the demo. */
final class Frames {
    private Frames() {}

    static final byte[] MAC_A = {2, 0, 0, 0, 0, 1};
    static final byte[] MAC_B = {2, 0, 0, 0, 0, 2};

    static byte[] ipv4(int a, int b, int c, int d) {
        return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d};
    }

    static byte[] ethernet(int etherType, byte[] payload) {
        ByteBuffer bb = ByteBuffer.allocate(14 + payload.length);
        bb.put(MAC_B).put(MAC_A).putShort((short) etherType).put(payload);
        return bb.array();
    }

    static byte[] ipv4Packet(byte[] src, byte[] dst, int proto, byte[] l4) {
        ByteBuffer ip = ByteBuffer.allocate(20 + l4.length);
        ip.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4.length)).putShort((short) 0x1234)
                .putShort((short) 0x4000).put((byte) 64).put((byte) proto).putShort((short) 0).put(src).put(dst);
        byte[] out = ip.put(l4).array();
        int sum = checksum(out, 0, 20, 0);
        out[10] = (byte) (sum >>> 8);
        out[11] = (byte) sum;
        return ethernet(0x0800, out);
    }

    static byte[] udp(byte[] src, byte[] dst, int sport, int dport, String payload) {
        byte[] data = payload.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ByteBuffer u = ByteBuffer.allocate(8 + data.length);
        u.putShort((short) sport).putShort((short) dport).putShort((short) (8 + data.length)).putShort((short) 0).put(data);
        return ipv4Packet(src, dst, 17, u.array());
    }

    static byte[] tcpSyn(byte[] src, byte[] dst, int sport, int dport) {
        ByteBuffer t = ByteBuffer.allocate(20);
        t.putShort((short) sport).putShort((short) dport).putInt(1000).putInt(0).put((byte) 0x50).put((byte) 0x02)
                .putShort((short) 64240).putShort((short) 0).putShort((short) 0);
        return ipv4Packet(src, dst, 6, t.array());
    }

    static byte[] icmpEcho(byte[] src, byte[] dst, int id, int seq) {
        ByteBuffer i = ByteBuffer.allocate(16);
        i.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) id).putShort((short) seq).put("jxdp-png".getBytes());
        byte[] icmp = i.array();
        int sum = checksum(icmp, 0, icmp.length, 0);
        icmp[2] = (byte) (sum >>> 8);
        icmp[3] = (byte) sum;
        return ipv4Packet(src, dst, 1, icmp);
    }

    static byte[] arpRequest(byte[] sender, byte[] target) {
        ByteBuffer a = ByteBuffer.allocate(28);
        a.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1)
                .put(MAC_A).put(sender).put(new byte[6]).put(target);
        return ethernet(0x0806, a.array());
    }

    static byte[] ipv6Udp(int dport) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] udp = {0x30, 0x39, (byte) (dport >>> 8), (byte) dport, 0, 12, 0, 0, 'h', 'i', '!', '\n'};
        byte[] hdr = {0x60, 0, 0, 0, 0, (byte) udp.length, 17, 64};
        b.writeBytes(hdr);
        byte[] src = new byte[16];
        src[0] = 0x20;
        src[1] = 0x01;
        src[2] = 0x0d;
        src[3] = (byte) 0xb8;
        src[15] = 1;
        byte[] dst = src.clone();
        dst[15] = 2;
        b.writeBytes(src);
        b.writeBytes(dst);
        b.writeBytes(udp);
        return ethernet(0x86dd, b.toByteArray());
    }

    /** The Internet checksum (RFC 1071) of data[off, off+len), folded and complemented. */
    static int checksum(byte[] data, int off, int len, int initial) {
        long sum = initial;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += ((data[off + i] & 0xff) << 8) | (data[off + i + 1] & 0xff);
        }
        if ((len & 1) != 0) {
            sum += (data[off + len - 1] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
