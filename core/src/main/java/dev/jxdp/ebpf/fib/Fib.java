package dev.jxdp.ebpf.fib;

import static dev.jxdp.ebpf.fib.FibLookupLayout.AF_INET;
import static dev.jxdp.ebpf.fib.FibLookupLayout.AF_INET6;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A network namespace's forwarding state, what bpf_fib_lookup() consults: devices, routes of every table
 * for IPv4 and IPv6, and neighbours. Immutable; lookups allocate nothing. Policy rules are not modelled:
 * lookups behave as the kernel's do while a namespace has only its default rules (IPv4's local and main
 * tables then share one trie; IPv6 looks in local, then main).
 */
public final class Fib {

    /** The loopback device a test run's packets arrive on when nothing else is said. */
    public static final int LOOPBACK_IFINDEX = 1;

    /**
     * The FIB programs get without {@code --fib}: a loopback device (ifindex 1, forwarding on) and no route,
     * so a lookup from it answers BPF_FIB_LKUP_RET_NOT_FWDED, as the kernel does for a destination it has
     * no route to; any other ingress ifindex is -ENODEV.
     */
    public static final Fib EMPTY = new Fib(List.of(new NetDev(LOOPBACK_IFINDEX, "lo", 0, 65536, 65536, true, true,
            true, 1, List.of())), List.of(), List.of());

    private final NetDev[] devices;
    // routes by family, longest prefix first, then lowest metric: the order lookups try them in
    private final Route[] routes4;
    private final Route[] routes6;
    private final Neighbour[] neighbours;

    public Fib(List<NetDev> devices, List<Route> routes, List<Neighbour> neighbours) {
        this.devices = devices.toArray(NetDev[]::new);
        Comparator<Route> order = Comparator.comparingInt((Route r) -> -r.prefixLen()).thenComparingInt(r -> r.metric());
        List<Route> v4 = new ArrayList<>();
        List<Route> v6 = new ArrayList<>();
        for (Route r : routes) {
            (r.family() == AF_INET ? v4 : v6).add(r);
        }
        v4.sort(order);
        v6.sort(order);
        this.routes4 = v4.toArray(Route[]::new);
        this.routes6 = v6.toArray(Route[]::new);
        this.neighbours = neighbours.toArray(Neighbour[]::new);
    }

    public List<NetDev> devices() { return List.of(devices); }

    public List<Route> routes() {
        List<Route> all = new ArrayList<>(List.of(routes4));
        all.addAll(List.of(routes6));
        return all;
    }

    public List<Neighbour> neighbours() { return List.of(neighbours); }

    /** dev_get_by_index(): the device with {@code ifindex}, or null. */
    public NetDev device(int ifindex) {
        for (NetDev d : devices) {
            if (d.ifindex() == ifindex) {
                return d;
            }
        }
        return null;
    }

    /** fib_get_table() / fib6_get_table(): whether table {@code id} (0 meaning main) exists for {@code family}. */
    public boolean hasTable(int family, int id) {
        int t = id == 0 ? Route.TABLE_MAIN : id;
        if (t == Route.TABLE_MAIN || t == Route.TABLE_LOCAL) {
            return true;
        }
        for (Route r : family == AF_INET ? routes4 : routes6) {
            if (r.table() == t) {
                return true;
            }
        }
        return false;
    }

    /**
     * fib_table_lookup() over table {@code table} (0 or main or local: the merged local and main trie),
     * or, with {@code table} -1, fib_lookup(): the longest prefix covering {@code dst}, then the lowest
     * metric; a route that rejects (blackhole, unreachable, prohibit, throw) answers before its next hop is
     * looked at; otherwise a route through a device that is down, or not {@code oif} when that is set, is
     * passed over for the next. Returns null when nothing matches.
     */
    public Route lookup4(int table, long dst, int oif) {
        int t = table <= 0 ? Route.TABLE_MAIN : table;
        boolean merged = t == Route.TABLE_MAIN || t == Route.TABLE_LOCAL;
        for (Route r : routes4) {
            int rt = r.table();
            if (merged ? rt != Route.TABLE_MAIN && rt != Route.TABLE_LOCAL : rt != t) {
                continue;
            }
            if (!r.covers(0, dst)) {
                continue;
            }
            if (Route.rejects(r.type())) {
                return r;
            }
            if (oif != 0 && r.oif() != oif || !deviceUp(r.oif())) {
                continue;
            }
            return r;
        }
        return null;
    }

