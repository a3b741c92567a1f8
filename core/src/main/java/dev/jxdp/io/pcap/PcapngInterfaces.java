package dev.jxdp.io.pcap;

import java.util.Arrays;

/**
 * The interfaces one pcapng section declares, indexed by interface id: link type, snaplen and the
 * timestamp unit of each. Kept in parallel primitive arrays so a packet's lookup allocates nothing;
 * they grow only when an Interface Description Block arrives.
 */
final class PcapngInterfaces {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long[] POW10 = new long[19];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
    }

    private int count;
    private int[] linkType = new int[4];
    private long[] snaplen = new long[4];
    private int[] tsresol = new int[4];
    private long[] tsOffsetNanos = new long[4];

    /** A new section starts with no interfaces: ids are per section. */
    void clear() { count = 0; }

    int count() { return count; }

    int linkType(int id) { return linkType[id]; }

    /** 0 means no limit, as the IDB says. */
    long snaplen(int id) { return snaplen[id]; }

    void add(int link, long snap, int resol, long offsetSeconds) {
        if (count == linkType.length) {
            int n = count * 2;
            linkType = Arrays.copyOf(linkType, n);
            snaplen = Arrays.copyOf(snaplen, n);
            tsresol = Arrays.copyOf(tsresol, n);
            tsOffsetNanos = Arrays.copyOf(tsOffsetNanos, n);
        }
        linkType[count] = link;
        snaplen[count] = snap;
        tsresol[count] = resol;
        tsOffsetNanos[count] = offsetSeconds * NANOS_PER_SECOND;
        count++;
    }

    /** Whether {@link #unitsToNanos} handles the if_tsresol value: down to 10^-18 or 2^-63 seconds. */
    static boolean supported(int resol) {
        return (resol & 0x80) == 0 ? resol < POW10.length + 9 : (resol & 0x7f) <= 63;
    }

    /** The interface's timestamp, in its units since the epoch, as nanoseconds since the epoch. */
    long toNanos(int id, long units) {
        return unitsToNanos(units, tsresol[id]) + tsOffsetNanos[id];
    }

    static long unitsToNanos(long units, int resol) {
        if ((resol & 0x80) == 0) {
            return resol <= 9 ? units * POW10[9 - resol] : Long.divideUnsigned(units, POW10[resol - 9]);
        }
        int p = resol & 0x7f;
        long seconds = units >>> p;
        long fraction = units & ((1L << p) - 1);
        // fraction * 10^9 fits in 63 bits up to 2^-33 units; finer units first drop bits below 2^-33 s
        long fractionNanos = p <= 33 ? (fraction * NANOS_PER_SECOND) >>> p
                : ((fraction >>> (p - 33)) * NANOS_PER_SECOND) >>> 33;
        return seconds * NANOS_PER_SECOND + fractionNanos;
    }
}
