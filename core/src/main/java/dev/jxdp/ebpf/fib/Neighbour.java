package dev.jxdp.ebpf.fib;

/**
 * One neighbour entry (struct neighbour in arp_tbl or nd_tbl): an address on a device and its link-layer
 * address.
 *
 * @param family  AF_INET (ARP) or AF_INET6 (neighbour discovery)
 * @param ifindex the device
 * @param hi      the address (see {@link Inet})
 * @param lo      the address, low half
 * @param mac     the link-layer address, 48 bits
 * @param state   the NUD_ state bits
 */
public record Neighbour(int family, int ifindex, long hi, long lo, long mac, int state) {

    /** NUD_ states (uapi/linux/neighbour.h). */
    public static final int NUD_INCOMPLETE = 0x01;
    public static final int NUD_REACHABLE = 0x02;
    public static final int NUD_STALE = 0x04;
    public static final int NUD_DELAY = 0x08;
    public static final int NUD_PROBE = 0x10;
    public static final int NUD_FAILED = 0x20;
    public static final int NUD_NOARP = 0x40;
    public static final int NUD_PERMANENT = 0x80;
    /** NUD_VALID: the states whose address the helper hands out. */
    public static final int NUD_VALID = NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY;

    private static final String[] NAMES = {"incomplete", "reachable", "stale", "delay", "probe", "failed", "noarp",
        "permanent"};

    /** The NUD_ bit of a state name as {@code ip neigh} prints it, or -1. */
    public static int stateOf(String name) {
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals(name)) {
                return 1 << i;
            }
        }
        return name.equals("none") ? 0 : -1;
    }

    public boolean valid() {
        return (state & NUD_VALID) != 0;
    }
}
