package dev.jxdp.ebpf.verifier;

import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;

/**
 * ALU instructions on abstract values (check_alu_op(), adjust_scalar_min_max_vals(),
 * adjust_ptr_min_max_vals()): known bits and 64- and 32-bit bounds for scalars, fixed and variable
 * offsets for pointers; 32-bit operations work on the low halves' bounds, then zero-extend.
 */
final class Alu {
    private Alu() {}

    private static final long U32 = 0xffffffffL;
    private static final String[] OPS = {"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=", "end"};

    static void apply(AbstractInterp ai, VState st, int pc, Insn in) {
        int op = Op.op(in.opcode());
        boolean is64 = in.cls() == Op.ALU64;
        boolean x = Op.src(in.opcode()) == Op.X;
        int d = in.dst();
        if (op == Op.END || op == Op.NEG) {
            Reg r = ai.read(st, pc, d);
            ai.write(st, pc, d);
            if (r.isPtr()) {
                r.markUnknown();
                return;
            }
            if (op == Op.NEG) {
                if (r.isConst()) {
                    r.markScalar(is64 ? -r.tv : (-r.tv) & U32);
                } else if (is64) {
                    r.markUnknown();
                } else {
                    r.markUnknownBelow(U32);
                }
                return;
            }
            int bits = in.imm();
            long mask = bits == 64 ? -1L : (1L << bits) - 1;
            boolean toLe = !is64 && Op.src(in.opcode()) == 0;
            if (toLe) {
                and(r, mask);
            } else if (r.isConst()) {
                long v = Long.reverseBytes(r.tv) >>> (64 - bits);
                r.markScalar(v & mask);
            } else if (bits == 64) {
                r.markUnknown();
            } else {
                r.markUnknownBelow(mask);
            }
            return;
        }
        if (op == Op.MOV) {
            Reg dst = ai.write(st, pc, d);
            if (!x) {
                dst.markScalar(is64 ? in.imm() : in.imm() & U32);
                return;
            }
            Reg src = ai.read(st, pc, in.src());
            if (in.off() != 0) {
                // movsx
                if (src.isConst()) {
                    long v = AbstractInterp.signExtend(src.tv, in.off() / 8);
                    dst.markScalar(is64 ? v : v & U32);
                } else {
                    dst.markUnknown();
                    if (!is64) {
                        long lim = 1L << (in.off() - 1);
                        dst.s32min = -lim;
                        dst.s32max = lim - 1;
                        dst.zext32();
                    } else {
                        long lim = 1L << (in.off() - 1);
                        dst.smin = -lim;
                        dst.smax = lim - 1;
                        dst.sync();
                    }
                }
                return;
            }
            if (is64) {
                if (src.type == RegType.SCALAR && !src.isConst() && src.id == 0) {
                    src.id = ai.newId();
                }
                dst.set(src);
                return;
            }
            if (src.isPtr()) {
                dst.markUnknownBelow(U32);
                return;
            }
            Reg t = src.copy();
            t.zext32();
            t.id = 0;
            dst.set(t);
            return;
        }
        Reg dst = ai.read(st, pc, d);
        ai.write(st, pc, d);
        Reg src;
        if (x) {
            src = ai.read(st, pc, in.src()).copy();
        } else {
            src = new Reg();
            src.markScalar(is64 ? in.imm() : in.imm() & U32);
            if ((op == Op.DIV || op == Op.MOD) && in.imm() == 0) {
                throw ai.rejection(pc, "division by zero");
            }
            if ((op == Op.LSH || op == Op.RSH || op == Op.ARSH) && (in.imm() < 0 || in.imm() >= (is64 ? 64 : 32))) {
                throw ai.rejection(pc, "invalid shift " + in.imm());
            }
        }
        if (dst.isPtr() || src.isPtr()) {
            pointerOp(ai, st, pc, in, dst, src, op, is64);
            return;
        }
        if (!is64) {
            Reg a = dst.copy();
            a.zext32();
            src.zext32();
            if (op == Op.LSH || op == Op.RSH || op == Op.ARSH) {
                if (src.isConst()) {
                    src.markScalar(src.tv & 31);
                }
            }
            if (op == Op.ARSH) {
                if (a.isConst() && src.isConst()) {
                    a.markScalar(((int) a.tv >> (int) src.tv) & U32);
                } else {
                    a.markUnknownBelow(U32);
                }
            } else if ((op == Op.DIV || op == Op.MOD) && Op.src(in.opcode()) == Op.X && in.off() == 1
                    || (op == Op.DIV || op == Op.MOD) && in.off() == 1) {
                if (a.isConst() && src.isConst() && src.tv != 0) {
                    int av = (int) a.tv;
                    int bv = (int) src.tv;
                    a.markScalar((op == Op.DIV ? av / bv : av % bv) & U32);
                } else {
                    a.markUnknownBelow(U32);
                }
            } else if (a.isConst() && src.isConst()) {
                scalar64(a, src, op, false);
            } else {
                scalar32(a, src, op);
            }
            a.zext32();
            a.id = 0;
            dst.set(a);
            return;
        }
        scalar64(dst, src, op, in.off() == 1);
    }

