package dev.jxdp.ebpf.verifier;

import java.util.Arrays;

/**
 * Whether every concrete state the new abstract state stands for is also one the old (stored) state
 * stands for (states_equal(), func_states_equal(), regsafe(), stacksafe(), check_ids()): then the old
 * state's exploration covers the new one. Only registers live at the state's instruction are compared,
 * an imprecise old scalar matches any scalar, and old stack bytes that were never written or hold plain
 * data match anything. {@link #EXACT} finds a loop that came back to the state it left;
 * {@link #RANGE_WITHIN} compares scalars by range even when imprecise (a loop whose marks may be
 * incomplete, a callback's next iteration).
 */
final class StateCompare {
    private StateCompare() {}

    static final int NOT_EXACT = 0;
    static final int EXACT = 1;
    static final int RANGE_WITHIN = 2;

    static boolean equal(AbstractInterp ai, VState old, VState cur, int exact) {
        if (old.cur != cur.cur) {
            return false;
        }
        IdMap ids = new IdMap(ai.newIdPeek());
        if (!refsSafe(old, cur, ids)) {
            return false;
        }
        for (int i = 0; i <= old.cur; i++) {
            if (old.frames[i].callsite != cur.frames[i].callsite) {
                return false;
            }
            int insn = old.frameInsn(i);
            if (!funcEqual(ai.aux.liveRegsBefore[insn], old.frames[i], cur.frames[i], ids, exact)) {
                return false;
            }
        }
        return true;
    }

