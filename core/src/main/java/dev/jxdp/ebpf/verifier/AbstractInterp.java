package dev.jxdp.ebpf.verifier;

import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.isa.HelperIds;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;
import dev.jxdp.ebpf.maps.AttachType;
import dev.jxdp.ebpf.maps.MapSpec;
import dev.jxdp.ebpf.maps.MapType;
import dev.jxdp.ebpf.runtime.XdpMdLayout;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Abstract interpretation of every path (do_check()), as kernel 6.18's verifier does it: each
 * instruction applied to abstract register and stack states, the fall-through of each undecided branch
 * followed first and the jump pushed for later, states stored at prune points under the kernel's
 * heuristics and a new state pruned when a stored one whose every path has ended covers it
 * (is_state_visited(), states_equal()) -- comparing only the registers and stack slots that may still be
 * read, and scalars only where some decision depended on their value (precision tracking). Callbacks
 * are explored again for each iteration until their states converge. The bounds are the kernel's:
 * 1,000,000 processed instructions and 8192 pending branches; nothing depends on time.
 */
final class AbstractInterp {
    /** BPF_COMPLEXITY_LIMIT_INSNS */
    static final int LIMIT = 1_000_000;
    /** BPF_COMPLEXITY_LIMIT_JMP_SEQ */
    static final int JMP_SEQ_LIMIT = 8192;
    static final int MAX_PACKET_OFF = 0xffff;
    static final int BPF_F_RDONLY_PROG = 1 << 7;
    static final int BPF_F_WRONLY_PROG = 1 << 8;
    /** the kernel's propagate_backedges() gives up after this many rounds and marks everything precise */
    private static final int MAX_BACKEDGE_ITERS = 64;
    /** a jump history longer than this forces a checkpoint (the kernel's jmp_history_cnt > 40) */
    private static final int HISTORY_FORCE = 40;
    private static final long U32 = 0xffffffffL;

    private final ProgramSpec spec;
    final Insn[] insns;
    /** The object's maps, then the inner map template of each map-in-map (the kernel's inner_map_meta). */
    private final List<MapSpec> maps;
    /** How many of {@link #maps} the object declares (the rest are templates, which no lddw names). */
    private final int objectMaps;
    /** Per object map: the index of its inner map template in {@link #maps}, or -1. */
    private final int[] innerOf;
    private final StringBuilder log;
    final InsnAux aux;
    final Precision precision;
    final StackLiveness liveness;
    final Fastcall fastcall;
    // the object's license lets it call gpl_only helpers
    boolean gplCompatible = true;
    /** per-instruction facts for the JIT, merged over every explored path */
    final VerifierFacts facts;

    /** stored states per (instruction, call site of the running frame), newest last */
    private final Map<Long, ArrayList<VState>> explored = new HashMap<>();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final Map<SccChain, SccVisit> sccVisits = new HashMap<>();

    private record Pending(VState state, int insn, int prev) {}

    /** The call sites leading to the outermost frame inside a loop, and that loop (bpf_scc_callchain). */
    private record SccChain(int scc, List<Integer> callsites) {}

    /** One exploration of a loop along one call chain (bpf_scc_visit). */
    private static final class SccVisit {
        VState entry;
        final List<VState> backedges = new ArrayList<>();
    }

    /** per function (index into aux.subprogs): a global one was called / has been verified on its own */
    private final boolean[] globalCalled;
    // per function: the most stack any of its frames used (subprog_info[].stack_depth)
    private final int[] stackDepth;
    private final boolean[] globalVerified;
    /** per function: it, or a function it calls, runs a helper that moves the packet (changes_pkt_data) */
    private final boolean[] changesPacket;

    VState cur;
    int insnIdx;
    private int prevInsnIdx = -1;
    private int idGen;
    private int processed;
    private int jmpsProcessed;
    private int prevJmps;
    private int prevInsns;
    private int totalStates;
    private int peakStates;
    private int maxStatesPerInsn;
    /** the history entry of the instruction being processed, or -1 (env->cur_hist_ent) */
    private int curHist = -1;
    /** the frame and slot a ringbuf_reserve-style reference was made at, for leak messages */
    private boolean printStateNext;

    private AbstractInterp(ProgramSpec spec, List<MapSpec> maps, StringBuilder log, int[] subprogs) {
        this.spec = spec;
        this.insns = spec.insns();
        this.objectMaps = maps.size();
        this.innerOf = new int[maps.size()];
        List<MapSpec> all = new java.util.ArrayList<>(maps);
        for (int i = 0; i < maps.size(); i++) {
            MapSpec m = maps.get(i);
            innerOf[i] = m.isMapInMap() && m.inner() != null ? all.size() : -1;
            if (innerOf[i] >= 0) {
                all.add(m.inner());
            }
        }
        this.maps = all;
        this.log = log;
        this.aux = new InsnAux(insns, subprogs);
        this.precision = new Precision(this, insns, aux);
        this.liveness = new StackLiveness(aux);
        this.fastcall = new Fastcall(insns, aux);
        this.facts = new VerifierFacts(insns.length);
        this.globalCalled = new boolean[subprogs.length];
        this.stackDepth = new int[subprogs.length];
        this.globalVerified = new boolean[subprogs.length];
        this.changesPacket = changesPacketData();
    }

    private ProgramSpec.Func funcAt(int insn) {
        for (ProgramSpec.Func f : spec.funcs()) {
            if (f.insn() == insn) {
                return f;
            }
        }
        return new ProgramSpec.Func(insn, "func#" + aux.subprogOf(insn));
    }

    boolean isGlobal(int start) {
        return start != 0 && funcAt(start).global();
    }

    // which functions may move the packet: they call such a helper, or a function that does
    private boolean[] changesPacketData() {
        boolean[] out = new boolean[aux.subprogs.length];
        for (boolean changed = true; changed;) {
            changed = false;
            for (int s = 0; s < aux.subprogs.length; s++) {
                if (out[s]) {
                    continue;
                }
                for (int pc = aux.subprogs[s]; pc < aux.subprogEnd(s); pc++) {
                    Insn in = insns[pc];
                    if (in.opcode() != (Op.JMP | Op.CALL)) {
                        continue;
                    }
                    boolean moves = in.src() == Op.CALL_HELPER && HelperProto.of(in.imm()) != null
                            && HelperProto.of(in.imm()).changesPacketData();
                    moves |= in.src() == Op.PSEUDO_CALL && out[aux.subprogOf(pc + in.imm() + 1)];
                    if (moves) {
                        out[s] = true;
                        changed = true;
                        break;
                    }
                }
            }
        }
        return out;
    }

    static VerifierFacts run(ProgramSpec spec, List<MapSpec> maps, boolean gplCompatible, int[] subprogs,
                             StringBuilder log, int[] processedOut) {
        AbstractInterp ai = new AbstractInterp(spec, maps, log, subprogs);
        ai.gplCompatible = gplCompatible;
        try {
            ai.doCheck();
        } finally {
            processedOut[0] = ai.processed;
        }
        if (log != null) {
            log.append("processed ").append(ai.processed).append(" insns (limit ").append(LIMIT)
                    .append(") max_states_per_insn ").append(ai.maxStatesPerInsn).append(" total_states ")
                    .append(ai.totalStates).append(" peak_states ").append(ai.peakStates).append('\n');
        }
        ai.checkMaxStackDepth();
        ai.facts.finish();
        return ai.facts;
    }

    // ---- the walk: do_check()

