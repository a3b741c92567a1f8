package dev.jxdp.ebpf.verifier;

import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;

/**
 * Conditional jumps as kernel 6.18's check_cond_jmp_op() handles them: a branch the operands decide is
 * followed alone (is_branch_taken()), and the scalars that decided it become precise; otherwise the jump
 * is queued and the fall-through followed, each side learning what the comparison implies: scalar bounds
 * (regs_refine_cond_op()) shared with linked scalars (sync_linked_regs()), the packet range a comparison
 * with data_end proves (try_match_pkt_pointers()), and non-null after a null check
 * (mark_ptr_or_null_regs()).
 */
final class Branch {
    private Branch() {}

    private static final long U32 = 0xffffffffL;
    /** the negation of JSET, as rev_opcode() encodes it */
    private static final int JSET_X = Op.JSET | Op.X;
    /** a packet pointer known to be at data_end, or past it (the kernel's AT_PKT_END, BEYOND_PKT_END) */
    static final int AT_PKT_END = -1;
    static final int BEYOND_PKT_END = -2;
    private static final int LINKED_MAX = 6;

    static int cond(AbstractInterp ai, VState st, int pc, Insn in) {
        int op = Op.op(in.opcode());
        boolean is32 = in.cls() == Op.JMP32;
        boolean x = Op.src(in.opcode()) == Op.X;
        int target = CfgCheck.jumpTarget(in, pc);
        Reg dst = ai.read(st, pc, in.dst());
        Reg src;
        if (x) {
            src = ai.read(st, pc, in.src());
        } else {
            src = new Reg();
            src.markScalar(in.imm());
        }
        int stackFlags = (x && src.type == RegType.PTR_TO_STACK ? VState.INSN_F_SRC_REG_STACK : 0)
                | (dst.type == RegType.PTR_TO_STACK ? VState.INSN_F_DST_REG_STACK : 0);
        if (stackFlags != 0) {
            ai.pushHistory(stackFlags, 0);
        }
        int pred = taken(dst, src, op, is32);
        if (pred >= 0) {
            if (!dst.isPtr()) {
                ai.precision.markRegPrecise(st, in.dst());
            }
            if (x && !src.isPtr()) {
                ai.precision.markRegPrecise(st, in.src());
            }
            return pred == 1 ? target : pc + 1;
        }
        // scalars linked to an operand learn its bounds on both sides; the history keeps the link so
        // precision tracking through this branch reaches all of them
        int[] lf = new int[LINKED_MAX + 1];
        int[] ln = new int[LINKED_MAX + 1];
        boolean[] lr = new boolean[LINKED_MAX + 1];
        int linked = 0;
        if (src.type == RegType.SCALAR && src.id != 0) {
            linked = collectLinked(st, src.id, lf, ln, lr, linked);
        }
        if (dst.type == RegType.SCALAR && dst.id != 0) {
            linked = collectLinked(st, dst.id, lf, ln, lr, linked);
        }
        if (linked > 1) {
            ai.pushHistory(0, Precision.packLinked(lf, ln, lr, linked));
        }
        VState other = ai.push(target, pc);
        Reg odst = other.reg(in.dst());
        Reg osrc = x ? other.reg(in.src()) : src.copy();
        Reg fsrc = x ? src : src.copy();
        // a comparison of a register with itself refines it through both operands at once, as the
        // kernel's reg_set_min_max() does (6.18 has no rule for the same register)
        if (dst.type == RegType.SCALAR && fsrc.type == RegType.SCALAR) {
            refine(dst, fsrc, negate(op), is32);
            refine(odst, osrc, op, is32);
        }
        if (x && src.type == RegType.SCALAR && src.id != 0) {
            syncLinked(st, src, lf, ln, lr, linked);
            syncLinked(other, osrc, lf, ln, lr, linked);
        }
        if (dst.type == RegType.SCALAR && dst.id != 0) {
            syncLinked(st, dst, lf, ln, lr, linked);
            syncLinked(other, odst, lf, ln, lr, linked);
        }
        // one pointer maybe null, the other not: equal means not null
        if (!is32 && x && dst.isPtr() && src.isPtr() && dst.type.maybeNull() != src.type.maybeNull()) {
            VState eq = op == Op.JEQ ? other : op == Op.JNE ? st : null;
            if (eq != null) {
                Reg r = eq.reg(src.type.maybeNull() ? in.src() : in.dst());
                notNull(r);
            }
        }
        if (!is32 && !x && in.imm() == 0 && (op == Op.JEQ || op == Op.JNE) && dst.type.maybeNull()) {
            markPtrOrNull(ai, st, in.dst(), op == Op.JNE);
            markPtrOrNull(ai, other, in.dst(), op == Op.JEQ);
        } else if (x && !is32) {
            matchPacketPointers(op, in, dst, src, st, other);
        }
        return pc + 1;
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
            case Op.JSET -> JSET_X;
            default -> Op.JSET;
        };
    }

    private static int flip(int op) {
        return switch (op) {
            case Op.JGT -> Op.JLT;
            case Op.JLT -> Op.JGT;
            case Op.JGE -> Op.JLE;
            case Op.JLE -> Op.JGE;
            case Op.JSGT -> Op.JSLT;
            case Op.JSLT -> Op.JSGT;
            case Op.JSGE -> Op.JSLE;
            case Op.JSLE -> Op.JSGE;
            default -> op;
        };
    }

    // reg_not_null(): the pointer types a comparison with zero decides
    private static boolean notNullType(Reg r) {
        return switch (r.type) {
            case PTR_TO_MAP_VALUE, PTR_TO_MAP_KEY, PTR_TO_MEM, CONST_PTR_TO_MAP -> true;
            default -> false;
        };
    }

    private static boolean isConst(Reg r, boolean is32) {
        return is32 ? (r.tm & U32) == 0 : r.tm == 0;
    }

    private static long constValue(Reg r, boolean is32) {
        return is32 ? r.tv & U32 : r.tv;
    }

    /** mirrors is_branch_taken(): 1 always, 0 never, -1 unknown */
    static int taken(Reg a, Reg b, int op, boolean is32) {
        if (a.type.isPacket() && b.type == RegType.PTR_TO_PACKET_END && !is32) {
            return packetTaken(a, op);
        }
        if (a.type == RegType.PTR_TO_PACKET_END && b.type.isPacket() && !is32) {
            return packetTaken(b, flip(op));
        }
        if ((a.type.isPacket() || a.type == RegType.PTR_TO_PACKET_END)
                && (b.type.isPacket() || b.type == RegType.PTR_TO_PACKET_END) && !is32) {
            return -1;
        }
        if (a.isPtr() || b.isPtr()) {
            Reg p = a;
            Reg s = b;
            int o = op;
            if (!isConst(s, is32)) {
                o = flip(op);
                p = b;
                s = a;
            }
            if (!isConst(s, is32) || s.isPtr() || !notNullType(p) || p.type.maybeNull()) {
                return -1;
            }
            if (constValue(s, is32) != 0) {
                return -1;
            }
            return o == Op.JEQ ? 0 : o == Op.JNE ? 1 : -1;
        }
        return scalarTaken(a, b, op, is32);
    }

    // is_pkt_ptr_branch_taken(): a pointer known to be at or past data_end
    private static int packetTaken(Reg pkt, int op) {
        if (pkt.range >= 0) {
            return -1;
        }
        switch (op) {
            case Op.JLE, Op.JGT -> {
                if (pkt.range == BEYOND_PKT_END) {
                    return op == Op.JGT ? 1 : 0;
                }
            }
            case Op.JLT, Op.JGE -> {
                if (pkt.range == BEYOND_PKT_END || pkt.range == AT_PKT_END) {
                    return op == Op.JGE ? 1 : 0;
                }
            }
            default -> {
            }
        }
        return -1;
    }

    // mirrors is_scalar_branch_taken()
    private static int scalarTaken(Reg a, Reg b, int op, boolean is32) {
        long t1v = is32 ? a.tv & U32 : a.tv;
        long t1m = is32 ? a.tm & U32 : a.tm;
        long t2v = is32 ? b.tv & U32 : b.tv;
        long t2m = is32 ? b.tm & U32 : b.tm;
        long umin1 = is32 ? a.u32min : a.umin;
        long umax1 = is32 ? a.u32max : a.umax;
        long smin1 = is32 ? a.s32min : a.smin;
        long smax1 = is32 ? a.s32max : a.smax;
        long umin2 = is32 ? b.u32min : b.umin;
        long umax2 = is32 ? b.u32max : b.umax;
        long smin2 = is32 ? b.s32min : b.smin;
        long smax2 = is32 ? b.s32max : b.smax;
        switch (op) {
            case Op.JEQ, Op.JNE -> {
                int eq = -1;
                if (t1m == 0 && t2m == 0) {
                    eq = t1v == t2v ? 1 : 0;
                } else if (((t1v ^ t2v) & ~(t1m | t2m)) != 0) {
                    eq = 0;
                } else if (ucmp(umin1, umax2) > 0 || ucmp(umax1, umin2) < 0 || smin1 > smax2 || smax1 < smin2) {
                    eq = 0;
                } else if (!is32 && (a.u32min > b.u32max || a.u32max < b.u32min || a.s32min > b.s32max
                        || a.s32max < b.s32min)) {
                    eq = 0;
                }
                return eq < 0 ? -1 : op == Op.JEQ ? eq : 1 - eq;
            }
            case Op.JSET -> {
                long v1 = t1v;
                long m1 = t1m;
                long v2 = t2v;
                if (!isConst(b, is32)) {
                    if (!isConst(a, is32)) {
                        return -1;
                    }
                    v1 = t2v;
                    m1 = t2m;
                    v2 = t1v;
                }
                if ((~m1 & v1 & v2) != 0) {
                    return 1;
                }
                if (((m1 | v1) & v2) == 0) {
                    return 0;
                }
                return -1;
            }
            case Op.JGT -> {
                return ucmp(umin1, umax2) > 0 ? 1 : ucmp(umax1, umin2) <= 0 ? 0 : -1;
            }
            case Op.JSGT -> {
                return smin1 > smax2 ? 1 : smax1 <= smin2 ? 0 : -1;
            }
            case Op.JLT -> {
                return ucmp(umax1, umin2) < 0 ? 1 : ucmp(umin1, umax2) >= 0 ? 0 : -1;
            }
            case Op.JSLT -> {
                return smax1 < smin2 ? 1 : smin1 >= smax2 ? 0 : -1;
            }
            case Op.JGE -> {
                return ucmp(umin1, umax2) >= 0 ? 1 : ucmp(umax1, umin2) < 0 ? 0 : -1;
            }
            case Op.JSGE -> {
                return smin1 >= smax2 ? 1 : smax1 < smin2 ? 0 : -1;
            }
            case Op.JLE -> {
                return ucmp(umax1, umin2) <= 0 ? 1 : ucmp(umin1, umax2) > 0 ? 0 : -1;
            }
            case Op.JSLE -> {
                return smax1 <= smin2 ? 1 : smin1 > smax2 ? 0 : -1;
            }
            default -> {
                return -1;
            }
        }
    }

    private static int ucmp(long x, long y) {
        return Long.compareUnsigned(x, y);
    }

    // reg_set_min_max() for one side: regs_refine_cond_op(), then reg_bounds_sync() and
    // reg_bounds_sanity_check() of both
    static void refine(Reg r1, Reg r2, int op, boolean is32) {
        refineCondOp(r1, r2, op, is32);
        r1.sync();
        r2.sync();
        sanity(r1);
        sanity(r2);
    }

    /**
     * reg_bounds_sanity_check(): bounds that contradict each other come from a side of a branch that cannot
     * happen; the kernel (6.18) does not end the path there but forgets the register's ranges (its known
     * bits stay) and goes on, so a dead side is explored with what is left.
     */
    static void sanity(Reg r) {
        boolean bad = r.infeasible();
        if (!bad && r.tm == 0) {
            bad = r.umin != r.tv || r.umax != r.tv || r.smin != r.tv || r.smax != r.tv;
        }
        if (!bad && (r.tm & U32) == 0) {
            long v = r.tv & U32;
            bad = r.u32min != v || r.u32max != v || r.s32min != (int) v || r.s32max != (int) v;
        }
        if (bad) {
            unbounded(r);
        }
    }

    // mirrors regs_refine_cond_op()
    private static void refineCondOp(Reg reg1, Reg reg2, int op, boolean is32) {
        switch (op) {
            case Op.JGE, Op.JGT, Op.JSGE, Op.JSGT -> {
                Reg t = reg1;
                reg1 = reg2;
                reg2 = t;
                op = flip(op);
            }
            default -> {
            }
        }
        switch (op) {
            case Op.JEQ -> {
                if (is32) {
                    reg1.u32min = Math.max(reg1.u32min, reg2.u32min);
                    reg1.u32max = Math.min(reg1.u32max, reg2.u32max);
                    reg1.s32min = Math.max(reg1.s32min, reg2.s32min);
                    reg1.s32max = Math.min(reg1.s32max, reg2.s32max);
                    reg2.u32min = reg1.u32min;
                    reg2.u32max = reg1.u32max;
                    reg2.s32min = reg1.s32min;
                    reg2.s32max = reg1.s32max;
                    long v = (reg1.tv | reg2.tv) & U32;
                    long m = reg1.tm & reg2.tm & U32;
                    v &= ~m;
                    reg1.tv = (reg1.tv & ~U32) | v;
                    reg1.tm = (reg1.tm & ~U32) | m;
                    reg2.tv = (reg2.tv & ~U32) | v;
                    reg2.tm = (reg2.tm & ~U32) | m;
                } else {
                    reg1.umin = umaxOf(reg1.umin, reg2.umin);
                    reg1.umax = uminOf(reg1.umax, reg2.umax);
                    reg1.smin = Math.max(reg1.smin, reg2.smin);
                    reg1.smax = Math.min(reg1.smax, reg2.smax);
                    reg2.umin = reg1.umin;
                    reg2.umax = reg1.umax;
                    reg2.smin = reg1.smin;
                    reg2.smax = reg1.smax;
                    long v = reg1.tv | reg2.tv;
                    long m = reg1.tm & reg2.tm;
                    v &= ~m;
                    reg1.tv = reg2.tv = v;
                    reg1.tm = reg2.tm = m;
                }
            }
            case Op.JNE -> {
                if (!isConst(reg2, is32)) {
                    Reg t = reg1;
                    reg1 = reg2;
                    reg2 = t;
                }
                if (!isConst(reg2, is32)) {
                    return;
                }
                long val = constValue(reg2, is32);
                if (is32) {
                    if (reg1.u32min == val) {
                        reg1.u32min++;
                    }
                    if (reg1.u32max == val) {
                        reg1.u32max--;
                    }
                    if (reg1.s32min == (int) val) {
                        reg1.s32min++;
                    }
                    if (reg1.s32max == (int) val) {
                        reg1.s32max--;
                    }
                } else {
                    if (reg1.umin == val) {
                        reg1.umin++;
                    }
                    if (reg1.umax == val) {
                        reg1.umax--;
                    }
                    if (reg1.smin == val) {
                        reg1.smin++;
                    }
                    if (reg1.smax == val) {
                        reg1.smax--;
                    }
                }
            }
            case Op.JSET -> {
                if (!isConst(reg2, is32)) {
                    Reg t = reg1;
                    reg1 = reg2;
                    reg2 = t;
                }
                if (!isConst(reg2, is32)) {
                    return;
                }
                long val = constValue(reg2, is32);
                if (val == 0 || (val & (val - 1)) != 0) {
                    return;
                }
                // a single bit is known set
                reg1.tv |= val;
                reg1.tm &= ~val;
            }
            case JSET_X -> {
                if (!isConst(reg2, is32)) {
                    Reg t = reg1;
                    reg1 = reg2;
                    reg2 = t;
                }
                if (!isConst(reg2, is32)) {
                    return;
                }
                long val = constValue(reg2, is32);
                // forget the ranges before narrowing the known bits, in case this side is dead
                unbounded(reg1);
                long keep = is32 ? ~val | ~U32 : ~val;
                reg1.tv &= keep;
                reg1.tm &= keep;
            }
            case Op.JLE -> {
                if (is32) {
                    reg1.u32max = Math.min(reg1.u32max, reg2.u32max);
                    reg2.u32min = Math.max(reg1.u32min, reg2.u32min);
                } else {
                    reg1.umax = uminOf(reg1.umax, reg2.umax);
                    reg2.umin = umaxOf(reg1.umin, reg2.umin);
                }
            }
            case Op.JLT -> {
                if (is32) {
                    reg1.u32max = Math.min(reg1.u32max, (reg2.u32max - 1) & U32);
                    reg2.u32min = Math.max((reg1.u32min + 1) & U32, reg2.u32min);
                } else {
                    reg1.umax = uminOf(reg1.umax, reg2.umax - 1);
                    reg2.umin = umaxOf(reg1.umin + 1, reg2.umin);
                }
            }
            case Op.JSLE -> {
                if (is32) {
                    reg1.s32max = Math.min(reg1.s32max, reg2.s32max);
                    reg2.s32min = Math.max(reg1.s32min, reg2.s32min);
                } else {
                    reg1.smax = Math.min(reg1.smax, reg2.smax);
                    reg2.smin = Math.max(reg1.smin, reg2.smin);
                }
            }
            case Op.JSLT -> {
                if (is32) {
                    reg1.s32max = Math.min(reg1.s32max, (int) (reg2.s32max - 1));
                    reg2.s32min = Math.max((int) (reg1.s32min + 1), reg2.s32min);
                } else {
                    reg1.smax = Math.min(reg1.smax, reg2.smax - 1);
                    reg2.smin = Math.max(reg1.smin + 1, reg2.smin);
                }
            }
            default -> {
            }
        }
    }

    private static void unbounded(Reg r) {
        r.smin = Long.MIN_VALUE;
        r.smax = Long.MAX_VALUE;
        r.umin = 0;
        r.umax = -1L;
        r.s32min = Integer.MIN_VALUE;
        r.s32max = Integer.MAX_VALUE;
        r.u32min = 0;
        r.u32max = U32;
    }

    private static long umaxOf(long x, long y) {
        return Long.compareUnsigned(x, y) > 0 ? x : y;
    }

    private static long uminOf(long x, long y) {
        return Long.compareUnsigned(x, y) < 0 ? x : y;
    }

    // collect_linked_regs(): every register and spilled scalar sharing the id (past six, the link is cut)
    private static int collectLinked(VState st, int id, int[] lf, int[] ln, boolean[] lr, int count) {
        int base = id & ~Alu.ADD_CONST;
        for (int i = st.cur; i >= 0; i--) {
            FuncState f = st.frames[i];
            for (int r = 0; r < 10; r++) {
                count = addLinked(f.regs[r], base, i, r, true, lf, ln, lr, count);
            }
            for (int spi = 0; spi < f.allocatedStack / 8; spi++) {
                if (f.isSpilled(spi) && f.spill(spi) != null) {
                    count = addLinked(f.spill(spi), base, i, spi, false, lf, ln, lr, count);
                }
            }
        }
        return count;
    }

    private static int addLinked(Reg r, int base, int frame, int no, boolean isReg, int[] lf, int[] ln,
                                 boolean[] lr, int count) {
        if (r.type != RegType.SCALAR || (r.id & ~Alu.ADD_CONST) != base) {
            return count;
        }
        if (count == LINKED_MAX) {
            r.id = 0;
            r.off = 0;
            return count;
        }
        lf[count] = frame;
        ln[count] = no;
        lr[count] = isReg;
        return count + 1;
    }

    // mirrors sync_linked_regs(): each linked scalar takes the known one's bounds, shifted by its delta
    private static void syncLinked(VState st, Reg known, int[] lf, int[] ln, boolean[] lr, int count) {
        for (int k = 0; k < count; k++) {
            FuncState f = st.frames[lf[k]];
            Reg r = lr[k] ? f.regs[ln[k]] : f.spill(ln[k]);
            if (r == null || r == known || r.type != RegType.SCALAR) {
                continue;
            }
            if ((r.id & ~Alu.ADD_CONST) != (known.id & ~Alu.ADD_CONST)) {
                continue;
            }
            if (((r.id ^ known.id) & Alu.ADD_CONST) == Alu.ADD_CONST) {
                // one went through a 32-bit add, the other a 64-bit one: no common delta
                continue;
            }
            boolean rAdd = (r.id & Alu.ADD_CONST) != 0;
            boolean kAdd = (known.id & Alu.ADD_CONST) != 0;
            if ((!rAdd && !kAdd) || r.off == known.off) {
                boolean precise = r.precise;
                r.set(known);
                r.precise = precise || known.precise;
            } else {
                int savedOff = r.off;
                int savedId = r.id;
                Reg delta = new Reg();
                delta.markScalar((long) savedOff - known.off);
                r.set(known);
                r.off = savedOff;
                r.id = savedId;
                Alu.addUnsynced(r, delta);
                if (((r.id | known.id) & Alu.ADD_CONST32) != 0) {
                    // the 32-bit add wrapped in 32 bits and zero-extended
                    r.assign32Into64();
                }
                r.sync();
            }
        }
    }

    // mark_ptr_not_null_reg()
    private static void notNull(Reg r) {
        if (r.type == RegType.PTR_TO_MAP_VALUE_OR_NULL) {
            r.type = RegType.PTR_TO_MAP_VALUE;
        } else if (r.type == RegType.CONST_PTR_TO_MAP_OR_NULL) {
            r.type = RegType.CONST_PTR_TO_MAP;
        } else if (r.type == RegType.PTR_TO_MEM_OR_NULL) {
            r.type = RegType.PTR_TO_MEM;
        } else if (r.type == RegType.PTR_TO_XDP_SOCK_OR_NULL) {
            r.type = RegType.PTR_TO_XDP_SOCK;
        }
    }

    // mirrors mark_ptr_or_null_regs(): every copy of a maybe-null pointer is null (a zero) or not
    private static void markPtrOrNull(AbstractInterp ai, VState st, int regno, boolean isNull) {
        Reg r = st.reg(regno);
        int id = r.id;
        int ref = r.refObjId;
        if (ref != 0 && ref == id && isNull) {
            // a null record holds nothing
            st.releaseRef(ref);
        }
        AbstractInterp.forEachReg(st, reg -> {
            if (reg.type.maybeNull() && reg.id == id) {
                if (isNull) {
                    reg.markScalar(0);
                } else {
                    notNull(reg);
                    // the id names the lock a value holds (process_spin_lock()), so it stays; any other
                    // pointer's is of no more use
                    if (reg.type != RegType.PTR_TO_MAP_VALUE || !ai.map(reg.map).hasSpinLock()) {
                        reg.id = 0;
                    }
                }
            }
        });
    }

    private static boolean initPacket(Reg r, RegType type) {
        return r.type == type && r.id == 0 && r.off == 0 && r.isConst() && r.tv == 0;
    }

    // mirrors try_match_pkt_pointers(): `this` is the fall-through side, `other` the jump side
    private static void matchPacketPointers(int op, Insn in, Reg dst, Reg src, VState thisBranch, VState other) {
        boolean dstPkt = dst.type == RegType.PTR_TO_PACKET && src.type == RegType.PTR_TO_PACKET_END
                || dst.type == RegType.PTR_TO_PACKET_META && initPacket(src, RegType.PTR_TO_PACKET);
        boolean srcPkt = dst.type == RegType.PTR_TO_PACKET_END && src.type == RegType.PTR_TO_PACKET
                || initPacket(dst, RegType.PTR_TO_PACKET) && src.type == RegType.PTR_TO_PACKET_META;
        if (op != Op.JGT && op != Op.JLT && op != Op.JGE && op != Op.JLE) {
            return;
        }
        // pkt > end, pkt >= end: pkt is in bounds on the side not taken, at or past the end on the taken
        // one (the other way round for < and <=); >= and < make the in-bounds side inclusive. With the
        // end on the left (end > pkt, ...) the sides swap.
        boolean inBoundsNotTaken = op == Op.JGT || op == Op.JGE;
        boolean inclusive = op == Op.JLT || op == Op.JGE;
        VState within = inBoundsNotTaken ? thisBranch : other;
        VState beyond = inBoundsNotTaken ? other : thisBranch;
        if (dstPkt) {
            goodPointers(within, dst, inclusive);
            markEnd(beyond, in.dst(), !inclusive);
        } else if (srcPkt) {
            goodPointers(beyond, src, !inclusive);
            markEnd(within, in.src(), inclusive);
        }
    }

    // find_good_pkt_pointers(): every copy of the compared pointer may read up to its offset
    private static void goodPointers(VState st, Reg ptr, boolean rightOpen) {
        if (ptr.off < 0 || (ptr.off == 0 && rightOpen)) {
            return;
        }
        if (Long.compareUnsigned(ptr.umax, AbstractInterp.MAX_PACKET_OFF) > 0
                || ptr.umax + ptr.off > AbstractInterp.MAX_PACKET_OFF) {
            return;
        }
        int range = ptr.off + (rightOpen ? 1 : 0);
        RegType type = ptr.type;
        int id = ptr.id;
        AbstractInterp.forEachReg(st, r -> {
            if (r.type == type && r.id == id && r.range < range) {
                r.range = range;
            }
        });
    }

    // mark_pkt_end(): the compared pointer is at data_end, or past it
    private static void markEnd(VState st, int regno, boolean beyond) {
        Reg r = st.reg(regno);
        if (r.type != RegType.PTR_TO_PACKET) {
            return;
        }
        r.range = beyond ? BEYOND_PKT_END : AT_PKT_END;
    }
}
