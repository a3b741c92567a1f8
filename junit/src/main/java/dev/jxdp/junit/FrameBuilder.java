package dev.jxdp.junit;

import java.util.ArrayList;
import java.util.List;

/**
 * The Ethernet layer every builder shares: MAC addresses, VLAN tags, padding. Subclasses supply the EtherType and the
 * body. Defaults: source {@value Packets#MAC_A}, destination {@value Packets#MAC_B}, no tags.
 *
 * @param <B> the concrete builder, so that chained calls keep its type
 */
public abstract class FrameBuilder<B extends FrameBuilder<B>> {
    static final int TPID_8021Q = 0x8100;
    static final int TPID_8021AD = 0x88A8;

    private byte[] srcMac;
    private byte[] dstMac;
    private final List<int[]> tags = new ArrayList<>(); // {tpid, tci}, outermost first
    private int minLength;

    FrameBuilder() {}

    @SuppressWarnings("unchecked")
    final B self() {
        return (B) this;
    }

    /**
     * The Ethernet source address, e.g. {@code "02:00:00:00:00:01"}.
     *
     * @param mac the MAC address, six hex bytes separated by colons (e.g. {@code "02:00:00:00:00:01"})
     * @return this builder
     */
    public B srcMac(String mac) {
        this.srcMac = Addresses.mac(mac);
        return self();
    }

    /**
     * The Ethernet destination address, e.g. {@code "ff:ff:ff:ff:ff:ff"}.
     *
     * @param mac the MAC address, six hex bytes separated by colons (e.g. {@code "02:00:00:00:00:01"})
     * @return this builder
     */
    public B dstMac(String mac) {
        this.dstMac = Addresses.mac(mac);
        return self();
    }

    /**
     * Adds an 802.1Q tag (TPID 0x8100) with this VLAN id and priority 0, inside any tag added before.
     *
     * @param vid the VLAN id, 0..4095
     * @return this builder
     */
    public B vlan(int vid) {
        return vlan(vid, 0);
    }

    /**
     * Adds an 802.1Q tag (TPID 0x8100) with this VLAN id and priority code point, inside any tag added before.
     *
     * @param vid the VLAN id, 0..4095
     * @param pcp the priority code point, 0..7
     * @return this builder
     */
    public B vlan(int vid, int pcp) {
        return tag(TPID_8021Q, vid, pcp);
    }

    /**
     * Adds an 802.1ad service tag (TPID 0x88a8) then an 802.1Q customer tag: QinQ.
     *
     * @param outerVid the service (802.1ad) tag's VLAN id
     * @param innerVid the customer (802.1Q) tag's VLAN id
     * @return this builder
     */
    public B qinq(int outerVid, int innerVid) {
        tag(TPID_8021AD, outerVid, 0);
        return tag(TPID_8021Q, innerVid, 0);
    }

    /**
     * Adds a tag with any TPID (e.g. 0x9100), VLAN id and priority, inside any tag added before.
     *
     * @param tpid the tag protocol identifier, e.g. 0x8100
     * @param vid the VLAN id, 0..4095
     * @param pcp the priority code point, 0..7
     * @return this builder
     */
    public B tag(int tpid, int vid, int pcp) {
        if (vid < 0 || vid > 0xFFF) {
            throw new IllegalArgumentException("VLAN id " + vid + ": want 0..4095");
        }
        if (pcp < 0 || pcp > 7) {
            throw new IllegalArgumentException("VLAN priority " + pcp + ": want 0..7");
        }
        tags.add(new int[] {tpid & 0xFFFF, (pcp << 13) | vid});
        return self();
    }

    /**
     * Pads the frame with zeros up to {@code length} bytes (e.g. 60, Ethernet's minimum without FCS). The padding
     * follows the IP packet and is not counted in its length fields, as on the wire.
     *
     * @param length the length in bytes
     * @return this builder
     */
    public B padTo(int length) {
        this.minLength = length;
        return self();
    }

    /**
     * The frame's bytes, from the destination MAC on (no preamble, no FCS): what an XDP program sees.
     *
     * @return the bytes
     */
    public byte[] build() {
        ByteWriter w = new ByteWriter();
        w.bytes(dstMac != null ? dstMac : defaultDstMac());
        w.bytes(srcMac != null ? srcMac : defaultSrcMac());
        for (int[] t : tags) {
            w.u16(t[0]).u16(t[1]);
        }
        w.u16(etherType());
        writeBody(w);
        if (w.position() < minLength) {
            w.zeros(minLength - w.position());
        }
        return w.toByteArray();
    }

    /**
     * The frame, parsed: a shortcut for {@code Frame.parse(build())}.
     *
     * @return the parsed frame
     */
    public Frame buildFrame() {
        return Frame.parse(build());
    }

    byte[] srcMacOrDefault() {
        return srcMac != null ? srcMac : defaultSrcMac();
    }

    byte[] defaultSrcMac() {
        return Addresses.mac(Packets.MAC_A);
    }

    byte[] defaultDstMac() {
        return Addresses.mac(Packets.MAC_B);
    }

    abstract int etherType();

    abstract void writeBody(ByteWriter w);
}
