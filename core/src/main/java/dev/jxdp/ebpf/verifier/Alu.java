package dev.jxdp.ebpf.verifier;

import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;

/**
 * ALU instructions on abstract values as kernel 6.18 computes them (check_alu_op(),
 * adjust_reg_min_max_vals(), adjust_scalar_min_max_vals(), adjust_ptr_min_max_vals()): known bits and
 * 64- and 32-bit bounds for scalars, fixed and variable offsets for pointers. Division and modulo give
 * an unknown value, shifts are tracked only by a constant in range, byte swaps through the known bits;
 * a copy links two scalars by id so a later comparison bounds both, and {@code r1 = r2; r1 += K} keeps
 * the link with its constant delta.
 */
final class Alu {
    private Alu() {}

    /** The id flag of a scalar that is another linked scalar plus the constant in {@link Reg#off} (64-bit add). */
    static final int ADD_CONST64 = 1 << 31;
    /** The same through a 32-bit add, whose result the CPU zero-extends. */
    static final int ADD_CONST32 = 1 << 30;
    /** Either flag (BPF_ADD_CONST). */
    static final int ADD_CONST = ADD_CONST64 | ADD_CONST32;

    private static final long U32 = 0xffffffffL;
    private static final String[] OPS = {"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=", "end"};

    static void apply(AbstractInterp ai, VState st, int pc, Insn in) {
        int op = Op.op(in.opcode());
        boolean is64 = in.cls() == Op.ALU64;
        if (op == Op.END || op == Op.NEG) {
            unary(ai, st, pc, in, op, is64);
            return;
        }
        if (op == Op.MOV) {
            mov(ai, st, pc, in, is64);
            return;
        }
        int d = in.dst();
        Reg dst = ai.read(st, pc, d);
        ai.write(st, pc, d);
        boolean x = Op.src(in.opcode()) == Op.X;
        Reg src;
        if (x) {
            src = ai.read(st, pc, in.src());
        } else {
            src = new Reg();
            src.markScalar(in.imm());
            if ((op == Op.DIV || op == Op.MOD) && in.imm() == 0) {
                throw ai.rejection(pc, "div by zero");
            }
            if ((op == Op.LSH || op == Op.RSH || op == Op.ARSH) && (in.imm() < 0 || in.imm() >= (is64 ? 64 : 32))) {
                throw ai.rejection(pc, "invalid shift " + in.imm());
            }
        }
        if (dst.isPtr() || src.isPtr()) {
            pointerOp(ai, st, pc, in, dst, src, op, is64, x);
            return;
        }
        if (x && dst.precise) {
            // a precise result needs a precise operand
            ai.precision.markRegPrecise(st, in.src());
        }
        Reg s = src == dst ? src.copy() : src;
        if ((op == Op.AND || op == Op.OR) && s.tm == 0) {
            maybeForkScalars(ai, st, pc, d, dst);
        }
        long dstUmax = dst.umax;
        scalar(dst, s, op, !is64, in.off());
        linkOrClearId(dst, s, op, !is64, dstUmax);
    }

    /**
     * maybe_fork_scalars(): a value known to be 0 or -1 (what {@code x s>> 63} leaves) ANDed or ORed with
     * a constant is explored as two paths, so each result is a known value. The path with 0 runs the
     * instruction again; this one goes on with -1.
     */
    private static void maybeForkScalars(AbstractInterp ai, VState st, int pc, int d, Reg dst) {
        boolean alu32;
        if (dst.smin == -1 && dst.smax == 0) {
            alu32 = false;
        } else if (dst.s32min == -1 && dst.s32max == 0) {
            alu32 = true;
        } else {
            return;
        }
        Reg zero = ai.push(pc, pc).reg(d);
        if (alu32) {
            zero.markKnown32(0);
            dst.markKnown32(-1);
        } else {
            clearId(zero);
            zero.markKnown(0);
            clearId(dst);
            dst.markKnown(-1);
        }
    }

    // NEG is tracked as 0 - x; a byte swap or truncation through the known bits
    private static void unary(AbstractInterp ai, VState st, int pc, Insn in, int op, boolean is64) {
        Reg r = ai.read(st, pc, in.dst());
        ai.write(st, pc, in.dst());
        if (r.type != RegType.SCALAR) {
            // a privileged program may turn a pointer into a number
            r.markUnknown();
            return;
        }
        if (op == Op.NEG) {
            neg(r, is64);
            return;
        }
        end(r, in.imm(), is64 || Op.src(in.opcode()) == Op.TO_BE);
    }