    /**
     * Verifies the main program, then every global function it calls, each once on its own for any
     * arguments its BTF prototype allows (do_check_main(), do_check_subprogs()). Processed instructions
     * add up over all of them.
     */
    private void doCheck() {
        VState s = new VState();
        s.frames[0] = new FuncState(0, -1, 0);
        s.frames[0].regs[1].markPtr(RegType.PTR_TO_CTX, 0);
        doCheckCommon(s, 0);
        for (boolean again = true; again;) {
            again = false;
            for (int i = 1; i < aux.subprogs.length; i++) {
                if (globalCalled[i] && !globalVerified[i]) {
                    verifyGlobal(i);
                    globalVerified[i] = true;
                    again = true;
                }
            }
        }
    }

    /** grow_stack_state(): the frame uses {@code bytes} below its frame pointer; its function's depth is the most any used. */
    void growStack(FuncState f, long bytes) {
        f.grow(bytes);
        int s = aux.subprogOf(f.subprog);
        stackDepth[s] = Math.max(stackDepth[s], f.allocatedStack);
    }

    /**
     * check_max_stack_depth() from the main program: every chain of calls (callbacks included, as the
     * functions they may call) stays within eight frames and 512 bytes of stack all together, each
     * function counting its deepest use rounded up to 16 (the x86-64 JIT's granularity); a function that
     * tail-calls may not start below 256 bytes of its callers' frames.
     */
    private void checkMaxStackDepth() {
        fastcall.adjustStackDepth(stackDepth);
        int[] retInsn = new int[CfgCheck.MAX_CALL_FRAMES];
        int[] retProg = new int[CfgCheck.MAX_CALL_FRAMES];
        int depth = 0;
        int frame = 0;
        int idx = 0;
        int i = aux.subprogs[0];
        boolean enter = true;
        while (true) {
            if (enter) {
                if (idx != 0 && hasTailCall(idx) && depth >= 256) {
                    throw reject(aux.subprogs[idx], "tail_calls are not allowed when call stack of previous frames is "
                            + depth + " bytes. Too large");
                }
                depth += roundStack(stackDepth[idx]);
                if (depth > FuncState.MAX_STACK) {
                    throw reject(aux.subprogs[idx], "combined stack size of " + (frame + 1) + " calls is " + depth
                            + ". Too large");
                }
                enter = false;
            }
            int end = aux.subprogEnd(idx);
            boolean called = false;
            for (; i < end; i++) {
                Insn in = insns[i];
                if (in == null || !CfgCheck.definesSubprog(in)) {
                    continue;
                }
                retInsn[frame] = i + 1;
                retProg[frame] = idx;
                int next = i + in.imm() + 1;
                idx = aux.subprogOf(next);
                i = next;
                frame++;
                if (frame >= CfgCheck.MAX_CALL_FRAMES) {
                    throw reject(retInsn[frame - 1] - 1, "the call stack of " + frame + " frames is too deep !");
                }
                called = true;
                break;
            }
            if (called) {
                enter = true;
                continue;
            }
            if (frame == 0) {
                return;
            }
            depth -= roundStack(stackDepth[idx]);
            frame--;
            i = retInsn[frame];
            idx = retProg[frame];
        }
    }

    private static int roundStack(int bytes) {
        return (bytes + 15) & ~15;
    }

    private boolean hasTailCall(int subprog) {
        for (int pc = aux.subprogs[subprog]; pc < aux.subprogEnd(subprog); pc++) {
            Insn in = insns[pc];
            if (in != null && in.opcode() == (Op.JMP | Op.CALL) && in.src() == Op.CALL_HELPER
                    && in.imm() == HelperIds.TAIL_CALL) {
                return true;
            }
        }
        return false;
    }

    // the entry state of a global function: its arguments as its prototype types them
    private void verifyGlobal(int subprog) {
        int start = aux.subprogs[subprog];
        ProgramSpec.Func fn = funcAt(start);
        if (log != null) {
            log.append("Validating ").append(fn.name()).append("() func#").append(subprog).append("...\n");
        }
        if (fn.problem() != null) {
            throw reject(start, fn.problem());
        }
        VState s = new VState();
        FuncState f = new FuncState(0, -1, start);
        s.frames[0] = f;
        for (int i = 0; i < fn.args().size(); i++) {
            ProgramSpec.Arg a = fn.args().get(i);
            Reg r = f.regs[i + 1];
            switch (a.kind()) {
                case CTX -> r.markPtr(RegType.PTR_TO_CTX, 0);
                case SCALAR -> r.markUnknown();
                case MEM -> {
                    r.markPtr(a.nullable() ? RegType.PTR_TO_MEM_OR_NULL : RegType.PTR_TO_MEM, 0);
                    r.map = a.size();
                    if (a.nullable()) {
                        r.id = newId();
                    }
                }
            }
        }
        explored.clear();
        sccVisits.clear();
        doCheckCommon(s, start);
        if (log != null) {
            log.append("Func#").append(subprog).append(" ('").append(fn.name())
                    .append("') is safe for any args that match its prototype\n");
        }
    }

    private void doCheckCommon(VState s, int start) {
        cur = s;
        insnIdx = start;
        s.insnIdx = start;
        s.firstInsn = start;
        prevInsnIdx = -1;
        liveness.resetCurrent();
        if (log != null) {
            log.append(start).append(": ").append(describe(cur)).append('\n');
        }
        for (;;) {
            if (++processed > LIMIT) {
                throw reject(insnIdx, "BPF program is too large. Processed " + processed + " insn");
            }
            curHist = -1;
            cur.lastInsn = prevInsnIdx;
            cur.insnIdx = insnIdx;
            boolean ended = false;
            if (aux.prunePoint[insnIdx] && isStateVisited(insnIdx)) {
                if (log != null) {
                    log.append(printStateNext ? "\nfrom " + prevInsnIdx + " to " + insnIdx + ": safe\n"
                            : insnIdx + ": safe\n");
                }
                ended = true;
            } else {
                if (aux.jmpPoint[insnIdx]) {
                    pushHistory(0, 0);
                }
                if (log != null) {
                    if (printStateNext) {
                        log.append("\nfrom ").append(prevInsnIdx).append(" to ").append(insnIdx).append(": ")
                                .append(describe(cur)).append('\n');
                        printStateNext = false;
                    }
                    log.append(Verifier.insnLine(insns, maps, insnIdx)).append('\n');
                }
                liveness.resetWrites(cur, insnIdx);
                // while it runs, prevInsnIdx is still the instruction before it (env->prev_insn_idx): what
                // the jump history records for entries this one pushes
                int next = step(cur, insnIdx);
                prevInsnIdx = insnIdx;
                liveness.commitWrites();
                if (next < 0) {
                    ended = true;
                } else {
                    if (log != null) {
                        log.append(insnIdx).append(": ").append(describe(cur)).append('\n');
                    }
                    insnIdx = next;
                }
            }
            if (ended) {
                updateBranchCounts(cur);
                if (pending.isEmpty()) {
                    return;
                }
                Pending p = pending.pop();
                cur = p.state;
                insnIdx = p.insn;
                prevInsnIdx = p.prev;
                liveness.resetCurrent();
                printStateNext = true;
            }
        }
    }

    /**
     * Queues {@code st} to be explored from {@code insn} (push_stack()): one more path in progress for
     * its checkpoint. Refused past the kernel's 8192 pending branches.
     */
    VState push(int insn, int prev) {
        VState st = cur.copy();
        pending.push(new Pending(st, insn, prev));
        if (pending.size() > JMP_SEQ_LIMIT) {
            throw reject(prev, "The sequence of " + pending.size() + " jumps is too complex.");
        }
        if (st.parent != null) {
            st.parent.branches++;
        }
        return st;
    }

    /** The newest id handed out (env->id_gen), where state comparison starts its temporary ids. */
    int newIdPeek() {
        return idGen;
    }

