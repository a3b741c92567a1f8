package dev.jxdp.io;

import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.io.pktgen.Toeplitz;

/**
 * Receive-side scaling as a NIC does it for a frame it received: the Toeplitz hash of the IPv4 or IPv6
 * source and destination addresses and, for TCP and UDP, the source and destination ports (the 4-tuple;
 * other protocols and IPv4 fragments hash the addresses only), then a 128-entry indirection table filled
 * as {@code ethtool_rxfh_indir_default()} fills it ({@code entry i -> i % queues}), indexed by the hash's
 * low 7 bits. A frame that is not IP, or too short for its headers, goes to queue 0 (hash 0), as NICs put
 * what they cannot parse there. One 802.1Q or 802.1ad tag, or a pair of them, is looked through.
 *
 * <p>The hash is the one {@link dev.jxdp.io.pktgen.PktGen} gives each flow (same key, same input order),
 * so a generated flow and its captured frames land on the same queue. It is table driven: one lookup per
 * input byte instead of eight XORs per bit, for drivers that hash every packet they read.
 */
public final class Rss {
    private Rss() {}

    /** Entries of the indirection table (ETH_RXFH_INDIR_DEFAULT size in most drivers). */
    public static final int INDIR_SIZE = 128;
    /** The most queues RSS spreads over: one per indirection entry. */
    public static final int MAX_QUEUES = INDIR_SIZE;

    private static final int ETH_HLEN = 14;
    private static final int ETH_P_IP = 0x0800;
    private static final int ETH_P_IPV6 = 0x86dd;
    private static final int ETH_P_8021Q = 0x8100;
    private static final int ETH_P_8021AD = 0x88a8;
    private static final int VLAN_HLEN = 4;
    private static final int IPPROTO_TCP = 6;
    private static final int IPPROTO_UDP = 17;
    private static final int IPV6_HLEN = 40;
    /** The longest input: two IPv6 addresses and two ports. */
    private static final int MAX_INPUT = 16 + 16 + 4;

    /** TABLE[pos * 256 + b]: what input byte {@code b} at position {@code pos} XORs into the hash. */
    private static final int[] TABLE = table(Toeplitz.defaultKey());

    /** The queue out of {@code queues} (1..{@link #MAX_QUEUES}) that the indirection table gives {@code hash}. */
    public static int queueOf(int hash, int queues) {
        return (hash & (INDIR_SIZE - 1)) % queues;
    }

    /** Checks a queue count for RSS; the exception names it. */
    public static void checkQueues(int queues) {
        if (queues < 1 || queues > MAX_QUEUES) {
            throw new IllegalArgumentException("queues=" + queues + ": want 1.." + MAX_QUEUES);
        }
    }

    /** The queue of the Ethernet frame of {@code len} bytes at {@code addr}. */
    public static int queueOf(long addr, int len, int queues) {
        return queueOf(hash(addr, len), queues);
    }

    /**
     * The RSS hash of the Ethernet frame of {@code len} bytes at {@code addr} (what the NIC reports as
     * {@code skb->hash}); 0 for a frame that is not IPv4 or IPv6 or is cut short in its IP header.
     */
    public static int hash(long addr, int len) {
        if (len < ETH_HLEN) {
            return 0;
        }
        int l3 = ETH_HLEN;
        int proto = be16(addr + 12);
        for (int tags = 0; tags < 2 && (proto == ETH_P_8021Q || proto == ETH_P_8021AD); tags++) {
            if (len < l3 + VLAN_HLEN) {
                return 0;
            }
            proto = be16(addr + l3 + 2);
            l3 += VLAN_HLEN;
        }
        int addrLen;
        int saddr;
        int l4;
        int l4Proto;
        if (proto == ETH_P_IP) {
            if (len < l3 + 20) {
                return 0;
            }
            int ihl = (Mem.getU8(addr + l3) & 0xf) * 4;
            addrLen = 4;
            saddr = l3 + 12;
            l4 = l3 + ihl;
            // a fragment (more to come, or not the first) carries no ports the NIC can trust
            boolean fragment = (be16(addr + l3 + 6) & 0x3fff) != 0;
            l4Proto = fragment || ihl < 20 ? -1 : Mem.getU8(addr + l3 + 9);
        } else if (proto == ETH_P_IPV6) {
            if (len < l3 + IPV6_HLEN) {
                return 0;
            }
            addrLen = 16;
            saddr = l3 + 8;
            l4 = l3 + IPV6_HLEN;
            l4Proto = Mem.getU8(addr + l3 + 6);  // extension headers: the addresses only
        } else {
            return 0;
        }
        int h = 0;
        int pos = 0;
        for (int i = 0; i < 2 * addrLen; i++) {
            h ^= TABLE[pos++ << 8 | Mem.getU8(addr + saddr + i)];
        }
        if ((l4Proto == IPPROTO_TCP || l4Proto == IPPROTO_UDP) && len >= l4 + 4) {
            for (int i = 0; i < 4; i++) {
                h ^= TABLE[pos++ << 8 | Mem.getU8(addr + l4 + i)];
            }
        }
        return h;
    }

    private static int be16(long addr) {
        return Mem.getU8(addr) << 8 | Mem.getU8(addr + 1);
    }

    // each set bit of an input byte XORs in the 32 key bits starting at its position (see Toeplitz)
    private static int[] table(byte[] key) {
        int[] t = new int[MAX_INPUT * 256];
        for (int pos = 0; pos < MAX_INPUT; pos++) {
            long window = (key[pos] & 0xffL) << 32 | (key[pos + 1] & 0xffL) << 24 | (key[pos + 2] & 0xffL) << 16
                    | (key[pos + 3] & 0xffL) << 8 | key[pos + 4] & 0xffL;
            for (int b = 0; b < 256; b++) {
                int v = 0;
                for (int bit = 0; bit < 8; bit++) {
                    if ((b & 0x80 >>> bit) != 0) {
                        v ^= (int) (window >>> (8 - bit));
                    }
                }
                t[pos << 8 | b] = v;
            }
        }
        return t;
    }
}
