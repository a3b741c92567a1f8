package dev.jxdp.ebpf.verifier;

import java.util.Arrays;

/**
 * The abstract machine state on one path (struct bpf_verifier_state): call frames, held references, and
 * what precision tracking and pruning need about the path: the checkpoint it descends from
 * ({@link #parent}), the instructions since it ({@link #firstInsn}, the jump history), and, for a stored
 * checkpoint, how many paths from it are still being explored ({@link #branches}).
 */
final class VState {
    FuncState[] frames = new FuncState[CfgCheck.MAX_CALL_FRAMES];
    int cur;
    /** reference ids of ringbuf records not yet submitted or discarded, and where each was reserved */
    int[] refs = new int[0];
    int[] refInsns = new int[0];
    /**
     * The bpf_spin_lock this path holds (active_lock_ptr, active_lock_id): the map whose value holds it,
     * -1 when none, and the id of the value pointer it was taken through
     */
    int lockMap = -1;
    int lockId;

    /** the newest checkpoint on this path (bpf_verifier_state.parent) */
    VState parent;
    /** the instruction this state is at (insn_idx) */
    int insnIdx;
    /** the first instruction since the parent checkpoint (first_insn_idx) */
    int firstInsn;
    /** the instruction before the one this state is at (last_insn_idx) */
    int lastInsn = -1;
    /** paths still being explored that descend from this state, its own included */
    int branches = 1;
    /** depth in the tree of checkpoints (dfs_depth) */
    int dfsDepth;
    /** times a callback was entered on this path since the last convergence (callback_unroll_depth) */
    int callbackUnrollDepth;
    /** may_goto fall-throughs this path took: each iteration of a may_goto loop is one deeper */
    int mayGotoDepth;

    // the jump history since the parent checkpoint (jmp_history): each entry the instruction, the one
    // control came from, flags (stack access: frame and slot), and the scalars linked at a branch
    int historyLen;
    int[] histIdx = new int[8];
    int[] histPrev = new int[8];
    int[] histFlags = new int[8];
    long[] histLinked = new long[8];

    // a stored checkpoint's bookkeeping (bpf_verifier_state_list)
    int hitCnt;
    int missCnt;
    boolean inFreeList;
    /** dead registers and stack slots were cleared (clean_verifier_state() ran) */
    boolean cleaned;
    /** a backedge copy: the stored state it was found equal to (equal_state) */
    VState equalState;

    static final int INSN_F_FRAMENO_MASK = 0x7;
    static final int INSN_F_SPI_SHIFT = 3;
    static final int INSN_F_SPI_MASK = 0x3f;
    static final int INSN_F_STACK_ACCESS = 1 << 9;
    /** a conditional jump's dst (src) register was a stack pointer: nothing for precision to follow */
    static final int INSN_F_DST_REG_STACK = 1 << 10;
    static final int INSN_F_SRC_REG_STACK = 1 << 11;

    FuncState frame() {
        return frames[cur];
    }

    Reg reg(int r) {
        return frames[cur].regs[r];
    }

    /** copy_verifier_state(): everything but the stored-checkpoint bookkeeping. */
    VState copy() {
        VState s = new VState();
        for (int i = 0; i <= cur; i++) {
            s.frames[i] = frames[i].copy();
        }
        s.cur = cur;
        s.refs = refs.clone();
        s.refInsns = refInsns.clone();
        s.lockMap = lockMap;
        s.lockId = lockId;
        s.parent = parent;
        s.insnIdx = insnIdx;
        s.firstInsn = firstInsn;
        s.lastInsn = lastInsn;
        s.branches = branches;
        s.dfsDepth = dfsDepth;
        s.callbackUnrollDepth = callbackUnrollDepth;
        s.mayGotoDepth = mayGotoDepth;
        s.historyLen = historyLen;
        s.histIdx = Arrays.copyOf(histIdx, Math.max(8, historyLen));
        s.histPrev = Arrays.copyOf(histPrev, Math.max(8, historyLen));
        s.histFlags = Arrays.copyOf(histFlags, Math.max(8, historyLen));
        s.histLinked = Arrays.copyOf(histLinked, Math.max(8, historyLen));
        return s;
    }

    void addRef(int id, int insn) {
        refs = Arrays.copyOf(refs, refs.length + 1);
        refs[refs.length - 1] = id;
        refInsns = Arrays.copyOf(refInsns, refInsns.length + 1);
        refInsns[refInsns.length - 1] = insn;
    }

    boolean releaseRef(int id) {
        for (int i = 0; i < refs.length; i++) {
            if (refs[i] == id) {
                refs = remove(refs, i);
                refInsns = remove(refInsns, i);
                return true;
            }
        }
        return false;
    }

    private static int[] remove(int[] a, int i) {
        int[] n = new int[a.length - 1];
        System.arraycopy(a, 0, n, 0, i);
        System.arraycopy(a, i + 1, n, i, a.length - i - 1);
        return n;
    }

    /** Appends a history entry; returns its index. */
    int pushHistory(int idx, int prev, int flags, long linked) {
        if (historyLen == histIdx.length) {
            int n = historyLen * 2;
            histIdx = Arrays.copyOf(histIdx, n);
            histPrev = Arrays.copyOf(histPrev, n);
            histFlags = Arrays.copyOf(histFlags, n);
            histLinked = Arrays.copyOf(histLinked, n);
        }
        histIdx[historyLen] = idx;
        histPrev[historyLen] = prev;
        histFlags[historyLen] = flags;
        histLinked[historyLen] = linked;
        return historyLen++;
    }

    void clearHistory() {
        historyLen = 0;
    }

    /** The instruction running in frame {@code i}: this state's for the current frame, else the call into the next. */
    int frameInsn(int i) {
        return i == cur ? insnIdx : frames[i + 1].callsite;
    }

    /** Whether both states are inside the same chain of calls (same_callsites()). */
    boolean sameCallsites(VState o) {
        if (cur != o.cur) {
            return false;
        }
        for (int i = cur; i >= 0; i--) {
            if (frames[i].callsite != o.frames[i].callsite) {
                return false;
            }
        }
        return true;
    }
}
