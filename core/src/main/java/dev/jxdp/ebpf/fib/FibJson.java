package dev.jxdp.ebpf.fib;

import static dev.jxdp.ebpf.fib.FibLookupLayout.AF_INET;
import static dev.jxdp.ebpf.fib.FibLookupLayout.AF_INET6;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jxdp.ebpf.BpfException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a FIB from JSON ({@code jxdp test-run --fib FILE}; the schema is in docs/fib.md):
 * <pre>
 * {"interfaces": [{"ifindex": 2, "name": "eth0", "mac": "02:00:00:00:00:01", "mtu": 1500,
 *                  "addresses": ["10.0.0.1/24", "2001:db8::1/64"], "forwarding": true}],
 *  "routes": [{"dst": "10.10.0.0/16", "via": "10.0.0.2", "dev": "eth0"},
 *             {"dst": "10.40.0.0/16", "type": "blackhole"}],
 *  "neighbours": [{"ip": "10.0.0.2", "dev": "eth0", "lladdr": "02:00:00:00:00:02"}]}
 * </pre>
 * As the kernel does when an address is added, each interface address brings its routes: the subnet on
 * link (main table; metric 0 for IPv4, 256 for IPv6) and the address itself as a local route (local
 * table), plus the IPv4 subnet's broadcast address and, on an IPv6 forwarding device, the subnet-router
 * anycast address. Errors are {@link BpfException}s naming the entry: one line.
 */
public final class FibJson {
    private FibJson() {}

    private static final Set<String> TOP = Set.of("interfaces", "routes", "neighbours");
    private static final Set<String> IF_KEYS = Set.of("ifindex", "name", "mac", "mtu", "mtu6", "up", "forwarding",
            "rx_queues", "addresses");
    private static final Set<String> ROUTE_KEYS = Set.of("dst", "via", "dev", "table", "type", "metric", "src");
    private static final Set<String> NEIGH_KEYS = Set.of("ip", "dev", "lladdr", "state");

