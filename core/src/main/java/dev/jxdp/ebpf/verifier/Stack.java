package dev.jxdp.ebpf.verifier;

/**
 * Stack accesses as kernel 6.18's verifier checks them (check_stack_access_within_bounds(),
 * check_stack_write_fixed_off(), check_stack_write_var_off(), check_stack_read_fixed_off(),
 * check_stack_range_initialized()): a scalar stored at an 8-byte boundary and a pointer stored whole are
 * spilled with their abstract value, other stores make bytes plain data (zero where a zero is stored), a
 * store at a variable offset or a helper writing through a stack pointer clobbers every byte it may
 * reach. Reads of bytes never written are allowed (a privileged loader); only spilled pointers are
 * protected from partial reads. Accesses record stack liveness marks and, for spills and fills, the
 * jump history entries precision tracking follows.
 */
final class Stack {
    private Stack() {}

    /** BPF_MAX_VAR_OFF: a variable offset past this is unbounded */
    private static final long MAX_VAR_OFF = 1L << 29;

    // check_ptr_alignment() for the stack, which is always strict: the spill tracking relies on it
    private static void checkAlignment(AbstractInterp ai, int pc, Reg base, int off, int size) {
        AbstractInterp.checkAlignment(ai, pc, base, off, size, "stack ");
    }

    // mirrors check_stack_access_within_bounds(); returns the lowest offset reached
    private static long withinBounds(AbstractInterp ai, int pc, int regno, Reg base, long off, long size,
                                     boolean write) {
        String what = write ? " write to" : " read from";
        long min;
        long max;
        if (base.isConst()) {
            min = base.tv + off;
            max = min + size;
        } else {
            if (base.smax >= MAX_VAR_OFF || base.smin <= -MAX_VAR_OFF) {
                throw ai.rejection(pc, "invalid unbounded variable-offset" + what + " stack R" + regno);
            }
            min = base.smin + off;
            max = base.smax + off + size;
        }
        if (min < -FuncState.MAX_STACK || min > -1 || max > 0 || size < 0) {
            if (base.isConst()) {
                throw ai.rejection(pc, "invalid" + what + " stack R" + regno + " off=" + off + " size=" + size);
            }
            throw ai.rejection(pc, "invalid variable-offset" + what + " stack R" + regno + " var_off="
                    + AbstractInterp.varOff(base) + " off=" + off + " size=" + size);
        }
        return min;
    }

    private static FuncState frameOf(AbstractInterp ai, VState st, int pc, Reg base) {
        if (base.frame < 0 || base.frame > st.cur || st.frames[base.frame] == null) {
            throw ai.rejection(pc, "stack pointer into a frame that has returned");
        }
        return st.frames[base.frame];
    }

    private static int flags(int frameno, int spi) {
        return VState.INSN_F_STACK_ACCESS | frameno | (spi << VState.INSN_F_SPI_SHIFT);
    }

    /**
     * A store of {@code size} bytes at {@code base + off}: {@code value} is the stored register
     * ({@code valueReg}, -1 for an immediate or a helper's write), {@code isSt} an immediate store.
     */
    static void write(AbstractInterp ai, VState st, int pc, int regno, Reg base, int off, int size, Reg value,
                      int valueReg, boolean isSt) {
        checkAlignment(ai, pc, base, off, size);
        long o = (long) off + base.off;
        long min = withinBounds(ai, pc, regno, base, o, size, true);
        FuncState f = frameOf(ai, st, pc, base);
        ai.growStack(f, -min);
        if (base.isConst()) {
            writeFixed(ai, st, pc, f, (int) (o + base.tv), size, value, valueReg, isSt);
        } else {
            writeVar(ai, st, pc, f, base, o, size, value, valueReg, isSt);
        }
    }

    // mirrors check_stack_write_fixed_off()
    private static void writeFixed(AbstractInterp ai, VState st, int pc, FuncState f, int off, int size, Reg value,
                                   int valueReg, boolean isSt) {
        ai.fastcall.stackAccess(f.subprog, pc, off);
        int at = off + FuncState.MAX_STACK;
        int spi = FuncState.spiOf(at);
        int base = FuncState.slotBase(spi);
        boolean slotStart = (off & 7) == 0;
        Reg reg = valueReg >= 0 ? value : null;
        if (slotStart && size == 8) {
            ai.liveness.markWrite(f.frameno, 1L << spi);
        }
        if (reg != null && slotStart && reg.type == RegType.SCALAR) {
            boolean fits = reg.width() <= 8 * size;
            if (fits) {
                Alu.assignIdBeforeMov(ai, reg);
            }
            save(f, spi, reg, size);
            if (!fits) {
                f.spill(spi).id = 0;
            }
            ai.pushHistory(flags(f.frameno, spi), 0);
        } else if (reg == null && slotStart && isSt) {
            Reg k = new Reg();
            k.markScalar(value.tv);
            save(f, spi, k, size);
            ai.pushHistory(flags(f.frameno, spi), 0);
        } else if (reg != null && reg.isPtr()) {
            if (size != 8) {
                throw ai.rejection(pc, "invalid size of register spill");
            }
            if (f != st.frame() && reg.type == RegType.PTR_TO_STACK) {
                throw ai.rejection(pc, "cannot spill pointers to stack into stack frame of the caller");
            }
            save(f, spi, reg, size);
            ai.pushHistory(flags(f.frameno, spi), 0);
        } else {
            byte kind = FuncState.MISC;
            // a plain write destroys a spill in the slot: all its bytes become data
            if (f.stack[base] == FuncState.SPILL) {
                f.spilled[base / 8] = null;
                for (int i = 0; i < 8; i++) {
                    if (f.stack[base + i] != FuncState.INVALID) {
                        f.stack[base + i] = FuncState.MISC;
                    }
                }
            } else {
                f.spilled[base / 8] = null;
            }
            if ((reg != null && reg.isNull()) || (reg == null && isSt && value.isNull())) {
                // a zero that is not a spill any more: the register's value now matters exactly
                ai.precision.markRegPrecise(st, valueReg);
                kind = FuncState.ZERO;
            }
            for (int i = 0; i < size; i++) {
                f.stack[at + i] = kind;
            }
        }
    }

