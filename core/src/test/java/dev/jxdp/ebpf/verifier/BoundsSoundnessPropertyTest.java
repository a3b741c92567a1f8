package dev.jxdp.ebpf.verifier;

import dev.jxdp.ebpf.isa.Op;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The verifier's abstract arithmetic is sound: for random abstract scalars (ranges with their known bits)
 * and random concrete values inside them, every ALU operation's concrete result lies inside the abstract
 * result (all four ranges and the known bits), and every conditional jump's refinement keeps each concrete
 * pair for which the condition holds. A result the verifier computes too narrow is exactly what lets a
 * program reach memory it was never given, so this checks the domain itself, op by op, apart from any
 * program.
 *
 * <p>{@code -Djxdp.props.bounds=N} runs N abstract pairs per operation instead of the default.
 */
class BoundsSoundnessPropertyTest {

    private static final int PAIRS = Integer.getInteger("jxdp.props.bounds", 1500);
    private static final int SAMPLES = 12;
    private static final long U32 = 0xffffffffL;
    private static final int[] ALU_OPS = {Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.MOD, Op.OR, Op.AND, Op.XOR, Op.LSH,
        Op.RSH, Op.ARSH};
    private static final int[] JMP_OPS = {Op.JEQ, Op.JNE, Op.JGT, Op.JGE, Op.JLT, Op.JLE, Op.JSGT, Op.JSGE, Op.JSLT,
        Op.JSLE, Op.JSET};

    /** An abstract value and the concrete values it was built from (all inside it). */
    private record Sample(Reg reg, long[] values) {}

    @Test
    void aluResultsContainEveryConcreteResult() {
        Random rnd = new Random(20261206L);
        for (int op : ALU_OPS) {
            for (int i = 0; i < PAIRS; i++) {
                boolean alu32 = rnd.nextBoolean();
                Sample a = sample(rnd);
                Sample b = rnd.nextInt(3) == 0 ? constant(rnd, op) : sample(rnd);
                if (!shiftOk(op, b, alu32)) {
                    continue;
                }
                Reg r = a.reg.copy();
                Alu.scalar(r, b.reg.copy(), op, alu32, 0);
                for (long x : a.values) {
                    for (long y : b.values) {
                        long c = concrete(op, x, y, alu32);
                        check(r, c, () -> Op.class.getSimpleName() + " op 0x" + Integer.toHexString(op)
                                + (alu32 ? " (32-bit)" : "") + " of " + x + " and " + y + " = " + c + "\n  a=" + dump(a.reg)
                                + "\n  b=" + dump(b.reg));
                    }
                }
            }
        }
    }

    @Test
    void negationAndByteSwapsContainEveryConcreteResult() {
        Random rnd = new Random(7);
        for (int i = 0; i < PAIRS; i++) {
            Sample a = sample(rnd);
            boolean is64 = rnd.nextBoolean();
            Reg neg = a.reg.copy();
            Alu.neg(neg, is64);
            int bits = new int[] {16, 32, 64}[rnd.nextInt(3)];
            boolean swap = rnd.nextBoolean();
            Reg end = a.reg.copy();
            Alu.end(end, bits, swap);
            for (long x : a.values) {
                long n = is64 ? -x : (-x) & U32;
                check(neg, n, () -> "neg " + x + "\n  a=" + dump(a.reg));
                long mask = bits == 64 ? -1L : (1L << bits) - 1;
                long e = swap ? Long.reverseBytes(x & mask) >>> (64 - bits) : x & mask;
                check(end, e, () -> (swap ? "bswap" : "le") + bits + " " + x + "\n  a=" + dump(a.reg));
            }
        }
    }

    @Test
    void signExtensionsContainEveryConcreteResult() {
        Random rnd = new Random(11);
        for (int i = 0; i < PAIRS; i++) {
            Sample a = sample(rnd);
            int size = new int[] {1, 2, 4}[rnd.nextInt(3)];
            Reg sx = a.reg.copy();
            sx.coerceToSizeSx(size);
            Reg sx32 = a.reg.copy();
            sx32.coerceSubregToSizeSx(size == 4 ? 2 : size);
            sx32.zext32();
            Reg zx = a.reg.copy();
            zx.coerceToSize(size);
            for (long x : a.values) {
                check(sx, Reg.signExtend(x, size), () -> "(s" + size * 8 + ") " + x + "\n  a=" + dump(a.reg));
                int s32 = size == 4 ? 2 : size;
                check(sx32, Reg.signExtend(x, s32) & U32, () -> "w = (s" + s32 * 8 + ") " + x + "\n  a=" + dump(a.reg));
                check(zx, x & ((1L << (size * 8)) - 1), () -> "(u" + size * 8 + ") " + x + "\n  a=" + dump(a.reg));
            }
        }
    }

