package dev.jxdp.ebpf.verifier;

import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;

/**
 * Conditional jumps (check_cond_jmp_op()): decided branches followed alone (is_branch_taken()), the
 * others explored on both sides with what each side learns: scalar bounds (reg_set_min_max()), packet
 * range from comparisons with data_end (find_good_pkt_pointers()), non-null after a null check
 * (mark_ptr_or_null_regs()).
 */
final class Branch {
    private Branch() {}

    private static final long U32 = 0xffffffffL;

    static int cond(AbstractInterp ai, VState st, int pc, Insn in) {
        int op = Op.op(in.opcode());
        boolean is32 = in.cls() == Op.JMP32;
        boolean x = Op.src(in.opcode()) == Op.X;
        int target = CfgCheck.jumpTarget(in, pc);
        Reg a = ai.read(st, pc, in.dst());
        Reg b;
        if (x) {
            b = ai.read(st, pc, in.src());
        } else {
            b = new Reg();
            b.markScalar(is32 ? in.imm() & U32 : in.imm());
        }
        // null checks
        if (!is32 && (op == Op.JEQ || op == Op.JNE) && b.type == RegType.SCALAR && b.isConst() && b.tv == 0
                && a.type.maybeNull()) {
            VState other = st.copy();
            // jump side: a == 0 for JEQ
            RegType type = a.type;
            markNull(other, a.id, op == Op.JEQ, type);
            markNull(st, a.id, op != Op.JEQ, type);
            ai.fork(other, target);
            return pc + 1;
        }
        if (a.isPtr() && !a.type.maybeNull() && b.type == RegType.SCALAR && b.isConst() && b.tv == 0
                && (op == Op.JEQ || op == Op.JNE) && a.type != RegType.PTR_TO_FUNC) {
            return op == Op.JNE ? target : pc + 1;
        }
        if (!is32 && a.isPtr() && b.isPtr()) {
            packetCompare(ai, st, pc, target, a, b, op);
            return pc + 1;
        }
        if (a.type != RegType.SCALAR || b.type != RegType.SCALAR) {
            ai.fork(st.copy(), target);
            return pc + 1;
        }
        Reg va = is32 ? view32(a) : a;
        Reg vb = is32 ? view32(b) : b;
        int taken = taken(va, vb, op);
        if (taken == 1) {
            return target;
        }
        if (taken == 0) {
            return pc + 1;
        }
        VState jst = st.copy();
        if (refine(jst, in, op, x)) {
            ai.fork(jst, target);
        }
        if (!refine(st, in, negate(op), x)) {
            return -1;
        }
        return pc + 1;
    }

    /**
     * The low 32 bits of {@code r} as a value of their own: the u32 and s32 ranges in the unsigned and
     * signed bounds, the low known bits (what is_branch_taken() and reg_set_min_max() use for JMP32).
     * Only its bounds and known bits mean anything.
     */
    static Reg view32(Reg r) {
        Reg v = new Reg();
        v.type = r.type;
        v.tv = r.tv & U32;
        v.tm = r.tm & U32;
        v.umin = r.u32min;
        v.umax = r.u32max;
        v.smin = r.s32min;
        v.smax = r.s32max;
        return v;
    }

    /** Puts what a JMP32 compare learned about the low 32 bits back into the register. */
    private static void apply32(Reg r, Reg v) {
        r.tv = (r.tv & ~U32) | (v.tv & U32);
        r.tm = (r.tm & ~U32) | (v.tm & U32);
        r.u32min = v.umin;
        r.u32max = v.umax;
        r.s32min = v.smin;
        r.s32max = v.smax;
    }

    static int negate(int op) {
        return switch (op) {
            case Op.JEQ -> Op.JNE;
            case Op.JNE -> Op.JEQ;
            case Op.JGT -> Op.JLE;
            case Op.JLE -> Op.JGT;
            case Op.JGE -> Op.JLT;
            case Op.JLT -> Op.JGE;
            case Op.JSGT -> Op.JSLE;
            case Op.JSLE -> Op.JSGT;
            case Op.JSGE -> Op.JSLT;
            case Op.JSLT -> Op.JSGE;
            case Op.JSET -> NOT_JSET;
            default -> Op.JSET;
        };
    }

    private static final int NOT_JSET = -1;

