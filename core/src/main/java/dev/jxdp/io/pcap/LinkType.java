package dev.jxdp.io.pcap;

/** tcpdump.org's LINKTYPE_ values: what the first byte of a captured packet is. */
public final class LinkType {
    private LinkType() {}

    /** Ethernet II: the frame an XDP program sees. The only one the datapath takes for now. */
    public static final int ETHERNET = 1;

    /** The name tcpdump.org gives a link type, for messages; {@code "UNKNOWN"} for the rest. */
    public static String name(int linkType) {
        return switch (linkType) {
            case 0 -> "NULL";
            case 1 -> "ETHERNET";
            case 101 -> "RAW";
            case 105 -> "IEEE802_11";
            case 113 -> "LINUX_SLL";
            case 127 -> "IEEE802_11_RADIOTAP";
            case 228 -> "IPV4";
            case 229 -> "IPV6";
            case 276 -> "LINUX_SLL2";
            default -> "UNKNOWN";
        };
    }
}
