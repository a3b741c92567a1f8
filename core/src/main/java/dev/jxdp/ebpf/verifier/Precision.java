package dev.jxdp.ebpf.verifier;

import dev.jxdp.ebpf.isa.HelperIds;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;

/**
 * Precision tracking (mark_chain_precision(), backtrack_insn()): every scalar starts imprecise, so a
 * stored state's scalar matches any scalar when states are compared. When a decision depends on a
 * scalar's exact value (a branch the verifier decided from its bounds, pointer arithmetic, a helper's
 * size argument), the verifier walks the path back through the jump history to every register and
 * spilled stack slot that value was computed from and marks each precise in the stored checkpoints on
 * the way; those then match only values within their bounds.
 */
final class Precision {
    private final AbstractInterp ai;
    private final Insn[] insns;
    private final InsnAux aux;
    private int frame;
    private final int[] regMasks = new int[CfgCheck.MAX_CALL_FRAMES];
    private final long[] stackMasks = new long[CfgCheck.MAX_CALL_FRAMES];

    /** A backtracking step met something it cannot follow: fall back to marking every scalar precise. */
    private static final class Unsupported extends Exception {
        Unsupported() {
            super(null, null, false, false);
        }
    }

    /**
     * A state backtracking should never meet (the kernel's verifier_bug(): -EFAULT, the load fails with
     * "verifier bug: ..."); programs can reach some of them, so they are refusals, not crashes.
     */
    private static final class Bug extends Exception {
        Bug(String what) {
            super(what, null, false, false);
        }
    }

    private String regs() {
        return Integer.toHexString(regMasks[frame]);
    }

    // bt_subprog_enter(): into a callee, one frame deeper
    private void subprogEnter() throws Bug {
        if (frame == CfgCheck.MAX_CALL_FRAMES - 1) {
            throw new Bug("subprog enter from frame " + frame);
        }
        frame++;
    }

    // bt_subprog_exit(): out to the caller
    private void subprogExit() throws Bug {
        if (frame == 0) {
            throw new Bug("subprog exit from frame 0");
        }
        frame--;
    }

    Precision(AbstractInterp ai, Insn[] insns, InsnAux aux) {
        this.ai = ai;
        this.insns = insns;
        this.aux = aux;
    }

    private void reset() {
        for (int i = 0; i < regMasks.length; i++) {
            regMasks[i] = 0;
            stackMasks[i] = 0;
        }
    }

