package dev.jxdp.junit;

/** A frame of any EtherType with a raw body: {@code Packets.ethernet(0x88b5).payload(bytes)}. */
public final class EthernetBuilder extends FrameBuilder<EthernetBuilder> {
    private final int etherType;
    private byte[] payload = new byte[0];

    EthernetBuilder(int etherType) {
        this.etherType = etherType;
    }

    /**
     * The bytes after the EtherType.
     *
     * @param payload the bytes
     * @return this builder
     */
    public EthernetBuilder payload(byte[] payload) {
        this.payload = payload.clone();
        return this;
    }

    @Override
    int etherType() {
        return etherType;
    }

    @Override
    void writeBody(ByteWriter w) {
        w.bytes(payload);
    }
}
