package dev.jxdp.ebpf.fib;

import static dev.jxdp.ebpf.fib.FibLookupLayout.*;

import dev.jxdp.ebpf.mem.Mem;

/**
 * bpf_fib_lookup() for XDP (bpf_xdp_fib_lookup(), bpf_ipv4_fib_lookup(), bpf_ipv6_fib_lookup() in
 * net/core/filter.c, kernel 6.18) over a {@link Fib}, reading and writing the program's struct
 * bpf_fib_lookup in place. XDP always checks the MTU: on success {@code mtu_result} holds the egress MTU.
 */
public final class FibLookup {
    private FibLookup() {}

    static final int EINVAL = 22;
    static final int ENODEV = 19;
    static final int EAFNOSUPPORT = 97;

    /** The helper: {@code params} is the address of {@code plen} bytes of struct bpf_fib_lookup. */
    public static long xdp(Fib fib, long params, long plen, long flags) {
        // plen is an int the kernel compares with a size_t: a negative one would pass (the verifier bounds it)
        if (Long.compareUnsigned((int) plen, SIZE) < 0) {
            return -EINVAL;
        }
        if ((flags & 0xffffffffL & ~FLAGS_MASK) != 0) {
            return -EINVAL;
        }
        int f = (int) flags;
        return switch (Mem.getU8(params + FAMILY)) {
            case AF_INET -> ipv4(fib, params, f);
            case AF_INET6 -> ipv6(fib, params, f);
            default -> -EAFNOSUPPORT;
        };
    }

    // mirrors bpf_ipv4_fib_lookup() with check_mtu
    private static long ipv4(Fib fib, long p, int flags) {
        NetDev in = fib.device((int) Mem.getU32(p + IFINDEX));
        if (in == null) {
            return -ENODEV;
        }
        if (!in.forwarding4()) {
            return RET_FWD_DISABLED;
        }
        int oif = (flags & OUTPUT) != 0 ? in.ifindex() : 0;
        long dst = be32(p + DST);
        Route r;
        if ((flags & DIRECT) != 0) {
            int tbid = Route.TABLE_MAIN;
            if ((flags & TBID_FLAG) != 0) {
                tbid = (int) Mem.getU32(p + TBID);
                Mem.putU32(p + TBID, 0);  // the kernel zeroes it: the field is the VLAN output too
            }
            if (!fib.hasTable(AF_INET, tbid)) {
                return RET_NOT_FWDED;
            }
            r = fib.lookup4(tbid, dst, oif);
        } else {
            r = fib.lookup4(-1, dst, oif);
        }
        if (r == null) {
            return RET_NOT_FWDED;  // -EAGAIN / -ENETUNREACH from the table
        }
        switch (r.type()) {
            case Route.RTN_BLACKHOLE: return RET_BLACKHOLE;
            case Route.RTN_UNREACHABLE: return RET_UNREACHABLE;
            case Route.RTN_PROHIBIT: return RET_PROHIBIT;
            case Route.RTN_UNICAST: break;
            default: return RET_NOT_FWDED;
        }
        NetDev out = fib.device(r.oif());
        // ip_mtu_from_fib_result(): the device's MTU (no route MTU lock, no PMTU exception modelled)
        int mtu = Math.min(out.mtu(), 0xffff);
        if (Mem.getU16(p + TOT_LEN) > mtu) {
            Mem.putU16(p + TOT_LEN, mtu);
            return RET_FRAG_NEEDED;
        }
        Mem.putU32(p + TOS, r.metric());
        Mem.putU32(p + IFINDEX, out.ifindex());
        if ((flags & SRC_FLAG) != 0) {
            putBe32(p + SRC, fib.prefsrc4(r));
        }
        if (r.gateway()) {
            putBe32(p + DST, r.gwLo());
        }
        if ((flags & SKIP_NEIGH) == 0) {
            Neighbour n = fib.neighbour(AF_INET, out.ifindex(), 0, be32(p + DST));
            if (n == null || !n.valid()) {
                return RET_NO_NEIGH;
            }
            putMacs(p, out, n);
        }
        return setFwdParams(p, mtu);
    }

