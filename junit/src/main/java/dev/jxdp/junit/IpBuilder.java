package dev.jxdp.junit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The IP layer of a frame, IPv4 (no options, header checksum computed) or IPv6 (with optional extension headers),
 * fixed by the factory that made the builder. Defaults: {@value Packets#IP4_A} to {@value Packets#IP4_B} or
 * {@value Packets#IP6_A} to {@value Packets#IP6_B}, TTL (hop limit) 64, TOS 0, IPv4 id 1 with don't-fragment set.
 *
 * @param <B> the concrete builder, so that chained calls keep its type
 */
public abstract class IpBuilder<B extends IpBuilder<B>> extends FrameBuilder<B> {
    /** IPv6 extension header types (RFC 8200). */
    static final int HOP_BY_HOP = 0;
    static final int ROUTING = 43;
    static final int FRAGMENT = 44;
    static final int DESTINATION_OPTIONS = 60;

    final boolean v6;
    byte[] src;
    byte[] dst;
    private int ttl = 64;
    private int tos;
    private int ident = 1;
    private boolean dontFragment = true;
    private int fragOffset;
    private boolean moreFragments;
    private int flowLabel;
    private Integer ipChecksum;
    byte[] payload = new byte[0];
    Integer l4Checksum;
    private final List<Ext> extensions = new ArrayList<>();

    private record Ext(int type, byte[] body) {}

    IpBuilder(boolean v6) {
        this.v6 = v6;
        this.src = v6 ? Addresses.ipv6(Packets.IP6_A) : Addresses.ipv4(Packets.IP4_A);
        this.dst = v6 ? Addresses.ipv6(Packets.IP6_B) : Addresses.ipv4(Packets.IP4_B);
    }

    /**
     * The source address, of this builder's family: {@code "10.0.0.1"} or {@code "2001:db8::1"}.
     *
     * @param ip the address, in the text form of its family
     * @return this builder
     */
    public B src(String ip) {
        this.src = address(ip);
        return self();
    }

    /**
     * The destination address, of this builder's family.
     *
     * @param ip the address, in the text form of its family
     * @return this builder
     */
    public B dst(String ip) {
        this.dst = address(ip);
        return self();
    }

    /**
     * IPv4 time to live, or IPv6 hop limit.
     *
     * @param ttl the time to live (hop limit), 0..255
     * @return this builder
     */
    public B ttl(int ttl) {
        this.ttl = checkByte("TTL", ttl);
        return self();
    }

    /**
     * IPv4 type of service (DSCP and ECN), or IPv6 traffic class.
     *
     * @param tos the type of service (traffic class), 0..255
     * @return this builder
     */
    public B tos(int tos) {
        this.tos = checkByte("TOS", tos);
        return self();
    }

    /**
     * IPv6 flow label (20 bits).
     *
     * @param label the flow label, 0..0xfffff
     * @return this builder
     */
    public B flowLabel(int label) {
        requireV6("a flow label");
        if (label < 0 || label > 0xFFFFF) {
            throw new IllegalArgumentException("flow label " + label + ": want 0..0xfffff");
        }
        this.flowLabel = label;
        return self();
    }

    /**
     * The IPv4 identification field, or the identification of an IPv6 fragment header.
     *
     * @param id the identifier
     * @return this builder
     */
    public B ipId(int id) {
        this.ident = id;
        return self();
    }

    /**
     * Sets or clears IPv4's don't-fragment flag (set by default).
     *
     * @param df true to set the flag
     * @return this builder
     */
    public B dontFragment(boolean df) {
        requireV4("a don't-fragment flag");
        this.dontFragment = df;
        return self();
    }

    /**
     * Makes the packet a fragment: IPv4 offset and more-fragments flag (clearing don't-fragment), or an IPv6 fragment
     * header. {@code offset} is in bytes and a multiple of 8.
     *
     * @param offset the fragment offset in bytes, a multiple of 8
     * @param more whether more fragments follow
     * @return this builder
     */
    public B fragment(int offset, boolean more) {
        if (offset < 0 || offset % 8 != 0 || offset > 0xFFF8) {
            throw new IllegalArgumentException("fragment offset " + offset + ": want a multiple of 8 in 0..65528");
        }
        this.fragOffset = offset;
        this.moreFragments = more;
        if (v6) {
            extensions.add(new Ext(FRAGMENT, null));
        } else {
            this.dontFragment = false;
        }
        return self();
    }

    /**
     * Adds an empty (padding only) IPv6 hop-by-hop options header.
     *
     * @return this builder
     */
    public B hopByHop() {
        return extensionHeader(HOP_BY_HOP, PAD6);
    }

    /**
     * Adds an empty (padding only) IPv6 destination options header.
     *
     * @return this builder
     */
    public B destinationOptions() {
        return extensionHeader(DESTINATION_OPTIONS, PAD6);
    }

    /**
     * Adds an IPv6 extension header of this type with this body: the bytes after its next-header and length bytes,
     * 6 + 8n long. Headers follow the fixed header in the order added; the next-header fields are chained for you.
     *
     * @param type the type
     * @param body the header's body
     * @return this builder
     */
    public B extensionHeader(int type, byte[] body) {
        requireV6("extension headers");
        if ((body.length + 2) % 8 != 0) {
            throw new IllegalArgumentException("extension header body of " + body.length + " bytes: want 6 + 8n");
        }
        extensions.add(new Ext(type, body.clone()));
        return self();
    }

    /**
     * Writes this value in the IPv4 header checksum instead of the correct one (e.g. to test a check for it).
     *
     * @param value the value, 16 bits
     * @return this builder
     */
    public B ipChecksum(int value) {
        requireV4("a header checksum");
        this.ipChecksum = value & 0xFFFF;
        return self();
    }

    /**
     * The bytes after the transport header (for {@link Packets#ip4(int)}: after the IP header).
     *
     * @param payload the bytes
     * @return this builder
     */
    public B payload(byte[] payload) {
        this.payload = payload.clone();
        return self();
    }

    /**
     * The payload as UTF-8 text.
     *
     * @param text the text
     * @return this builder
     */
    public B payload(String text) {
        return payload(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A payload of this many bytes counting up from 0 (0x00 0x01 ... 0xff 0x00 ...).
     *
     * @param length the length in bytes
     * @return this builder
     */
    public B payloadLength(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("payload length " + length + ": want >= 0");
        }
        this.payload = pattern(length);
        return self();
    }

    /**
     * Writes this value in the transport checksum (UDP, TCP, ICMP, ICMPv6) instead of the correct one: to test a
     * program's check, or UDP over IPv4's 0, "no checksum".
     *
     * @param value the value, 16 bits
     * @return this builder
     */
    public B l4Checksum(int value) {
        this.l4Checksum = value & 0xFFFF;
        return self();
    }

    private static final byte[] PAD6 = {1, 4, 0, 0, 0, 0}; // one PadN option filling the header to 8 bytes

    @Override
    final int etherType() {
        return v6 ? 0x86DD : 0x0800;
    }

    @Override
    final void writeBody(ByteWriter w) {
        byte[] l4 = transport();
        if (v6) {
            writeIpv6(w, l4);
        } else {
            writeIpv4(w, l4);
        }
    }

    private void writeIpv4(ByteWriter w, byte[] l4) {
        int start = w.position();
        int flags = (dontFragment ? 0x4000 : 0) | (moreFragments ? 0x2000 : 0) | (fragOffset >>> 3);
        w.u8(0x45).u8(tos).u16(20 + l4.length).u16(ident).u16(flags).u8(ttl).u8(protocol()).u16(0).bytes(src).bytes(dst);
        w.set16(start + 10, ipChecksum != null ? ipChecksum : Checksums.internet(w.array(), start, 20));
        w.bytes(l4);
    }

    private void writeIpv6(ByteWriter w, byte[] l4) {
        int extLen = 0;
        for (Ext e : extensions) {
            extLen += e.body == null ? 8 : e.body.length + 2;
        }
        int first = extensions.isEmpty() ? protocol() : extensions.getFirst().type;
        w.u32((6L << 28) | ((long) tos << 20) | flowLabel).u16(extLen + l4.length).u8(first).u8(ttl).bytes(src).bytes(dst);
        for (int i = 0; i < extensions.size(); i++) {
            Ext e = extensions.get(i);
            int next = i + 1 < extensions.size() ? extensions.get(i + 1).type : protocol();
            if (e.body == null) { // fragment header: fixed 8 bytes
                w.u8(next).u8(0).u16(fragOffset | (moreFragments ? 1 : 0)).u32(ident & 0xFFFFFFFFL);
            } else {
                w.u8(next).u8((e.body.length + 2) / 8 - 1).bytes(e.body);
            }
        }
        w.bytes(l4);
    }

    /** The IP protocol (IPv6: next header after any extension headers) of what {@link #transport()} builds. */
    abstract int protocol();

    /** The bytes after the IP header(s), checksums filled in; {@link #src} and {@link #dst} are final here. */
    abstract byte[] transport();

    /** Fills the L4 checksum at {@code at} of {@code seg}: with the pseudo-header, or without (ICMPv4). */
    final void fillChecksum(byte[] seg, int at, boolean pseudo, boolean zeroMeansNone) {
        int c;
        if (l4Checksum != null) {
            c = l4Checksum;
        } else {
            seg[at] = 0;
            seg[at + 1] = 0;
            c = pseudo ? Checksums.l4(src, dst, protocol(), seg, 0, seg.length) : Checksums.internet(seg, 0, seg.length);
            if (c == 0 && zeroMeansNone) {
                c = 0xFFFF; // UDP: zero says "no checksum" (RFC 768), so a computed zero is sent as all ones
            }
        }
        seg[at] = (byte) (c >>> 8);
        seg[at + 1] = (byte) c;
    }

    /** A multicast destination maps to its multicast MAC (RFC 1112 for IPv4, RFC 2464 for IPv6). */
    @Override
    byte[] defaultDstMac() {
        if (v6 && (dst[0] & 0xFF) == 0xFF) {
            return new byte[] {0x33, 0x33, dst[12], dst[13], dst[14], dst[15]};
        }
        if (!v6 && (dst[0] & 0xF0) == 0xE0) {
            return new byte[] {0x01, 0x00, 0x5E, (byte) (dst[1] & 0x7F), dst[2], dst[3]};
        }
        return super.defaultDstMac();
    }

    private byte[] address(String ip) {
        return v6 ? Addresses.ipv6(ip) : Addresses.ipv4(ip);
    }

    private void requireV6(String what) {
        if (!v6) {
            throw new IllegalStateException("an IPv4 packet has no " + what + ": build it with a ...6() factory");
        }
    }

    private void requireV4(String what) {
        if (v6) {
            throw new IllegalStateException("an IPv6 packet has no " + what + ": build it with a ...4() factory");
        }
    }

    static int checkByte(String what, int v) {
        if (v < 0 || v > 255) {
            throw new IllegalArgumentException(what + " " + v + ": want 0..255");
        }
        return v;
    }

    static int checkPort(int port) {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port " + port + ": want 0..65535");
        }
        return port;
    }

    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }
}
