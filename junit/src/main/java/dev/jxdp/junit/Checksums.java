package dev.jxdp.junit;

/**
 * The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit big-endian words, an
 * odd trailing byte padded with zero. The L4 variants add the pseudo-header the IPv4 (RFC 768/793) and IPv6 (RFC 8200
 * section 8.1) checksums cover.
 */
final class Checksums {
    private Checksums() {}

    /** The ones' complement sum (not yet complemented) of {@code len} bytes at {@code off}, added to {@code sum}. */
    static long sum(byte[] b, int off, int len, long sum) {
        int i = off;
        int end = off + len;
        for (; i + 1 < end; i += 2) {
            sum += ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
        }
        if (i < end) {
            sum += (b[i] & 0xFF) << 8;
        }
        return sum;
    }

    /** Folds the carries of a running sum and complements it: the value a checksum field holds. */
    static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    static int internet(byte[] b, int off, int len) {
        return fold(sum(b, off, len, 0));
    }

    /** The pseudo-header's contribution: source and destination address (4 or 16 bytes each), protocol, L4 length. */
    static long pseudoHeader(byte[] src, byte[] dst, int protocol, int l4Length) {
        long s = sum(src, 0, src.length, 0);
        s = sum(dst, 0, dst.length, s);
        // IPv4: zero, protocol, 16-bit length; IPv6: 32-bit length, three zero bytes, next header: the same words
        return s + protocol + (l4Length >>> 16) + (l4Length & 0xFFFF);
    }

    /** The checksum of an L4 segment with its pseudo-header; the segment's own checksum field must hold zero. */
    static int l4(byte[] src, byte[] dst, int protocol, byte[] seg, int off, int len) {
        return fold(sum(seg, off, len, pseudoHeader(src, dst, protocol, len)));
    }
}