    // mirrors update_branch_counts(): a path ended, so each checkpoint it went through has one path fewer
    // in progress; one with none left is complete, and a loop entry completing settles its backedges
    private void updateBranchCounts(VState st) {
        while (st != null) {
            if (--st.branches > 0) {
                break;
            }
            maybeExitScc(st);
            st = st.parent;
        }
    }

    /** push_jmp_history(): records the current instruction, or adds flags to its entry. */
    void pushHistory(int flags, long linked) {
        if (curHist >= 0 && curHist < cur.historyLen && cur.histIdx[curHist] == insnIdx) {
            cur.histFlags[curHist] |= flags;
            if (linked != 0) {
                cur.histLinked[curHist] = linked;
            }
            return;
        }
        curHist = cur.pushHistory(insnIdx, prevInsnIdx, flags, linked);
    }

    // ---- pruning: is_state_visited()

    private boolean isMayGoto(int pc) {
        Insn in = insns[pc];
        return in != null && in.opcode() == (Op.JMP | Op.JCOND);
    }

    // clear_singular_ids(): an id only one scalar carries links it to nothing; without it, states that
    // differ only in such ids compare equal
    private static void clearSingularIds(VState st) {
        HashMap<Integer, Integer> count = new HashMap<>();
        forEachReg(st, r -> {
            if (r.type == RegType.SCALAR && r.id != 0) {
                count.merge(r.id & ~Alu.ADD_CONST, 1, Integer::sum);
            }
        });
        forEachReg(st, r -> {
            if (r.type == RegType.SCALAR && r.id != 0 && count.get(r.id & ~Alu.ADD_CONST) == 1) {
                r.id = 0;
                r.off = 0;
            }
        });
    }

    private ArrayList<VState> exploredAt(int insn, VState st) {
        long key = ((long) insn << 32) | (st.frame().callsite & U32);
        return explored.computeIfAbsent(key, k -> new ArrayList<>());
    }

    private boolean isStateVisited(int insn) {
        boolean force = aux.forceCheckpoint[insn] || cur.historyLen > HISTORY_FORCE;
        boolean add = force || (jmpsProcessed - prevJmps >= 2 && processed - prevInsns >= 8);
        ArrayList<VState> list = exploredAt(insn, cur);
        cleanLiveStates(list, insn);
        int states = list.size();
        for (int i = list.size() - 1; i >= 0; i--) {
            VState sl = list.get(i);
            boolean loop;
            if (sl.branches > 0) {
                if (isMayGoto(insn) && sl.mayGotoDepth != cur.mayGotoDepth
                        && StateCompare.equal(this, sl, cur, StateCompare.RANGE_WITHIN)) {
                    // another iteration of a may_goto loop that changes nothing the checks depend on
                    return hit(sl, insn, true);
                }
                if (aux.callsCallback[insn]) {
                    if (StateCompare.equal(this, sl, cur, StateCompare.RANGE_WITHIN)) {
                        return hit(sl, insn, true);
                    }
                } else if (StateCompare.maybeLooping(sl, cur) && StateCompare.equal(this, sl, cur, StateCompare.EXACT)
                        && sl.mayGotoDepth == cur.mayGotoDepth && sl.callbackUnrollDepth == cur.callbackUnrollDepth) {
                    throw reject(insn, "infinite loop detected at insn " + insn);
                }
                // inside a loop, storing every iteration's state helps little: a few from its start
                // and its end do
                if (!force && jmpsProcessed - prevJmps < 20 && processed - prevInsns < 100) {
                    add = false;
                }
            } else {
                loop = incompleteReadMarks(sl);
                if (StateCompare.equal(this, sl, cur, loop ? StateCompare.RANGE_WITHIN : StateCompare.NOT_EXACT)) {
                    return hit(sl, insn, loop);
                }
            }
            // a state that keeps missing is unlikely ever to prune (the kernel's miss_cnt/hit_cnt rule)
            if (add) {
                sl.missCnt++;
            }
            int n = force && sl.branches > 0 ? 64 : 3;
            if (sl.missCnt > sl.hitCnt * n + n) {
                sl.inFreeList = true;
                list.remove(i);
            }
        }
        maxStatesPerInsn = Math.max(maxStatesPerInsn, states);
        if (!add) {
            return false;
        }
        totalStates++;
        peakStates = Math.max(peakStates, totalStates);
        prevJmps = jmpsProcessed;
        prevInsns = processed;
        // forget the precision marks inherited: children mark again what they need
        Precision.markAllImprecise(cur);
        clearSingularIds(cur);
        VState stored = cur.copy();
        stored.insnIdx = insn;
        maybeEnterScc(stored);
        cur.parent = stored;
        cur.firstInsn = insn;
        cur.dfsDepth = stored.dfsDepth + 1;
        cur.clearHistory();
        curHist = -1;
        list.add(stored);
        return false;
    }

    private boolean hit(VState sl, int insn, boolean loop) {
        sl.hitCnt++;
        if (aux.jmpPoint[insnIdx]) {
            pushHistory(0, 0);
        }
        // what the stored state needed precise, this path needs too
        precision.propagate(sl, cur, null);
        if (loop) {
            VState back = cur.copy();
            back.equalState = sl;
            back.insnIdx = insn;
            addBackedge(sl, back);
        }
        return true;
    }

    // mirrors clean_live_states(): a stored state whose every path has ended forgets the registers and
    // stack slots nothing after it reads, so it matches more states
    private void cleanLiveStates(List<VState> list, int insn) {
        for (VState sl : list) {
            if (sl.branches > 0 || sl.insnIdx != insn || !sl.sameCallsites(cur) || sl.cleaned
                    || incompleteReadMarks(sl)) {
                continue;
            }
            cleanState(sl);
        }
    }

    private void cleanState(VState st) {
        StackLiveness.Query q = liveness.query(st);
        st.cleaned = true;
        for (int i = 0; i <= st.cur; i++) {
            FuncState f = st.frames[i];
            int live = aux.liveRegsBefore[st.frameInsn(i)];
            for (int r = 0; r < 10; r++) {
                if ((live & (1 << r)) == 0) {
                    f.regs[r].markNotInit();
                }
            }
            for (int spi = 0; spi < f.allocatedStack / 8; spi++) {
                if (!q.alive(i, spi)) {
                    int base = FuncState.slotBase(spi);
                    f.spilled[base / 8] = null;
                    Arrays.fill(f.stack, base, base + 8, FuncState.INVALID);
                }
            }
        }
    }

    // ---- loops: compute_scc_callchain(), maybe_enter_scc(), maybe_exit_scc(), propagate_backedges()

    private SccChain sccChain(VState st) {
        List<Integer> sites = new ArrayList<>();
        for (int i = 0; i <= st.cur; i++) {
            int insn = st.frameInsn(i);
            int scc = aux.scc[insn];
            if (scc != 0) {
                return new SccChain(scc, sites);
            }
            if (i < st.cur) {
                sites.add(insn);
            }
        }
        return null;
    }

    private void maybeEnterScc(VState st) {
        SccChain c = sccChain(st);
        if (c == null) {
            return;
        }
        SccVisit v = sccVisits.computeIfAbsent(c, k -> new SccVisit());
        if (v.entry == null) {
            v.entry = st;
        }
    }

    private void maybeExitScc(VState st) {
        SccChain c = sccChain(st);
        if (c == null) {
            return;
        }
        SccVisit v = sccVisits.get(c);
        if (v == null || v.entry != st) {
            return;
        }
        v.entry = null;
        // every path through the loop has been explored: the precision its states learned along the
        // backedges is carried to the states the backedges were pruned by, to a fixed point
        for (int i = 0;; i++) {
            if (i > MAX_BACKEDGE_ITERS) {
                for (VState b : v.backedges) {
                    precision.markAllPrecise(b);
                }
                break;
            }
            boolean[] changed = {false};
            for (VState b : v.backedges) {
                precision.propagate(b.equalState, b, changed);
            }
            if (!changed[0]) {
                break;
            }
        }
        v.backedges.clear();
    }

