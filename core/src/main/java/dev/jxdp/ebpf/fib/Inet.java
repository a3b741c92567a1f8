package dev.jxdp.ebpf.fib;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IP addresses as the FIB keeps them: two longs, the 128 bits of an IPv6 address in network order
 * ({@code hi} the first eight bytes), an IPv4 address in the low 32 bits of {@code lo} with {@code hi} 0,
 * so that matching a prefix allocates nothing.
 */
public final class Inet {
    private Inet() {}

    /** The address width of {@code family} in bits. */
    public static int bits(int family) {
        return family == FibLookupLayout.AF_INET ? 32 : 128;
    }

    /** Whether (hi, lo) lies in the prefix (phi, plo)/plen of {@code family}. */
    public static boolean inPrefix(int family, long hi, long lo, long phi, long plo, int plen) {
        if (family == FibLookupLayout.AF_INET) {
            long mask = plen == 0 ? 0 : (0xffffffffL << (32 - plen)) & 0xffffffffL;
            return ((lo ^ plo) & mask) == 0;
        }
        if (plen <= 64) {
            long mask = plen == 0 ? 0 : -1L << (64 - plen);
            return ((hi ^ phi) & mask) == 0;
        }
        long mask = plen == 128 ? -1L : -1L << (128 - plen);
        return hi == phi && ((lo ^ plo) & mask) == 0;
    }

    /** The number of leading bits two addresses share. */
    public static int commonPrefix(int family, long ahi, long alo, long bhi, long blo) {
        if (family == FibLookupLayout.AF_INET) {
            return Math.min(32, Long.numberOfLeadingZeros((alo ^ blo) & 0xffffffffL) - 32);
        }
        if (ahi != bhi) {
            return Long.numberOfLeadingZeros(ahi ^ bhi);
        }
        return 64 + Long.numberOfLeadingZeros(alo ^ blo);
    }

    /** Parses an address of either family; the family is the result's {@code bytes.length} (4 or 16). */
    public static byte[] parse(String text) {
        if (text == null || text.isEmpty() || !(text.indexOf(':') >= 0 || text.matches("[0-9.]+"))) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
        try {
            // only numeric forms reach here (a colon or digits and dots), so nothing is resolved by name
            byte[] b = InetAddress.getByName(text).getAddress();
            if (text.indexOf(':') >= 0 && b.length == 4) {
                // an IPv4-mapped IPv6 address: keep it IPv6
                byte[] v6 = new byte[16];
                v6[10] = (byte) 0xff;
                v6[11] = (byte) 0xff;
                System.arraycopy(b, 0, v6, 12, 4);
                return v6;
            }
            return b;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
    }

    /** The high half of an address's bytes (0 for IPv4). */
    public static long hi(byte[] b) {
        return b.length == 4 ? 0 : word(b, 0);
    }

    /** The low half of an address's bytes (the IPv4 address itself). */
    public static long lo(byte[] b) {
        return b.length == 4 ? word(b, 0) >>> 32 : word(b, 8);
    }

    private static long word(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (at + i < b.length ? b[at + i] & 0xff : 0);
        }
        return v;
    }

    /** The text form of (hi, lo) of {@code family}. */
    public static String format(int family, long hi, long lo) {
        byte[] b;
        if (family == FibLookupLayout.AF_INET) {
            b = new byte[] {(byte) (lo >>> 24), (byte) (lo >>> 16), (byte) (lo >>> 8), (byte) lo};
        } else {
            b = new byte[16];
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) (hi >>> (56 - 8 * i));
                b[8 + i] = (byte) (lo >>> (56 - 8 * i));
            }
        }
        try {
            return InetAddress.getByAddress(b).getHostAddress();
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * {@code len} bytes at {@code off} as text: a dotted quad (4 bytes), or RFC 5952's IPv6 form (16 bytes:
     * lower-case hex without leading zeros, the first longest run of two or more zero groups as {@code ::}).
     */
    public static String text(byte[] b, int off, int len) {
        if (len == 4) {
            return (b[off] & 0xff) + "." + (b[off + 1] & 0xff) + "." + (b[off + 2] & 0xff) + "." + (b[off + 3] & 0xff);
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = (b[off + 2 * i] & 0xff) << 8 | b[off + 2 * i + 1] & 0xff;
        }
        int bestAt = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestAt = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestAt) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
