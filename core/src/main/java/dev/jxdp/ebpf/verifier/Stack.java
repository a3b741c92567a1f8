package dev.jxdp.ebpf.verifier;

/**
 * Stack accesses (check_stack_write_fixed_off(), check_stack_read_fixed_off()): 8-byte aligned stores of
 * a register spill it with its type, other stores mark bytes written, and reads need every byte written.
 */
final class Stack {
    private Stack() {}

    /**
     * env->allow_uninit_stack: a privileged loader (CAP_PERFMON, as kernel-oracle runs) may read stack
     * bytes never written, as unknown scalars. Only spilled pointers stay protected.
     */
    static final boolean ALLOW_UNINIT_STACK = true;

    static void access(AbstractInterp ai, VState st, int pc, int regno, Reg base, int off, int size,
                       boolean write, Reg value, Reg out) {
        if (!base.isConst()) {
            varAccess(ai, st, pc, regno, base, off, size, write, value, out);
            return;
        }
        long o = (long) off + base.off + base.tv;
        if (o < -FuncState.MAX_STACK || o + size > 0) {
            throw ai.rejection(pc, "invalid " + (write ? "write to" : "read from") + " stack R" + regno + " off="
                    + o + " size=" + size);
        }
        FuncState f = st.frames[base.frame];
        int at = (int) o + FuncState.MAX_STACK;
        if (write) {
            write(f, at, size, value);
        } else {
            read(ai, pc, f, at, (int) o, size, out);
        }
    }

    /** BPF_MAX_VAR_OFF: a variable offset past this is unbounded */
    private static final long MAX_VAR_OFF = 1L << 29;

    /**
     * An access at a variable offset, allowed to a privileged program when every byte it may touch is in
     * the frame (check_stack_access_within_bounds()): a write makes each such byte plain data, zero only
     * where a zero is written over a zero (check_stack_write_var_off()); a read is zero when every byte is,
     * else an unknown number of its size (check_stack_read_var_off()).
     */
    private static void varAccess(AbstractInterp ai, VState st, int pc, int regno, Reg base, int off, int size,
                                  boolean write, Reg value, Reg out) {
        String what = write ? "write to" : "read from";
        if (base.smax >= MAX_VAR_OFF || base.smin <= -MAX_VAR_OFF) {
            throw ai.rejection(pc, "invalid unbounded variable-offset " + what + " stack R" + regno);
        }
        long fixed = (long) off + base.off;
        long lo = fixed + base.smin;
        long hi = fixed + base.smax + size;
        if (lo < -FuncState.MAX_STACK || hi > 0) {
            throw ai.rejection(pc, "invalid variable-offset " + what + " stack R" + regno + " var_off="
                    + AbstractInterp.varOff(base) + " off=" + fixed + " size=" + size);
        }
        FuncState f = st.frames[base.frame];
        int from = (int) lo + FuncState.MAX_STACK;
        int to = (int) hi + FuncState.MAX_STACK;
        if (write) {
            boolean zero = value != null && value.type == RegType.SCALAR && value.isConst() && value.tv == 0;
            for (int s = from / 8; s <= (to - 1) / 8; s++) {
                if (f.stack[s * 8] == FuncState.SPILL) {
                    // a spilled register the write may hit is only bytes now
                    for (int i = 0; i < 8; i++) {
                        f.stack[s * 8 + i] = FuncState.MISC;
                    }
                    f.spilled[s] = null;
                }
            }
            for (int i = from; i < to; i++) {
                f.stack[i] = zero && f.stack[i] == FuncState.ZERO ? FuncState.ZERO : FuncState.MISC;
            }
            return;
        }
        boolean zero = true;
        for (int i = from; i < to; i++) {
            zero &= f.stack[i] == FuncState.ZERO;
        }
        if (zero) {
            out.markScalar(0);
        } else if (size == 8) {
            out.markUnknown();
        } else {
            out.markUnknownBelow((1L << (8 * size)) - 1);
        }
    }

