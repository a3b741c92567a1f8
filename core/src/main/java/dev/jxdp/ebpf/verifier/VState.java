package dev.jxdp.ebpf.verifier;

import java.util.Arrays;

/** The abstract machine state on one path (struct bpf_verifier_state): call frames and held references. */
final class VState {
    FuncState[] frames = new FuncState[CfgCheck.MAX_CALL_FRAMES];
    int cur;
    /** reference ids of ringbuf records not yet submitted or discarded */
    int[] refs = new int[0];
    /** the newest checkpoint this path stored (its parent state, as bpf_verifier_state.parent) */
    Checkpoint path;

    /**
     * A state stored at a pruning point (bpf_verifier_state_list). {@code branches} counts the paths
     * still being explored that descend from it, this one's own included: while it is non-zero the
     * state is in progress (an ancestor of the current path or of a pending one) and proves nothing
     * yet; at zero every path from it ended safely, so it may prune.
     */
    static final class Checkpoint {
        final int insn;
        final VState state;
        final Checkpoint parent;
        int branches = 1;
        /** times it pruned a state, and times it was compared without pruning (eviction heuristic) */
        int hits;
        int misses;

        Checkpoint(int insn, VState state, Checkpoint parent) {
            this.insn = insn;
            this.state = state;
            this.parent = parent;
        }
    }

    FuncState frame() {
        return frames[cur];
    }

    Reg reg(int r) {
        return frames[cur].regs[r];
    }

    VState copy() {
        VState s = new VState();
        for (int i = 0; i <= cur; i++) {
            s.frames[i] = frames[i].copy();
        }
        s.cur = cur;
        s.refs = refs.clone();
        s.path = path;
        return s;
    }

    void addRef(int id) {
        refs = Arrays.copyOf(refs, refs.length + 1);
        refs[refs.length - 1] = id;
    }

    boolean releaseRef(int id) {
        for (int i = 0; i < refs.length; i++) {
            if (refs[i] == id) {
                int[] n = new int[refs.length - 1];
                System.arraycopy(refs, 0, n, 0, i);
                System.arraycopy(refs, i + 1, n, i, refs.length - i - 1);
                refs = n;
                return true;
            }
        }
        return false;
    }
}
