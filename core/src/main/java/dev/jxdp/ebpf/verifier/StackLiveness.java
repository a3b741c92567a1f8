package dev.jxdp.ebpf.verifier;

import dev.jxdp.ebpf.isa.HelperIds;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Which stack slots may still be read (kernel/bpf/liveness.c): as paths are explored, each instruction
 * records, per chain of calls that reached it, the slots it may read and the slots it certainly writes
 * whole; a backward data-flow pass turns those into the slots live before each instruction. A stored
 * state whose every path has been explored then forgets the slots no later instruction can read, so it
 * matches states that differ only in dead slots.
 * <p>
 * The marks are the union (reads) and intersection (writes) over every visit of an instruction with
 * the same call chain, so once all paths from a state are explored the answer covers all of them. A
 * function's reads of its callers' frames, and the slots it certainly writes there, reach the caller's
 * call instruction.
 */
final class StackLiveness {

    private final InsnAux aux;
    private final Map<Chain, Instance> instances = new HashMap<>();
    private Instance current;
    private final long[] writeAcc = new long[CfgCheck.MAX_CALL_FRAMES];
    private int writeInsn = -1;
    private final boolean[] tailCall;

    StackLiveness(InsnAux aux) {
        this.aux = aux;
        this.tailCall = new boolean[aux.insns.length];
        for (int pc = 0; pc < tailCall.length; pc++) {
            Insn in = aux.insns[pc];
            tailCall[pc] = in != null && in.opcode() == (Op.JMP | Op.CALL) && in.src() == Op.CALL_HELPER
                    && in.imm() == HelperIds.TAIL_CALL;
        }
    }