    /** NEG on a scalar: 0 - x at the width, bounds and known bits as the kernel's scalar sub gives them. */
    static void neg(Reg r, boolean is64) {
        Reg v = r.copy();
        r.markKnown(0);
        r.id = 0;
        r.off = 0;
        add32Sub(r, v, false);
        add64Sub(r, v, false);
        long[] t = Tnum.sub(0, 0, v.tv, v.tm);
        r.tv = t[0];
        r.tm = t[1];
        if (!is64) {
            r.assign32Into64();
        }
        r.sync();
    }

    /** A byte swap ({@code swap}) or truncation of the low {@code bits} bits, through the known bits. */
    static void end(Reg r, int bits, boolean swap) {
        long mask = bits == 64 ? -1L : (1L << bits) - 1;
        long v = r.tv & mask;
        long m = r.tm & mask;
        if (swap) {
            v = Long.reverseBytes(v) >>> (64 - bits);
            m = Long.reverseBytes(m) >>> (64 - bits);
        }
        r.markUnknown();
        r.tv = v;
        r.tm = m;
        r.sync();
    }

    // assign_scalar_id_before_mov(): a scalar about to be copied gets an id the copy shares
    static void assignIdBeforeMov(AbstractInterp ai, Reg src) {
        if (src.type != RegType.SCALAR) {
            return;
        }
        if ((src.id & ADD_CONST) != 0) {
            // a copy of a copy plus a constant cannot carry a second delta: unlink it
            src.id = 0;
            src.off = 0;
        }
        if (src.id == 0 && !src.isConst()) {
            src.id = ai.newId();
        }
    }

    // a scalar copied into dst: linked to its source (one id) only when the move keeps the value whole
    private static void copyScalar(AbstractInterp ai, Reg src, Reg dst, boolean linked) {
        if (linked) {
            assignIdBeforeMov(ai, src);
        }
        dst.set(src);
        if (!linked) {
            clearId(dst);
        }
    }

    private static void clearId(Reg r) {
        r.id = 0;
        r.off = 0;
    }

    private static void mov(AbstractInterp ai, VState st, int pc, Insn in, boolean is64) {
        int d = in.dst();
        if (Op.src(in.opcode()) == Op.K) {
            Reg dst = ai.write(st, pc, d);
            dst.markScalar(is64 ? in.imm() : in.imm() & U32);
            return;
        }
        Reg src = ai.read(st, pc, in.src());
        Reg dst = ai.write(st, pc, d);
        int sx = in.off();
        if (is64) {
            if (sx == 0) {
                assignIdBeforeMov(ai, src);
                dst.set(src);
            } else if (src.type == RegType.SCALAR) {
                // movsx: the source's bounds narrowed to its low bytes, sign-extended
                copyScalar(ai, src, dst, Long.compareUnsigned(src.umax, 1L << (sx - 1)) < 0);
                dst.coerceToSizeSx(sx / 8);
            } else {
                // a pointer's bits sign-extended are some number, not the pointer and not a constant
                dst.markUnknown();
            }
            return;
        }
        if (src.type == RegType.SCALAR) {
            if (sx == 0) {
                copyScalar(ai, src, dst, src.width() <= 32);
            } else {
                copyScalar(ai, src, dst, Long.compareUnsigned(src.umax, 1L << (sx - 1)) < 0);
                dst.coerceSubregToSizeSx(sx / 8);
            }
        } else {
            dst.markUnknown();
        }
        if (dst.type == RegType.SCALAR) {
            dst.assign32Into64();
            dst.sync();
        } else {
            dst.zext32();
        }
    }

