package dev.jxdp.ebpf.verifier;

import java.util.Arrays;

/**
 * Whether every concrete state the new abstract state stands for is also one the old state stands for
 * (states_equal(), regsafe(), stacksafe(), check_ids()): then the old state's exploration covers it.
 * The exact comparison (states_equal(..., EXACT)) finds a loop that came back to the state it left.
 */
final class StateCompare {
    private StateCompare() {}

    /** The old state covers the new one (states_equal(..., RANGE_WITHIN)). */
    static boolean subsumes(VState old, VState cur) {
        return equal(old, cur, false);
    }

    /** The two states are the same (states_equal(..., EXACT)): a loop iteration that changed nothing. */
    static boolean same(VState old, VState cur) {
        return equal(old, cur, true);
    }

    private static boolean equal(VState old, VState cur, boolean exact) {
        if (old.cur != cur.cur || old.refs.length != cur.refs.length) {
            return false;
        }
        IdMap ids = new IdMap();
        for (int i = 0; i <= old.cur; i++) {
            FuncState a = old.frames[i];
            FuncState b = cur.frames[i];
            if (a.callsite != b.callsite || a.callbackOf != b.callbackOf) {
                return false;
            }
            for (int r = 0; r < a.regs.length; r++) {
                if (!regSafe(a.regs[r], b.regs[r], ids, exact)) {
                    return false;
                }
            }
            if (!stackSafe(a, b, ids, exact)) {
                return false;
            }
        }
        return true;
    }

    private static boolean stackSafe(FuncState a, FuncState b, IdMap ids, boolean exact) {
        if (exact) {
            if (!Arrays.equals(a.stack, b.stack)) {
                return false;
            }
            for (int s = 0; s < a.spilled.length; s++) {
                if (!regSafe(a.spilled[s], b.spilled[s], ids, true)) {
                    return false;
                }
            }
            return true;
        }
        for (int k = 0; k < a.stack.length; k++) {
            byte x = a.stack[k];
            byte y = b.stack[k];
            if (x == FuncState.INVALID) {
                continue;
            }
            if (x == FuncState.SPILL) {
                if (y != FuncState.SPILL || !regSafe(a.spilled[k / 8], b.spilled[k / 8], ids, false)) {
                    return false;
                }
                k += 7;
                continue;
            }
            if (y == FuncState.INVALID) {
                return false;
            }
            if (x == FuncState.ZERO && y != FuncState.ZERO) {
                return false;
            }
            if (y == FuncState.SPILL && b.spilled[k / 8] != null && b.spilled[k / 8].type != RegType.SCALAR) {
                return false;
            }
        }
        return true;
    }

    static boolean regSafe(Reg a, Reg b, IdMap ids, boolean exact) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a.type == RegType.NOT_INIT && !exact) {
            return true;
        }
        if (a.type != b.type) {
            return false;
        }
        if (exact) {
            // regs_exact(): every field equal, ids equal up to renaming
            return a.off == b.off && a.range == b.range && a.map == b.map && a.frame == b.frame
                    && a.tv == b.tv && a.tm == b.tm && a.umin == b.umin && a.umax == b.umax
                    && a.smin == b.smin && a.smax == b.smax && a.u32min == b.u32min && a.u32max == b.u32max
                    && a.s32min == b.s32min && a.s32max == b.s32max && ids.same(a.id, b.id);
        }
        boolean bounds = Long.compareUnsigned(a.umin, b.umin) <= 0 && Long.compareUnsigned(b.umax, a.umax) <= 0
                && a.smin <= b.smin && b.smax <= a.smax
                && a.u32min <= b.u32min && b.u32max <= a.u32max && a.s32min <= b.s32min && b.s32max <= a.s32max
                && (b.tv & ~a.tm) == a.tv && (b.tm & ~a.tm) == 0;
        if (!bounds) {
            return false;
        }
        if (a.type == RegType.SCALAR) {
            return ids.ok(a.id, b.id);
        }
        if (a.off != b.off || a.map != b.map || a.frame != b.frame) {
            return false;
        }
        if (a.type.isPacket() && b.range < a.range) {
            return false;
        }
        return ids.ok(a.id, b.id);
    }

    /** check_ids(): an id of the old state maps to one id of the new state throughout. */
    static final class IdMap {
        private int[] pairs;
        private int n;

        /** The new register is linked at least where the old one is. */
        boolean ok(int a, int b) {
            if (a == 0) {
                return true;
            }
            if (b == 0) {
                return false;
            }
            for (int i = 0; i < n; i += 2) {
                if (pairs[i] == a) {
                    return pairs[i + 1] == b;
                }
            }
            return add(a, b);
        }

        /** The ids are the same up to renaming: a one-to-one map, zero only for zero. */
        boolean same(int a, int b) {
            if (a == 0 || b == 0) {
                return a == b;
            }
            for (int i = 0; i < n; i += 2) {
                if (pairs[i] == a || pairs[i + 1] == b) {
                    return pairs[i] == a && pairs[i + 1] == b;
                }
            }
            return add(a, b);
        }

        private boolean add(int a, int b) {
            if (pairs == null) {
                pairs = new int[16];
            } else if (n == pairs.length) {
                pairs = Arrays.copyOf(pairs, n * 2);
            }
            pairs[n++] = a;
            pairs[n++] = b;
            return true;
        }
    }
}