    // mirrors save_register_state(): the register is spilled over the slot's lowest `size` bytes; the rest
    // of the slot, if it held a spill, is data
    private static void save(FuncState f, int spi, Reg reg, int size) {
        int base = FuncState.slotBase(spi);
        f.spilled[base / 8] = reg.copy();
        for (int i = 0; i < 8; i++) {
            if (i < size) {
                f.stack[base + i] = FuncState.SPILL;
            } else if (f.stack[base + i] != FuncState.ZERO && f.stack[base + i] != FuncState.INVALID) {
                f.stack[base + i] = FuncState.MISC;
            }
        }
    }

    // mirrors check_stack_write_var_off(): every byte the write may reach is data now (a zero only where a
    // zero is written over a zero, or over a spilled zero, which stays), and any spill it may hit is gone
    private static void writeVar(AbstractInterp ai, VState st, int pc, FuncState f, Reg base, long off, int size,
                                 Reg value, int valueReg, boolean isSt) {
        ai.fastcall.stackAccess(f.subprog, pc, (int) (base.smin + off));
        int min = (int) (base.smin + off) + FuncState.MAX_STACK;
        int max = (int) (base.smax + off + size) + FuncState.MAX_STACK;
        boolean writingZero = (valueReg >= 0 && value.isNull()) || (valueReg < 0 && isSt && value.isNull());
        boolean zeroUsed = false;
        for (int at = min; at < max; at++) {
            int slot = at / 8;
            byte k = f.stack[at];
            if (writingZero && k == FuncState.SPILL && f.spilled[slot] != null && f.spilled[slot].type == RegType.SCALAR
                    && f.spilled[slot].isNull()) {
                zeroUsed = true;
                continue;
            }
            // the slot's spill is gone; bytes of it the write does not reach keep their kind, and a later
            // fill of them reads an uninitialised register, as in the kernel
            if (f.spilled[slot] != null) {
                f.spilled[slot].markNotInit();
            }
            byte now = FuncState.MISC;
            if (writingZero && k == FuncState.ZERO) {
                now = FuncState.ZERO;
                zeroUsed = true;
            }
            f.stack[at] = now;
        }
        if (zeroUsed) {
            ai.precision.markRegPrecise(st, valueReg);
        }
    }

    /**
     * A load of {@code size} bytes at {@code base + off} into {@code out} ({@code dstReg} the register it
     * goes to, -1 for an atomic's check).
     */
    static void read(AbstractInterp ai, VState st, int pc, int regno, Reg base, int off, int size, Reg out,
                     int dstReg) {
        checkAlignment(ai, pc, base, off, size);
        long o = (long) off + base.off;
        long min = withinBounds(ai, pc, regno, base, o, size, false);
        FuncState f = frameOf(ai, st, pc, base);
        ai.growStack(f, -min);
        if (base.isConst()) {
            readFixed(ai, st, pc, f, (int) (o + base.tv), size, out, dstReg);
            return;
        }
        if (dstReg < 0) {
            throw ai.rejection(pc, "variable offset stack pointer cannot be passed into helper function; var_off="
                    + AbstractInterp.varOff(base) + " off=" + o + " size=" + size);
        }
        rangeInitialized(ai, st, pc, regno, base, o, size, false, false);
        int lo = (int) (base.smin + o) + FuncState.MAX_STACK;
        int hi = (int) (base.smax + o + size) + FuncState.MAX_STACK;
        readBytes(f, lo, hi, out);
    }

    // mark_reg_stack_read(): zero when every byte is a known zero, else an unknown number
    private static void readBytes(FuncState f, int lo, int hi, Reg out) {
        boolean zero = true;
        for (int at = lo; at < hi; at++) {
            zero &= f.stack[at] == FuncState.ZERO;
        }
        if (zero) {
            out.markScalar(0);
        } else {
            out.markUnknown();
        }
    }

