package dev.jxdp.ebpf.verifier;

/**
 * The abstract value of one register or spilled stack slot (struct bpf_reg_state): its type, the fixed
 * offset of a pointer, and for scalars (or the variable part of a pointer) known bits, 64-bit signed
 * and unsigned bounds, and the same bounds of the low 32 bits (what 32-bit ALU ops and JMP32 compares
 * work on). {@link #precise} says whether a stored state's value matters exactly for pruning (the
 * kernel's precision tracking: a scalar no decision depended on matches any scalar).
 */
final class Reg {
    RegType type = RegType.NOT_INIT;
    /** fixed offset of a pointer */
    int off;
    /** PTR_TO_PACKET(_META): bytes after the packet start proven readable */
    int range;
    /**
     * identity shared by copies: null checks and packet range apply to every copy, and scalars with one
     * id learn each other's bounds (sync_linked_regs())
     */
    int id;
    /** the reference a ringbuf record holds until submitted or discarded (ref_obj_id), 0 when none */
    int refObjId;
    /** map index (CONST_PTR_TO_MAP, PTR_TO_MAP_VALUE*, PTR_TO_MAP_KEY), or memory size (PTR_TO_MEM*) */
    int map;
    /** PTR_TO_STACK: the call frame the stack belongs to; PTR_TO_FUNC: the target instruction */
    int frame;
    /** a scalar whose exact value some decision depended on (bpf_reg_state.precise) */
    boolean precise;
    long tv;
    long tm;
    long umin;
    long umax;
    long smin;
    long smax;
    /** bounds of the low 32 bits as u32 (0 to 0xffffffff) and s32 (as longs) */
    long u32min;
    long u32max;
    long s32min;
    long s32max;

    private static final long U32 = 0xffffffffL;