    private boolean empty() {
        for (int i = 0; i <= frame; i++) {
            if (regMasks[i] != 0 || stackMasks[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private boolean regSet(int r) {
        return (regMasks[frame] & (1 << r)) != 0;
    }

    private void setReg(int r) {
        regMasks[frame] |= 1 << r;
    }

    private void clearReg(int r) {
        regMasks[frame] &= ~(1 << r);
    }

    void setFrameReg(int fr, int r) {
        regMasks[fr] |= 1 << r;
    }

    void setFrameSlot(int fr, int spi) {
        stackMasks[fr] |= 1L << spi;
    }

    /** Marks register {@code r} of the current frame precise along the path (mark_chain_precision()). */
    void markRegPrecise(VState st, int r) {
        if (r < 0) {
            return;
        }
        reset();
        if (st.reg(r).type != RegType.SCALAR) {
            return;
        }
        frame = st.cur;
        setReg(r);
        markChain(st, null);
    }

    /**
     * Marks what was requested with {@link #setFrameReg} / {@link #setFrameSlot} precise along the path
     * (mark_chain_precision_batch()); {@code changed}, when given, learns whether a mark was new.
     */
    void markBatch(VState st, boolean[] changed) {
        frame = st.cur;
        markChain(st, changed);
    }

    void resetBatch() {
        reset();
    }

    // mirrors __mark_chain_precision()
    private void markChain(VState start, boolean[] changed) {
        VState st = start;
        int firstIdx = st.firstInsn;
        int lastIdx = start.insnIdx;
        int subseqIdx = -1;
        boolean skipFirst = true;
        if (empty()) {
            return;
        }
        try {
            for (;;) {
                if (ai.logging()) {
                    ai.logPrecise("mark_precise: frame" + frame + ": last_idx " + lastIdx + " first_idx " + firstIdx
                            + " subseq_idx " + subseqIdx);
                }
                if (lastIdx < 0) {
                    // the entry of the program: what is left were registers set before it ran
                    reset();
                    return;
                }
                int[] history = {st.historyLen};
                for (int i = lastIdx;;) {
                    if (skipFirst) {
                        skipFirst = false;
                    } else {
                        int hist = histEntry(st, history[0], i);
                        backtrack(st, i, subseqIdx, hist);
                    }
                    if (empty()) {
                        return;
                    }
                    subseqIdx = i;
                    i = prevInsn(st, i, history);
                    if (i == -1) {
                        break;
                    }
                    if (i >= insns.length || i < 0) {
                        throw new Bug("backtracking idx " + i);
                    }
                }
                st = st.parent;
                if (st == null) {
                    break;
                }
                for (int fr = frame; fr >= 0; fr--) {
                    FuncState f = st.frames[fr];
                    if (f == null) {
                        regMasks[fr] = 0;
                        stackMasks[fr] = 0;
                        continue;
                    }
                    for (int r = 0; r < 10; r++) {
                        if ((regMasks[fr] & (1 << r)) == 0) {
                            continue;
                        }
                        Reg reg = f.regs[r];
                        if (reg.type != RegType.SCALAR || reg.precise) {
                            regMasks[fr] &= ~(1 << r);
                        } else {
                            reg.precise = true;
                            if (changed != null) {
                                changed[0] = true;
                            }
                        }
                    }
                    for (int spi = 0; spi < FuncState.SLOTS; spi++) {
                        if ((stackMasks[fr] & (1L << spi)) == 0) {
                            continue;
                        }
                        if (!f.isSpilledScalar(spi)) {
                            stackMasks[fr] &= ~(1L << spi);
                            continue;
                        }
                        Reg reg = f.spill(spi);
                        if (reg.precise) {
                            stackMasks[fr] &= ~(1L << spi);
                        } else {
                            reg.precise = true;
                            if (changed != null) {
                                changed[0] = true;
                            }
                        }
                    }
                }
                if (empty()) {
                    return;
                }
                subseqIdx = firstIdx;
                lastIdx = st.lastInsn;
                firstIdx = st.firstInsn;
            }
            // requests left over: something was tracked through memory other than a stack slot
            if (!empty()) {
                markAllPrecise(start);
                reset();
            }
        } catch (Unsupported e) {
            markAllPrecise(start);
            reset();
        } catch (Bug e) {
            reset();
            throw ai.rejection(start.insnIdx, "verifier bug: " + e.getMessage());
        }
    }

    // get_jmp_hist_entry(): the history entry of instruction i, when it is the newest one left
    private static int histEntry(VState st, int end, int i) {
        return end > 0 && st.histIdx[end - 1] == i ? end - 1 : -1;
    }

    // mirrors get_prev_insn_idx(): -1 when the state's first instruction was reached
    private static int prevInsn(VState st, int i, int[] history) {
        int cnt = history[0];
        if (i == st.firstInsn) {
            if (cnt == 0) {
                return -1;
            }
            if (cnt == 1 && st.histIdx[0] == i) {
                return -1;
            }
        }
        if (cnt > 0 && st.histIdx[cnt - 1] == i) {
            history[0]--;
            return st.histPrev[cnt - 1];
        }
        return i - 1;
    }

    // bt_sync_linked_regs(): when one of the scalars linked at a branch needs precision, all of them do
    private void syncLinked(VState st, int hist) {
        if (hist < 0 || st.histLinked[hist] == 0) {
            return;
        }
        long packed = st.histLinked[hist];
        int cnt = (int) (packed & 7);
        boolean some = false;
        for (int k = 0; k < cnt; k++) {
            int e = (int) (packed >>> (3 + 10 * k)) & 0x3ff;
            int fr = e & 7;
            boolean isReg = (e & 0x200) != 0;
            int no = (e >>> 3) & 0x3f;
            some |= isReg ? (regMasks[fr] & (1 << no)) != 0 : (stackMasks[fr] & (1L << no)) != 0;
        }
        if (!some) {
            return;
        }
        for (int k = 0; k < cnt; k++) {
            int e = (int) (packed >>> (3 + 10 * k)) & 0x3ff;
            int fr = e & 7;
            boolean isReg = (e & 0x200) != 0;
            int no = (e >>> 3) & 0x3f;
            if (isReg) {
                regMasks[fr] |= 1 << no;
            } else {
                stackMasks[fr] |= 1L << no;
            }
        }
    }

    /** Packs up to six linked registers or slots for the jump history (linked_regs_pack()). */
    static long packLinked(int[] frames, int[] nos, boolean[] isReg, int cnt) {
        long packed = Math.min(cnt, 6);
        for (int k = 0; k < Math.min(cnt, 6); k++) {
            long e = frames[k] | ((long) nos[k] << 3) | (isReg[k] ? 0x200L : 0);
            packed |= e << (3 + 10 * k);
        }
        return packed;
    }

    // mirrors backtrack_insn(): what must be precise before instruction idx for what is requested after it
    private void backtrack(VState st, int idx, int subseqIdx, int hist) throws Unsupported, Bug {
        Insn in = insns[idx];
        if (in.opcode() == 0) {
            return;
        }
        int cls = in.cls();
        int op = Op.op(in.opcode());
        int dreg = in.dst();
        int sreg = in.src();
        if (ai.logging()) {
            // formatted only when a log was asked for: backtracking runs on every branch decision
            ai.logPrecise("mark_precise: frame" + frame + ": regs=" + regList(regMasks[frame]) + " stack="
                    + slotList(stackMasks[frame]) + " before " + idx + ": " + ai.disasm(idx));
        }
        syncLinked(st, hist);
        if (cls == Op.ALU || cls == Op.ALU64) {
            if (!regSet(dreg)) {
                return;
            }
            if (op == Op.END || op == Op.NEG) {
                return;
            }
            if (op == Op.MOV) {
                clearReg(dreg);
                if (Op.src(in.opcode()) == Op.X && sreg != 10) {
                    setReg(sreg);
                }
            } else if (Op.src(in.opcode()) == Op.X && sreg != 10) {
                setReg(sreg);
            }
        } else if (cls == Op.LDX || isAtomicLoad(in) || isAtomicFetch(in)) {
            int loadReg = cls == Op.LDX || isAtomicLoad(in) ? dreg : in.imm() == Op.CMPXCHG ? 0 : sreg;
            if (!regSet(loadReg)) {
                return;
            }
            clearReg(loadReg);
            // only a fill from a stack slot keeps a scalar's precision; other memory was marked already
            if (hist < 0 || (st.histFlags[hist] & VState.INSN_F_STACK_ACCESS) == 0) {
                return;
            }
            int flags = st.histFlags[hist];
            setFrameSlot(flags & VState.INSN_F_FRAMENO_MASK, (flags >>> VState.INSN_F_SPI_SHIFT) & VState.INSN_F_SPI_MASK);
        } else if (cls == Op.STX || cls == Op.ST) {
            if (regSet(dreg)) {
                // a scalar used as a store's base: pointer subtraction tracked back into a scalar
                throw new Unsupported();
            }
            if (hist < 0 || (st.histFlags[hist] & VState.INSN_F_STACK_ACCESS) == 0) {
                return;
            }
            int flags = st.histFlags[hist];
            int fr = flags & VState.INSN_F_FRAMENO_MASK;
            int spi = (flags >>> VState.INSN_F_SPI_SHIFT) & VState.INSN_F_SPI_MASK;
            if ((stackMasks[fr] & (1L << spi)) == 0) {
                return;
            }
            stackMasks[fr] &= ~(1L << spi);
            if (cls == Op.STX) {
                setReg(sreg);
            }
        } else if (cls == Op.JMP || cls == Op.JMP32) {
            if (in.opcode() == (Op.JMP | Op.CALL) && sreg == Op.PSEUDO_CALL && ai.isGlobal(idx + in.imm() + 1)) {
                // a global function, verified on its own: like a helper, it only sets r0
                if ((regMasks[frame] & 0x3e) != 0) {
                    throw new Bug("global subprog unexpected regs " + regs());
                }
                clearReg(0);
                return;
            } else if (in.opcode() == (Op.JMP | Op.CALL) && sreg == Op.PSEUDO_CALL) {
                // a static subprogram's call: leaving the callee, r1-r5 go to the caller
                if ((regMasks[frame] & ~0x3e) != 0) {
                    throw new Bug("static subprog unexpected regs " + regs());
                }
                if (stackMasks[frame] != 0) {
                    throw new Bug("static subprog leftover stack slots " + Long.toHexString(stackMasks[frame]));
                }
                if (frame == 0) {
                    throw new Bug("subprog exit from frame 0");
                }
                for (int r = 1; r <= 5; r++) {
                    if (regSet(r)) {
                        clearReg(r);
                        regMasks[frame - 1] |= 1 << r;
                    }
                }
                subprogExit();
            } else if (InsnAux.isSyncCallbackCall(in) && idx != subseqIdx - 1) {
                // the exit of a callback back to the helper that called it: its r1-r5 were not arguments
                if ((regMasks[frame] & ~0x3e) != 0) {
                    throw new Bug("callback unexpected regs " + regs());
                }
                if (stackMasks[frame] != 0) {
                    throw new Bug("callback leftover stack slots " + Long.toHexString(stackMasks[frame]));
                }
                regMasks[frame] &= ~0x3e;
                subprogExit();
            } else if (op == Op.CALL) {
                clearReg(0);
                if ((regMasks[frame] & 0x3e) != 0) {
                    throw new Bug("backtracking call unexpected regs " + regs());
                }
                if (sreg == Op.CALL_HELPER && in.imm() == HelperIds.TAIL_CALL && subseqIdx - idx != 1) {
                    subprogEnter();
                }
            } else if (op == Op.EXIT) {
                // backtracking into a callee from the instruction after its call
                if (subseqIdx >= 0 && aux.callsCallback[subseqIdx]) {
                    regMasks[frame] &= ~0x3e;
                }
                if ((regMasks[frame] & 0x3e) != 0) {
                    throw new Bug("backtracking exit unexpected regs " + regs());
                }
                boolean r0 = subseqIdx - 1 >= 0 && insns[subseqIdx - 1].opcode() == (Op.JMP | Op.CALL)
                        && insns[subseqIdx - 1].src() == Op.PSEUDO_CALL && regSet(0);
                clearReg(0);
                subprogEnter();
                if (r0) {
                    setReg(0);
                }
            } else if (Op.src(in.opcode()) == Op.X) {
                if (!regSet(dreg) && !regSet(sreg)) {
                    return;
                }
                // a stack pointer compared holds no scalar to follow
                int flags = hist < 0 ? 0 : st.histFlags[hist];
                if ((flags & VState.INSN_F_SRC_REG_STACK) == 0) {
                    setReg(sreg);
                }
                if ((flags & VState.INSN_F_DST_REG_STACK) == 0) {
                    setReg(dreg);
                }
            }
        } else if (cls == Op.LD) {
            if (!regSet(dreg)) {
                return;
            }
            clearReg(dreg);
        }
        syncLinked(st, hist);
    }

    // a load-acquire loads into dst like BPF_LDX (is_atomic_load_insn())
    private static boolean isAtomicLoad(Insn in) {
        return in.cls() == Op.STX && Op.mode(in.opcode()) == Op.ATOMIC && in.imm() == Op.LOAD_ACQ;
    }

    private static boolean isAtomicFetch(Insn in) {
        return in.cls() == Op.STX && Op.mode(in.opcode()) == Op.ATOMIC && (in.imm() & Op.FETCH) != 0;
    }

    /**
     * mark_all_scalars_precise(): the fallback when backtracking cannot follow the path: every scalar of
     * every checkpoint above the current state is precise.
     */
    void markAllPrecise(VState st) {
        ai.logPrecise("mark_precise: frame" + st.cur + ": falling back to forcing all scalars precise");
        for (VState s = st.parent; s != null; s = s.parent) {
            for (int i = 0; i <= s.cur; i++) {
                FuncState f = s.frames[i];
                for (int r = 0; r < 10; r++) {
                    if (f.regs[r].type == RegType.SCALAR) {
                        f.regs[r].precise = true;
                    }
                }
                for (int spi = 0; spi < FuncState.SLOTS; spi++) {
                    if (f.isSpilled(spi) && f.spill(spi) != null && f.spill(spi).type == RegType.SCALAR) {
                        f.spill(spi).precise = true;
                    }
                }
            }
        }
    }

    /** mark_all_scalars_imprecise(): a state about to be stored forgets the marks it inherited. */
    static void markAllImprecise(VState st) {
        for (int i = 0; i <= st.cur; i++) {
            FuncState f = st.frames[i];
            for (int r = 0; r < 10; r++) {
                if (f.regs[r].type == RegType.SCALAR) {
                    f.regs[r].precise = false;
                }
            }
            for (int spi = 0; spi < FuncState.SLOTS; spi++) {
                if (f.isSpilled(spi) && f.spill(spi) != null && f.spill(spi).type == RegType.SCALAR) {
                    f.spill(spi).precise = false;
                }
            }
        }
    }

    /**
     * propagate_precision(): the stored state {@code old} pruned {@code cur}, so whatever was precise in
     * {@code old} must be precise along {@code cur}'s path too.
     */
    void propagate(VState old, VState cur, boolean[] changed) {
        reset();
        for (int fr = old.cur; fr >= 0; fr--) {
            FuncState f = old.frames[fr];
            for (int r = 0; r < 10; r++) {
                if (f.regs[r].type == RegType.SCALAR && f.regs[r].precise) {
                    setFrameReg(fr, r);
                }
            }
            for (int spi = 0; spi < FuncState.SLOTS; spi++) {
                if (!f.isSpilled(spi) || f.spill(spi) == null) {
                    continue;
                }
                Reg r = f.spill(spi);
                if (r.type == RegType.SCALAR && r.precise) {
                    setFrameSlot(fr, spi);
                }
            }
        }
        markBatch(cur, changed);
    }

    private static String regList(int mask) {
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < 32; r++) {
            if ((mask & (1 << r)) != 0) {
                sb.append(sb.isEmpty() ? "" : ",").append('r').append(r);
            }
        }
        return sb.toString();
    }

    private static String slotList(long mask) {
        StringBuilder sb = new StringBuilder();
        for (int s = 0; s < 64; s++) {
            if ((mask & (1L << s)) != 0) {
                sb.append(sb.isEmpty() ? "" : ",").append(-(s + 1) * 8);
            }
        }
        return sb.toString();
    }
}