    // mirrors the scalar32_min_max_*() functions: the op on the low halves' ranges and known bits;
    // the caller zero-extends the result (zext_32_to_64())
    static void scalar32(Reg a, Reg b, int op) {
        long av = a.tv & U32, am = a.tm & U32, bv = b.tv & U32, bm = b.tm & U32;
        long u0 = a.u32min, u1 = a.u32max, s0 = a.s32min, s1 = a.s32max;
        a.markUnknown();
        long[] t = {0, U32};
        boolean signFromUnsigned = false;
        switch (op) {
            case Op.ADD -> {
                t = Tnum.add(av, am, bv, bm);
                long lo = s0 + b.s32min, hi = s1 + b.s32max;
                if (lo >= Integer.MIN_VALUE && hi <= Integer.MAX_VALUE) {
                    a.s32min = lo;
                    a.s32max = hi;
                }
                if (u1 + b.u32max <= U32) {
                    a.u32min = u0 + b.u32min;
                    a.u32max = u1 + b.u32max;
                }
            }
            case Op.SUB -> {
                t = Tnum.sub(av, am, bv, bm);
                long lo = s0 - b.s32max, hi = s1 - b.s32min;
                if (lo >= Integer.MIN_VALUE && hi <= Integer.MAX_VALUE) {
                    a.s32min = lo;
                    a.s32max = hi;
                }
                if (u0 >= b.u32max) {
                    a.u32min = u0 - b.u32max;
                    a.u32max = u1 - b.u32min;
                }
            }
            case Op.MUL -> {
                if (b.u32max == 0 || u1 <= U32 / b.u32max) {
                    a.u32min = u0 * b.u32min;
                    a.u32max = u1 * b.u32max;
                    signFromUnsigned = s0 >= 0 && b.s32min >= 0;
                }
            }
            case Op.AND -> {
                t = Tnum.and(av, am, bv, bm);
                a.u32min = t[0] & U32;
                a.u32max = Math.min(u1, b.u32max);
                signFromUnsigned = s0 >= 0 && b.s32min >= 0;
            }
            case Op.OR -> {
                t = Tnum.or(av, am, bv, bm);
                a.u32min = Math.max(u0, b.u32min);
                a.u32max = (t[0] | t[1]) & U32;
                signFromUnsigned = s0 >= 0 && b.s32min >= 0;
            }
            case Op.XOR -> {
                t = Tnum.xor(av, am, bv, bm);
                a.u32min = t[0] & U32;
                a.u32max = (t[0] | t[1]) & U32;
                signFromUnsigned = s0 >= 0 && b.s32min >= 0;
            }
            case Op.LSH, Op.RSH -> {
                if (b.isConst()) {
                    int sh = (int) (b.tv & 31);
                    if (op == Op.RSH) {
                        t = new long[] {av >>> sh, am >>> sh};
                        a.u32min = u0 >>> sh;
                        a.u32max = u1 >>> sh;
                    } else {
                        // the sign bit is lost; the unsigned range survives a shift that drops no set bit
                        t = new long[] {(av << sh) & U32, (am << sh) & U32};
                        if (u1 <= U32 >>> sh) {
                            a.u32min = u0 << sh;
                            a.u32max = u1 << sh;
                        }
                    }
                }
            }
            case Op.DIV, Op.MOD -> {
                // unsigned: never above the dividend (a zero divisor gives 0 or leaves it)
                a.u32max = u1;
                if (op == Op.MOD && b.isConst() && b.tv != 0 && b.tv - 1 < u1) {
                    a.u32max = b.tv - 1;
                }
            }
            default -> {
            }
        }
        if (signFromUnsigned && a.u32max <= Integer.MAX_VALUE) {
            a.s32min = a.u32min;
            a.s32max = a.u32max;
        }
        a.tv = t[0] & U32 & ~t[1];
        a.tm = t[1] & U32;
    }

