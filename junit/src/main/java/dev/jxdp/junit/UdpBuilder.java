package dev.jxdp.junit;

/**
 * A UDP datagram over IPv4 or IPv6, its checksum computed over the pseudo-header. Defaults: ports
 * {@value Packets#PORT_A} to 53, empty payload.
 */
public final class UdpBuilder extends IpBuilder<UdpBuilder> {
    private int srcPort = Packets.PORT_A;
    private int dstPort = 53;

    UdpBuilder(boolean v6) {
        super(v6);
    }

    /**
     * Source address and port.
     *
     * @param ip the address, in the text form of its family
     * @param port the port, 0..65535
     * @return this builder
     */
    public UdpBuilder src(String ip, int port) {
        return src(ip).srcPort(port);
    }

    /**
     * Destination address and port.
     *
     * @param ip the address, in the text form of its family
     * @param port the port, 0..65535
     * @return this builder
     */
    public UdpBuilder dst(String ip, int port) {
        return dst(ip).dstPort(port);
    }

    /**
     * The source port.
     *
     * @param port the port, 0..65535
     * @return this builder
     */
    public UdpBuilder srcPort(int port) {
        this.srcPort = checkPort(port);
        return this;
    }

    /**
     * The destination port.
     *
     * @param port the port, 0..65535
     * @return this builder
     */
    public UdpBuilder dstPort(int port) {
        this.dstPort = checkPort(port);
        return this;
    }

    @Override
    int protocol() {
        return 17;
    }

    @Override
    byte[] transport() {
        ByteWriter w = new ByteWriter();
        w.u16(srcPort).u16(dstPort).u16(8 + payload.length).u16(0).bytes(payload);
        byte[] seg = w.toByteArray();
        fillChecksum(seg, 6, true, true);
        return seg;
    }
}
