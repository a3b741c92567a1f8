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

    /**
     * Source address and port.
     *
     * @param ip the address, in the text form of its family
     * @param port the port, 0..65535
     * @return this builder
     */
    public TcpBuilder src(String ip, int port) {
        return src(ip).srcPort(port);
    }

    /**
     * Destination address and port.
     *
     * @param ip the address, in the text form of its family
     * @param port the port, 0..65535
     * @return this builder
     */
    public TcpBuilder dst(String ip, int port) {
        return dst(ip).dstPort(port);
    }

    /**
     * The source port.
     *
     * @param port the port, 0..65535
     * @return this builder
     */
    public TcpBuilder srcPort(int port) {
        this.srcPort = checkPort(port);
        return this;
    }

    /**
     * The destination port.
     *
     * @param port the port, 0..65535
     * @return this builder
     */
    public TcpBuilder dstPort(int port) {
        this.dstPort = checkPort(port);
        return this;
    }

    /**
     * The flags byte, e.g. {@code Frame.Tcp.SYN | Frame.Tcp.ACK}; or by letters, {@link #flags(String)}.
     *
     * @param flags the flags
     * @return this builder
     */
    public TcpBuilder flags(int flags) {
        this.flags = checkByte("TCP flags", flags);
        return this;
    }

    /**
     * The flags by letter as tcpdump prints them: F(IN) S(YN) R(ST) P(SH) A(CK) U(RG) E(CE) W (CWR); e.g.
     * {@code "SA"} for SYN-ACK, {@code ""} for none.
     *
     * @param letters the flags by letter
     * @return this builder
     */
    public TcpBuilder flags(String letters) {
        return flags(Frame.Tcp.parseFlags(letters));
    }

    /**
     * The sequence number (32 bits).
     *
     * @param seq the sequence number
     * @return this builder
     */
    public TcpBuilder seq(long seq) {
        this.seq = seq & 0xFFFFFFFFL;
        return this;
    }

    /**
     * The acknowledgment number (32 bits); sets the ACK flag.
     *
     * @param ack the acknowledgment number
     * @return this builder
     */
    public TcpBuilder ack(long ack) {
        this.ack = ack & 0xFFFFFFFFL;
        this.flags |= Frame.Tcp.ACK;
        return this;
    }

    /**
     * The receive window (unscaled, 16 bits).
     *
     * @param window the window
     * @return this builder
     */
    public TcpBuilder window(int window) {
        if (window < 0 || window > 0xFFFF) {
            throw new IllegalArgumentException("TCP window " + window + ": want 0..65535");
        }
        this.window = window;
        return this;
    }

    /**
     * The urgent pointer (meaningful with the URG flag).
     *
     * @param urgent the urgent pointer
     * @return this builder
     */
    public TcpBuilder urgentPointer(int urgent) {
        this.urgent = urgent & 0xFFFF;
        return this;
    }

    /**
     * Raw TCP options, zero-padded to a multiple of 4 bytes; the data offset follows.
     *
     * @param options the option bytes
     * @return this builder
     */
    public TcpBuilder options(byte[] options) {
        if (options.length > 40) {
            throw new IllegalArgumentException("TCP options of " + options.length + " bytes: at most 40 fit");
        }
        this.options = java.util.Arrays.copyOf(options, (options.length + 3) & ~3);
        return this;
    }

    /**
     * A maximum segment size option (kind 2).
     *
     * @param mss the maximum segment size
     * @return this builder
     */
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
