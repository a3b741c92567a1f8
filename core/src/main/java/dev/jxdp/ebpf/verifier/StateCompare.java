package dev.jxdp.ebpf.verifier;

import java.util.HashMap;
import java.util.Map;

/**
 * Whether every concrete state the new abstract state stands for is also one the old state stands for
 * (states_equal(), regsafe(), stacksafe(), check_ids()): then the old state's exploration covers it.
 */
final class StateCompare {
    private StateCompare() {}

    static boolean subsumes(VState old, VState cur) {
        if (old.cur != cur.cur || old.refs.length != cur.refs.length) {
            return false;
        }
        Map<Integer, Integer> ids = new HashMap<>();
        for (int i = 0; i <= old.cur; i++) {
            FuncState a = old.frames[i];
            FuncState b = cur.frames[i];
            if (a.callsite != b.callsite || a.callbackOf != b.callbackOf) {
                return false;
            }
            for (int r = 0; r < a.regs.length; r++) {
                if (!regSafe(a.regs[r], b.regs[r], ids)) {
                    return false;
                }
            }
            for (int k = 0; k < a.stack.length; k++) {
                byte x = a.stack[k];
                byte y = b.stack[k];
                if (x == FuncState.INVALID) {
                    continue;
                }
                if (x == FuncState.SPILL) {
                    if (y != FuncState.SPILL || !regSafe(a.spilled[k / 8], b.spilled[k / 8], ids)) {
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
        }
        return true;
    }

    private static boolean idOk(int a, int b, Map<Integer, Integer> ids) {
        if (a == 0) {
            return true;
        }
        if (b == 0) {
            return false;
        }
        Integer m = ids.putIfAbsent(a, b);
        return m == null || m == b;
    }

    static boolean regSafe(Reg a, Reg b, Map<Integer, Integer> ids) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a.type == RegType.NOT_INIT) {
            return true;
        }
        if (a.type != b.type) {
            return false;
        }
        boolean bounds = Long.compareUnsigned(a.umin, b.umin) <= 0 && Long.compareUnsigned(b.umax, a.umax) <= 0
                && a.smin <= b.smin && b.smax <= a.smax
                && (b.tv & ~a.tm) == a.tv && (b.tm & ~a.tm) == 0;
        if (!bounds) {
            return false;
        }
        if (a.type == RegType.SCALAR) {
            return idOk(a.id, b.id, ids);
        }
        if (a.off != b.off || a.map != b.map || a.frame != b.frame) {
            return false;
        }
        if (a.type.isPacket() && b.range < a.range) {
            return false;
        }
        return idOk(a.id, b.id, ids);
    }
}