    Reg() {
        markUnknown();
        type = RegType.NOT_INIT;
    }

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
        refObjId = o.refObjId;
        map = o.map;
        frame = o.frame;
        precise = o.precise;
        tv = o.tv;
        tm = o.tm;
        umin = o.umin;
        umax = o.umax;
        smin = o.smin;
        smax = o.smax;
        u32min = o.u32min;
        u32max = o.u32max;
        s32min = o.s32min;
        s32max = o.s32max;
    }

    /** mirrors __mark_reg_known() for a pointer's variable part or a scalar */
    void markKnown(long v) {
        tv = v;
        tm = 0;
        umin = umax = smin = smax = v;
        u32min = u32max = v & U32;
        s32min = s32max = (int) v;
    }

    /** mirrors __mark_reg32_known(): the low half known, the upper half's bits and the 64-bit bounds kept */
    void markKnown32(long v) {
        tv = (tv & ~U32) | (v & U32);
        tm &= ~U32;
        u32min = u32max = v & U32;
        s32min = s32max = (int) v;
    }

    /** A known scalar, imprecise (a privileged loader starts every scalar imprecise). */
    void markScalar(long v) {
        clearPtr();
        type = RegType.SCALAR;
        markKnown(v);
    }

    /** mirrors mark_reg_unknown(): an imprecise scalar that may hold any value */
    void markUnknown() {
        clearPtr();
        type = RegType.SCALAR;
        tv = 0;
        tm = -1L;
        umin = 0;
        umax = -1L;
        smin = Long.MIN_VALUE;
        smax = Long.MAX_VALUE;
        unknown32();
    }

    private void unknown32() {
        u32min = 0;
        u32max = U32;
        s32min = Integer.MIN_VALUE;
        s32max = Integer.MAX_VALUE;
    }

    /** mirrors __mark_reg_not_init() */
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
        sync();
    }

    /** A pointer of {@code t} with a zero variable part. */
    void markPtr(RegType t, int off) {
        clearPtr();
        markKnown(0);
        type = t;
        this.off = off;
    }

    private void clearPtr() {
        off = 0;
        range = 0;
        id = 0;
        refObjId = 0;
        map = 0;
        frame = 0;
        precise = false;
    }

    boolean isConst() {
        return tm == 0;
    }

    boolean isPtr() {
        return type != RegType.SCALAR && type != RegType.NOT_INIT;
    }

    boolean isNull() {
        return type == RegType.SCALAR && tm == 0 && tv == 0;
    }

    /** The variable-offset fields equal (what regs_exact() compares besides the pointer fields). */
    boolean sameBounds(Reg o) {
        return tv == o.tv && tm == o.tm && umin == o.umin && umax == o.umax && smin == o.smin && smax == o.smax
                && u32min == o.u32min && u32max == o.u32max && s32min == o.s32min && s32max == o.s32max;
    }

    /**
     * Mirrors reg_bounds_sync(): bounds learned from the known bits, each of the four ranges narrowed
     * by the others (__reg_deduce_bounds(): 32 from 64 bits, signed from unsigned, 64 from 32 bits),
     * then known bits learned from the ranges.
     */
    void sync() {
        updateBounds();
        for (int i = 0; i < 3 && !infeasible(); i++) {
            deduce32();
            deduce64();
            deduceMixed();
        }
        if (infeasible()) {
            return;
        }
        // __reg_bound_offset(): the known bits both ranges imply
        long[] t64 = Tnum.range(umin, umax);
        long v = tv | t64[0];
        long m = tm & t64[1];
        v &= ~m;
        long[] t32 = Tnum.range(u32min, u32max);
        long v32 = (v | t32[0]) & U32;
        long m32 = m & t32[1] & U32;
        tv = (v & ~U32) | (v32 & ~m32);
        tm = (m & ~U32) | m32;
        updateBounds();
        if (tm == 0 && !infeasible()) {
            markKnown(tv);
        }
    }

    // __update_reg_bounds(): what the known bits allow, at both widths
    private void updateBounds() {
        updateBounds32();
        updateBounds64();
    }

    // __update_reg32_bounds(): the bounds the known bits of the low half imply
    void updateBounds32() {
        long v = tv & U32;
        long m = tm & U32;
        s32min = Math.max(s32min, (int) (v | (m & 0x80000000L)));
        s32max = Math.min(s32max, (int) (v | (m & 0x7fffffffL)));
        u32min = Math.max(u32min, v);
        u32max = Math.min(u32max, v | m);
    }

    /**
     * __update_reg64_bounds(): the bounds the known bits imply; and when the unsigned range holds only one
     * value the known bits allow (at umin, at the largest, or one in between), the value is that one.
     */
    void updateBounds64() {
        smin = Math.max(smin, tv | (tm & Long.MIN_VALUE));
        smax = Math.min(smax, tv | (tm & Long.MAX_VALUE));
        umin = umaxOf(umin, tv);
        umax = uminOf(umax, tv | tm);
        long next = Tnum.step(tv, tm, umin);
        boolean uminIn = (umin & ~tm) == tv;
        long tmax = tv | tm;
        if (uminIn && Long.compareUnsigned(next, umax) > 0) {
            markKnown(umin);
        } else if (!uminIn && next == tmax) {
            markKnown(tmax);
        } else if (!uminIn && Long.compareUnsigned(next, umax) <= 0
                && Long.compareUnsigned(Tnum.step(tv, tm, next), umax) > 0) {
            markKnown(next);
        }
    }

    // __reg32_deduce_bounds()
    private void deduce32() {
        if (umin >>> 32 == umax >>> 32) {
            // the upper halves agree: the lower halves of the bounds bound the low 32 bits
            narrow32(umin, umax);
        }
        if (smin >> 32 == smax >> 32) {
            narrow32(smin, smax);
        }
        // the upper half steps over by one and the low halves cross zero as s32: still an s32 range
        if ((int) (umin >>> 32) + 1 == (int) (umax >>> 32) && (int) umin < 0 && (int) umax >= 0) {
            s32min = Math.max(s32min, (int) umin);
            s32max = Math.min(s32max, (int) umax);
        }
        if ((int) (smin >> 32) + 1 == (int) (smax >> 32) && (int) smin < 0 && (int) smax >= 0) {
            s32min = Math.max(s32min, (int) smin);
            s32max = Math.min(s32max, (int) smax);
        }
        if ((int) u32min <= (int) u32max) {
            s32min = Math.max(s32min, (int) u32min);
            s32max = Math.min(s32max, (int) u32max);
        }
        if ((s32min & U32) <= (s32max & U32)) {
            u32min = Math.max(u32min, s32min & U32);
            u32max = Math.min(u32max, s32max & U32);
        } else if (u32max < (s32min & U32)) {
            // the s32 range wraps the u32 domain's ends and the u32 range sits in its low part
            s32min = (int) u32min;
            u32max = Math.min(u32max, s32max & U32);
        } else if ((s32max & U32) < u32min) {
            s32max = (int) u32max;
            u32min = Math.max(u32min, s32min & U32);
        }
    }

    private void narrow32(long lo, long hi) {
        u32min = Math.max(u32min, lo & U32);
        u32max = Math.min(u32max, hi & U32);
        if ((int) lo <= (int) hi) {
            s32min = Math.max(s32min, (int) lo);
            s32max = Math.min(s32max, (int) hi);
        }
    }

    // __reg64_deduce_bounds()
    private void deduce64() {
        if (umin <= umax) {
            // both in one signed half
            smin = Math.max(smin, umin);
            smax = Math.min(smax, umax);
        }
        if (Long.compareUnsigned(smin, smax) <= 0) {
            umin = umaxOf(umin, smin);
            umax = uminOf(umax, smax);
        } else if (Long.compareUnsigned(umax, smin) < 0) {
            // the signed range wraps the unsigned domain's ends and the unsigned one sits in its low part
            smin = umin;
            umax = uminOf(umax, smax);
        } else if (Long.compareUnsigned(smax, umin) < 0) {
            smax = umax;
            umin = umaxOf(umin, smin);
        }
    }

    // __reg_deduce_mixed_bounds(): the 32-bit ranges put into the 64-bit ones' upper halves
    private void deduceMixed() {
        umin = umaxOf(umin, (umin & ~U32) | u32min);
        umax = uminOf(umax, (umax & ~U32) | u32max);
        smin = Math.max(smin, (smin & ~U32) | u32min);
        smax = Math.min(smax, (smax & ~U32) | u32max);
        if ((s32min & U32) <= (s32max & U32)) {
            umin = umaxOf(umin, (umin & ~U32) | (s32min & U32));
            umax = uminOf(umax, (umax & ~U32) | (s32max & U32));
            smin = Math.max(smin, (smin & ~U32) | (s32min & U32));
            smax = Math.min(smax, (smax & ~U32) | (s32max & U32));
        }
        // after a sign-extending load: a non-negative s32 range within the s32 domain is the value
        if (s32min >= 0 && smin >= Integer.MIN_VALUE && smax <= Integer.MAX_VALUE) {
            smin = umin = s32min;
            smax = umax = s32max;
        }
    }

    /**
     * Mirrors zext_32_to_64(): the value is its low 32 bits zero-extended, as after every 32-bit ALU
     * op; a pointer becomes an unknown u32.
     */
    void zext32() {
        if (type != RegType.SCALAR) {
            markUnknownBelow(U32);
            return;
        }
        assign32Into64();
        sync();
    }

    /** zext_32_to_64() without the bounds sync that follows it: the low half's bounds become the value's. */
    void assign32Into64() {
        tv &= U32;
        tm &= U32;
        umin = u32min;
        umax = u32max;
        if (s32min >= 0) {
            smin = s32min;
            smax = s32max;
        } else {
            smin = 0;
            smax = U32;
        }
    }

    /**
     * Mirrors coerce_reg_to_size(): the low {@code size} bytes zero-extended (a narrow load or fill). A
     * known value keeps its low bytes; a range whose upper bytes all agree keeps its low bytes' range.
     */
    void coerceToSize(int size) {
        if (size >= 8) {
            return;
        }
        long mask = (1L << (size * 8)) - 1;
        tv &= mask;
        tm &= mask;
        if ((umin & ~mask) == (umax & ~mask)) {
            umin &= mask;
            umax &= mask;
        } else {
            umin = 0;
            umax = mask;
        }
        smin = umin;
        smax = umax;
        // a 4-byte truncation keeps the low half, whose bounds stay; narrower ones learn them from 64 bits
        if (size < 4) {
            unknown32();
        }
        sync();
    }

    /**
     * Mirrors coerce_reg_to_size_sx(): the low {@code size} bytes sign-extended to 64 bits (a movsx or a
     * sign-extending load). A range whose sign-extended ends stay on one side of zero keeps them; otherwise
     * the value is any of the size's signed range.
     */
    void coerceToSizeSx(int size) {
        int bits = size * 8;
        if (isConst()) {
            markKnown(signExtend(tv, size));
            return;
        }
        if ((smax >>> bits) == (smin >>> bits)) {
            long a = signExtend(smax, size);
            long b = signExtend(smin, size);
            long hi = Math.max(a, b);
            long lo = Math.min(a, b);
            if ((hi >= 0) == (lo >= 0)) {
                smin = lo;
                smax = hi;
                umin = lo;
                umax = hi;
                s32min = (int) lo;
                s32max = (int) hi;
                u32min = lo & U32;
                u32max = hi & U32;
                long[] t = Tnum.range(lo, hi);
                tv = t[0];
                tm = t[1];
                return;
            }
        }
        long lim = 1L << (bits - 1);
        smin = -lim;
        smax = lim - 1;
        s32min = -lim;
        s32max = lim - 1;
        umin = 0;
        u32min = 0;
        umax = -1L;
        u32max = U32;
        tv = 0;
        tm = -1L;
    }

    /**
     * Mirrors coerce_subreg_to_size_sx(): the low {@code size} bytes sign-extended to 32 bits (a 32-bit
     * movsx); the caller zero-extends the result.
     */
    void coerceSubregToSizeSx(int size) {
        int bits = size * 8;
        if (isConst()) {
            long v = signExtend(tv, size) & U32;
            markKnown(v);
            return;
        }
        long lo32 = s32min;
        long hi32 = s32max;
        if (((hi32 & U32) >>> bits) == ((lo32 & U32) >>> bits)) {
            long a = signExtend(hi32, size);
            long b = signExtend(lo32, size);
            long hi = Math.max(a, b);
            long lo = Math.min(a, b);
            if ((hi >= 0) == (lo >= 0)) {
                s32min = lo;
                s32max = hi;
                u32min = lo & U32;
                u32max = hi & U32;
                long[] t = Tnum.range(lo & U32, hi & U32);
                tv = t[0];
                tm = t[1];
                return;
            }
        }
        long lim = 1L << (bits - 1);
        s32min = -lim;
        s32max = lim - 1;
        u32min = 0;
        u32max = U32;
        tv = 0;
        tm = U32;
    }

    static long signExtend(long v, int size) {
        int shift = 64 - size * 8;
        return v << shift >> shift;
    }

    /** The number of bits the value may use (get_reg_width()): 64 minus the leading zeros of umax. */
    int width() {
        return 64 - Long.numberOfLeadingZeros(umax);
    }

    private static long umaxOf(long x, long y) {
        return Long.compareUnsigned(x, y) > 0 ? x : y;
    }

    private static long uminOf(long x, long y) {
        return Long.compareUnsigned(x, y) < 0 ? x : y;
    }

    /** No value satisfies the bounds: the branch that produced them cannot be taken. */
    boolean infeasible() {
        return Long.compareUnsigned(umin, umax) > 0 || smin > smax || u32min > u32max || s32min > s32max;
    }

    /**
     * reg_type_str(): the type's name in messages; memory a global function was given is plain "mem", a
     * ring buffer record (it holds a reference) "ringbuf_mem".
     */
    String typeName() {
        if ((type == RegType.PTR_TO_MEM || type == RegType.PTR_TO_MEM_OR_NULL) && refObjId == 0) {
            return type == RegType.PTR_TO_MEM ? "mem" : "mem_or_null";
        }
        return type.kernelName;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(typeName());
        if (type == RegType.SCALAR) {
            if (isConst()) {
                return (precise ? "P" : "") + tv;
            }
            sb.insert(0, precise ? "P" : "");
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