    public static Fib parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new BpfException("want a JSON object with \"interfaces\", \"routes\" and \"neighbours\"");
        }
        unknownKeys(root, TOP, "the top level");
        List<NetDev> devs = new ArrayList<>();
        Map<String, Integer> byName = new HashMap<>();
        List<Route> routes = new ArrayList<>();
        int i = 0;
        for (JsonNode n : array(root, "interfaces")) {
            String where = "interfaces[" + i++ + "]";
            NetDev d = device(n, where);
            for (NetDev o : devs) {
                if (o.ifindex() == d.ifindex() || o.name().equals(d.name())) {
                    throw new BpfException(where + ": ifindex " + d.ifindex() + " or name '" + d.name()
                            + "' is taken by another interface");
                }
            }
            devs.add(d);
            byName.put(d.name(), d.ifindex());
            addressRoutes(d, routes);
        }
        i = 0;
        for (JsonNode n : array(root, "routes")) {
            routes.add(route(n, "routes[" + i++ + "]", byName, devs));
        }
        List<Neighbour> neighbours = new ArrayList<>();
        i = 0;
        for (JsonNode n : array(root, "neighbours")) {
            neighbours.add(neighbour(n, "neighbours[" + i++ + "]", byName, devs));
        }
        return new Fib(devs, routes, neighbours);
    }

    private static NetDev device(JsonNode n, String where) {
        object(n, where);
        unknownKeys(n, IF_KEYS, where);
        int ifindex = integer(n, "ifindex", where, -1, 1, Integer.MAX_VALUE);
        if (ifindex < 0) {
            throw new BpfException(where + ": \"ifindex\" is required");
        }
        String name = text(n, "name", where, "if" + ifindex);
        long mac = n.has("mac") ? mac(n.get("mac"), where + ".mac") : 0;
        int mtu = integer(n, "mtu", where, 1500, 68, 1 << 24);
        int mtu6 = integer(n, "mtu6", where, mtu, 0, 1 << 24);
        boolean up = bool(n, "up", where, true);
        boolean fwd4 = true;
        boolean fwd6 = true;
        JsonNode f = n.get("forwarding");
        if (f != null) {
            if (f.isBoolean()) {
                fwd4 = fwd6 = f.booleanValue();
            } else if (f.isObject()) {
                unknownKeys(f, Set.of("ipv4", "ipv6"), where + ".forwarding");
                fwd4 = bool(f, "ipv4", where + ".forwarding", true);
                fwd6 = bool(f, "ipv6", where + ".forwarding", true);
            } else {
                throw new BpfException(where + ".forwarding: want true, false or {\"ipv4\": BOOL, \"ipv6\": BOOL}");
            }
        }
        int rxq = integer(n, "rx_queues", where, 1, 1, 4096);
        List<NetDev.IfAddr> addrs = new ArrayList<>();
        int k = 0;
        for (JsonNode a : array(n, "addresses")) {
            String w = where + ".addresses[" + k++ + "]";
            if (!a.isTextual()) {
                throw new BpfException(w + ": want \"ADDRESS/PREFIXLEN\"");
            }
            long[] p = prefix(a.asText(), w, true);
            addrs.add(new NetDev.IfAddr((int) p[3], p[0], p[1], (int) p[2]));
        }
        return new NetDev(ifindex, name, mac, mtu, mtu6, up, fwd4, fwd6, rxq, addrs);
    }

    // the routes the kernel adds with an address (fib_add_ifaddr(), addrconf_prefix_route(), ...)
    private static void addressRoutes(NetDev d, List<Route> routes) {
        for (NetDev.IfAddr a : d.addresses()) {
            int fam = a.family();
            int bits = Inet.bits(fam);
            long[] net = mask(fam, a.hi(), a.lo(), a.prefixLen());
            routes.add(new Route(fam, Route.TABLE_LOCAL, Route.RTN_LOCAL, a.hi(), a.lo(), bits, false, 0, 0,
                    d.ifindex(), 0, fam == AF_INET, a.hi(), a.lo()));
            if (a.prefixLen() < bits) {
                routes.add(new Route(fam, Route.TABLE_MAIN, Route.RTN_UNICAST, net[0], net[1], a.prefixLen(), false,
                        0, 0, d.ifindex(), fam == AF_INET ? 0 : 256, fam == AF_INET, a.hi(), a.lo()));
            }
            if (fam == AF_INET && a.prefixLen() < 31) {
                long bcast = net[1] | (0xffffffffL >>> a.prefixLen());
                routes.add(new Route(fam, Route.TABLE_LOCAL, Route.RTN_BROADCAST, 0, bcast, 32, false, 0, 0,
                        d.ifindex(), 0, true, 0, a.lo()));
            }
            if (fam == AF_INET6 && d.forwarding6() && a.prefixLen() < 127) {
                routes.add(new Route(fam, Route.TABLE_LOCAL, Route.RTN_ANYCAST, net[0], net[1], 128, false, 0, 0,
                        d.ifindex(), 0, false, 0, 0));
            }
        }
    }

    private static Route route(JsonNode n, String where, Map<String, Integer> byName, List<NetDev> devs) {
        object(n, where);
        unknownKeys(n, ROUTE_KEYS, where);
        String dstText = text(n, "dst", where, null);
        if (dstText == null) {
            throw new BpfException(where + ": \"dst\" is required (\"PREFIX/LEN\", an address, or \"default\")");
        }
        String typeName = text(n, "type", where, "unicast");
        int type = Route.typeOf(typeName);
        if (type < 0) {
            throw new BpfException(where + ".type: '" + typeName + "' is not a route type (unicast, local, broadcast, "
                    + "anycast, multicast, blackhole, unreachable, prohibit, throw)");
        }
        long[] gw = null;
        if (n.has("via")) {
            gw = prefix(text(n, "via", where, null), where + ".via", false);
        }
        int family;
        long[] dst;
        if (dstText.equals("default") || dstText.equals("default6")) {
            family = dstText.equals("default6") || gw != null && gw[3] == AF_INET6 ? AF_INET6 : AF_INET;
            dst = new long[] {0, 0, 0, family};
        } else {
            dst = prefix(dstText, where + ".dst", false);
            family = (int) dst[3];
            long[] net = mask(family, dst[0], dst[1], (int) dst[2]);
            if (net[0] != dst[0] || net[1] != dst[1]) {
                throw new BpfException(where + ".dst: '" + dstText + "' has host bits set (the kernel says EINVAL)");
            }
        }
        if (gw != null && gw[3] != family) {
            throw new BpfException(where + ".via: a gateway of the other address family is not supported");
        }
        int oif = 0;
        if (n.has("dev")) {
            oif = device(n.get("dev"), where + ".dev", byName, devs);
        } else if (type == Route.RTN_UNICAST || type == Route.RTN_LOCAL) {
            oif = gw == null ? 0 : onLinkDevice(devs, family, gw[0], gw[1]);
            if (oif == 0) {
                throw new BpfException(where + ": a " + typeName + " route needs \"dev\", or \"via\" an address on an "
                        + "interface's subnet");
            }
        } else if (family == AF_INET6) {
            oif = Fib.LOOPBACK_IFINDEX;  // the kernel hangs IPv6 reject routes on lo
        }
        int table = table(n.get("table"), where);
        int metric = integer(n, "metric", where, family == AF_INET ? 0 : 1024, 0, Integer.MAX_VALUE);
        long[] src = n.has("src") ? prefix(text(n, "src", where, null), where + ".src", false) : null;
        if (src != null && src[3] != family) {
            throw new BpfException(where + ".src: not of the route's address family");
        }
        return new Route(family, table, type, dst[0], dst[1], (int) dst[2], gw != null, gw == null ? 0 : gw[0],
                gw == null ? 0 : gw[1], oif, metric, src != null, src == null ? 0 : src[0], src == null ? 0 : src[1]);
    }

    private static int onLinkDevice(List<NetDev> devs, int family, long hi, long lo) {
        for (NetDev d : devs) {
            for (NetDev.IfAddr a : d.addresses()) {
                if (a.family() == family && Inet.inPrefix(family, hi, lo, a.hi(), a.lo(), a.prefixLen())) {
                    return d.ifindex();
                }
            }
        }
        return 0;
    }

    private static Neighbour neighbour(JsonNode n, String where, Map<String, Integer> byName, List<NetDev> devs) {
        object(n, where);
        unknownKeys(n, NEIGH_KEYS, where);
        long[] ip = prefix(text(n, "ip", where, null), where + ".ip", false);
        if (!n.has("dev")) {
            throw new BpfException(where + ": \"dev\" is required");
        }
        int dev = device(n.get("dev"), where + ".dev", byName, devs);
        if (!n.has("lladdr")) {
            throw new BpfException(where + ": \"lladdr\" is required");
        }
        long mac = mac(n.get("lladdr"), where + ".lladdr");
        String stateName = text(n, "state", where, "permanent");
        int state = Neighbour.stateOf(stateName);
        if (state < 0) {
            throw new BpfException(where + ".state: '" + stateName + "' is not a neighbour state (permanent, noarp, "
                    + "reachable, stale, delay, probe, incomplete, failed)");
        }
        return new Neighbour((int) ip[3], dev, ip[0], ip[1], mac, state);
    }

    private static int device(JsonNode v, String where, Map<String, Integer> byName, List<NetDev> devs) {
        if (v.isInt()) {
            for (NetDev d : devs) {
                if (d.ifindex() == v.intValue()) {
                    return d.ifindex();
                }
            }
            throw new BpfException(where + ": no interface has ifindex " + v.intValue());
        }
        Integer i = v.isTextual() ? byName.get(v.asText()) : null;
        if (i == null) {
            throw new BpfException(where + ": no interface is named " + v);
        }
        return i;
    }

    private static int table(JsonNode v, String where) {
        if (v == null || v.isTextual() && v.asText().equals("main")) {
            return Route.TABLE_MAIN;
        }
        if (v.isTextual() && v.asText().equals("local")) {
            return Route.TABLE_LOCAL;
        }
        if (v.isInt() && v.intValue() > 0) {
            return v.intValue();
        }
        throw new BpfException(where + ".table: want \"main\", \"local\" or a table id from 1 (got " + v + ")");
    }

    // {hi, lo, prefixLen, family} of "ADDR" or "ADDR/LEN"
    private static long[] prefix(String text, String where, boolean needLen) {
        if (text == null) {
            throw new BpfException(where + ": missing");
        }
        int slash = text.indexOf('/');
        if (needLen && slash < 0) {
            throw new BpfException(where + ": '" + text + "' wants a prefix length (ADDRESS/LEN)");
        }
        byte[] b;
        try {
            b = Inet.parse(slash < 0 ? text : text.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new BpfException(where + ": " + e.getMessage());
        }
        int family = b.length == 4 ? AF_INET : AF_INET6;
        int len = Inet.bits(family);
        if (slash >= 0) {
            try {
                len = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                len = -1;
            }
            if (len < 0 || len > Inet.bits(family)) {
                throw new BpfException(where + ": '" + text + "' has a bad prefix length");
            }
        }
        return new long[] {Inet.hi(b), Inet.lo(b), len, family};
    }

    private static long[] mask(int family, long hi, long lo, int len) {
        if (family == AF_INET) {
            long m = len == 0 ? 0 : (0xffffffffL << (32 - len)) & 0xffffffffL;
            return new long[] {0, lo & m};
        }
        long mh = len == 0 ? 0 : len >= 64 ? -1L : -1L << (64 - len);
        long ml = len <= 64 ? 0 : len == 128 ? -1L : -1L << (128 - len);
        return new long[] {hi & mh, lo & ml};
    }

    private static long mac(JsonNode v, String where) {
        String s = v.isTextual() ? v.asText() : "";
        if (!s.matches("\\p{XDigit}{2}(:\\p{XDigit}{2}){5}")) {
            throw new BpfException(where + ": want a MAC address like 02:00:00:00:00:01 (got " + v + ")");
        }
        return Long.parseLong(s.replace(":", ""), 16);
    }

    private static Iterable<JsonNode> array(JsonNode n, String key) {
        JsonNode a = n.get(key);
        if (a == null) {
            return List.of();
        }
        if (!a.isArray()) {
            throw new BpfException("\"" + key + "\" must be an array");
        }
        return a;
    }

    private static void object(JsonNode n, String where) {
        if (!n.isObject()) {
            throw new BpfException(where + ": want an object");
        }
    }

    private static void unknownKeys(JsonNode n, Set<String> known, String where) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) {
                throw new BpfException(where + ": unknown key \"" + k + "\" (known: " + String.join(", ",
                        known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static int integer(JsonNode n, String key, String where, int dflt, int min, int max) {
        JsonNode v = n.get(key);
        if (v == null) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw new BpfException(where + "." + key + ": want an integer from " + min + " to " + max + " (got " + v + ")");
        }
        return (int) v.longValue();
    }

    private static boolean bool(JsonNode n, String key, String where, boolean dflt) {
        JsonNode v = n.get(key);
        if (v == null) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new BpfException(where + "." + key + ": want true or false (got " + v + ")");
        }
        return v.booleanValue();
    }

    private static String text(JsonNode n, String key, String where, String dflt) {
        JsonNode v = n.get(key);
        if (v == null) {
            return dflt;
        }
        if (!v.isTextual()) {
            throw new BpfException(where + "." + key + ": want a string (got " + v + ")");
        }
        return v.asText();
    }
}