    static void write(FuncState f, int at, int size, Reg value) {
        int slot = at / 8;
        if (size == 8 && at % 8 == 0 && value != null) {
            for (int i = 0; i < 8; i++) {
                f.stack[at + i] = FuncState.SPILL;
            }
            f.spilled[slot] = value.copy();
            return;
        }
        for (int s = at / 8; s <= (at + size - 1) / 8; s++) {
            if (f.stack[s * 8] == FuncState.SPILL) {
                // a partial overwrite turns the spilled register into plain bytes
                for (int i = 0; i < 8; i++) {
                    f.stack[s * 8 + i] = FuncState.MISC;
                }
                f.spilled[s] = null;
            }
        }
        byte kind = value != null && value.type == RegType.SCALAR && value.isConst() && value.tv == 0
                ? FuncState.ZERO : FuncState.MISC;
        for (int i = 0; i < size; i++) {
            f.stack[at + i] = kind;
        }
    }

    /** Marks bytes written by a helper (its output buffer). */
    static void clobber(FuncState f, int at, int size) {
        write(f, at, size, null);
    }

    private static void read(AbstractInterp ai, int pc, FuncState f, int at, int off, int size, Reg out) {
        int slot = at / 8;
        if (f.stack[at] == FuncState.SPILL && f.spilled[slot] != null) {
            Reg sp = f.spilled[slot];
            if (size == 8 && at % 8 == 0) {
                out.set(sp);
                return;
            }
            if (sp.type != RegType.SCALAR) {
                throw ai.rejection(pc, "invalid size of register fill");
            }
            if (sp.isConst() && at % 8 + size <= 8) {
                out.markScalar((sp.tv >>> (8 * (at % 8))) & (size == 8 ? -1L : (1L << (8 * size)) - 1));
                return;
            }
        }
        boolean zero = true;
        for (int i = 0; i < size; i++) {
            byte k = f.stack[at + i];
            if (k == FuncState.INVALID && !ALLOW_UNINIT_STACK) {
                throw ai.rejection(pc, "invalid read from stack off " + off + "+" + i + " size " + size);
            }
            zero &= k == FuncState.ZERO;
        }
        if (zero) {
            out.markScalar(0);
        } else if (size == 8) {
            out.markUnknown();
        } else {
            out.markUnknownBelow((1L << (8 * size)) - 1);
        }
    }

    /**
     * Checks that a helper may read {@code size} bytes of the stack at {@code base}, a variable offset
     * covering every byte it may reach; mirrors check_stack_range_initialized().
     */
    static void helperRead(AbstractInterp ai, VState st, int pc, int regno, Reg base, long size) {
        long lo = (long) base.off + base.smin;
        long hi = (long) base.off + base.smax + size;
        if (base.smin < -FuncState.MAX_STACK || base.smax > FuncState.MAX_STACK || lo < -FuncState.MAX_STACK || hi > 0) {
            throw ai.rejection(pc, "invalid indirect access to stack R" + regno + " off=" + (base.off + base.tv) + " size=" + size);
        }
        FuncState f = st.frames[base.frame];
        int at = (int) lo + FuncState.MAX_STACK;
        for (int i = 0; i < hi - lo; i++) {
            if (f.stack[at + i] == FuncState.INVALID && !ALLOW_UNINIT_STACK) {
                throw ai.rejection(pc, base.isConst()
                        ? "invalid indirect read from stack R" + regno + " off " + lo + "+" + i + " size " + size
                        : "invalid indirect read from stack R" + regno + " var_off=" + AbstractInterp.varOff(base)
                                + "+" + i + " size " + size);
            }
        }
    }

    /** A helper's output buffer on the stack: written bytes become initialised when the offset is known. */
    static void helperWrite(AbstractInterp ai, VState st, int pc, int regno, Reg base, long size) {
        long lo = (long) base.off + base.smin;
        long hi = (long) base.off + base.smax + size;
        if (base.smin < -FuncState.MAX_STACK || base.smax > FuncState.MAX_STACK || lo < -FuncState.MAX_STACK || hi > 0) {
            throw ai.rejection(pc, "invalid indirect access to stack R" + regno + " off=" + (base.off + base.tv) + " size=" + size);
        }
        if (base.isConst()) {
            clobber(st.frames[base.frame], (int) lo + FuncState.MAX_STACK, (int) size);
        }
    }
}