    /**
     * fib6_table_lookup() in table {@code table}, or with -1 fib6_lookup() (local, then main): the longest
     * prefix covering (hi, lo), then the lowest metric; among equal metrics a route through {@code oif}
     * scores higher (rt6_score_route()). Routes through a device that is down are dead. Null for none
     * (the kernel's fib6_null_entry).
     */
    public Route lookup6(int table, long hi, long lo, int oif) {
        if (table < 0) {
            Route r = lookup6In(Route.TABLE_LOCAL, hi, lo, oif);
            return r != null ? r : lookup6In(Route.TABLE_MAIN, hi, lo, oif);
        }
        return lookup6In(table == 0 ? Route.TABLE_MAIN : table, hi, lo, oif);
    }

    private Route lookup6In(int table, long hi, long lo, int oif) {
        Route best = null;
        for (Route r : routes6) {
            if (r.table() != table || !r.covers(hi, lo) || r.oif() != 0 && !deviceUp(r.oif())) {
                continue;
            }
            if (best == null) {
                best = r;
                if (oif == 0 || r.oif() == oif) {
                    return r;
                }
            } else if (r.prefixLen() != best.prefixLen() || r.metric() != best.metric()) {
                return best;
            } else if (r.oif() == oif) {
                return r;
            }
        }
        return best;
    }

    private boolean deviceUp(int ifindex) {
        NetDev d = device(ifindex);
        return d != null && d.up();
    }

    /** __ipv4_neigh_lookup_noref() / __ipv6_neigh_lookup_noref(): the entry for (hi, lo) on {@code ifindex}, or null. */
    public Neighbour neighbour(int family, int ifindex, long hi, long lo) {
        for (Neighbour n : neighbours) {
            if (n.family() == family && n.ifindex() == ifindex && n.hi() == hi && n.lo() == lo) {
                return n;
            }
        }
        return null;
    }

    /**
     * fib_result_prefsrc(): the route's preferred source, else inet_select_addr() on its device: the first
     * address in the gateway's subnet (with a gateway), else the device's first; else the first address of
     * any other device; 0 for none.
     */
    public long prefsrc4(Route r) {
        if (r.prefsrc()) {
            return r.srcLo();
        }
        NetDev d = device(r.oif());
        long any = -1;
        if (d != null) {
            for (NetDev.IfAddr a : d.addresses()) {
                if (a.family() != AF_INET) {
                    continue;
                }
                if (!r.gateway() || Inet.inPrefix(AF_INET, 0, r.gwLo(), 0, a.lo(), a.prefixLen())) {
                    return a.lo();
                }
                if (any < 0) {
                    any = a.lo();
                }
            }
        }
        if (any >= 0) {
            return any;
        }
        for (NetDev other : devices) {
            for (NetDev.IfAddr a : other.addresses()) {
                // scope host addresses (127/8 on loopback) are not chosen for another device
                if (a.family() == AF_INET && (a.lo() >>> 24) != 127) {
                    return a.lo();
                }
            }
        }
        return 0;
    }

    /**
     * ipv6_dev_get_saddr(), simplified: the route's preferred source, else of the global addresses (not
     * link-local, not loopback) the one sharing the longest prefix with {@code dst}, those on the output
     * device first. Null for none (BPF_FIB_LKUP_RET_NO_SRC_ADDR). Returns {hi, lo}.
     */
    public long[] prefsrc6(Route r, long dstHi, long dstLo) {
        if (r.prefsrc()) {
            return new long[] {r.srcHi(), r.srcLo()};
        }
        long[] best = pickSource6(device(r.oif()), dstHi, dstLo);
        if (best != null) {
            return best;
        }
        for (NetDev d : devices) {
            best = pickSource6(d, dstHi, dstLo);
            if (best != null) {
                return best;
            }
        }
        return null;
    }

    private static long[] pickSource6(NetDev d, long dstHi, long dstLo) {
        if (d == null) {
            return null;
        }
        long[] best = null;
        int bestLen = -1;
        for (NetDev.IfAddr a : d.addresses()) {
            if (a.family() != AF_INET6 || FibLookup.needsStrict6(a.hi(), a.lo())) {
                continue;
            }
            int len = Inet.commonPrefix(AF_INET6, a.hi(), a.lo(), dstHi, dstLo);
            if (len > bestLen) {
                bestLen = len;
                best = new long[] {a.hi(), a.lo()};
            }
        }
        return best;
    }
}