    /**
     * Mirrors adjust_scalar_min_max_vals() on two scalars; {@code alu32} works on the low halves and
     * zero-extends. Leaves ids alone.
     */
    static void scalar(Reg dst, Reg src, int op, boolean alu32, int off) {
        if (!safeToCompute(src, op, alu32)) {
            dst.markUnknown();
            return;
        }
        switch (op) {
            case Op.ADD -> {
                add32Sub(dst, src, true);
                add64Sub(dst, src, true);
                long[] t = Tnum.add(dst.tv, dst.tm, src.tv, src.tm);
                dst.tv = t[0];
                dst.tm = t[1];
            }
            case Op.SUB -> {
                add32Sub(dst, src, false);
                add64Sub(dst, src, false);
                long[] t = Tnum.sub(dst.tv, dst.tm, src.tv, src.tm);
                dst.tv = t[0];
                dst.tm = t[1];
            }
            case Op.MUL -> {
                long[] t = Tnum.mul(dst.tv, dst.tm, src.tv, src.tm);
                dst.tv = t[0];
                dst.tm = t[1];
                mul32(dst, src);
                mul64(dst, src);
            }
            case Op.AND, Op.OR, Op.XOR -> {
                long[] t = op == Op.AND ? Tnum.and(dst.tv, dst.tm, src.tv, src.tm)
                        : op == Op.OR ? Tnum.or(dst.tv, dst.tm, src.tv, src.tm) : Tnum.xor(dst.tv, dst.tm, src.tv, src.tm);
                dst.tv = t[0];
                dst.tm = t[1];
                bitwise32(dst, src, op);
                bitwise64(dst, src, op);
            }
            case Op.LSH -> {
                if (alu32) {
                    lsh32(dst, src);
                } else {
                    lsh64(dst, src);
                }
            }
            case Op.RSH -> {
                if (alu32) {
                    rsh32(dst, src);
                } else {
                    rsh64(dst, src);
                }
            }
            case Op.ARSH -> {
                if (alu32) {
                    arsh32(dst, src);
                } else {
                    arsh64(dst, src);
                }
            }
            default -> {
            }
        }
        if (alu32) {
            dst.assign32Into64();
        }
        dst.sync();
    }

    /** scalar32_min_max_add(), scalar_min_max_add() and tnum_add() with no bounds sync after them. */
    static void addUnsynced(Reg dst, Reg src) {
        add32Sub(dst, src, true);
        add64Sub(dst, src, true);
        long[] t = Tnum.add(dst.tv, dst.tm, src.tv, src.tm);
        dst.tv = t[0];
        dst.tm = t[1];
    }

    // is_safe_to_compute_dst_reg_range(): division and modulo are never tracked, shifts only by a constant
    // below the width
    private static boolean safeToCompute(Reg src, int op, boolean alu32) {
        boolean srcConst;
        if (alu32) {
            srcConst = (src.tm & U32) == 0 && src.s32min == src.s32max && src.u32min == src.u32max;
        } else {
            srcConst = src.isConst() && src.smin == src.smax && src.umin == src.umax;
        }
        return switch (op) {
            case Op.ADD, Op.SUB, Op.AND, Op.XOR, Op.OR, Op.MUL -> true;
            case Op.LSH, Op.RSH, Op.ARSH -> srcConst && Long.compareUnsigned(src.umax, alu32 ? 32 : 64) < 0;
            default -> false;
        };
    }

    // scalar32_min_max_add() / scalar32_min_max_sub()
    private static void add32Sub(Reg d, Reg s, boolean add) {
        long smin = add ? d.s32min + s.s32min : d.s32min - s.s32max;
        long smax = add ? d.s32max + s.s32max : d.s32max - s.s32min;
        if (smin != (int) smin || smax != (int) smax) {
            d.s32min = Integer.MIN_VALUE;
            d.s32max = Integer.MAX_VALUE;
        } else {
            d.s32min = smin;
            d.s32max = smax;
        }
        long umin = add ? d.u32min + s.u32min : d.u32min - s.u32max;
        long umax = add ? d.u32max + s.u32max : d.u32max - s.u32min;
        boolean minOver = umin != (umin & U32);
        boolean maxOver = umax != (umax & U32);
        d.u32min = umin & U32;
        d.u32max = umax & U32;
        if (add ? !minOver && maxOver : minOver && !maxOver) {
            d.u32min = 0;
            d.u32max = U32;
        }
    }

