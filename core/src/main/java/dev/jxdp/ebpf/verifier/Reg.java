package dev.jxdp.ebpf.verifier;

/**
 * The abstract value of one register or spilled stack slot (struct bpf_reg_state): its type, the fixed
 * offset of a pointer, and for scalars (or the variable part of a pointer) known bits and 64-bit
 * signed and unsigned bounds.
 */
final class Reg {
    RegType type = RegType.NOT_INIT;
    /** fixed offset of a pointer */
    int off;
    /** PTR_TO_PACKET(_META): bytes after the packet start proven readable */
    int range;
    /** identity shared by copies: null checks and packet range apply to every copy */
    int id;
    /** map index (CONST_PTR_TO_MAP, PTR_TO_MAP_VALUE*), or memory size (PTR_TO_MEM*) */
    int map;
    /** PTR_TO_STACK: the call frame the stack belongs to; PTR_TO_FUNC: the target instruction */
    int frame;
    long tv;
    long tm;
    long umin;
    long umax;
    long smin;
    long smax;

    Reg copy() {
        Reg r = new Reg();
        r.set(this);
        return r;
    }

    void set(Reg o) {
        type = o.type;
        off = o.off;
        range = o.range;
        id = o.id;
        map = o.map;
        frame = o.frame;
        tv = o.tv;
        tm = o.tm;
        umin = o.umin;
        umax = o.umax;
        smin = o.smin;
        smax = o.smax;
    }

    /** mirrors __mark_reg_known() for a pointer's variable part or a scalar */
    void markKnown(long v) {
        tv = v;
        tm = 0;
        umin = umax = smin = smax = v;
    }

    void markScalar(long v) {
        clearPtr();
        type = RegType.SCALAR;
        markKnown(v);
    }

    /** mirrors mark_reg_unknown() */
    void markUnknown() {
        clearPtr();
        type = RegType.SCALAR;
        tv = 0;
        tm = -1L;
        umin = 0;
        umax = -1L;
        smin = Long.MIN_VALUE;
        smax = Long.MAX_VALUE;
    }

    void markNotInit() {
        markUnknown();
        type = RegType.NOT_INIT;
    }

    /** A scalar in [0, max] unsigned (a zero-extended narrow load or 32-bit result). */
    void markUnknownBelow(long max) {
        markUnknown();
        umax = max;
        smin = 0;
        smax = max;
        long[] t = Tnum.range(0, max);
        tv = t[0];
        tm = t[1];
    }

    /** A pointer of {@code t} with a zero variable part. */
    void markPtr(RegType t, int off) {
        markKnown(0);
        type = t;
        this.off = off;
        range = 0;
        id = 0;
        map = 0;
        frame = 0;
    }

    private void clearPtr() {
        off = 0;
        range = 0;
        id = 0;
        map = 0;
        frame = 0;
    }

    boolean isConst() {
        return tm == 0;
    }

    boolean isPtr() {
        return type != RegType.SCALAR && type != RegType.NOT_INIT;
    }

    /** mirrors __update_reg_bounds(), __reg_deduce_bounds() and __reg_bound_offset() for 64 bits */
    void sync() {
        smin = Math.max(smin, tv | (tm & Long.MIN_VALUE));
        smax = Math.min(smax, tv | (tm & Long.MAX_VALUE));
        if (Long.compareUnsigned(umin, tv) < 0) {
            umin = tv;
        }
        if (Long.compareUnsigned(umax, tv | tm) > 0) {
            umax = tv | tm;
        }
        if (smin >= 0 || smax < 0) {
            // the signed range stays in one half, where signed and unsigned order agree
            long lo = Long.compareUnsigned(smin, umin) > 0 ? smin : umin;
            long hi = Long.compareUnsigned(smax, umax) < 0 ? smax : umax;
            smin = umin = lo;
            smax = umax = hi;
        } else if (umax >= 0) {
            smin = umin;
            smax = Math.min(smax, umax);
            umax = smax;
        } else if (umin < 0) {
            smin = Math.max(smin, umin);
            smax = Math.min(smax, umax);
            umin = smin;
            umax = smax;
        }
        if (infeasible()) {
            return;
        }
        long[] t = Tnum.range(umin, umax);
        long v = tv | t[0];
        long m = tm & t[1];
        tv = v & ~m;
        tm = m;
        if (tm == 0) {
            umin = umax = smin = smax = tv;
        }
    }

    /** No value satisfies the bounds: the branch that produced them cannot be taken. */
    boolean infeasible() {
        return Long.compareUnsigned(umin, umax) > 0 || smin > smax;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(type.kernelName);
        if (type == RegType.SCALAR) {
            if (isConst()) {
                return "P" + tv;
            }
            sb.append("(smin=").append(smin).append(",smax=").append(smax).append(",umin=")
                    .append(Long.toUnsignedString(umin)).append(",umax=").append(Long.toUnsignedString(umax))
                    .append(",var_off=(0x").append(Long.toHexString(tv)).append("; 0x")
                    .append(Long.toHexString(tm)).append("))");
            return sb.toString();
        }
        if (type == RegType.NOT_INIT) {
            return "?";
        }
        sb.append("(id=").append(id).append(",off=").append(off);
        if (type.isPacket()) {
            sb.append(",r=").append(range);
        }
        if (!isConst()) {
            sb.append(",umax=").append(Long.toUnsignedString(umax));
        }
        return sb.append(')').toString();
    }
}
