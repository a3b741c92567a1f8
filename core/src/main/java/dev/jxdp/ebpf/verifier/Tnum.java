package dev.jxdp.ebpf.verifier;

/**
 * Known bits of a 64-bit value (kernel/bpf/tnum.c): bits set in {@code mask} are unknown, the others
 * equal those of {@code value}. Static functions over (value, mask) pairs so registers need no objects.
 */
final class Tnum {
    private Tnum() {}

    /** mirrors tnum_range(): the bits common to every value in [min, max] */
    static long[] range(long min, long max) {
        long chi = min ^ max;
        int bits = 64 - Long.numberOfLeadingZeros(chi);
        if (bits > 63) {
            return new long[] {0, -1L};
        }
        long delta = (1L << bits) - 1;
        return new long[] {min & ~delta, delta};
    }

    /** mirrors tnum_add() */
    static long[] add(long av, long am, long bv, long bm) {
        long sm = am + bm;
        long sv = av + bv;
        long sigma = sm + sv;
        long chi = sigma ^ sv;
        long mu = chi | am | bm;
        return new long[] {sv & ~mu, mu};
    }

    /** mirrors tnum_sub() */
    static long[] sub(long av, long am, long bv, long bm) {
        long dv = av - bv;
        long alpha = dv + am;
        long beta = dv - bm;
        long chi = alpha ^ beta;
        long mu = chi | am | bm;
        return new long[] {dv & ~mu, mu};
    }

    /** mirrors tnum_mul(): long multiplication over the known bits, uncertain partial products as masks */
    /**
     * tnum_mul() as of 6.18: partial products added one bit of {@code a} at a time; where that bit is
     * unknown, the union of the sums with and without {@code b}, which keeps the bits both agree on.
     */
    static long[] mul(long av, long am, long bv, long bm) {
        long[] acc = {0, 0};
        while (av != 0 || am != 0) {
            if ((av & 1) != 0) {
                acc = add(acc[0], acc[1], bv, bm);
            } else if ((am & 1) != 0) {
                long[] with = add(acc[0], acc[1], bv, bm);
                acc = union(acc[0], acc[1], with[0], with[1]);
            }
            av >>>= 1;
            am >>>= 1;
            bv <<= 1;
            bm <<= 1;
        }
        return acc;
    }

    /**
     * tnum_step(): the smallest value the known bits allow that is above {@code z} (unsigned); the lowest
     * allowed value when {@code z} is below it, the largest when {@code z} is not below that.
     */
    static long step(long v, long m, long z) {
        long tmax = v | m;
        if (Long.compareUnsigned(z, tmax) >= 0) {
            return tmax;
        }
        if (Long.compareUnsigned(z, v) < 0) {
            return v;
        }
        long y = z + 1;
        long conflict = (y ^ v) & ~m;
        if (conflict == 0) {
            return y;
        }
        // k: the highest known bit y gets wrong; the bits above it are allowed as they are
        int k = 63 - Long.numberOfLeadingZeros(conflict);
        long below = (1L << k) - 1;
        long above = ~below & ~(1L << k);
        if ((v & (1L << k)) != 0) {
            // y has 0 where a 1 is known: raise that bit, the unknown bits below it to 0
            return (y & above) | (1L << k) | (v & below);
        }
        // y has 1 where a 0 is known: count the unknown bits above k up by one (a carry through the
        // known bits), the unknown bits below to 0; y <= tmax means the count does not overflow
        long free = m & above;
        long counted = (((y & free) | ~free) + 1) & free;
        return v | counted;
    }

    /** tnum_union(): the values either may hold; bits that differ or are unknown in either are unknown. */
    static long[] union(long av, long am, long bv, long bm) {
        long mu = (av ^ bv) | am | bm;
        return new long[] {av & bv & ~mu, mu};
    }

    static long[] and(long av, long am, long bv, long bm) {
        long alpha = av | am;
        long beta = bv | bm;
        long v = av & bv;
        return new long[] {v, alpha & beta & ~v};
    }

    static long[] or(long av, long am, long bv, long bm) {
        long v = av | bv;
        long mu = am | bm;
        return new long[] {v, mu & ~v};
    }

    static long[] xor(long av, long am, long bv, long bm) {
        long v = av ^ bv;
        long mu = am | bm;
        return new long[] {v & ~mu, mu};
    }
}