    // mirrors check_stack_read_fixed_off()
    private static void readFixed(AbstractInterp ai, VState st, int pc, FuncState f, int off, int size, Reg out,
                                  int dstReg) {
        // the kernel checks the running function's contract, whichever frame is read
        ai.fastcall.stackAccess(st.frame().subprog, pc, off);
        int at = off + FuncState.MAX_STACK;
        int spi = FuncState.spiOf(at);
        int base = FuncState.slotBase(spi);
        ai.liveness.markRead(st, f.frameno, pc, 1L << spi);
        if (f.isSpilled(spi)) {
            Reg sp = f.spill(spi);
            int spillSize = 0;
            while (spillSize < 8 && f.stack[base + spillSize] == FuncState.SPILL) {
                spillSize++;
            }
            if (size != 8 || spillSize != 8) {
                if (sp == null || sp.type != RegType.SCALAR) {
                    throw ai.rejection(pc, "invalid size of register fill");
                }
                if (dstReg < 0) {
                    return;
                }
                if (size <= spillSize && (off & 7) == 0) {
                    // a narrow fill from the spill's start: the spilled value, truncated by the caller
                    if (size == 4 && spillSize == 4 && sp.width() <= 32) {
                        Alu.assignIdBeforeMov(ai, sp);
                    }
                    out.set(sp);
                    if (sp.width() > size * 8) {
                        out.id = 0;
                    }
                    ai.pushHistory(flags(f.frameno, spi), 0);
                    return;
                }
                int spills = 0;
                int zeros = 0;
                for (int i = 0; i < size; i++) {
                    byte k = f.stack[at + i];
                    if (k == FuncState.SPILL) {
                        spills++;
                    } else if (k == FuncState.ZERO) {
                        zeros++;
                    }
                }
                if (spills == size && sp.isConst() && sp.tv == 0) {
                    out.markScalar(0);
                    ai.pushHistory(flags(f.frameno, spi), 0);
                } else if (zeros == size) {
                    out.markScalar(0);
                } else {
                    out.markUnknown();
                }
                return;
            }
            if (dstReg >= 0) {
                Alu.assignIdBeforeMov(ai, sp);
                out.set(sp);
                ai.pushHistory(flags(f.frameno, spi), 0);
                return;
            }
            // an atomic's own read of a spill: the value is whatever the slot holds
            out.set(sp);
            return;
        }
        readBytes(f, at, at + size, out);
    }

    /**
     * Mirrors check_stack_range_initialized() for a helper's memory argument or a variable-offset read:
     * every byte it may reach must be readable, and a helper's write ({@code clobber}) makes each of them
     * data and each spill it may hit an unknown number. With a constant offset, a helper's output buffer
     * ({@code raw}) is instead written byte by byte after the call ({@link #helperWrote}).
     */
    static void rangeInitialized(AbstractInterp ai, VState st, int pc, int regno, Reg base, long off, long size,
                                 boolean clobber, boolean zeroSizeAllowed) {
        if (size == 0 && !zeroSizeAllowed) {
            throw ai.rejection(pc, "invalid zero-sized read");
        }
        long min = withinBounds(ai, pc, regno, base, off, size, clobber);
        FuncState f = frameOf(ai, st, pc, base);
        ai.growStack(f, -min);
        long lo;
        long hi;
        if (base.isConst()) {
            lo = base.tv + off;
            hi = lo + size;
        } else {
            lo = base.smin + off;
            hi = base.smax + off + size;
        }
        for (long b = lo; b < hi; b++) {
            int at = (int) b + FuncState.MAX_STACK;
            int slot = at / 8;
            byte k = f.stack[at];
            if (k == FuncState.SPILL && f.spilled[slot] != null) {
                if (clobber) {
                    f.spilled[slot].markUnknown();
                    for (int i = 0; i < 8; i++) {
                        if (f.stack[slot * 8 + i] != FuncState.INVALID) {
                            f.stack[slot * 8 + i] = FuncState.MISC;
                        }
                    }
                    // a spill whose bytes are all data now is no spill at all
                    f.spilled[slot] = null;
                }
            } else if (clobber) {
                f.stack[at] = FuncState.MISC;
            }
            ai.liveness.markRead(st, f.frameno, pc, 1L << FuncState.spiOf(at));
        }
    }

    /** A helper's output buffer at a constant offset: only its bounds are checked before the call. */
    static void rangeBounds(AbstractInterp ai, VState st, int pc, int regno, Reg base, long off, long size,
                            boolean zeroSizeAllowed) {
        if (size == 0 && !zeroSizeAllowed) {
            throw ai.rejection(pc, "invalid zero-sized read");
        }
        long min = withinBounds(ai, pc, regno, base, off, size, true);
        ai.growStack(frameOf(ai, st, pc, base), -min);
    }

    /**
     * A helper wrote {@code size} bytes of output at the constant stack offset {@code base} points to:
     * each byte is a one-byte store of data (check_helper_call()'s raw-mode loop).
     */
    static void helperWrote(AbstractInterp ai, VState st, int pc, int regno, Reg base, long size) {
        Reg data = new Reg();
        data.markUnknown();
        for (int i = 0; i < size; i++) {
            write(ai, st, pc, regno, base, i, 1, data, -1, false);
        }
    }
}