    private static void and(Reg r, long mask) {
        Reg m = new Reg();
        m.markScalar(mask);
        scalar64(r, m, Op.AND, false);
    }

    // mirrors adjust_scalar_min_max_vals() for 64-bit operands
    static void scalar64(Reg a, Reg b, int op, boolean signed) {
        if (a.isConst() && b.isConst()) {
            long x = a.tv;
            long y = b.tv;
            long v;
            switch (op) {
                case Op.ADD -> v = x + y;
                case Op.SUB -> v = x - y;
                case Op.MUL -> v = x * y;
                case Op.DIV -> v = y == 0 ? 0 : signed ? (y == -1 ? -x : x / y) : Long.divideUnsigned(x, y);
                case Op.MOD -> v = y == 0 ? x : signed ? (y == -1 ? 0 : x % y) : Long.remainderUnsigned(x, y);
                case Op.OR -> v = x | y;
                case Op.AND -> v = x & y;
                case Op.XOR -> v = x ^ y;
                case Op.LSH -> v = x << (y & 63);
                case Op.RSH -> v = x >>> (y & 63);
                case Op.ARSH -> v = x >> (y & 63);
                default -> v = 0;
            }
            a.markScalar(v);
            return;
        }
        long aumin = a.umin;
        long aumax = a.umax;
        long asmin = a.smin;
        long asmax = a.smax;
        long atv = a.tv;
        long atm = a.tm;
        a.markUnknown();
        long[] t;
        switch (op) {
            case Op.ADD -> {
                t = Tnum.add(atv, atm, b.tv, b.tm);
                a.tv = t[0];
                a.tm = t[1];
                long lo = asmin + b.smin;
                long hi = asmax + b.smax;
                if (!overflowAdd(asmin, b.smin) && !overflowAdd(asmax, b.smax)) {
                    a.smin = lo;
                    a.smax = hi;
                }
                long ulo = aumin + b.umin;
                long uhi = aumax + b.umax;
                if (Long.compareUnsigned(ulo, aumin) >= 0 && Long.compareUnsigned(uhi, aumax) >= 0) {
                    a.umin = ulo;
                    a.umax = uhi;
                }
            }
            case Op.SUB -> {
                t = Tnum.sub(atv, atm, b.tv, b.tm);
                a.tv = t[0];
                a.tm = t[1];
                if (!overflowSub(asmin, b.smax) && !overflowSub(asmax, b.smin)) {
                    a.smin = asmin - b.smax;
                    a.smax = asmax - b.smin;
                }
                if (Long.compareUnsigned(aumin, b.umax) >= 0) {
                    a.umin = aumin - b.umax;
                    a.umax = aumax - b.umin;
                }
            }
            case Op.MUL -> {
                if (Long.compareUnsigned(aumax, U32) <= 0 && Long.compareUnsigned(b.umax, U32) <= 0) {
                    a.umin = aumin * b.umin;
                    a.umax = aumax * b.umax;
                }
            }
            case Op.DIV -> {
                if (!signed) {
                    a.umin = 0;
                    a.umax = aumax;
                }
            }
            case Op.MOD -> {
                if (!signed) {
                    a.umin = 0;
                    a.umax = aumax;
                    if (b.isConst() && b.tv != 0 && Long.compareUnsigned(b.tv - 1, aumax) < 0) {
                        a.umax = b.tv - 1;
                    }
                }
            }
            case Op.AND -> {
                t = Tnum.and(atv, atm, b.tv, b.tm);
                a.tv = t[0];
                a.tm = t[1];
                a.umax = Long.compareUnsigned(aumax, b.umax) < 0 ? aumax : b.umax;
            }
            case Op.OR -> {
                t = Tnum.or(atv, atm, b.tv, b.tm);
                a.tv = t[0];
                a.tm = t[1];
                a.umin = Long.compareUnsigned(aumin, b.umin) > 0 ? aumin : b.umin;
            }
            case Op.XOR -> {
                t = Tnum.xor(atv, atm, b.tv, b.tm);
                a.tv = t[0];
                a.tm = t[1];
            }
            case Op.LSH -> {
                if (b.isConst()) {
                    int s = (int) (b.tv & 63);
                    a.tv = atv << s;
                    a.tm = atm << s;
                    if (s == 0 || Long.compareUnsigned(aumax, -1L >>> s) <= 0) {
                        a.umin = aumin << s;
                        a.umax = aumax << s;
                    }
                }
            }
            case Op.RSH -> {
                if (b.isConst()) {
                    int s = (int) (b.tv & 63);
                    a.tv = atv >>> s;
                    a.tm = atm >>> s;
                    a.umin = aumin >>> s;
                    a.umax = aumax >>> s;
                }
            }
            case Op.ARSH -> {
                if (b.isConst()) {
                    int s = (int) (b.tv & 63);
                    a.tv = atv >> s;
                    a.tm = atm >> s;
                    a.smin = asmin >> s;
                    a.smax = asmax >> s;
                }
            }
            default -> {
            }
        }
        a.sync();
    }