    // scalar_min_max_add() / scalar_min_max_sub()
    private static void add64Sub(Reg d, Reg s, boolean add) {
        long smin = add ? d.smin + s.smin : d.smin - s.smax;
        long smax = add ? d.smax + s.smax : d.smax - s.smin;
        boolean sOver = add ? overflowAdd(d.smin, s.smin) || overflowAdd(d.smax, s.smax)
                : overflowSub(d.smin, s.smax) || overflowSub(d.smax, s.smin);
        if (sOver) {
            d.smin = Long.MIN_VALUE;
            d.smax = Long.MAX_VALUE;
        } else {
            d.smin = smin;
            d.smax = smax;
        }
        long umin = add ? d.umin + s.umin : d.umin - s.umax;
        long umax = add ? d.umax + s.umax : d.umax - s.umin;
        boolean minOver = add ? Long.compareUnsigned(umin, d.umin) < 0 : Long.compareUnsigned(d.umin, s.umax) < 0;
        boolean maxOver = add ? Long.compareUnsigned(umax, d.umax) < 0 : Long.compareUnsigned(d.umax, s.umin) < 0;
        d.umin = umin;
        d.umax = umax;
        if (add ? !minOver && maxOver : minOver && !maxOver) {
            d.umin = 0;
            d.umax = -1L;
        }
    }