    private void addBackedge(VState st, VState back) {
        SccChain c = sccChain(st);
        SccVisit v = c == null ? null : sccVisits.get(c);
        if (v != null) {
            v.backedges.add(back);
        }
    }

    // incomplete_read_marks(): a stored state inside a loop still being explored along a backedge
    private boolean incompleteReadMarks(VState st) {
        SccChain c = sccChain(st);
        if (c == null) {
            return false;
        }
        SccVisit v = sccVisits.get(c);
        return v != null && !v.backedges.isEmpty();
    }

    // ---- instructions

    Rejection reject(int pc, String msg) {
        return new Rejection(pc, msg);
    }

    Rejection rejection(int pc, String msg) {
        return reject(pc, msg);
    }

    Reg read(VState st, int pc, int r) {
        Reg reg = st.reg(r);
        if (reg.type == RegType.NOT_INIT) {
            throw reject(pc, "R" + r + " !read_ok");
        }
        return reg;
    }

    Reg write(VState st, int pc, int r) {
        if (r == 10) {
            throw reject(pc, "frame pointer is read only");
        }
        return st.reg(r);
    }

    int newId() {
        return ++idGen;
    }

    MapSpec map(int idx) {
        return maps.get(idx);
    }

    /**
     * For a map-in-map: the index of its inner map template, which a non-null lookup result points to
     * (the kernel's map->inner_map_meta); -1 for other maps.
     */
    int innerTemplate(int idx) {
        return idx >= 0 && idx < objectMaps ? innerOf[idx] : -1;
    }

    int jmpsProcessed() {
        return jmpsProcessed;
    }

    /** Executes one instruction; returns the next pc, or -1 when the path ended. */
    private int step(VState st, int pc) {
        Insn in = insns[pc];
        int cls = in.cls();
        switch (cls) {
            case Op.ALU, Op.ALU64 -> {
                Alu.apply(this, st, pc, in);
                return pc + 1;
            }
            case Op.LDX -> {
                Reg base = read(st, pc, in.src());
                facts.access(pc, base.type, base.off + in.off());
                facts.baseOff(pc, base.off);
                int size = sizeBytes(in.opcode());
                stackFact(st, pc, base, in.off(), size, false, false);
                Reg val = new Reg();
                boolean sx = Op.mode(in.opcode()) == Op.MEMSX;
                if (sx && base.type == RegType.PTR_TO_CTX && base.off + in.off() >= 0 && base.off + in.off() < 12) {
                    // xdp_is_valid_access(): the packet pointers cannot be loaded sign-extended
                    throw reject(pc, "invalid bpf_context access off=" + (base.off + in.off()) + " size=" + size);
                }
                access(st, pc, in.src(), base, in.off(), size, false, null, val, in.dst());
                if (val.type == RegType.SCALAR && size < 8) {
                    if (sx) {
                        val.coerceToSizeSx(size);
                        val.sync();
                    } else {
                        val.coerceToSize(size);
                    }
                }
                facts.load(pc, base.type == RegType.PTR_TO_MAP_VALUE && map(base.map).readOnly()
                        && val.type == RegType.SCALAR && val.isConst(), val.tv);
                write(st, pc, in.dst()).set(val);
                return pc + 1;
            }
            case Op.ST, Op.STX -> {
                boolean atomic = cls == Op.STX && Op.mode(in.opcode()) == Op.ATOMIC;
                if (atomic && in.imm() == Op.LOAD_ACQ) {
                    loadAcquire(st, pc, in);
                    return pc + 1;
                }
                Reg base = read(st, pc, in.dst());
                int size = sizeBytes(in.opcode());
                boolean storeRel = atomic && in.imm() == Op.STORE_REL;
                if (storeRel) {
                    // check_atomic_store(): the store strictly aligned, then only where atomics may go
                    read(st, pc, in.src());
                    if (base.isPtr()) {
                        checkAlignment(this, pc, base, in.off(), size, alignKind(base));
                    }
                }
                facts.access(pc, base.type, base.off + in.off());
                facts.baseOff(pc, base.off);
                stackFact(st, pc, base, in.off(), size, atomic, true);
                if (atomic && !storeRel) {
                    atomic(st, pc, in, base, size);
                    return pc + 1;
                }
                Reg value;
                int valueReg = -1;
                if (cls == Op.ST) {
                    value = new Reg();
                    value.markScalar(in.imm());
                } else {
                    value = read(st, pc, in.src());
                    valueReg = in.src();
                }
                RegType baseType = base.type;
                accessWrite(st, pc, in.dst(), base, in.off(), size, value, valueReg, cls == Op.ST);
                if (storeRel && !atomicPtrOk(baseType)) {
                    throw reject(pc, "BPF_ATOMIC stores into R" + in.dst() + " " + baseType.kernelName + " is not allowed");
                }
                return pc + 1;
            }
            case Op.LD -> {
                return ldImm(st, pc, in);
            }
            default -> {
                jmpsProcessed++;
                return jmp(st, pc, in);
            }
        }
    }

    static int sizeBytes(int opcode) {
        return Op.bytes(Op.size(opcode));
    }

    // a write: the memory access, then for the stack the kernel's spill rules
    private void accessWrite(VState st, int pc, int regno, Reg base, int off, int size, Reg value, int valueReg,
                             boolean isSt) {
        if (base.type == RegType.PTR_TO_STACK) {
            Stack.write(this, st, pc, regno, base, off, size, value, valueReg, isSt);
            return;
        }
        access(st, pc, regno, base, off, size, true, value, null, -1);
    }

    // atomic_ptr_type_ok(): atomics never touch the context, the packet or a socket
    private static boolean atomicPtrOk(Reg base) {
        return atomicPtrOk(base.type);
    }

    private static boolean atomicPtrOk(RegType t) {
        return t != RegType.PTR_TO_CTX && !t.isPacket() && t != RegType.PTR_TO_XDP_SOCK;
    }

    // an atomic is always strictly aligned (check_mem_access()'s strict_alignment_once)
    private static String alignKind(Reg base) {
        return switch (base.type) {
            case PTR_TO_MAP_VALUE -> "value ";
            case PTR_TO_STACK -> "stack ";
            case PTR_TO_MAP_KEY -> "key ";
            default -> "";
        };
    }

    // check_atomic_load(): dst = *(size *)(src + off), as a load, strictly aligned, only where atomics may go
    private void loadAcquire(VState st, int pc, Insn in) {
        Reg base = read(st, pc, in.src());
        if (!atomicPtrOk(base)) {
            throw reject(pc, "BPF_ATOMIC loads from R" + in.src() + " " + base.typeName() + " is not allowed");
        }
        write(st, pc, in.dst());
        int size = sizeBytes(in.opcode());
        if (base.isPtr()) {
            checkAlignment(this, pc, base, in.off(), size, alignKind(base));
        }
        facts.access(pc, base.type, base.off + in.off());
        stackFact(st, pc, base, in.off(), size, true, false);
        Reg val = new Reg();
        access(st, pc, in.src(), base, in.off(), size, false, null, val, in.dst());
        if (val.type == RegType.SCALAR && size < 8) {
            val.coerceToSize(size);
        }
        st.reg(in.dst()).set(val);
    }

