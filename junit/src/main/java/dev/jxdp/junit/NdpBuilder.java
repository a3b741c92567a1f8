package dev.jxdp.junit;

/**
 * An IPv6 neighbor solicitation or advertisement (RFC 4861): ICMPv6 type 135 or 136, hop limit 255, the target
 * address, and a link-layer address option carrying the source MAC. A solicitation goes to the target's
 * solicited-node multicast address (and its multicast MAC) unless a destination is set; an advertisement has the
 * solicited and override flags set.
 */
public final class NdpBuilder extends IpBuilder<NdpBuilder> {
    /** Advertisement flags, in the four bytes after the checksum. */
    public static final long ROUTER = 0x8000_0000L;
    /** Advertisement flag: sent in answer to a solicitation. */
    public static final long SOLICITED = 0x4000_0000L;
    /** Advertisement flag: replaces a cached link-layer address. */
    public static final long OVERRIDE = 0x2000_0000L;

    private final boolean solicitation;
    private byte[] target;
    private long flags;
    private boolean dstSet;
    private boolean linkLayerOption = true;

    NdpBuilder(boolean solicitation, String target) {
        super(true);
        this.solicitation = solicitation;
        this.flags = solicitation ? 0 : SOLICITED | OVERRIDE;
        ttl(255);
        target(target);
    }

    /**
     * The address being resolved (solicitation) or announced (advertisement).
     *
     * @param ip the address, in the text form of its family
     * @return this builder
     */
    public NdpBuilder target(String ip) {
        this.target = Addresses.ipv6(ip);
        if (solicitation && !dstSet) {
            byte[] d = Addresses.ipv6("ff02::1:ff00:0");
            System.arraycopy(target, 13, d, 13, 3);
            this.dst = d;
        }
        return this;
    }

    @Override
    public NdpBuilder dst(String ip) {
        dstSet = true;
        return super.dst(ip);
    }

    /**
     * Advertisement flags: {@link #ROUTER}, {@link #SOLICITED}, {@link #OVERRIDE}, or'ed.
     *
     * @param flags the flags
     * @return this builder
     */
    public NdpBuilder flags(long flags) {
        this.flags = flags & 0xE000_0000L;
        return this;
    }

    /**
     * Leaves out the source (solicitation) or target (advertisement) link-layer address option.
     *
     * @return this builder
     */
    public NdpBuilder noLinkLayerOption() {
        this.linkLayerOption = false;
        return this;
    }

    @Override
    int protocol() {
        return 58;
    }

    @Override
    byte[] transport() {
        ByteWriter w = new ByteWriter();
        w.u8(solicitation ? Frame.Icmp.NEIGHBOR_SOLICIT : Frame.Icmp.NEIGHBOR_ADVERT).u8(0).u16(0).u32(flags).bytes(target);
        if (linkLayerOption) {
            w.u8(solicitation ? 1 : 2).u8(1).bytes(srcMacOrDefault()); // option length in units of 8 bytes
        }
        w.bytes(payload);
        byte[] seg = w.toByteArray();
        fillChecksum(seg, 2, true, false);
        return seg;
    }
}
