package dev.jxdp.io.pktgen;

/** The Internet checksum (RFC 1071) in the kernel's two steps: a running sum, then fold and invert. */
final class InetChecksum {
    private InetChecksum() {}

    /** Adds the bytes as big-endian 16-bit words (an odd last byte padded with zero) to {@code sum}. */
    static long partial(byte[] b, int off, int len, long sum) {
        int end = off + len;
        int i = off;
        for (; i + 1 < end; i += 2) {
            sum += (b[i] & 0xff) << 8 | b[i + 1] & 0xff;
        }
        if (i < end) {
            sum += (b[i] & 0xff) << 8;
        }
        return sum;
    }

    /** Folds the carries back in and inverts: the value to store (mirrors {@code csum_fold()}). */
    static int fold(long sum) {
        while (sum >>> 16 != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) ~sum & 0xffff;
    }
}
