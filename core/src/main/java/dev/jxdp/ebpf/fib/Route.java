package dev.jxdp.ebpf.fib;

/**
 * One route (a fib_alias with its fib_info, or a fib6_info) with a single next hop.
 *
 * @param family    AF_INET or AF_INET6
 * @param table     the routing table (RT_TABLE_MAIN 254, RT_TABLE_LOCAL 255, or another)
 * @param type      RTN_UNICAST, RTN_LOCAL, RTN_BLACKHOLE, ... (the {@code RTN_} constants here)
 * @param dstHi     the destination prefix (see {@link Inet})
 * @param dstLo     the destination prefix, low half
 * @param prefixLen the prefix length
 * @param gateway   whether the next hop is a gateway (else the destination is on link)
 * @param gwHi      the gateway, of the route's own family
 * @param gwLo      the gateway, low half
 * @param oif       the output device's ifindex (0 for a route with no device: blackhole and friends)
 * @param metric    the priority (RTA_PRIORITY): the lower wins among equal prefixes
 * @param prefsrc   whether the route names a preferred source (RTA_PREFSRC)
 * @param srcHi     that source
 * @param srcLo     that source, low half
 */
public record Route(int family, int table, int type, long dstHi, long dstLo, int prefixLen, boolean gateway,
                    long gwHi, long gwLo, int oif, int metric, boolean prefsrc, long srcHi, long srcLo) {

    /** rtm_type values (uapi/linux/rtnetlink.h). */
    public static final int RTN_UNICAST = 1;
    public static final int RTN_LOCAL = 2;
    public static final int RTN_BROADCAST = 3;
    public static final int RTN_ANYCAST = 4;
    public static final int RTN_MULTICAST = 5;
    public static final int RTN_BLACKHOLE = 6;
    public static final int RTN_UNREACHABLE = 7;
    public static final int RTN_PROHIBIT = 8;
    public static final int RTN_THROW = 9;
    public static final int RTN_NAT = 10;

    /** RT_TABLE_MAIN, RT_TABLE_LOCAL. */
    public static final int TABLE_MAIN = 254;
    public static final int TABLE_LOCAL = 255;

    private static final String[] TYPE_NAMES = {"unspec", "unicast", "local", "broadcast", "anycast", "multicast",
        "blackhole", "unreachable", "prohibit", "throw", "nat"};

    /** The type's name as {@code ip route} prints it, or -1's "unknown". */
    public static String typeName(int type) {
        return type >= 0 && type < TYPE_NAMES.length ? TYPE_NAMES[type] : "type " + type;
    }

    /** The RTN_ value of a type name, or -1. */
    public static int typeOf(String name) {
        for (int i = 1; i < TYPE_NAMES.length; i++) {
            if (TYPE_NAMES[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Whether {@code type} refuses the packet in the lookup itself (fib_props[type].error in IPv4). */
    public static boolean rejects(int type) {
        return type == RTN_BLACKHOLE || type == RTN_UNREACHABLE || type == RTN_PROHIBIT || type == RTN_THROW;
    }

    boolean covers(long hi, long lo) {
        return Inet.inPrefix(family, hi, lo, dstHi, dstLo, prefixLen);
    }
}
