package dev.jxdp.junit;

/**
 * An ARP request or reply for IPv4 over Ethernet (RFC 826). Defaults: sender {@value Packets#MAC_A} at
 * {@value Packets#IP4_A}, target {@value Packets#IP4_B}; a request's target MAC is zero and it goes to broadcast, a
 * reply's target MAC is {@value Packets#MAC_B} and it goes there. The Ethernet source follows the sender MAC unless set.
 */
public final class ArpBuilder extends FrameBuilder<ArpBuilder> {
    /** ARP operation 1, a request. */
    public static final int REQUEST = 1;
    /** ARP operation 2, a reply. */
    public static final int REPLY = 2;

    private int op;
    private byte[] senderMac = Addresses.mac(Packets.MAC_A);
    private byte[] senderIp = Addresses.ipv4(Packets.IP4_A);
    private byte[] targetMac;
    private byte[] targetIp = Addresses.ipv4(Packets.IP4_B);

    ArpBuilder(int op) {
        this.op = op;
        this.targetMac = op == REQUEST ? new byte[6] : Addresses.mac(Packets.MAC_B);
    }

    /**
     * The operation: {@link #REQUEST}, {@link #REPLY} or another code.
     *
     * @param op the operation code
     * @return this builder
     */
    public ArpBuilder op(int op) {
        this.op = op & 0xFFFF;
        return this;
    }

    /**
     * The sender hardware and protocol addresses (the Ethernet source follows the MAC unless set).
     *
     * @param mac the MAC address, six hex bytes separated by colons (e.g. {@code "02:00:00:00:00:01"})
     * @param ip the address, in the text form of its family
     * @return this builder
     */
    public ArpBuilder sender(String mac, String ip) {
        this.senderMac = Addresses.mac(mac);
        this.senderIp = Addresses.ipv4(ip);
        return this;
    }

    /**
     * The target hardware and protocol addresses.
     *
     * @param mac the MAC address, six hex bytes separated by colons (e.g. {@code "02:00:00:00:00:01"})
     * @param ip the address, in the text form of its family
     * @return this builder
     */
    public ArpBuilder target(String mac, String ip) {
        this.targetMac = Addresses.mac(mac);
        this.targetIp = Addresses.ipv4(ip);
        return this;
    }

    /**
     * The target protocol address alone (the address a request asks about).
     *
     * @param ip the address, in the text form of its family
     * @return this builder
     */
    public ArpBuilder targetIp(String ip) {
        this.targetIp = Addresses.ipv4(ip);
        return this;
    }

    @Override
    byte[] defaultSrcMac() {
        return senderMac;
    }

    @Override
    byte[] defaultDstMac() {
        return op == REQUEST ? Addresses.mac("ff:ff:ff:ff:ff:ff") : targetMac;
    }

    @Override
    int etherType() {
        return 0x0806;
    }

    @Override
    void writeBody(ByteWriter w) {
        // hardware type Ethernet, protocol IPv4, address lengths 6 and 4
        w.u16(1).u16(0x0800).u8(6).u8(4).u16(op).bytes(senderMac).bytes(senderIp).bytes(targetMac).bytes(targetIp);
    }
}