    /** A chain of calls: the call instruction of each frame below, then the running function's entry. */
    private record Chain(int[] sites) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Chain c && Arrays.equals(sites, c.sites);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(sites);
        }

        int depth() {
            return sites.length - 1;
        }
    }

    /** The marks of one function for one call chain (struct func_instance). */
    private final class Instance {
        final Chain chain;
        final int start;
        final int subprog;
        final int count;
        /** per frame 0..depth, per instruction of the function */
        final long[][] mayRead;
        final long[][] mustWrite;
        final long[][] mustWriteAcc;
        final long[][] liveBefore;
        final boolean[] mustWriteSet;
        boolean updated;
        boolean mustWriteDropped;

        Instance(Chain chain) {
            this.chain = chain;
            this.start = chain.sites[chain.depth()];
            this.subprog = aux.subprogOf(start);
            this.count = aux.subprogEnd(subprog) - start;
            int frames = chain.depth() + 1;
            mayRead = new long[frames][];
            mustWrite = new long[frames][];
            mustWriteAcc = new long[frames][];
            liveBefore = new long[frames][];
            mustWriteSet = new boolean[count];
        }

        boolean has(int frame) {
            return mayRead[frame] != null;
        }

        void alloc(int frame) {
            if (mayRead[frame] == null) {
                mayRead[frame] = new long[count];
                mustWrite[frame] = new long[count];
                mustWriteAcc[frame] = new long[count];
                liveBefore[frame] = new long[count];
            }
        }
    }

    private Chain chainOf(VState st, int frameno) {
        int[] sites = new int[frameno + 1];
        for (int i = 0; i < frameno; i++) {
            sites[i] = st.frames[i + 1].callsite;
        }
        sites[frameno] = st.frames[frameno].subprog;
        return new Chain(sites);
    }

    private Instance instance(Chain c) {
        return instances.computeIfAbsent(c, Instance::new);
    }

    private Instance instanceOf(VState st, int frameno) {
        return instance(chainOf(st, frameno));
    }

    /** The path changed call chains (a call, an exit, a new path): find the current instance again. */
    void resetCurrent() {
        current = null;
    }

    private Instance current(VState st) {
        if (current == null) {
            current = instanceOf(st, st.cur);
        }
        return current;
    }

    /** bpf_mark_stack_read(): instruction {@code insn} may read the slots in {@code mask} of frame {@code frame}. */
    void markRead(VState st, int frame, int insn, long mask) {
        markRead(current(st), frame, insn, mask);
    }

    private static void markRead(Instance in, int frame, int insn, long mask) {
        in.alloc(frame);
        int i = insn - in.start;
        long now = in.mayRead[frame][i] | mask;
        if (now != in.mayRead[frame][i] && (now | in.liveBefore[frame][i]) != in.liveBefore[frame][i]) {
            in.updated = true;
        }
        in.mayRead[frame][i] = now;
    }

    /** bpf_reset_stack_write_marks(): instruction {@code insn} starts; its whole-slot writes accumulate. */
    void resetWrites(VState st, int insn) {
        current(st);
        resetWrites(insn);
    }

    private void resetWrites(int insn) {
        writeInsn = insn;
        Arrays.fill(writeAcc, 0);
    }

    /** bpf_mark_stack_write(): the instruction writes the slots in {@code mask} of frame {@code frame} whole. */
    void markWrite(int frame, long mask) {
        writeAcc[frame] |= mask;
    }

    /** bpf_commit_stack_write_marks(): the instruction's writes, intersected with earlier visits'. */
    void commitWrites() {
        commitWrites(current);
    }

    private void commitWrites(Instance in) {
        if (in == null || writeInsn < 0) {
            return;
        }
        int idx = writeInsn - in.start;
        for (int frame = 0; frame <= in.chain.depth(); frame++) {
            long mask = writeAcc[frame];
            if (mask == 0 && !in.mustWriteSet[idx]) {
                continue;
            }
            in.alloc(frame);
            long old = in.mustWrite[frame][idx];
            if (in.mustWriteSet[idx]) {
                mask &= old;
            }
            if (old != mask) {
                in.mustWrite[frame][idx] = mask;
                in.updated = true;
            }
            if ((old & ~mask) != 0) {
                in.mustWriteDropped = true;
            }
        }
        in.mustWriteSet[idx] = true;
        writeInsn = -1;
    }

    /**
     * bpf_update_live_stack() for every instance with new marks: the data-flow pass to a fixed point, then
     * the function entry's marks for its callers' frames carried to the call instruction.
     */
    void update() {
        boolean any = true;
        while (any) {
            any = false;
            // deepest first, so a callee's marks reach its caller before the caller is recomputed
            Instance[] all = instances.values().toArray(new Instance[0]);
            Arrays.sort(all, (a, b) -> b.chain.depth() - a.chain.depth());
            for (Instance in : all) {
                if (in.updated) {
                    in.updated = false;
                    updateInstance(in);
                    in.mustWriteDropped = false;
                    any = true;
                }
            }
        }
        current = null;
    }

    private void updateInstance(Instance in) {
        if (in.mustWriteDropped) {
            for (int f = 0; f <= in.chain.depth(); f++) {
                if (in.has(f)) {
                    Arrays.fill(in.mustWriteAcc[f], 0);
                }
            }
        }
        int[] order = aux.postorder[in.subprog];
        int[] succ = new int[2];
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int f = 0; f <= in.chain.depth(); f++) {
                if (!in.has(f)) {
                    continue;
                }
                for (int pc : order) {
                    int k = aux.successors(pc, succ);
                    if (k == 0) {
                        continue;
                    }
                    int i = pc - in.start;
                    long after = 0;
                    long acc = -1L;
                    for (int j = 0; j < k; j++) {
                        int s = succ[j] - in.start;
                        after |= in.liveBefore[f][s];
                        acc &= in.mustWriteAcc[f][s];
                    }
                    if (tailCall[pc]) {
                        // a tail call from a function returns to its caller once the called program ends:
                        // an exit, after which this function writes nothing more
                        acc = 0;
                    }
                    acc |= in.mustWrite[f][i];
                    long before = (after & ~in.mustWrite[f][i]) | in.mayRead[f][i];
                    if (before != in.liveBefore[f][i] || acc != in.mustWriteAcc[f][i]) {
                        in.liveBefore[f][i] = before;
                        in.mustWriteAcc[f][i] = acc;
                        changed = true;
                    }
                }
            }
        }
        if (in.chain.depth() > 0) {
            toCaller(in);
        }
    }

    // propagate_to_outer_instance(): the callee's entry tells its call instruction what it reads of, and
    // certainly writes to, the callers' frames
    private void toCaller(Instance in) {
        int depth = in.chain.depth();
        int[] outer = Arrays.copyOf(in.chain.sites, depth);
        int callsite = outer[depth - 1];
        outer[depth - 1] = aux.subprogs[aux.subprogOf(callsite)];
        Instance caller = instance(new Chain(outer));
        resetWrites(callsite);
        for (int f = 0; f < depth; f++) {
            if (!in.has(f)) {
                continue;
            }
            markWrite(f, in.mustWriteAcc[f][0]);
            markRead(caller, f, callsite, in.liveBefore[f][0]);
        }
        commitWrites(caller);
    }

    /** A query about one state's slots (bpf_live_stack_query_init()); valid until the next update. */
    final class Query {
        private final Instance[] frames;
        private final int[] callsites;
        private final int cur;
        private final int insn;

        Query(VState st) {
            cur = st.cur;
            insn = st.insnIdx;
            frames = new Instance[cur + 1];
            callsites = new int[cur + 1];
            for (int f = 0; f <= cur; f++) {
                frames[f] = instanceOf(st, f);
                if (f < cur) {
                    callsites[f] = st.frames[f + 1].callsite;
                }
            }
        }

        /**
         * bpf_stack_slot_alive(): slot {@code spi} of frame {@code frameno} may be read: before the state's
         * instruction in the running function, or after the call in some caller (before it, when the call
         * takes a callback that may run again).
         */
        boolean alive(int frameno, int spi) {
            if (liveBefore(frames[cur], insn, frameno, spi)) {
                return true;
            }
            for (int i = frameno; i < cur; i++) {
                int site = callsites[i];
                int at = aux.callsCallback[site] ? site : site + 1;
                if (liveBefore(frames[i], at, frameno, spi)) {
                    return true;
                }
            }
            return false;
        }

        private static boolean liveBefore(Instance in, int pc, int frame, int spi) {
            if (frame > in.chain.depth() || !in.has(frame)) {
                return false;
            }
            int i = pc - in.start;
            return i >= 0 && i < in.count && (in.liveBefore[frame][i] & (1L << spi)) != 0;
        }
    }

    Query query(VState st) {
        update();
        return new Query(st);
    }
}