    // mirrors bpf_ipv6_fib_lookup() with check_mtu
    private static long ipv6(Fib fib, long p, int flags) {
        long dstHi = be64(p + DST);
        long dstLo = be64(p + DST + 8);
        long srcHi = be64(p + SRC);
        long srcLo = be64(p + SRC + 8);
        // link-local, multicast and loopback addresses are never forwarded
        if (needsStrict6(dstHi, dstLo) || needsStrict6(srcHi, srcLo)) {
            return RET_NOT_FWDED;
        }
        NetDev in = fib.device((int) Mem.getU32(p + IFINDEX));
        if (in == null) {
            return -ENODEV;
        }
        if (!in.forwarding6()) {
            return RET_FWD_DISABLED;
        }
        int oif = (flags & OUTPUT) != 0 ? in.ifindex() : 0;
        Route r;
        if ((flags & DIRECT) != 0) {
            int tbid = Route.TABLE_MAIN;
            if ((flags & TBID_FLAG) != 0) {
                tbid = (int) Mem.getU32(p + TBID);
                Mem.putU32(p + TBID, 0);
            }
            if (!fib.hasTable(AF_INET6, tbid)) {
                return RET_NOT_FWDED;
            }
            r = fib.lookup6(tbid, dstHi, dstLo, oif);
        } else {
            r = fib.lookup6(-1, dstHi, dstLo, oif);
        }
        if (r == null) {
            return RET_NOT_FWDED;
        }
        switch (r.type()) {
            case Route.RTN_UNICAST: break;
            case Route.RTN_BLACKHOLE: return RET_BLACKHOLE;
            case Route.RTN_UNREACHABLE: return RET_UNREACHABLE;
            case Route.RTN_PROHIBIT: return RET_PROHIBIT;
            default: return RET_NOT_FWDED;
        }
        NetDev out = fib.device(r.oif());
        // ip6_mtu_from_fib6(): the device's IPv6 MTU, at least IPV6_MIN_MTU
        int mtu = Math.max(1280, out.mtu6());
        if (Mem.getU16(p + TOT_LEN) > mtu) {
            Mem.putU16(p + TOT_LEN, mtu);
            return RET_FRAG_NEEDED;
        }
        long nhHi = dstHi;
        long nhLo = dstLo;
        if (r.gateway()) {
            nhHi = r.gwHi();
            nhLo = r.gwLo();
            putBe64(p + DST, nhHi);
            putBe64(p + DST + 8, nhLo);
        }
        Mem.putU32(p + TOS, r.metric());
        Mem.putU32(p + IFINDEX, out.ifindex());
        if ((flags & SRC_FLAG) != 0) {
            // the kernel selects for the packet's destination (fl6.daddr), not the gateway
            long[] src = fib.prefsrc6(r, dstHi, dstLo);
            if (src == null) {
                return RET_NO_SRC_ADDR;
            }
            putBe64(p + SRC, src[0]);
            putBe64(p + SRC + 8, src[1]);
        }
        if ((flags & SKIP_NEIGH) == 0) {
            Neighbour n = fib.neighbour(AF_INET6, out.ifindex(), nhHi, nhLo);
            if (n == null || !n.valid()) {
                return RET_NO_NEIGH;
            }
            putMacs(p, out, n);
        }
        return setFwdParams(p, mtu);
    }

    /** rt6_need_strict(): multicast, link-local unicast or loopback. */
    static boolean needsStrict6(long hi, long lo) {
        boolean multicast = (hi >>> 56) == 0xff;
        boolean linkLocal = (hi >>> 54) == (0xfe80L >>> 6);
        boolean loopback = hi == 0 && lo == 1;
        return multicast || linkLocal || loopback;
    }

    private static void putMacs(long p, NetDev out, Neighbour n) {
        putMac(p + DMAC, n.mac());
        putMac(p + SMAC, out.mac());
    }

    // bpf_fib_set_fwd_params(): no VLAN, and the MTU over tot_len
    private static long setFwdParams(long p, int mtu) {
        Mem.putU16(p + TBID, 0);
        Mem.putU16(p + H_VLAN_TCI, 0);
        if (mtu != 0) {
            Mem.putU16(p + TOT_LEN, mtu);
        }
        return RET_SUCCESS;
    }

    private static void putMac(long at, long mac) {
        for (int i = 0; i < 6; i++) {
            Mem.putU8(at + i, mac >>> (40 - 8 * i));
        }
    }

    private static long be32(long at) {
        return Integer.reverseBytes(Mem.getI32(at)) & 0xffffffffL;
    }

    private static void putBe32(long at, long v) {
        Mem.putU32(at, Integer.reverseBytes((int) v) & 0xffffffffL);
    }

    private static long be64(long at) {
        return Long.reverseBytes(Mem.getU64(at));
    }

    private static void putBe64(long at, long v) {
        Mem.putU64(at, Long.reverseBytes(v));
    }
}
