package dev.jxdp.junit;

/**
 * A TCP segment over IPv4 or IPv6, its checksum computed over the pseudo-header. Defaults: ports
 * {@value Packets#PORT_A} to 80, flags SYN, sequence 1, acknowledgment 0, window 65535, no options.
 */
public final class TcpBuilder extends IpBuilder<TcpBuilder> {
    private int srcPort = Packets.PORT_A;
    private int dstPort = 80;
    private int flags = Frame.Tcp.SYN;
    private long seq = 1;
    private long ack;
    private int window = 65535;
    private int urgent;
    private byte[] options = new byte[0];

    TcpBuilder(boolean v6) {
        super(v6);
    }

    /** Source address and port. */
    public TcpBuilder src(String ip, int port) {
        return src(ip).srcPort(port);
    }

    /** Destination address and port. */
    public TcpBuilder dst(String ip, int port) {
        return dst(ip).dstPort(port);
    }

    /** The source port. */
    public TcpBuilder srcPort(int port) {
        this.srcPort = checkPort(port);
        return this;
    }

    /** The destination port. */
    public TcpBuilder dstPort(int port) {
        this.dstPort = checkPort(port);
        return this;
    }

    /**
     * The flags byte, e.g. {@code Frame.Tcp.SYN | Frame.Tcp.ACK}; or by letters, {@link #flags(String)}.
     */
    public TcpBuilder flags(int flags) {
        this.flags = checkByte("TCP flags", flags);
        return this;
    }

    /**
     * The flags by letter as tcpdump prints them: F(IN) S(YN) R(ST) P(SH) A(CK) U(RG) E(CE) W (CWR); e.g.
     * {@code "SA"} for SYN-ACK, {@code ""} for none.
     */
    public TcpBuilder flags(String letters) {
        return flags(Frame.Tcp.parseFlags(letters));
    }

    /** The sequence number (32 bits). */
    public TcpBuilder seq(long seq) {
        this.seq = seq & 0xFFFFFFFFL;
        return this;
    }

    /** The acknowledgment number (32 bits); sets the ACK flag. */
    public TcpBuilder ack(long ack) {
        this.ack = ack & 0xFFFFFFFFL;
        this.flags |= Frame.Tcp.ACK;
        return this;
    }

    /** The receive window (unscaled, 16 bits). */
    public TcpBuilder window(int window) {
        if (window < 0 || window > 0xFFFF) {
            throw new IllegalArgumentException("TCP window " + window + ": want 0..65535");
        }
        this.window = window;
        return this;
    }

    /** The urgent pointer (meaningful with the URG flag). */
    public TcpBuilder urgentPointer(int urgent) {
        this.urgent = urgent & 0xFFFF;
        return this;
    }

    /** Raw TCP options, zero-padded to a multiple of 4 bytes; the data offset follows. */
    public TcpBuilder options(byte[] options) {
        if (options.length > 40) {
            throw new IllegalArgumentException("TCP options of " + options.length + " bytes: at most 40 fit");
        }
        this.options = java.util.Arrays.copyOf(options, (options.length + 3) & ~3);
        return this;
    }

    /** A maximum segment size option (kind 2). */
    public TcpBuilder mss(int mss) {
        return options(new byte[] {2, 4, (byte) (mss >>> 8), (byte) mss});
    }

    @Override
    int protocol() {
        return 6;
    }

    @Override
    byte[] transport() {
        ByteWriter w = new ByteWriter();
        int dataOffset = (20 + options.length) / 4;
        w.u16(srcPort).u16(dstPort).u32(seq).u32(ack).u8(dataOffset << 4).u8(flags).u16(window).u16(0).u16(urgent);
        w.bytes(options).bytes(payload);
        byte[] seg = w.toByteArray();
        fillChecksum(seg, 16, true, false);
        return seg;
    }
}