    // mirrors check_atomic_rmw(): read the location (into the fetch register), then write it
    private void atomic(VState st, int pc, Insn in, Reg base, int size) {
        int op = in.imm();
        read(st, pc, in.src());
        read(st, pc, in.dst());
        if (op == Op.CMPXCHG) {
            read(st, pc, 0);
        }
        if (!atomicPtrOk(base)) {
            throw reject(pc, "BPF_ATOMIC stores into R" + in.dst() + " " + base.typeName() + " is not allowed");
        }
        if (base.isPtr()) {
            checkAlignment(this, pc, base, in.off(), size, alignKind(base));
        }
        int loadReg = (op & Op.FETCH) == 0 ? -1 : op == Op.CMPXCHG ? 0 : in.src();
        if (loadReg >= 0) {
            write(st, pc, loadReg);
        }
        Reg old = new Reg();
        access(st, pc, in.dst(), base, in.off(), size, false, null, old, -1);
        Reg fetched = null;
        if (loadReg >= 0) {
            fetched = new Reg();
            access(st, pc, in.dst(), base, in.off(), size, false, null, fetched, loadReg);
            if (fetched.type == RegType.SCALAR && size < 8) {
                fetched.coerceToSize(size);
            }
        }
        Reg v = new Reg();
        v.markUnknown();
        access(st, pc, in.dst(), base, in.off(), size, true, v, null, -1);
        if (fetched != null) {
            st.reg(loadReg).set(fetched);
        }
    }

    private int ldImm(VState st, int pc, Insn in) {
        if (!in.isLddw()) {
            throw reject(pc, "BPF_LD_[ABS|IND] instructions not allowed for this program type");
        }
        Insn hi = insns[pc + 1];
        Reg d = write(st, pc, in.dst());
        switch (in.src()) {
            case 0 -> d.markScalar(Insn.imm64(in, hi));
            case Op.PSEUDO_MAP_IDX -> {
                checkMapIndex(pc, in.imm());
                d.markPtr(RegType.CONST_PTR_TO_MAP, 0);
                d.map = in.imm();
            }
            case Op.PSEUDO_MAP_IDX_VALUE -> {
                checkMapIndex(pc, in.imm());
                d.markPtr(RegType.PTR_TO_MAP_VALUE, hi.imm());
                d.map = in.imm();
            }
            case Op.PSEUDO_FUNC -> {
                d.markPtr(RegType.PTR_TO_FUNC, 0);
                d.frame = pc + in.imm() + 1;
            }
            default -> throw reject(pc, "unrecognized bpf_ld_imm64 insn");
        }
        return pc + 2;
    }

    private void checkMapIndex(int pc, int idx) {
        if (idx < 0 || idx >= objectMaps) {
            throw reject(pc, "fd " + idx + " is not pointing to valid bpf_map");
        }
    }

    // ---- memory access: check_mem_access()

    /**
     * Checks an access of {@code size} bytes at {@code base + off} (check_mem_access()); a write stores
     * {@code value}, a read fills {@code out}. {@code dstReg} is the register a read goes to (for stack
     * fills), or -1.
     */
    void access(VState st, int pc, int regno, Reg base, int off, int size, boolean write, Reg value, Reg out,
                int dstReg) {
        String r = "R" + regno;
        switch (base.type) {
            case NOT_INIT -> throw reject(pc, r + " !read_ok");
            case PTR_TO_CTX -> {
                if (base.off < 0) {
                    throw reject(pc, "negative offset ctx ptr " + r + " off=" + base.off + " disallowed");
                }
                if (base.off != 0) {
                    throw reject(pc, "dereference of modified ctx ptr " + r + " off=" + base.off + " disallowed");
                }
                if (!base.isConst() || base.tv != 0) {
                    throw reject(pc, "variable ctx access var_off=" + varOff(base) + " disallowed");
                }
                int o = off;
                // xdp_is_valid_access(): egress_ifindex only for programs run on DEVMAP entries
                if (write || size != 4 || o < 0 || o >= 24 || o % 4 != 0
                        || o == XdpMdLayout.EGRESS_IFINDEX && spec.expectedAttachType() != AttachType.XDP_DEVMAP) {
                    throw reject(pc, "invalid bpf_context access off=" + o + " size=" + size);
                }
                switch (o) {
                    case 0 -> out.markPtr(RegType.PTR_TO_PACKET, 0);
                    case 4 -> out.markPtr(RegType.PTR_TO_PACKET_END, 0);
                    case 8 -> out.markPtr(RegType.PTR_TO_PACKET_META, 0);
                    default -> out.markUnknown();
                }
            }
            case PTR_TO_PACKET, PTR_TO_PACKET_META -> {
                int o = off + base.off;
                if (base.smin < 0) {
                    throw reject(pc, r + " min value is negative, either use unsigned index or do a if (index >=0) check.");
                }
                if (base.range < 0) {
                    throw reject(pc, r + " offset is outside of the packet");
                }
                if (!(o >= 0 && size > 0 && (long) o + size <= base.range)) {
                    throw reject(pc, "invalid access to packet, off=" + o + " size=" + size + ", " + r + "(id="
                            + base.id + ",off=" + o + ",r=" + base.range + ")\n" + r
                            + " offset is outside of the packet");
                }
                if (!write) {
                    out.markUnknown();
                }
            }
            case PTR_TO_MAP_VALUE -> {
                MapSpec m = map(base.map);
                mapAccessType(pc, m, off + base.off, size, write);
                region(pc, regno, base, off + base.off, size, m.valueSize(), "map value", "value_size", false);
                HelperCall.spinLockUntouched(this, pc, m, base, off + base.off, size);
                if (!write) {
                    out.markUnknown();
                    if (base.isConst()) {
                        constRead(m, off + base.off + (int) base.tv, size, out);
                    }
                }
            }
            case PTR_TO_MAP_KEY -> {
                if (write) {
                    throw reject(pc, "write to change key " + r + " not allowed");
                }
                region(pc, regno, base, off + base.off, size, map(base.map).keySize(), "map key", "key_size", false);
                out.markUnknown();
            }
            case PTR_TO_MEM -> {
                region(pc, regno, base, off + base.off, size, base.map, "memory", "mem_size", false);
                if (!write) {
                    out.markUnknown();
                }
            }
            case PTR_TO_STACK -> {
                if (write) {
                    Stack.write(this, st, pc, regno, base, off, size, value, -1, false);
                } else {
                    Stack.read(this, st, pc, regno, base, off, size, out, dstReg);
                }
            }
            case PTR_TO_XDP_SOCK -> {
                // check_sock_access() with bpf_xdp_sock_is_valid_access(): struct bpf_xdp_sock is a u32
                // queue_id, read only
                if (write) {
                    throw reject(pc, r + " cannot write into xdp_sock");
                }
                if (base.smin < 0) {
                    throw reject(pc, r + " min value is negative, either use unsigned index or do a if (index >=0) check.");
                }
                int o = off + base.off;
                if (o < 0 || o >= 4 || o % size != 0 || size != 4) {
                    throw reject(pc, r + " invalid xdp_sock access off=" + o + " size=" + size);
                }
                out.markUnknown();
            }
            case CONST_PTR_TO_MAP -> {
                // check_ptr_to_map_access(): the kernel lets programs read struct bpf_map's fields through
                // BTF, never write them; jxdp has no kernel structs to read, so reads stay refused
                String tname = mapStructName(map(base.map).mapType());
                int o = off + base.off;
                if (o < 0) {
                    throw reject(pc, r + " is " + tname + " invalid negative access: off=" + o);
                }
                if (write) {
                    throw reject(pc, "only read from " + tname + " is supported");
                }
                throw reject(pc, r + " invalid mem access '" + base.typeName() + "'");
            }
            case SCALAR -> throw reject(pc, r + " invalid mem access 'scalar'");
            default -> throw reject(pc, r + " invalid mem access '" + base.typeName() + "'");
        }
    }