    // mirrors is_branch_taken(): 1 always, 0 never, -1 unknown
    static int taken(Reg a, Reg b, int op) {
        switch (op) {
            case Op.JEQ, Op.JNE -> {
                int eq;
                if (a.isConst() && b.isConst()) {
                    eq = a.tv == b.tv ? 1 : 0;
                } else if (Long.compareUnsigned(a.umin, b.umax) > 0 || Long.compareUnsigned(a.umax, b.umin) < 0
                        || a.smin > b.smax || a.smax < b.smin || ((a.tv ^ b.tv) & ~(a.tm | b.tm)) != 0) {
                    eq = 0;
                } else {
                    eq = -1;
                }
                return eq == -1 ? -1 : op == Op.JEQ ? eq : 1 - eq;
            }
            case Op.JGT -> {
                return ucmp(a.umin, b.umax) > 0 ? 1 : ucmp(a.umax, b.umin) <= 0 ? 0 : -1;
            }
            case Op.JGE -> {
                return ucmp(a.umin, b.umax) >= 0 ? 1 : ucmp(a.umax, b.umin) < 0 ? 0 : -1;
            }
            case Op.JLT -> {
                return ucmp(a.umax, b.umin) < 0 ? 1 : ucmp(a.umin, b.umax) >= 0 ? 0 : -1;
            }
            case Op.JLE -> {
                return ucmp(a.umax, b.umin) <= 0 ? 1 : ucmp(a.umin, b.umax) > 0 ? 0 : -1;
            }
            case Op.JSGT -> {
                return a.smin > b.smax ? 1 : a.smax <= b.smin ? 0 : -1;
            }
            case Op.JSGE -> {
                return a.smin >= b.smax ? 1 : a.smax < b.smin ? 0 : -1;
            }
            case Op.JSLT -> {
                return a.smax < b.smin ? 1 : a.smin >= b.smax ? 0 : -1;
            }
            case Op.JSLE -> {
                return a.smax <= b.smin ? 1 : a.smin > b.smax ? 0 : -1;
            }
            case Op.JSET -> {
                if ((a.tv & b.tv) != 0) {
                    return 1;
                }
                return ((a.tv | a.tm) & (b.tv | b.tm)) == 0 ? 0 : -1;
            }
            default -> {
                return -1;
            }
        }
    }

    private static int ucmp(long x, long y) {
        return Long.compareUnsigned(x, y);
    }

    /** Narrows the operands of a jump on the side where {@code op} holds; false when that side is impossible. */
    private static boolean refine(VState st, Insn in, int op, boolean x) {
        Reg ra = st.reg(in.dst());
        Reg rb;
        if (x) {
            rb = st.reg(in.src());
        } else {
            rb = new Reg();
            rb.markScalar(in.cls() == Op.JMP32 ? in.imm() & U32 : in.imm());
        }
        boolean is32 = in.cls() == Op.JMP32;
        Reg a = is32 ? view32(ra) : ra;
        Reg b = is32 ? view32(rb) : rb;
        if (!refineBounds(a, b, op)) {
            return false;
        }
        if (is32) {
            if (a.infeasible() || b.infeasible()) {
                return false;
            }
            apply32(ra, a);
            apply32(rb, b);
        }
        ra.sync();
        rb.sync();
        if (ra.infeasible() || rb.infeasible()) {
            return false;
        }
        propagate(st, ra);
        if (x) {
            propagate(st, rb);
        }
        return true;
    }

    // mirrors regs_refine_cond_op(): each operand's bounds where {@code op} holds, at the width of the
    // views; false when no value makes it hold
    private static boolean refineBounds(Reg a, Reg b, int op) {
        long aumin = a.umin, aumax = a.umax, asmin = a.smin, asmax = a.smax;
        long bumin = b.umin, bumax = b.umax, bsmin = b.smin, bsmax = b.smax;
        switch (op) {
            case Op.JEQ -> {
                long umin = umaxOf(aumin, bumin);
                long umax = uminOf(aumax, bumax);
                long smin = Math.max(asmin, bsmin);
                long smax = Math.min(asmax, bsmax);
                long v = a.tv | b.tv;
                long m = a.tm & b.tm;
                for (Reg r : new Reg[] {a, b}) {
                    r.umin = umin;
                    r.umax = umax;
                    r.smin = smin;
                    r.smax = smax;
                    r.tv = v & ~m;
                    r.tm = m;
                }
            }
            case Op.JNE -> {
                if (b.isConst()) {
                    if (a.umin == b.umin) {
                        a.umin++;
                    }
                    if (a.umax == b.umin) {
                        a.umax--;
                    }
                    if (a.smin == b.smin) {
                        a.smin++;
                    }
                    if (a.smax == b.smin) {
                        a.smax--;
                    }
                    if (a.isConst() && a.tv == b.tv) {
                        return false;
                    }
                }
            }
            case Op.JGT -> {
                if (bumin == -1L || aumax == 0) {
                    return false;
                }
                a.umin = umaxOf(aumin, bumin + 1);
                b.umax = uminOf(bumax, aumax - 1);
            }
            case Op.JGE -> {
                a.umin = umaxOf(aumin, bumin);
                b.umax = uminOf(bumax, aumax);
            }
            case Op.JLT -> {
                if (bumax == 0 || aumin == -1L) {
                    return false;
                }
                a.umax = uminOf(aumax, bumax - 1);
                b.umin = umaxOf(bumin, aumin + 1);
            }
            case Op.JLE -> {
                a.umax = uminOf(aumax, bumax);
                b.umin = umaxOf(bumin, aumin);
            }
            case Op.JSGT -> {
                if (bsmin == Long.MAX_VALUE || asmax == Long.MIN_VALUE) {
                    return false;
                }
                a.smin = Math.max(asmin, bsmin + 1);
                b.smax = Math.min(bsmax, asmax - 1);
            }
            case Op.JSGE -> {
                a.smin = Math.max(asmin, bsmin);
                b.smax = Math.min(bsmax, asmax);
            }
            case Op.JSLT -> {
                if (bsmax == Long.MIN_VALUE || asmin == Long.MAX_VALUE) {
                    return false;
                }
                a.smax = Math.min(asmax, bsmax - 1);
                b.smin = Math.max(bsmin, asmin + 1);
            }
            case Op.JSLE -> {
                a.smax = Math.min(asmax, bsmax);
                b.smin = Math.max(bsmin, asmin);
            }
            case NOT_JSET -> {
                if (b.isConst()) {
                    a.tv &= ~b.tv;
                    a.tm &= ~b.tv;
                }
            }
            default -> {
            }
        }
        return true;
    }