    // scalar32_min_max_mul()
    private static void mul32(Reg d, Reg s) {
        // u32 products fit in 64 unsigned bits: an overflow of the 32-bit range shows above it
        long umax = d.u32max * s.u32max;
        long umin = d.u32min * s.u32min;
        if (Long.compareUnsigned(umax, U32) > 0 || Long.compareUnsigned(umin, U32) > 0) {
            d.u32min = 0;
            d.u32max = U32;
        } else {
            d.u32min = umin;
            d.u32max = umax;
        }
        long[] p = {d.s32min * s.s32min, d.s32min * s.s32max, d.s32max * s.s32min, d.s32max * s.s32max};
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        boolean over = false;
        for (long v : p) {
            over |= v != (int) v;
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        if (over) {
            d.s32min = Integer.MIN_VALUE;
            d.s32max = Integer.MAX_VALUE;
        } else {
            d.s32min = lo;
            d.s32max = hi;
        }
    }

    // scalar_min_max_mul()
    private static void mul64(Reg d, Reg s) {
        if (mulOverflowsU(d.umax, s.umax) || mulOverflowsU(d.umin, s.umin)) {
            d.umin = 0;
            d.umax = -1L;
        } else {
            d.umin = d.umin * s.umin;
            d.umax = d.umax * s.umax;
        }
        long[] a = {d.smin, d.smin, d.smax, d.smax};
        long[] b = {s.smin, s.smax, s.smin, s.smax};
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        for (int i = 0; i < 4; i++) {
            long hiBits = Math.multiplyHigh(a[i], b[i]);
            long v = a[i] * b[i];
            if ((hiBits != 0 || v < 0) && (hiBits != -1 || v >= 0)) {
                d.smin = Long.MIN_VALUE;
                d.smax = Long.MAX_VALUE;
                return;
            }
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        d.smin = lo;
        d.smax = hi;
    }

    private static boolean mulOverflowsU(long a, long b) {
        return Math.unsignedMultiplyHigh(a, b) != 0;
    }

    // scalar32_min_max_and/or/xor(): the var_off is already the result's
    private static void bitwise32(Reg d, Reg s, int op) {
        boolean srcKnown = (s.tm & U32) == 0;
        boolean dstKnown = (d.tm & U32) == 0;
        long v = d.tv & U32;
        long m = d.tm & U32;
        if (srcKnown && dstKnown) {
            d.s32min = d.s32max = (int) v;
            d.u32min = d.u32max = v;
            return;
        }
        switch (op) {
            case Op.AND -> {
                d.u32min = v;
                d.u32max = Math.min(d.u32max, s.u32max);
            }
            case Op.OR -> {
                d.u32min = Math.max(d.u32min, s.u32min);
                d.u32max = v | m;
            }
            default -> {
                d.u32min = v;
                d.u32max = v | m;
            }
        }
        if ((int) d.u32min <= (int) d.u32max) {
            d.s32min = (int) d.u32min;
            d.s32max = (int) d.u32max;
        } else {
            d.s32min = Integer.MIN_VALUE;
            d.s32max = Integer.MAX_VALUE;
        }
    }

    // scalar_min_max_and/or/xor()
    private static void bitwise64(Reg d, Reg s, int op) {
        if (s.isConst() && d.isConst()) {
            d.markKnown(d.tv);
            return;
        }
        switch (op) {
            case Op.AND -> {
                d.umin = d.tv;
                d.umax = Long.compareUnsigned(d.umax, s.umax) < 0 ? d.umax : s.umax;
            }
            case Op.OR -> {
                d.umin = Long.compareUnsigned(d.umin, s.umin) > 0 ? d.umin : s.umin;
                d.umax = d.tv | d.tm;
            }
            default -> {
                d.umin = d.tv;
                d.umax = d.tv | d.tm;
            }
        }
        if (d.umin <= d.umax) {
            d.smin = d.umin;
            d.smax = d.umax;
        } else {
            d.smin = Long.MIN_VALUE;
            d.smax = Long.MAX_VALUE;
        }
        d.updateBounds64();
    }

    private static void unbounded64(Reg r) {
        r.smin = Long.MIN_VALUE;
        r.smax = Long.MAX_VALUE;
        r.umin = 0;
        r.umax = -1L;
    }

    private static void unbounded32(Reg r) {
        r.s32min = Integer.MIN_VALUE;
        r.s32max = Integer.MAX_VALUE;
        r.u32min = 0;
        r.u32max = U32;
    }

    // __scalar32_min_max_lsh()
    private static void lsh32Bounds(Reg d, long umin, long umax) {
        d.s32min = Integer.MIN_VALUE;
        d.s32max = Integer.MAX_VALUE;
        if (umax > 31 || d.u32max > (1L << (31 - umax))) {
            d.u32min = 0;
            d.u32max = U32;
        } else {
            d.u32min = (d.u32min << umin) & U32;
            d.u32max = (d.u32max << umax) & U32;
        }
    }

    private static void lsh32(Reg d, Reg s) {
        long umin = s.u32min;
        long umax = s.u32max;
        long v = d.tv & U32;
        long m = d.tm & U32;
        lsh32Bounds(d, umin, umax);
        d.tv = (v << umin) & U32;
        d.tm = (m << umin) & U32;
        unbounded64(d);
        d.updateBounds32();
    }

    // scalar_min_max_lsh()
    private static void lsh64(Reg d, Reg s) {
        long umin = s.umin;
        long umax = s.umax;
        // a left shift by exactly 32 makes the low half's signed value the high half's: its s32 range,
        // times 2^32, is the result's s64 range (the compiler's <<32 s>>32 sign-extension idiom)
        boolean by32 = umin == 32 && umax == 32;
        d.smax = by32 ? d.s32max << 32 : Long.MAX_VALUE;
        d.smin = by32 ? d.s32min << 32 : Long.MIN_VALUE;
        if (Long.compareUnsigned(d.umax, 1L << (63 - umax)) > 0) {
            d.umin = 0;
            d.umax = -1L;
        } else {
            d.umin <<= umin;
            d.umax <<= umax;
        }
        lsh32Bounds(d, umin, umax);
        d.tv <<= umin;
        d.tm <<= umin;
        d.updateBounds64();
    }

    private static void rsh32(Reg d, Reg s) {
        long v = d.tv & U32;
        long m = d.tm & U32;
        long umin = s.u32min;
        long umax = s.u32max;
        d.s32min = Integer.MIN_VALUE;
        d.s32max = Integer.MAX_VALUE;
        d.tv = v >>> umin;
        d.tm = m >>> umin;
        d.u32min >>>= umax;
        d.u32max >>>= umin;
        unbounded64(d);
        d.updateBounds32();
    }

    private static void rsh64(Reg d, Reg s) {
        long umin = s.umin;
        long umax = s.umax;
        d.smin = Long.MIN_VALUE;
        d.smax = Long.MAX_VALUE;
        d.tv >>>= umin;
        d.tm >>>= umin;
        d.umin >>>= umax;
        d.umax >>>= umin;
        unbounded32(d);
        d.updateBounds64();
    }

    private static void arsh32(Reg d, Reg s) {
        int sh = (int) s.u32min;
        d.s32min = (int) d.s32min >> sh;
        d.s32max = (int) d.s32max >> sh;
        d.tv = ((int) d.tv >> sh) & U32;
        d.tm = ((int) d.tm >> sh) & U32;
        d.u32min = 0;
        d.u32max = U32;
        unbounded64(d);
        d.updateBounds32();
    }

    private static void arsh64(Reg d, Reg s) {
        int sh = (int) s.umin;
        d.smin >>= sh;
        d.smax >>= sh;
        d.tv >>= sh;
        d.tm >>= sh;
        d.umin = 0;
        d.umax = -1L;
        unbounded32(d);
        d.updateBounds64();
    }

    /**
     * After a scalar op (adjust_reg_min_max_vals()): {@code r += K} or {@code r -= K} on a linked scalar
     * keeps the link with the signed delta in {@code off} (the kernel's BPF_ADD_CONST64, or ADD_CONST32
     * for a 32-bit op on a value whose upper half was zero); a second delta, a delta outside s32, or any
     * other op unlinks the result. {@code dstUmax} is the destination's umax before the op.
     */
    private static void linkOrClearId(Reg dst, Reg src, int op, boolean alu32, long dstUmax) {
        boolean srcConst = alu32 ? (src.tm & U32) == 0 : src.tm == 0;
        if ((op == Op.ADD || op == Op.SUB) && dst.id != 0 && srcConst) {
            long val = alu32 ? src.tv & U32 : src.tv;
            if (!alu32 && (val < Integer.MIN_VALUE || val > Integer.MAX_VALUE)
                    || alu32 && Long.compareUnsigned(dstUmax, U32) > 0) {
                clearId(dst);
                return;
            }
            int off = (int) val;
            if (op == Op.SUB) {
                if (off == Integer.MIN_VALUE) {
                    clearId(dst);
                    return;
                }
                off = -off;
            }
            if ((dst.id & ADD_CONST) != 0) {
                clearId(dst);
            } else {
                dst.id |= alu32 ? ADD_CONST32 : ADD_CONST64;
                dst.off = off;
            }
        } else {
            clearId(dst);
        }
    }

    private static boolean overflowAdd(long x, long y) {
        long r = x + y;
        return ((x ^ r) & (y ^ r)) < 0;
    }

    private static boolean overflowSub(long x, long y) {
        long r = x - y;
        return ((x ^ y) & (x ^ r)) < 0;
    }

    // mirrors the pointer cases of adjust_reg_min_max_vals() and adjust_ptr_min_max_vals()
    private static void pointerOp(AbstractInterp ai, VState st, int pc, Insn in, Reg dst, Reg src, int op,
                                  boolean is64, boolean x) {
        int d = in.dst();
        if (dst.isPtr() && src.isPtr()) {
            // a privileged program may subtract pointers (allow_ptr_leaks), at either width
            if (op == Op.SUB) {
                dst.markUnknown();
                return;
            }
            throw ai.rejection(pc, "R" + d + " pointer " + OPS[op >> 4] + " pointer prohibited");
        }
        Reg ptr;
        Reg off;
        if (dst.isPtr()) {
            ptr = dst;
            off = src;
            if (x) {
                ai.precision.markRegPrecise(st, in.src());
            }
        } else {
            ptr = src;
            off = dst;
            ai.precision.markRegPrecise(st, d);
        }
        boolean known = off.isConst();
        if ((known && (off.smin != off.smax || off.umin != off.umax)) || off.smin > off.smax
                || Long.compareUnsigned(off.umin, off.umax) > 0) {
            // the offset's bounds come from a dead branch: nothing is known
            dst.markUnknown();
            return;
        }
        if (!is64) {
            if (op == Op.SUB) {
                dst.markUnknown();
                return;
            }
            throw ai.rejection(pc, "R" + d + " 32-bit pointer arithmetic prohibited");
        }
        if (ptr.type.maybeNull()) {
            throw ai.rejection(pc, "R" + d + " pointer arithmetic on " + ptr.typeName()
                    + " prohibited, null-check it first");
        }
        switch (ptr.type) {
            case CONST_PTR_TO_MAP -> {
                if (!(known && off.smin == 0 && op == Op.ADD)) {
                    throw ai.rejection(pc, "R" + d + " pointer arithmetic on " + ptr.typeName() + " prohibited");
                }
            }
            case PTR_TO_PACKET_END, PTR_TO_XDP_SOCK -> throw ai.rejection(pc, "R" + d + " pointer arithmetic on "
                    + ptr.typeName() + " prohibited");
            default -> {
            }
        }
        if (op != Op.ADD && op != Op.SUB) {
            if (op == Op.AND || op == Op.OR || op == Op.XOR) {
                throw ai.rejection(pc, "R" + d + " bitwise operator " + OPS[op >> 4] + " on pointer prohibited");
            }
            throw ai.rejection(pc, "R" + d + " pointer arithmetic with " + OPS[op >> 4] + " operator prohibited");
        }
        saneOffset(ai, pc, off, ptr.type);
        saneOffset(ai, pc, ptr, ptr.type);
        Reg res = ptr.copy();
        res.id = ptr.id;
        if (op == Op.ADD) {
            long sum = (long) ptr.off + off.smin;
            if (known && sum == (int) sum) {
                // pointer += K: into the fixed offset
                res.off = (int) sum;
            } else {
                res.smin = overflowAdd(ptr.smin, off.smin) || overflowAdd(ptr.smax, off.smax) ? Long.MIN_VALUE
                        : ptr.smin + off.smin;
                res.smax = overflowAdd(ptr.smin, off.smin) || overflowAdd(ptr.smax, off.smax) ? Long.MAX_VALUE
                        : ptr.smax + off.smax;
                long umin = ptr.umin + off.umin;
                long umax = ptr.umax + off.umax;
                if (Long.compareUnsigned(umin, ptr.umin) < 0 || Long.compareUnsigned(umax, ptr.umax) < 0) {
                    res.umin = 0;
                    res.umax = -1L;
                } else {
                    res.umin = umin;
                    res.umax = umax;
                }
                long[] t = Tnum.add(ptr.tv, ptr.tm, off.tv, off.tm);
                res.tv = t[0];
                res.tm = t[1];
                if (ptr.type.isPacket()) {
                    res.id = ai.newId();
                    res.range = 0;
                }
            }
        } else {
            if (dst == off) {
                throw ai.rejection(pc, "R" + d + " tried to subtract pointer from scalar");
            }
            if (ptr.type == RegType.PTR_TO_STACK) {
                throw ai.rejection(pc, "R" + d + " subtraction from stack pointer prohibited");
            }
            long diff = (long) ptr.off - off.smin;
            if (known && diff == (int) diff) {
                res.off = (int) diff;
            } else {
                boolean sOver = overflowSub(ptr.smin, off.smax) || overflowSub(ptr.smax, off.smin);
                res.smin = sOver ? Long.MIN_VALUE : ptr.smin - off.smax;
                res.smax = sOver ? Long.MAX_VALUE : ptr.smax - off.smin;
                if (Long.compareUnsigned(ptr.umin, off.umax) < 0) {
                    res.umin = 0;
                    res.umax = -1L;
                } else {
                    res.umin = ptr.umin - off.umax;
                    res.umax = ptr.umax - off.umin;
                }
                long[] t = Tnum.sub(ptr.tv, ptr.tm, off.tv, off.tm);
                res.tv = t[0];
                res.tm = t[1];
                if (ptr.type.isPacket()) {
                    res.id = ai.newId();
                    if (off.smin < 0) {
                        res.range = 0;
                    }
                }
            }
        }
        // pointers carry no 32-bit bounds
        res.u32min = 0;
        res.u32max = U32;
        res.s32min = Integer.MIN_VALUE;
        res.s32max = Integer.MAX_VALUE;
        saneOffset(ai, pc, res, ptr.type);
        res.sync();
        res.precise = false;
        dst.set(res);
    }

    /** BPF_MAX_VAR_OFF */
    private static final long MAX_VAR_OFF = 1L << 29;

    // mirrors check_reg_sane_offset()
    private static void saneOffset(AbstractInterp ai, int pc, Reg r, RegType type) {
        String t = type.kernelName;
        if (r.isConst() && (r.tv >= MAX_VAR_OFF || r.tv <= -MAX_VAR_OFF)) {
            throw ai.rejection(pc, "math between " + t + " pointer and " + r.tv + " is not allowed");
        }
        if (r.off >= MAX_VAR_OFF || r.off <= -MAX_VAR_OFF) {
            throw ai.rejection(pc, t + " pointer offset " + r.off + " is not allowed");
        }
        if (r.smin == Long.MIN_VALUE) {
            throw ai.rejection(pc, "math between " + t + " pointer and register with unbounded min value is not allowed");
        }
        if (r.smin >= MAX_VAR_OFF || r.smin <= -MAX_VAR_OFF) {
            throw ai.rejection(pc, "value " + r.smin + " makes " + t + " pointer be out of bounds");
        }
    }
}
