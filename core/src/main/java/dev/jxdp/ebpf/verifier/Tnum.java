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
    static long[] mul(long av, long am, long bv, long bm) {
        long accV = av * bv;
        long[] accM = {0, 0};
        while (av != 0 || am != 0) {
            if ((av & 1) != 0) {
                accM = add(accM[0], accM[1], 0, bm);
            } else if ((am & 1) != 0) {
                accM = add(accM[0], accM[1], 0, bv | bm);
            }
            av >>>= 1;
            am >>>= 1;
            bv <<= 1;
            bm <<= 1;
        }
        return add(accV, 0, accM[0], accM[1]);
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