    // mirrors sync_linked_regs(): copies of a scalar learn what it learned
    private static void propagate(VState st, Reg r) {
        if (r.id == 0 || r.type != RegType.SCALAR) {
            return;
        }
        AbstractInterp.forEachReg(st, o -> {
            if (o != r && o.type == RegType.SCALAR && o.id == r.id) {
                o.set(r);
            }
        });
    }

    private static long umaxOf(long x, long y) {
        return Long.compareUnsigned(x, y) > 0 ? x : y;
    }

    private static long uminOf(long x, long y) {
        return Long.compareUnsigned(x, y) < 0 ? x : y;
    }

    // mirrors mark_ptr_or_null_regs()
    private static void markNull(VState st, int id, boolean isNull, RegType type) {
        if (isNull && type == RegType.PTR_TO_MEM_OR_NULL) {
            // a null ringbuf record holds nothing (its reference is id + 1, see HelperCall)
            st.releaseRef(id + 1);
        }
        AbstractInterp.forEachReg(st, r -> {
            if (r.type.maybeNull() && r.id == id) {
                if (isNull) {
                    r.markScalar(0);
                } else {
                    r.type = r.type == RegType.PTR_TO_MAP_VALUE_OR_NULL ? RegType.PTR_TO_MAP_VALUE : RegType.PTR_TO_MEM;
                    if (r.type == RegType.PTR_TO_MAP_VALUE) {
                        r.id = 0;
                    }
                }
            }
        });
    }

    // mirrors try_match_pkt_pointers() and find_good_pkt_pointers()
    private static void packetCompare(AbstractInterp ai, VState st, int pc, int target, Reg a, Reg b, int op) {
        Reg pkt = null;
        boolean onJump = false;
        if ((a.type == RegType.PTR_TO_PACKET && b.type == RegType.PTR_TO_PACKET_END)
                || (a.type == RegType.PTR_TO_PACKET_META && b.type == RegType.PTR_TO_PACKET)) {
            pkt = a;
            // a > end: the fall-through knows a <= end; a < end and a <= end: the jump knows it
            onJump = op == Op.JLT || op == Op.JLE;
            if (op != Op.JGT && op != Op.JGE && op != Op.JLT && op != Op.JLE) {
                pkt = null;
            }
        } else if ((b.type == RegType.PTR_TO_PACKET && a.type == RegType.PTR_TO_PACKET_END)
                || (b.type == RegType.PTR_TO_PACKET_META && a.type == RegType.PTR_TO_PACKET)) {
            pkt = b;
            onJump = op == Op.JGT || op == Op.JGE;
            if (op != Op.JGT && op != Op.JGE && op != Op.JLT && op != Op.JLE) {
                pkt = null;
            }
        }
        VState jst = st.copy();
        if (pkt != null && pkt.off >= 0) {
            setRange(onJump ? jst : st, pkt.type, pkt.id, pkt.off);
        }
        ai.fork(jst, target);
    }

    private static void setRange(VState st, RegType type, int id, int range) {
        AbstractInterp.forEachReg(st, r -> {
            if (r.type == type && r.id == id && r.range < range) {
                r.range = range;
            }
        });
    }
}
