package dev.jxdp.junit;

/**
 * An ICMP (over IPv4) or ICMPv6 message: type, code, the four bytes after the checksum (for echo: identifier and
 * sequence number), payload. The ICMPv6 checksum covers the pseudo-header, ICMP's only the message. Defaults for the
 * echo factories: identifier 0x1234, sequence 1, empty payload.
 */
public final class IcmpBuilder extends IpBuilder<IcmpBuilder> {
    private int type;
    private int code;
    private long rest;

    IcmpBuilder(boolean v6, int type) {
        super(v6);
        this.type = type;
        this.rest = 0x1234_0001L;
    }

    /**
     * The message type, e.g. 3 (destination unreachable) or, over IPv6, 1.
     *
     * @param type the type
     * @return this builder
     */
    public IcmpBuilder type(int type) {
        this.type = checkByte("ICMP type", type);
        return this;
    }

    /**
     * The message code.
     *
     * @param code the code
     * @return this builder
     */
    public IcmpBuilder code(int code) {
        this.code = checkByte("ICMP code", code);
        return this;
    }

    /**
     * Makes an echo request an echo reply (ICMP type 0, ICMPv6 129).
     *
     * @return this builder
     */
    public IcmpBuilder reply() {
        this.type = v6 ? Frame.Icmp.ECHO6_REPLY : Frame.Icmp.ECHO_REPLY;
        return this;
    }

    /**
     * The echo identifier: the upper half of the four bytes after the checksum.
     *
     * @param id the identifier
     * @return this builder
     */
    public IcmpBuilder echoId(int id) {
        this.rest = (rest & 0xFFFF) | ((long) (id & 0xFFFF) << 16);
        return this;
    }

    /**
     * The echo sequence number: the lower half of the four bytes after the checksum.
     *
     * @param seq the sequence number
     * @return this builder
     */
    public IcmpBuilder sequence(int seq) {
        this.rest = (rest & 0xFFFF_0000L) | (seq & 0xFFFF);
        return this;
    }

    /**
     * The four bytes after the checksum, whatever the type makes of them (e.g. the MTU of "fragmentation needed").
     *
     * @param value the value, 16 bits
     * @return this builder
     */
    public IcmpBuilder restOfHeader(long value) {
        this.rest = value & 0xFFFFFFFFL;
        return this;
    }

    @Override
    int protocol() {
        return v6 ? 58 : 1;
    }

    @Override
    byte[] transport() {
        ByteWriter w = new ByteWriter();
        w.u8(type).u8(code).u16(0).u32(rest).bytes(payload);
        byte[] seg = w.toByteArray();
        fillChecksum(seg, 2, v6, false);
        return seg;
    }
}