    /** The kernel struct a map type's map_btf_id names, what check_ptr_to_map_access() calls it. */
    private static String mapStructName(MapType t) {
        if (t == null) {
            return "bpf_map";
        }
        return switch (t) {
            case ARRAY, PERCPU_ARRAY, PROG_ARRAY, PERF_EVENT_ARRAY, CGROUP_ARRAY, ARRAY_OF_MAPS -> "bpf_array";
            case HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH, HASH_OF_MAPS -> "bpf_htab";
            case LPM_TRIE -> "lpm_trie";
            case DEVMAP, DEVMAP_HASH -> "bpf_dtab";
            case CPUMAP -> "bpf_cpu_map";
            case XSKMAP -> "xsk_map";
            case RINGBUF -> "bpf_ringbuf_map";
            default -> "bpf_map";
        };
    }

    /** check_map_access_type(): BPF_F_RDONLY_PROG maps refuse writes, BPF_F_WRONLY_PROG reads. */
    void mapAccessType(int pc, MapSpec m, int off, int size, boolean write) {
        if (write && isReadOnly(m)) {
            throw reject(pc, "write into map forbidden, value_size=" + m.valueSize() + " off=" + off + " size=" + size);
        }
        if (!write && (m.flags() & BPF_F_WRONLY_PROG) != 0) {
            throw reject(pc, "read from map forbidden, value_size=" + m.valueSize() + " off=" + off + " size=" + size);
        }
    }

    /**
     * Mirrors check_mem_region_access(): the access at the lowest and at the highest offset the pointer's
     * variable part allows must both be inside [0, limit).
     */
    void region(int pc, int regno, Reg base, long off, long size, long limit, String what, String sizeName,
                boolean zeroOk) {
        String r = "R" + regno;
        if (base.smin < 0 && (base.smin == Long.MIN_VALUE || off + base.smin != (int) (off + base.smin)
                || base.smin + off < 0)) {
            throw reject(pc, r + " min value is negative, either use unsigned index or do a if (index >=0) check.");
        }
        long lo = base.smin + off;
        if (!(lo >= 0 && (size > 0 || size == 0 && zeroOk) && lo + size <= limit)) {
            throw reject(pc, "invalid access to " + what + ", " + sizeName + "=" + limit + " off=" + lo
                    + " size=" + size + "\n" + r + " min value is outside of the allowed memory range");
        }
        if (Long.compareUnsigned(base.umax, 1L << 29) >= 0) {
            throw reject(pc, r + " unbounded memory access, make sure to bounds check any such access");
        }
        long hi = base.umax + off;
        if (!(hi >= 0 && (size > 0 || size == 0 && zeroOk) && hi + size <= limit)) {
            throw reject(pc, "invalid access to " + what + ", " + sizeName + "=" + limit + " off=" + hi
                    + " size=" + size + "\n" + r + " max value is outside of the allowed memory range");
        }
    }

    /**
     * A map whose values programs may not write: BPF_F_RDONLY_PROG, which libbpf sets on .rodata and the
     * kernel on every DEVMAP, DEVMAP_HASH and CPUMAP (a lookup returns a pointer into its entry).
     */
    static boolean isReadOnly(MapSpec m) {
        MapType t = m.mapType();
        return m.readOnly() || (m.flags() & BPF_F_RDONLY_PROG) != 0
                || t == MapType.DEVMAP || t == MapType.DEVMAP_HASH || t == MapType.CPUMAP;
    }