    private static boolean refsSafe(VState old, VState cur, IdMap ids) {
        if (old.refs.length != cur.refs.length) {
            return false;
        }
        // refsafe(): the same lock held, through pointers whose ids map onto each other
        if (old.lockMap != cur.lockMap || !ids.check(old.lockId, cur.lockId)) {
            return false;
        }
        for (int i = 0; i < old.refs.length; i++) {
            if (!ids.check(old.refs[i], cur.refs[i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean funcEqual(int liveRegs, FuncState old, FuncState cur, IdMap ids, int exact) {
        if (old.callbackDepth > cur.callbackDepth) {
            return false;
        }
        for (int r = 0; r < 11; r++) {
            if ((liveRegs & (1 << r)) != 0 && !regSafe(old.regs[r], cur.regs[r], ids, exact)) {
                return false;
            }
        }
        return stackSafe(old, cur, ids, exact);
    }

    /** states_maybe_looping(): the running frame's registers are bit-for-bit the same. */
    static boolean maybeLooping(VState old, VState cur) {
        if (old.cur != cur.cur) {
            return false;
        }
        FuncState a = old.frames[old.cur];
        FuncState b = cur.frames[cur.cur];
        for (int r = 0; r < 11; r++) {
            Reg x = a.regs[r];
            Reg y = b.regs[r];
            if (x.type != y.type || x.off != y.off || x.range != y.range || x.map != y.map || !x.sameBounds(y)
                    || x.id != y.id || x.refObjId != y.refObjId) {
                return false;
            }
        }
        return true;
    }

    /** regs_exact(): every field equal, ids equal up to renaming. */
    static boolean exact(Reg a, Reg b, IdMap ids) {
        return a.type == b.type && a.off == b.off && a.range == b.range && a.map == b.map && a.frame == b.frame
                && a.sameBounds(b) && ids.check(a.id, b.id) && ids.check(a.refObjId, b.refObjId);
    }

    private static boolean rangeWithin(Reg a, Reg b) {
        return Long.compareUnsigned(a.umin, b.umin) <= 0 && Long.compareUnsigned(b.umax, a.umax) <= 0
                && a.smin <= b.smin && b.smax <= a.smax
                && a.u32min <= b.u32min && b.u32max <= a.u32max && a.s32min <= b.s32min && b.s32max <= a.s32max;
    }

    // tnum_in(): every value b may hold, a may hold
    private static boolean tnumIn(Reg a, Reg b) {
        return (b.tm & ~a.tm) == 0 && (b.tv & ~a.tm) == a.tv;
    }

    static boolean regSafe(Reg a, Reg b, IdMap ids, int exact) {
        if (exact == EXACT) {
            return exact(a, b, ids);
        }
        if (a.type == RegType.NOT_INIT) {
            // the explored state never used it
            return exact == NOT_EXACT || b.type == RegType.NOT_INIT;
        }
        if (a.type != b.type) {
            return false;
        }
        switch (a.type) {
            case SCALAR -> {
                if (!a.precise && exact == NOT_EXACT) {
                    return true;
                }
                if (a.id != 0 && (a.id & Alu.ADD_CONST) != (b.id & Alu.ADD_CONST)) {
                    return false;
                }
                if ((a.id & Alu.ADD_CONST) != 0 && a.off != b.off) {
                    return false;
                }
                return ids.checkScalar(a.id, b.id) && rangeWithin(a, b) && tnumIn(a, b);
            }
            case PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE, PTR_TO_MEM, PTR_TO_MAP_VALUE_OR_NULL, PTR_TO_MEM_OR_NULL -> {
                return a.off == b.off && a.map == b.map && a.range == b.range && rangeWithin(a, b) && tnumIn(a, b)
                        && ids.check(a.id, b.id) && ids.check(a.refObjId, b.refObjId);
            }
            case PTR_TO_PACKET, PTR_TO_PACKET_META -> {
                // at least as much range as the old pointer had, so accesses safe then are safe now
                if (a.range < 0 || b.range < 0) {
                    if (a.range != b.range) {
                        return false;
                    }
                } else if (a.range > b.range) {
                    return false;
                }
                if (a.off != b.off) {
                    return false;
                }
                return ids.check(a.id, b.id) && rangeWithin(a, b) && tnumIn(a, b);
            }
            case PTR_TO_STACK -> {
                return exact(a, b, ids) && a.frame == b.frame;
            }
            default -> {
                return exact(a, b, ids);
            }
        }
    }

    private static final Reg UNBOUND = new Reg();

    static {
        UNBOUND.markUnknown();
    }

    // scalar_reg_for_stack(): a spilled 64-bit scalar, or bytes all plain data (which read as any scalar)
    private static Reg scalarForStack(FuncState f, int base) {
        if (f.stack[base] == FuncState.SPILL && isFullSpill(f, base) && f.spilled[base / 8] != null
                && f.spilled[base / 8].type == RegType.SCALAR) {
            return f.spilled[base / 8];
        }
        for (int i = 0; i < 8; i++) {
            byte k = f.stack[base + i];
            if (k != FuncState.MISC && k != FuncState.INVALID) {
                return null;
            }
        }
        return UNBOUND;
    }

    private static boolean isFullSpill(FuncState f, int base) {
        for (int i = 0; i < 8; i++) {
            if (f.stack[base + i] != FuncState.SPILL) {
                return false;
            }
        }
        return true;
    }

    // mirrors stacksafe(), walking the kernel's slot order: each slot from its highest byte down
    private static boolean stackSafe(FuncState old, FuncState cur, IdMap ids, int exact) {
        for (int i = 0; i < old.allocatedStack; i++) {
            int spi = i / 8;
            int k = i % 8;
            int base = FuncState.slotBase(spi);
            int at = base + 7 - k;
            byte x = old.stack[at];
            if (exact == EXACT) {
                byte y = i < cur.allocatedStack ? cur.stack[at] : FuncState.INVALID;
                if (i >= cur.allocatedStack || x != y) {
                    return false;
                }
            }
            if (x == FuncState.INVALID) {
                continue;
            }
            // a privileged program may read any byte, so plain data matches anything
            if (x == FuncState.MISC && exact != EXACT) {
                continue;
            }
            if (i >= cur.allocatedStack) {
                return false;
            }
            byte y = cur.stack[at];
            if (k == 0) {
                Reg a = scalarForStack(old, base);
                Reg b = scalarForStack(cur, base);
                if (a != null && b != null) {
                    if (!regSafe(a, b, ids, exact)) {
                        return false;
                    }
                    i += 7;
                    continue;
                }
            }
            if (x == FuncState.MISC && y == FuncState.ZERO) {
                continue;
            }
            if (x != y) {
                return false;
            }
            if (k != 7) {
                continue;
            }
            if (x == FuncState.SPILL) {
                Reg a = old.spilled[base / 8];
                Reg b = cur.spilled[base / 8];
                if (a == null || b == null) {
                    if (a != b) {
                        return false;
                    }
                } else if (!regSafe(a, b, ids, exact)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * check_ids() / check_scalar_ids(): an id of the old state maps to one id of the new state throughout,
     * and no two old ids map to one new id.
     */
    static final class IdMap {
        private int[] pairs = new int[32];
        private int n;
        private int tmp;

        IdMap(int idGen) {
            this.tmp = idGen;
        }

        boolean check(int a, int b) {
            if ((a == 0) != (b == 0)) {
                return false;
            }
            if (a == 0) {
                return true;
            }
            for (int i = 0; i < n; i += 2) {
                if (pairs[i] == a) {
                    return pairs[i + 1] == b;
                }
                if (pairs[i + 1] == b) {
                    return false;
                }
            }
            if (n == pairs.length) {
                pairs = Arrays.copyOf(pairs, n * 2);
            }
            pairs[n++] = a;
            pairs[n++] = b;
            return true;
        }

        /** An unlinked old scalar matches any; a linked one needs its links kept (check_scalar_ids()). */
        boolean checkScalar(int a, int b) {
            if (a == 0) {
                return true;
            }
            int cb = b != 0 ? b : ++tmp;
            if (!check(a, cb)) {
                return false;
            }
            if ((a & Alu.ADD_CONST) != 0) {
                return check(a & ~Alu.ADD_CONST, cb & ~Alu.ADD_CONST);
            }
            return true;
        }
    }
}