    @Test
    void branchRefinementKeepsEveryPairTheConditionHoldsFor() {
        Random rnd = new Random(13);
        for (int op : JMP_OPS) {
            for (int i = 0; i < PAIRS; i++) {
                boolean is32 = rnd.nextBoolean();
                Sample a = sample(rnd);
                Sample b = rnd.nextInt(3) == 0 ? constant(rnd, Op.ADD) : sample(rnd);
                for (int side = 0; side < 2; side++) {
                    int cond = side == 0 ? op : Branch.negate(op);
                    Reg ra = a.reg.copy();
                    Reg rb = b.reg.copy();
                    Branch.refine(ra, rb, cond, is32);
                    for (long x : a.values) {
                        for (long y : b.values) {
                            if (holds(op, x, y, is32) != (side == 0)) {
                                continue;
                            }
                            String what = "jmp op 0x" + Integer.toHexString(op) + (side == 0 ? "" : " (negated)")
                                    + (is32 ? " (32-bit)" : "") + " with " + x + ", " + y + "\n  a=" + dump(a.reg)
                                    + "\n  b=" + dump(b.reg);
                            check(ra, x, () -> what + "\n  refined a=" + dump(ra));
                            check(rb, y, () -> what + "\n  refined b=" + dump(rb));
                        }
                    }
                }
            }
        }
    }

    @Test
    void tnumStepIsTheNextValueTheKnownBitsAllow() {
        Random rnd = new Random(31);
        for (int i = 0; i < PAIRS; i++) {
            // up to 8 unknown bits anywhere in the word, so every allowed value can be listed
            long mask = 0;
            int free = rnd.nextInt(9);
            for (int b = 0; b < free; b++) {
                mask |= 1L << rnd.nextInt(64);
            }
            long value = rnd.nextLong() & ~mask;
            long[] members = new long[1 << Long.bitCount(mask)];
            for (int k = 0; k < members.length; k++) {
                long bits = 0;
                long m = mask;
                for (int j = 0; m != 0; j++, m &= m - 1) {
                    if ((k >> j & 1) != 0) {
                        bits |= Long.lowestOneBit(m);
                    }
                }
                members[k] = value | bits;
            }
            for (int s = 0; s < SAMPLES; s++) {
                long z = switch (rnd.nextInt(4)) {
                    case 0 -> members[rnd.nextInt(members.length)];
                    case 1 -> members[rnd.nextInt(members.length)] + rnd.nextInt(5) - 2;
                    default -> rnd.nextLong();
                };
                long expect = value | mask;
                long tmax = value | mask;
                if (Long.compareUnsigned(z, value) < 0) {
                    expect = value;
                } else if (Long.compareUnsigned(z, tmax) < 0) {
                    for (long c : members) {
                        if (Long.compareUnsigned(c, z) > 0 && Long.compareUnsigned(c, expect) < 0) {
                            expect = c;
                        }
                    }
                }
                long got = Tnum.step(value, mask, z);
                if (got != expect) {
                    fail("tnum_step(0x" + Long.toHexString(value) + "; 0x" + Long.toHexString(mask) + ", 0x"
                            + Long.toHexString(z) + ") = 0x" + Long.toHexString(got) + ", want 0x"
                            + Long.toHexString(expect));
                }
            }
        }
    }

    private static boolean shiftOk(int op, Sample b, boolean alu32) {
        return true;
    }

    // eBPF semantics (RFC 9669): 32-bit ops on the low halves, zero-extended; shifts by the amount's low
    // bits; x / 0 = 0, x % 0 = x
    private static long concrete(int op, long x, long y, boolean alu32) {
        if (alu32) {
            int a = (int) x;
            int b = (int) y;
            long r = switch (op) {
                case Op.ADD -> a + b;
                case Op.SUB -> a - b;
                case Op.MUL -> a * b;
                case Op.DIV -> b == 0 ? 0 : Integer.divideUnsigned(a, b);
                case Op.MOD -> b == 0 ? a : Integer.remainderUnsigned(a, b);
                case Op.OR -> a | b;
                case Op.AND -> a & b;
                case Op.XOR -> a ^ b;
                case Op.LSH -> a << (b & 31);
                case Op.RSH -> a >>> (b & 31);
                default -> a >> (b & 31);
            };
            return r & U32;
        }
        return switch (op) {
            case Op.ADD -> x + y;
            case Op.SUB -> x - y;
            case Op.MUL -> x * y;
            case Op.DIV -> y == 0 ? 0 : Long.divideUnsigned(x, y);
            case Op.MOD -> y == 0 ? x : Long.remainderUnsigned(x, y);
            case Op.OR -> x | y;
            case Op.AND -> x & y;
            case Op.XOR -> x ^ y;
            case Op.LSH -> x << (y & 63);
            case Op.RSH -> x >>> (y & 63);
            default -> x >> (y & 63);
        };
    }

    private static boolean holds(int op, long x, long y, boolean is32) {
        if (is32) {
            x = (int) x;
            y = (int) y;
        }
        long ux = is32 ? x & U32 : x;
        long uy = is32 ? y & U32 : y;
        return switch (op) {
            case Op.JEQ -> ux == uy;
            case Op.JNE -> ux != uy;
            case Op.JGT -> Long.compareUnsigned(ux, uy) > 0;
            case Op.JGE -> Long.compareUnsigned(ux, uy) >= 0;
            case Op.JLT -> Long.compareUnsigned(ux, uy) < 0;
            case Op.JLE -> Long.compareUnsigned(ux, uy) <= 0;
            case Op.JSGT -> x > y;
            case Op.JSGE -> x >= y;
            case Op.JSLT -> x < y;
            case Op.JSLE -> x <= y;
            default -> (ux & uy) != 0;
        };
    }