    // a read of a frozen read-only map is a known constant, as the kernel folds .rodata reads
    private static void constRead(MapSpec m, int at, int size, Reg out) {
        // only a frozen map's contents are known (bpf_map_is_rdonly() wants BPF_F_RDONLY_PROG and frozen);
        // .rodata is frozen at load, a map merely read-only for programs is still written by user space
        if (!m.readOnly() || m.initialData() == null || at + size > m.initialData().length) {
            return;
        }
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = v << 8 | (m.initialData()[at + i] & 0xff);
        }
        out.markScalar(v);
    }

    /**
     * check_generic_ptr_alignment() in strict mode: {@code base + off} must be aligned to {@code size}
     * whatever the variable part is.
     */
    static void checkAlignment(AbstractInterp ai, int pc, Reg base, int off, int size, String what) {
        if (size == 1) {
            return;
        }
        long v = base.tv + base.off + off;
        long m = base.tm;
        if (((v | m) & (size - 1)) != 0) {
            String var = base.isConst() ? Long.toString(base.tv) : varOff(base);
            throw ai.rejection(pc, "misaligned " + what + "access off " + var + "+" + base.off + "+" + off + " size " + size);
        }
    }

    static String varOff(Reg r) {
        return "(0x" + Long.toHexString(r.tv) + "; 0x" + Long.toHexString(r.tm) + ")";
    }

    // ---- jumps, calls, exits

    private int jmp(VState st, int pc, Insn in) {
        int op = Op.op(in.opcode());
        switch (op) {
            case Op.JA -> {
                return CfgCheck.jumpTarget(in, pc);
            }
            case Op.EXIT -> {
                return exit(st, pc);
            }
            case Op.CALL -> {
                // do_check(): while a bpf_spin_lock is held, no helper but bpf_spin_unlock
                if (st.lockMap >= 0 && in.src() == Op.CALL_HELPER && in.imm() != HelperIds.SPIN_UNLOCK) {
                    throw reject(pc, "function calls are not allowed while holding a lock");
                }
                stackArgs(st, pc);
                if (in.src() == Op.CALL_HELPER && in.imm() == HelperIds.PROBE_READ_KERNEL) {
                    // its source is any number, a stack address among them: every live frame stays in
                    // memory, so the read sees what the program stored there
                    for (int i = 0; i <= st.cur; i++) {
                        facts.escapeAll(ownerOf(st, i));
                    }
                }
                if (in.src() == Op.PSEUDO_CALL) {
                    stackArgsRest();
                    return pseudoCall(st, pc, pc + in.imm() + 1);
                }
                // the map is r2 for the helpers that take the context first
                Reg mapReg = st.reg(in.imm() == HelperIds.TAIL_CALL || in.imm() == HelperIds.JXDP_REDIRECT_XSK ? 2 : 1);
                facts.mapArg(pc, mapReg.type, mapReg.map);
                int next = HelperCall.call(this, st, pc, in.imm());
                stackArgsRest();
                return next;
            }
            case Op.JCOND -> {
                return mayGoto(st, pc, in);
            }
            default -> {
                return Branch.cond(this, st, pc, in);
            }
        }
    }

    /**
     * may_goto (check_cond_jmp_op() for BPF_JCOND): this path takes the jump, as when the loop budget is
     * spent; the fall-through, one iteration deeper, is explored later. Scalars that changed since the
     * same may_goto was last reached on this path, and that no decision depended on, are widened there,
     * so the iterations converge.
     */
    private int mayGoto(VState st, int pc, Insn in) {
        VState prev = st.parent == null ? null : findPrevEntry(st.parent, pc);
        VState queued = push(pc + 1, pc);
        queued.mayGotoDepth++;
        if (prev != null) {
            widenImpreciseScalars(prev, queued);
        }
        return CfgCheck.jumpTarget(in, pc);
    }

    /** A static subprogram call (__check_func_call()): a new frame with r1-r5, the caller's r0-r5 cleared. */
    private int pseudoCall(VState st, int pc, int target) {
        if (isGlobal(target)) {
            return globalCall(st, pc, target);
        }
        if (st.cur + 1 >= CfgCheck.MAX_CALL_FRAMES) {
            throw reject(pc, "the call stack of " + (st.cur + 2) + " frames is too deep");
        }
        FuncState caller = st.frame();
        FuncState callee = new FuncState(st.cur + 1, pc, target);
        for (int r = 1; r <= 5; r++) {
            callee.regs[r].set(caller.regs[r]);
        }
        for (int r = 0; r <= 5; r++) {
            caller.regs[r].markNotInit();
        }
        st.frames[st.cur + 1] = callee;
        st.cur++;
        liveness.resetCurrent();
        return target;
    }

    /**
     * A tail call made in a subprogram replaces only that function: when the called program exits, the
     * subprogram returns to its caller with that program's result (the interpreter and the JIT run it so,
     * as the kernel's JITs do). As the kernel does, this path returns from the subprogram right away, an
     * exit with an unknown R0; the path on which the tail call does not happen is explored later.
     * Returns the instruction after the call in the caller.
     */
    int tailCallReturns(VState st, int pc) {
        push(pc + 1, pc);
        st.frame().regs[0].markUnknown();
        return exit(st, pc);
    }

    /**
     * A call of a global function (__check_func_call() for BTF_FUNC_GLOBAL): the arguments must match its
     * prototype (btf_check_func_arg_match(); memory it may read and write is clobbered), then the call
     * returns an unknown number; the function itself is verified after the main program.
     */
    private int globalCall(VState st, int pc, int target) {
        int subprog = aux.subprogOf(target);
        ProgramSpec.Func fn = funcAt(target);
        String invalid = "\nCaller passes invalid args into func#" + subprog + " ('" + fn.name() + "')";
        if (fn.problem() != null) {
            throw reject(pc, fn.problem() + invalid);
        }
        try {
            globalCallArgs(st, pc, fn, invalid);
        } catch (Rejection e) {
            if (st.lockMap < 0) {
                throw e;
            }
            // the kernel logs what is wrong with the arguments, then refuses the call for the lock
            String m = e.getMessage();
            throw reject(pc, m.substring(0, m.length() - invalid.length()) + "\n" + LOCKED_GLOBAL_CALL);
        }
        if (st.lockMap >= 0) {
            throw reject(pc, LOCKED_GLOBAL_CALL);
        }
        if (log != null) {
            log.append("Func#").append(subprog).append(" ('").append(fn.name()).append("') is global and assumed valid.\n");
        }
        if (changesPacket[subprog]) {
            forEachReg(st, r -> {
                if (r.type.isPacket() || r.type == RegType.PTR_TO_PACKET_END) {
                    r.markUnknown();
                }
            });
        }
        globalCalled[subprog] = true;
        FuncState f = st.frame();
        for (int r = 0; r <= 5; r++) {
            f.regs[r].markNotInit();
        }
        f.regs[0].markUnknown();
        return pc + 1;
    }


    private static final String LOCKED_GLOBAL_CALL =
            "global function calls are not allowed while holding a lock,\nuse static function instead";

    // btf_check_func_arg_match(): each argument against the global function's prototype
    private void globalCallArgs(VState st, int pc, ProgramSpec.Func fn, String invalid) {
        for (int i = 0; i < fn.args().size(); i++) {
            int regno = i + 1;
            Reg r = read(st, pc, regno);
            ProgramSpec.Arg a = fn.args().get(i);
            switch (a.kind()) {
                case SCALAR -> {
                    if (r.type != RegType.SCALAR) {
                        throw reject(pc, "R" + regno + " is not a scalar" + invalid);
                    }
                }
                case CTX -> {
                    if (r.type == RegType.PTR_TO_CTX && r.off != 0) {
                        throw reject(pc, "dereference of modified ctx ptr R" + regno + " off=" + r.off + " disallowed" + invalid);
                    }
                    if (r.type != RegType.PTR_TO_CTX) {
                        throw reject(pc, "arg#" + i + " expects pointer to ctx" + invalid);
                    }
                }
                case MEM -> {
                    if (r.isNull()) {
                        break;
                    }
                    boolean maybeNull = r.type.maybeNull();
                    try {
                        Reg saved = r.copy();
                        if (maybeNull) {
                            r.type = r.type == RegType.PTR_TO_MAP_VALUE_OR_NULL ? RegType.PTR_TO_MAP_VALUE : RegType.PTR_TO_MEM;
                        }
                        HelperCall.memForCallee(this, st, pc, regno, a.size());
                        r.set(saved);
                    } catch (Rejection e) {
                        throw reject(pc, e.getMessage() + invalid);
                    }
                    if (!a.nullable() && maybeNull) {
                        throw reject(pc, "arg#" + i + " is expected to be non-NULL" + invalid);
                    }
                }
            }
        }
    }

    /**
     * A helper that runs a callback (push_callback_call()): the path continues after the call as if the
     * callback ran no more, and a copy enters the callback, whose exit returns to the call instruction to
     * run it again, until the states at the call converge.
     */
    int pushCallback(VState st, int pc, int target, Reg[] args, long retMin, long retMax) {
        VState cb = push(target, pc);
        if (cb.cur + 1 >= CfgCheck.MAX_CALL_FRAMES) {
            throw reject(pc, "the call stack of " + (cb.cur + 2) + " frames is too deep");
        }
        FuncState callee = new FuncState(cb.cur + 1, pc, target);
        for (int i = 0; i < args.length; i++) {
            callee.regs[i + 1].set(args[i]);
        }
        callee.inCallbackFn = true;
        callee.callbackRetMin = retMin;
        callee.callbackRetMax = retMax;
        cb.frames[cb.cur + 1] = callee;
        cb.cur++;
        cb.callbackUnrollDepth++;
        cb.frames[cb.cur - 1].callbackDepth++;
        st.frame().callbackDepth = 0;
        return pc + 1;
    }

    private int exit(VState st, int pc) {
        FuncState f = st.frame();
        // check_resource_leak(): the program (or a global function) cannot end holding the lock; a static
        // function may return with it, its caller then holds it
        if (st.cur == 0 && st.lockMap >= 0) {
            throw reject(pc, "BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region");
        }
        Reg r0 = f.regs[0];
        // check_return_code() reads R0 only when the program (or a global function) ends: a static
        // function may return nothing, and its caller then cannot read R0
        if (st.cur == 0 && r0.type == RegType.NOT_INIT) {
            throw reject(pc, "R0 !read_ok");
        }
        if (st.cur == 0 && f.subprog != 0) {
            if (r0.type != RegType.SCALAR) {
                throw reject(pc, "At subprogram exit the register R0 is not a scalar value (" + r0.typeName() + ")");
            }
            return -1;
        }
        if (st.cur == 0) {
            // check_return_code() sets no range for XDP, and a privileged loader may leak a pointer in R0
            // (allow_ptr_leaks): the action is then whatever number the address is
            if (st.refs.length > 0) {
                throw reject(pc, "Unreleased reference id=" + st.refs[0] + " alloc_insn=" + st.refInsns[0]
                        + "\nBPF_EXIT instruction in main prog would lead to reference leak");
            }
            return -1;
        }
        // prepare_func_exit()
        liveness.update();
        if (r0.type == RegType.PTR_TO_STACK) {
            throw reject(pc, "cannot return stack pointer to the caller frame");
        }
        FuncState caller = st.frames[st.cur - 1];
        int next;
        if (f.inCallbackFn) {
            if (r0.type != RegType.SCALAR) {
                throw reject(pc, "R0 not a scalar value");
            }
            precision.markRegPrecise(st, 0);
            if (r0.smin < f.callbackRetMin || r0.smax > f.callbackRetMax) {
                throw reject(pc, "At callback return the register R0 has "
                        + (r0.isConst() ? "value " + r0.tv : "unknown scalar value")
                        + " should have been in [" + f.callbackRetMin + ", " + f.callbackRetMax + "]");
            }
            next = f.callsite;
        } else {
            caller.regs[0].set(r0);
            next = f.callsite + 1;
        }
        st.frames[st.cur] = null;
        st.cur--;
        liveness.resetCurrent();
        printStateNext = true;
        if (f.inCallbackFn) {
            VState prev = findPrevEntry(st, next);
            if (prev != null) {
                widenImpreciseScalars(prev, st);
            }
        }
        return next;
    }

    // find_prev_entry(): the newest stored state at the callback's call that this path descends from
    private VState findPrevEntry(VState st, int insn) {
        ArrayList<VState> list = exploredAt(insn, st);
        for (int i = list.size() - 1; i >= 0; i--) {
            VState s = list.get(i);
            if (s.insnIdx == insn && s.branches > 0 && s.sameCallsites(st) && s.dfsDepth < st.dfsDepth) {
                return s;
            }
        }
        return null;
    }

    // widen_imprecise_scalars(): scalars no decision depended on that changed over a callback iteration
    // become unknown, so the iterations converge instead of counting up
    private void widenImpreciseScalars(VState old, VState st) {
        StateCompare.IdMap ids = new StateCompare.IdMap(idGen);
        for (int fr = old.cur; fr >= 0; fr--) {
            FuncState fo = old.frames[fr];
            FuncState fc = st.frames[fr];
            for (int r = 0; r < 11; r++) {
                widen(fo.regs[r], fc.regs[r], ids);
            }
            int slots = Math.min(fo.allocatedStack, fc.allocatedStack) / 8;
            for (int spi = 0; spi < slots; spi++) {
                if (fo.isSpilled(spi) && fc.isSpilled(spi) && fo.spill(spi) != null && fc.spill(spi) != null) {
                    widen(fo.spill(spi), fc.spill(spi), ids);
                }
            }
        }
    }

    private static void widen(Reg old, Reg now, StateCompare.IdMap ids) {
        if (old.type != RegType.SCALAR || now.type != RegType.SCALAR) {
            return;
        }
        if (old.precise || now.precise || StateCompare.exact(old, now, ids)) {
            return;
        }
        now.markUnknown();
    }

    // ---- what the JIT learns about stack slots (VerifierFacts)

    // the function that owns call frame `frame` of the state (the running one, or a caller below it)
    private int ownerOf(VState st, int frame) {
        return st.frames[frame].subprog;
    }

    /**
     * What a stack access tells the JIT about keeping slots in JVM locals: a whole 8-byte slot of the
     * running function's own frame at a constant offset, not atomic, not a read of bytes never written,
     * is a candidate; anything else pins the bytes it reaches to memory.
     */
    private void stackFact(VState st, int pc, Reg base, int insnOff, int size, boolean atomic, boolean write) {
        if (base.type != RegType.PTR_TO_STACK || base.frame < 0 || base.frame > st.cur) {
            return;
        }
        int owner = ownerOf(st, base.frame);
        if (!base.isConst()) {
            facts.escapeAll(owner);
            facts.stackAccess(pc, owner, -FuncState.MAX_STACK, FuncState.MAX_STACK, false);
            return;
        }
        long off = (long) base.off + base.tv + insnOff;
        boolean uninit = false;
        if (!write && off >= -FuncState.MAX_STACK && off + size <= 0) {
            byte[] kinds = st.frames[base.frame].stack;
            for (int i = 0; i < size; i++) {
                uninit |= kinds[(int) off + FuncState.MAX_STACK + i] == FuncState.INVALID;
            }
        }
        facts.stackAccess(pc, owner, off, size,
                base.frame == st.cur && size == 8 && (off & 7) == 0 && !atomic && !uninit);
    }

    // The stack pointers a call hands over in r1-r5 (owner function, constant offset): the bytes they reach
    // stay in memory. A helper's memory check marks exactly the key, value or buffer it reaches; any other
    // pointer (a callee's argument, a callback's context) keeps everything from the pointer to the top of
    // its frame, and one at a variable offset the whole frame.
    private final int[] argOwner = new int[6];
    private final long[] argOff = new long[6];
    private final boolean[] argPending = new boolean[6];

    private void stackArgs(VState st, int pc) {
        for (int r = 1; r <= 5; r++) {
            argPending[r] = false;
            Reg a = st.reg(r);
            if (a.type != RegType.PTR_TO_STACK || a.frame < 0 || a.frame > st.cur) {
                continue;
            }
            int owner = ownerOf(st, a.frame);
            if (a.isConst()) {
                argOwner[r] = owner;
                argOff[r] = (long) a.off + a.tv;
                argPending[r] = true;
            } else {
                facts.escapeAll(owner);
            }
        }
    }

    /** A helper reaches {@code size} bytes of the stack through argument {@code r}. */
    void stackArgExtent(int r, long size) {
        if (r >= 1 && r <= 5 && argPending[r]) {
            facts.escape(argOwner[r], argOff[r], size);
            argPending[r] = false;
        }
    }

    private void stackArgsRest() {
        for (int r = 1; r <= 5; r++) {
            if (argPending[r]) {
                facts.escape(argOwner[r], argOff[r], -argOff[r]);
                argPending[r] = false;
            }
        }
    }

    // ---- helpers for the other parts

    /** Every register and spilled slot of every frame (for id-wide updates). */
    static void forEachReg(VState st, Consumer<Reg> fn) {
        for (int i = 0; i <= st.cur; i++) {
            FuncState f = st.frames[i];
            for (Reg r : f.regs) {
                fn.accept(r);
            }
            for (int s = 0; s < FuncState.SLOTS; s++) {
                if (f.spilled[s] != null && f.stack[s * 8] == FuncState.SPILL) {
                    fn.accept(f.spilled[s]);
                }
            }
        }
    }

    static String helperName(int id) {
        String n = HelperIds.name(id);
        return n == null ? "unknown" : n;
    }

    String disasm(int pc) {
        return Verifier.insnLine(insns, maps, pc).replaceFirst("^\\d+: ", "");
    }

    /** Whether a log was asked for: callers build their lines only then. */
    boolean logging() {
        return log != null;
    }

    void logPrecise(String line) {
        if (log != null) {
            log.append(line).append('\n');
        }
    }

    static String describe(VState st) {
        StringBuilder sb = new StringBuilder();
        FuncState f = st.frame();
        if (st.cur > 0) {
            sb.append("frame").append(st.cur).append(": ");
        }
        for (int r = 0; r < 11; r++) {
            if (f.regs[r].type != RegType.NOT_INIT) {
                sb.append('R').append(r).append('=').append(f.regs[r]).append(' ');
            }
        }
        for (int s = FuncState.SLOTS - 1; s >= 0; s--) {
            int off = -(FuncState.MAX_STACK - s * 8);
            if (f.stack[s * 8] == FuncState.SPILL && f.spilled[s] != null) {
                sb.append("fp").append(off).append('=').append(f.spilled[s]).append(' ');
            } else {
                StringBuilder kinds = new StringBuilder();
                boolean any = false;
                for (int b = 7; b >= 0; b--) {
                    byte k = f.stack[s * 8 + b];
                    any |= k != FuncState.INVALID;
                    kinds.append(switch (k) {
                        case FuncState.MISC -> 'm';
                        case FuncState.ZERO -> '0';
                        case FuncState.SPILL -> 'r';
                        default -> '?';
                    });
                }
                if (any) {
                    sb.append("fp").append(off).append('=').append(kinds).append(' ');
                }
            }
        }
        return sb.toString().strip();
    }
}