    private static boolean overflowAdd(long x, long y) {
        long r = x + y;
        return ((x ^ r) & (y ^ r)) < 0;
    }

    private static boolean overflowSub(long x, long y) {
        long r = x - y;
        return ((x ^ y) & (x ^ r)) < 0;
    }

    // mirrors adjust_ptr_min_max_vals() and the pointer cases of adjust_reg_min_max_vals()
    private static void pointerOp(AbstractInterp ai, VState st, int pc, Insn in, Reg dst, Reg src, int op, boolean is64) {
        int d = in.dst();
        if (dst.isPtr() && src.isPtr()) {
            // a privileged program may subtract pointers (allow_ptr_leaks), at either width
            if (op == Op.SUB) {
                if (is64) {
                    dst.markUnknown();
                } else {
                    dst.markUnknownBelow(U32);
                }
                return;
            }
            throw ai.rejection(pc, "R" + d + " pointer " + OPS[op >> 4] + " pointer prohibited");
        }
        Reg ptr = dst.isPtr() ? dst : src;
        Reg off = dst.isPtr() ? src : dst;
        int ptrReg = dst.isPtr() ? d : in.src();
        if (!is64) {
            throw ai.rejection(pc, "R" + d + " 32-bit pointer arithmetic prohibited");
        }
        if (op != Op.ADD && op != Op.SUB) {
            if (op == Op.AND || op == Op.OR || op == Op.XOR) {
                throw ai.rejection(pc, "R" + d + " bitwise operator " + OPS[op >> 4] + " on pointer prohibited");
            }
            throw ai.rejection(pc, "R" + d + " pointer arithmetic with " + OPS[op >> 4] + " operator prohibited");
        }
        if (op == Op.SUB && !dst.isPtr()) {
            throw ai.rejection(pc, "R" + d + " tried to subtract pointer from scalar");
        }
        switch (ptr.type) {
            case PTR_TO_MAP_VALUE_OR_NULL, PTR_TO_MEM_OR_NULL -> throw ai.rejection(pc, "R" + ptrReg
                    + " pointer arithmetic on " + ptr.type.kernelName + " prohibited, null-check it first");
            case CONST_PTR_TO_MAP, PTR_TO_PACKET_END, PTR_TO_FUNC -> throw ai.rejection(pc, "R" + ptrReg
                    + " pointer arithmetic on " + ptr.type.kernelName + " prohibited");
            default -> {
            }
        }
        Reg res = ptr.copy();
        if (off.isConst() && off.tv >= Integer.MIN_VALUE && off.tv <= Integer.MAX_VALUE
                && (long) res.off + (op == Op.ADD ? off.tv : -off.tv) == (int) ((long) res.off + (op == Op.ADD ? off.tv : -off.tv))) {
            res.off += (int) (op == Op.ADD ? off.tv : -off.tv);
        } else {
            if (ptr.type == RegType.PTR_TO_CTX) {
                throw ai.rejection(pc, "R" + d + " variable ctx access prohibited");
            }
            Reg var = ptr.copy();
            var.type = RegType.SCALAR;
            scalar64(var, off, op, false);
            res.tv = var.tv;
            res.tm = var.tm;
            res.umin = var.umin;
            res.umax = var.umax;
            res.smin = var.smin;
            res.smax = var.smax;
            if (res.type.isPacket()) {
                res.id = ai.newId();
                res.range = 0;
            }
        }
        dst.set(res);
    }
}