    private static void check(Reg r, long c, java.util.function.Supplier<String> what) {
        int c32 = (int) c;
        long u32 = c & U32;
        boolean in = Long.compareUnsigned(r.umin, c) <= 0 && Long.compareUnsigned(c, r.umax) <= 0
                && r.smin <= c && c <= r.smax
                && r.u32min <= u32 && u32 <= r.u32max && r.s32min <= c32 && c32 <= r.s32max
                && (c & ~r.tm) == r.tv && r.u32min >= 0 && r.u32max <= U32;
        if (!in) {
            fail("unsound: " + what.get() + "\n  result " + c + " (0x" + Long.toHexString(c) + ") not in " + dump(r));
        }
    }

    private static String dump(Reg r) {
        return "u[" + Long.toUnsignedString(r.umin) + "," + Long.toUnsignedString(r.umax) + "] s[" + r.smin + ","
                + r.smax + "] u32[" + r.u32min + "," + r.u32max + "] s32[" + r.s32min + "," + r.s32max + "] tnum(0x"
                + Long.toHexString(r.tv) + "; 0x" + Long.toHexString(r.tm) + ")";
    }

    private static Sample constant(Random rnd, int op) {
        long v = interesting(rnd);
        if (op == Op.LSH || op == Op.RSH || op == Op.ARSH) {
            v = rnd.nextInt(64);
        }
        Reg r = new Reg();
        r.markScalar(v);
        return new Sample(r, new long[] {v});
    }

    private static long interesting(Random rnd) {
        return switch (rnd.nextInt(8)) {
            case 0 -> rnd.nextInt(16);
            case 1 -> -rnd.nextInt(16);
            case 2 -> rnd.nextInt();
            case 3 -> rnd.nextLong();
            case 4 -> (long) rnd.nextInt() & U32;
            case 5 -> Long.MAX_VALUE - rnd.nextInt(4);
            case 6 -> Long.MIN_VALUE + rnd.nextInt(4);
            default -> U32 - rnd.nextInt(4);
        };
    }

    // an abstract value built the way the verifier builds them: a range (unsigned, signed or 32-bit), or
    // known bits, or values combined by operations; the concrete values drawn from it
    private static Sample sample(Random rnd) {
        Reg r = new Reg();
        long[] v = new long[SAMPLES];
        switch (rnd.nextInt(5)) {
            case 0 -> {
                long lo = interesting(rnd);
                long width = rnd.nextInt(4) == 0 ? rnd.nextLong() >>> rnd.nextInt(64) : rnd.nextInt(300);
                long hi = lo + width;
                if (Long.compareUnsigned(hi, lo) < 0) {
                    hi = -1L;
                }
                r.markUnknown();
                r.umin = lo;
                r.umax = hi;
                r.sync();
                fill(rnd, v, lo, hi, false);
            }
            case 1 -> {
                long lo = interesting(rnd);
                long width = rnd.nextInt(4) == 0 ? rnd.nextLong() >>> rnd.nextInt(64) : rnd.nextInt(300);
                long hi = lo + width;
                if (hi < lo) {
                    hi = Long.MAX_VALUE;
                }
                r.markUnknown();
                r.smin = lo;
                r.smax = hi;
                r.sync();
                fill(rnd, v, lo, hi, true);
            }
            case 2 -> {
                long mask = rnd.nextLong() & rnd.nextLong();
                long value = rnd.nextLong() & ~mask;
                r.markUnknown();
                r.tv = value;
                r.tm = mask;
                r.sync();
                for (int i = 0; i < v.length; i++) {
                    v[i] = value | (rnd.nextLong() & mask);
                }
            }
            case 3 -> {
                long lo = rnd.nextInt(1000) - 500;
                long hi = lo + rnd.nextInt(1000);
                r.markUnknown();
                r.s32min = lo;
                r.s32max = hi;
                r.sync();
                for (int i = 0; i < v.length; i++) {
                    long low = lo + (long) (rnd.nextDouble() * (hi - lo + 1));
                    v[i] = (rnd.nextLong() & ~U32) | (low & U32);
                }
                v[0] = lo & U32;
                v[1] = hi & U32;
            }
            default -> {
                r.markScalar(interesting(rnd));
                java.util.Arrays.fill(v, r.tv);
            }
        }
        return new Sample(r, v);
    }

    private static void fill(Random rnd, long[] v, long lo, long hi, boolean signed) {
        v[0] = lo;
        v[1] = hi;
        for (int i = 2; i < v.length; i++) {
            long span = hi - lo;
            long off = span == -1L ? rnd.nextLong() : Long.remainderUnsigned(rnd.nextLong(), span + 1);
            v[i] = lo + off;
        }
    }
}
