package dev.jxdp.junit;

/**
 * An IP packet of any protocol whose bytes after the IP header are given as the payload (e.g. GRE, an IP-in-IP inner
 * packet, a non-first fragment). No transport checksum is computed.
 */
public final class RawIpBuilder extends IpBuilder<RawIpBuilder> {
    private final int protocol;

    RawIpBuilder(boolean v6, int protocol) {
        super(v6);
        this.protocol = checkByte("IP protocol", protocol);
    }

    @Override
    int protocol() {
        return protocol;
    }

    @Override
    byte[] transport() {
        return payload.clone();
    }
}
