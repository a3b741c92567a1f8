package dev.jxdp.io.netlink;

import dev.jxdp.ebpf.fib.Fib;
import dev.jxdp.ebpf.fib.Inet;
import dev.jxdp.ebpf.fib.NetDev;
import dev.jxdp.ebpf.fib.Neighbour;
import dev.jxdp.ebpf.fib.Route;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The calling thread's network namespace as a {@link Fib} ({@code --fib host}): devices with their
 * addresses and per-device forwarding and IPv6 MTU settings (RTM_GETLINK's IFLA_AF_SPEC, RTM_GETADDR), the
 * routes of every table (RTM_GETROUTE) and the neighbour tables (RTM_GETNEIGH), read through rtnetlink.
 * A multipath route contributes its first next hop; routes through nexthop objects, with an encapsulation
 * or a gateway of the other family, are left out.
 */
public final class HostFib {
    private HostFib() {}

    private static final int AF_UNSPEC = 0;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int IFF_UP = 1;
    // attribute types
    private static final int IFLA_ADDRESS = 1;
    private static final int IFLA_IFNAME = 3;
    private static final int IFLA_MTU = 4;
    private static final int IFLA_AF_SPEC = 26;
    private static final int IFLA_NUM_RX_QUEUES = 32;
    private static final int IFLA_INET_CONF = 1;
    private static final int IFLA_INET6_CONF = 2;
    private static final int IPV4_DEVCONF_FORWARDING = 1;
    private static final int DEVCONF_FORWARDING = 0;
    private static final int DEVCONF_MTU6 = 2;
    private static final int IFA_ADDRESS = 1;
    private static final int IFA_LOCAL = 2;
    private static final int RTA_DST = 1;
    private static final int RTA_OIF = 4;
    private static final int RTA_GATEWAY = 5;
    private static final int RTA_PRIORITY = 6;
    private static final int RTA_PREFSRC = 7;
    private static final int RTA_MULTIPATH = 9;
    private static final int RTA_TABLE = 15;
    private static final int RTA_VIA = 18;
    private static final int RTA_ENCAP = 22;
    private static final int RTA_NH_ID = 30;
    private static final int RTM_F_CLONED = 0x200;
    private static final int NDA_DST = 1;
    private static final int NDA_LLADDR = 2;

    /** Reads the namespace the calling thread is in. */
    public static Fib read() throws IOException {
        try (Rtnetlink nl = new Rtnetlink()) {
            Map<Integer, List<NetDev.IfAddr>> addrs = new HashMap<>();
            for (Rtnetlink.Message m : nl.dump(Rtnetlink.RTM_GETADDR, new byte[8])) {
                if (m.type() == Rtnetlink.RTM_NEWADDR) {
                    address(m.payload(), addrs);
                }
            }
            List<NetDev> devs = new ArrayList<>();
            for (Rtnetlink.Message m : nl.dump(Rtnetlink.RTM_GETLINK, new byte[16])) {
                if (m.type() == Rtnetlink.RTM_NEWLINK) {
                    devs.add(link(m.payload(), addrs));
                }
            }
            List<Route> routes = new ArrayList<>();
            for (Rtnetlink.Message m : nl.dump(Rtnetlink.RTM_GETROUTE, new byte[12])) {
                if (m.type() == Rtnetlink.RTM_NEWROUTE) {
                    Route r = route(m.payload());
                    if (r != null) {
                        routes.add(r);
                    }
                }
            }
            List<Neighbour> neighbours = new ArrayList<>();
            for (Rtnetlink.Message m : nl.dump(Rtnetlink.RTM_GETNEIGH, new byte[12])) {
                if (m.type() == Rtnetlink.RTM_NEWNEIGH) {
                    Neighbour n = neighbour(m.payload());
                    if (n != null) {
                        neighbours.add(n);
                    }
                }
            }
            return new Fib(devs, routes, neighbours);
        }
    }

    /** The attributes of a message from {@code at} on: type to value (the last of a type wins). */
    static Map<Integer, ByteBuffer> attrs(ByteBuffer b, int at, int end) {
        Map<Integer, ByteBuffer> out = new HashMap<>();
        while (at + 4 <= end) {
            int len = b.getShort(at) & 0xffff;
            int type = b.getShort(at + 2) & 0x3fff;  // without NLA_F_NESTED and NLA_F_NET_BYTEORDER
            if (len < 4 || at + len > end) {
                break;
            }
            out.put(type, b.slice(at + 4, len - 4).order(b.order()));
            at += Rtnetlink.align(len);
        }
        return out;
    }

    // struct ifinfomsg: family u8, pad u8, type u16, index s32, flags u32, change u32
    private static NetDev link(ByteBuffer b, Map<Integer, List<NetDev.IfAddr>> addrs) {
        int ifindex = b.getInt(4);
        int flags = b.getInt(8);
        Map<Integer, ByteBuffer> a = attrs(b, 16, b.limit());
        String name = a.containsKey(IFLA_IFNAME) ? cString(a.get(IFLA_IFNAME)) : "if" + ifindex;
        ByteBuffer mac = a.get(IFLA_ADDRESS);
        long macValue = mac != null && mac.remaining() == 6 ? bigEndian(mac, 6) : 0;
        int mtu = a.containsKey(IFLA_MTU) ? a.get(IFLA_MTU).getInt(0) : 1500;
        int rxq = a.containsKey(IFLA_NUM_RX_QUEUES) ? a.get(IFLA_NUM_RX_QUEUES).getInt(0) : 1;
        boolean fwd4 = false;
        boolean fwd6 = false;
        int mtu6 = mtu;
        ByteBuffer spec = a.get(IFLA_AF_SPEC);
        if (spec != null) {
            Map<Integer, ByteBuffer> fam = attrs(spec, 0, spec.limit());
            ByteBuffer inet = fam.get(AF_INET);
            if (inet != null) {
                ByteBuffer conf = attrs(inet, 0, inet.limit()).get(IFLA_INET_CONF);
                // u32 per IPV4_DEVCONF_*, numbered from 1
                if (conf != null && conf.limit() >= 4 * IPV4_DEVCONF_FORWARDING) {
                    fwd4 = conf.getInt(4 * (IPV4_DEVCONF_FORWARDING - 1)) != 0;
                }
            }
            ByteBuffer inet6 = fam.get(AF_INET6);
            if (inet6 != null) {
                ByteBuffer conf = attrs(inet6, 0, inet6.limit()).get(IFLA_INET6_CONF);
                // s32 per DEVCONF_*, numbered from 0
                if (conf != null && conf.limit() >= 4 * (DEVCONF_MTU6 + 1)) {
                    fwd6 = conf.getInt(4 * DEVCONF_FORWARDING) != 0;
                    mtu6 = conf.getInt(4 * DEVCONF_MTU6);
                }
            }
        }
        return new NetDev(ifindex, name, macValue, mtu, mtu6, (flags & IFF_UP) != 0, fwd4, fwd6, Math.max(1, rxq),
                addrs.getOrDefault(ifindex, List.of()));
    }

    // struct ifaddrmsg: family u8, prefixlen u8, flags u8, scope u8, index u32
    private static void address(ByteBuffer b, Map<Integer, List<NetDev.IfAddr>> addrs) {
        int family = b.get(0) & 0xff;
        int plen = b.get(1) & 0xff;
        int ifindex = b.getInt(4);
        Map<Integer, ByteBuffer> a = attrs(b, 8, b.limit());
        ByteBuffer v = family == AF_INET && a.containsKey(IFA_LOCAL) ? a.get(IFA_LOCAL) : a.get(IFA_ADDRESS);
        if (v == null || (family != AF_INET && family != AF_INET6)) {
            return;
        }
        byte[] raw = bytes(v);
        addrs.computeIfAbsent(ifindex, k -> new ArrayList<>()).add(new NetDev.IfAddr(family, Inet.hi(raw), Inet.lo(raw), plen));
    }

    // struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type (u8 each), flags u32
    private static Route route(ByteBuffer b) {
        int family = b.get(0) & 0xff;
        int dstLen = b.get(1) & 0xff;
        int table = b.get(4) & 0xff;
        int type = b.get(7) & 0xff;
        int flags = b.getInt(8);
        if ((family != AF_INET && family != AF_INET6) || (flags & RTM_F_CLONED) != 0) {
            return null;
        }
        Map<Integer, ByteBuffer> a = attrs(b, 12, b.limit());
        if (a.containsKey(RTA_NH_ID) || a.containsKey(RTA_ENCAP) || a.containsKey(RTA_VIA)) {
            return null;
        }
        if (a.containsKey(RTA_TABLE)) {
            table = a.get(RTA_TABLE).getInt(0);
        }
        byte[] dst = a.containsKey(RTA_DST) ? bytes(a.get(RTA_DST)) : new byte[family == AF_INET ? 4 : 16];
        int oif = a.containsKey(RTA_OIF) ? a.get(RTA_OIF).getInt(0) : 0;
        byte[] gw = a.containsKey(RTA_GATEWAY) ? bytes(a.get(RTA_GATEWAY)) : null;
        ByteBuffer mp = a.get(RTA_MULTIPATH);
        if (mp != null && mp.limit() >= 8) {
            // struct rtnexthop: len u16, flags u8, hops u8, ifindex s32, then attributes: the first next hop
            int len = mp.getShort(0) & 0xffff;
            oif = mp.getInt(4);
            ByteBuffer g = attrs(mp, 8, Math.min(len, mp.limit())).get(RTA_GATEWAY);
            gw = g == null ? null : bytes(g);
        }
        int metric = a.containsKey(RTA_PRIORITY) ? a.get(RTA_PRIORITY).getInt(0) : 0;
        byte[] src = a.containsKey(RTA_PREFSRC) ? bytes(a.get(RTA_PREFSRC)) : null;
        return new Route(family, table, type, Inet.hi(dst), Inet.lo(dst), dstLen, gw != null,
                gw == null ? 0 : Inet.hi(gw), gw == null ? 0 : Inet.lo(gw), oif, metric, src != null,
                src == null ? 0 : Inet.hi(src), src == null ? 0 : Inet.lo(src));
    }

    // struct ndmsg: family u8, pad u8, pad u16, ifindex s32, state u16, flags u8, type u8
    private static Neighbour neighbour(ByteBuffer b) {
        int family = b.get(0) & 0xff;
        if (family != AF_INET && family != AF_INET6) {
            return null;
        }
        int ifindex = b.getInt(4);
        int state = b.getShort(8) & 0xffff;
        Map<Integer, ByteBuffer> a = attrs(b, 12, b.limit());
        if (!a.containsKey(NDA_DST)) {
            return null;
        }
        byte[] ip = bytes(a.get(NDA_DST));
        ByteBuffer ll = a.get(NDA_LLADDR);
        long mac = ll != null && ll.remaining() == 6 ? bigEndian(ll, 6) : 0;
        return new Neighbour(family, ifindex, Inet.hi(ip), Inet.lo(ip), mac, state);
    }

    private static byte[] bytes(ByteBuffer v) {
        byte[] out = new byte[v.limit()];
        v.get(0, out);
        return out;
    }

    private static long bigEndian(ByteBuffer v, int n) {
        long x = 0;
        for (int i = 0; i < n; i++) {
            x = x << 8 | (v.get(i) & 0xff);
        }
        return x;
    }

    private static String cString(ByteBuffer v) {
        byte[] raw = bytes(v);
        int n = 0;
        while (n < raw.length && raw[n] != 0) {
            n++;
        }
        return new String(raw, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }
}
