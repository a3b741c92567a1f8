package dev.jxdp.ebpf.verifier;

import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.maps.AttachType;
import dev.jxdp.ebpf.runtime.XdpMdLayout;
import dev.jxdp.ebpf.isa.HelperIds;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;
import dev.jxdp.ebpf.maps.MapSpec;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Abstract interpretation of every path (do_check()): each instruction applied to abstract register and
 * stack states, both sides of each undecided branch explored depth first, states stored at jump targets
 * and a new state pruned when a stored one whose every path has ended subsumes it (is_state_visited(),
 * states_equal()). Returns the instructions processed.
 */
final class AbstractInterp {
    /** BPF_COMPLEXITY_LIMIT_INSNS */
    static final int LIMIT = 1_000_000;
    /** a pruning point's stored states beyond which those that keep missing are dropped */
    static final int EVICT_ABOVE = 32;
    /** a pruning point stores no more states than this (states that hit are never evicted) */
    static final int MAX_STATES_PER_INSN = 256;
    static final int MAX_PACKET_OFF = 0xffff;
    static final int BPF_F_RDONLY_PROG = 1 << 7;
    private static final long U32 = 0xffffffffL;

    private final ProgramSpec spec;
    private final Insn[] insns;
    private final List<MapSpec> maps;
    private final StringBuilder log;
    private final boolean[] prunePoint;
    private final List<List<VState.Checkpoint>> visited;
    private final ArrayDeque<Object[]> pending = new ArrayDeque<>();
    private final Map<Integer, Integer> allocInsn = new HashMap<>();
    private int nextId = 1;
    private int processed;
    /** per-instruction facts for the JIT, merged over every explored path */
    final VerifierFacts facts;
    // A wall-clock backstop besides the kernel's instruction bound: without liveness and precision
    // tracking jxdp compares whole states, so a program the kernel prunes well may cost more here;
    // refusing it is the kernel's verdict for a program too large, reached in bounded time.
    private final long deadline = System.nanoTime()
            + Long.getLong("jxdp.verifier.timeout.ms", 20_000L) * 1_000_000L;

    private AbstractInterp(ProgramSpec spec, List<MapSpec> maps, StringBuilder log) {
        this.spec = spec;
        this.insns = spec.insns();
        this.maps = maps;
        this.log = log;
        this.prunePoint = new boolean[insns.length];
        this.facts = new VerifierFacts(insns.length);
        this.visited = new ArrayList<>(insns.length);
        for (int i = 0; i < insns.length; i++) {
            visited.add(null);
        }
    }

    static VerifierFacts run(ProgramSpec spec, List<MapSpec> maps, int[] subprogs, StringBuilder log, int[] processedOut) {
        AbstractInterp ai = new AbstractInterp(spec, maps, log);
        ai.subprogs = subprogs;
        try {
            ai.exploreAll();
        } finally {
            processedOut[0] = ai.processed;
        }
        ai.facts.finish();
        ai.facts.withdrawAfterCallbacks(ai.insns);
        return ai.facts;
    }

    /** the first instruction of every function, ascending (CfgCheck) */
    private int[] subprogs = {0};

    // the function whose code contains pc
    private int functionOf(int pc) {
        return subprogs[Math.max(0, CfgCheck.subprogOf(subprogs, pc))];
    }

    // the function that owns call frame `frame` of the state (the running one, or a caller below it)
    private int ownerOf(VState st, int frame, int pc) {
        return frame == st.cur ? functionOf(pc) : functionOf(st.frames[frame + 1].callsite - 1);
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
        int owner = ownerOf(st, base.frame, pc);
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
    // stay in memory. A helper's memory check (HelperCall.mem) marks exactly the key, value or buffer it
    // reaches; any other pointer (a callee's argument, a callback's context) keeps everything from the
    // pointer to the top of its frame, and one at a variable offset the whole frame.
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
            int owner = ownerOf(st, a.frame, pc);
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

    private void exploreAll() {
        AbstractInterp ai = this;
        ai.markPrunePoints();
        VState s = new VState();
        s.frames[0] = new FuncState(0);
        s.frames[0].regs[1].markPtr(RegType.PTR_TO_CTX, 0);
        ai.pending.push(new Object[] {s, 0});
        while (!ai.pending.isEmpty()) {
            Object[] e = ai.pending.pop();
            ai.explore((VState) e[0], (Integer) e[1]);
        }
    }

    // mirrors the prune points check_cfg() marks: jump targets, branch fall-throughs, calls' returns
    private void markPrunePoints() {
        for (int i = 0; i < insns.length; i++) {
            Insn in = insns[i];
            int cls = in.cls();
            if ((cls == Op.JMP || cls == Op.JMP32) && Op.op(in.opcode()) != Op.EXIT) {
                if (Op.op(in.opcode()) == Op.CALL) {
                    if (i + 1 < insns.length) {
                        prunePoint[i + 1] = true;
                    }
                } else {
                    int t = CfgCheck.jumpTarget(in, i);
                    if (t >= 0 && t < insns.length) {
                        prunePoint[t] = true;
                    }
                    if (i + 1 < insns.length) {
                        prunePoint[i + 1] = true;
                    }
                }
            }
            if (in.isLddw()) {
                i++;
            }
        }
    }

    private Rejection reject(int pc, String msg) {
        return new Rejection(pc, msg);
    }

    private void explore(VState st, int pc) {
        while (pc >= 0) {
            if (++processed > LIMIT) {
                throw reject(pc, "BPF program is too large. Processed " + processed + " insn");
            }
            if ((processed & 1023) == 0 && System.nanoTime() - deadline > 0) {
                throw reject(pc, "BPF program is too large: verification stopped after " + processed
                        + " insns, past the time limit (jxdp.verifier.timeout.ms)");
            }
            if (prunePoint[pc] && visitedBefore(st, pc)) {
                break;
            }
            if (log != null) {
                log.append(Verifier.insnLine(insns, maps, pc)).append('\n');
            }
            pc = step(st, pc);
            if (log != null && pc >= 0) {
                log.append(pc).append(": ").append(describe(st)).append('\n');
            }
        }
        finishPath(st.path);
    }

    // mirrors update_branch_counts(): a path ended (exit, pruned, or an impossible branch), so each
    // checkpoint it went through has one path fewer in progress; one with none left is complete
    private static void finishPath(VState.Checkpoint cp) {
        for (; cp != null; cp = cp.parent) {
            if (--cp.branches > 0) {
                return;
            }
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
        for (int s = FuncState.MAX_STACK / 8 - 1; s >= 0; s--) {
            int off = -(FuncState.MAX_STACK - s * 8);
            if (f.stack[s * 8] == FuncState.SPILL) {
                sb.append("fp").append(off).append('=').append(f.spilled[s]).append(' ');
            } else {
                boolean any = false;
                for (int b = 0; b < 8; b++) {
                    any |= f.stack[s * 8 + b] != FuncState.INVALID;
                }
                if (any) {
                    sb.append("fp").append(off).append("=mmmmmmmm ");
                }
            }
        }
        return sb.toString().strip();
    }

    /**
     * Mirrors is_state_visited(): prunes the path when a complete state stored here subsumes it, rejects
     * a loop that came back unchanged to a state still in progress, and otherwise stores the state as a
     * checkpoint. Costs O(states stored here) per visit: the branch counts tell a state in progress
     * without walking the path.
     * <p>
     * Unlike the kernel, a state is stored at every pruning point (not only after two jumps and eight
     * instructions, nor once per twenty jumps inside a loop): jxdp has no liveness or precision marks,
     * so its states match less often and each one dropped costs re-exploration (measured on the test
     * objects: up to 2.6x the instructions). The kernel's eviction of states that keep missing bounds
     * the lists instead, once an instruction holds more than {@link #EVICT_ABOVE} states.
     */
    private boolean visitedBefore(VState st, int pc) {
        List<VState.Checkpoint> list = visited.get(pc);
        if (list == null) {
            list = new ArrayList<>();
            visited.set(pc, list);
        }
        for (int i = list.size() - 1; i >= 0; i--) {
            VState.Checkpoint cp = list.get(i);
            if (cp.branches > 0) {
                // in progress, so an ancestor: the same state again is a loop that can never end
                if (StateCompare.same(cp.state, st)) {
                    throw reject(pc, "infinite loop detected at insn " + pc);
                }
            } else if (StateCompare.subsumes(cp.state, st)) {
                cp.hits++;
                return true;
            }
            // a state that keeps missing is unlikely ever to prune (the kernel's miss_cnt/hit_cnt rule)
            cp.misses++;
            if (list.size() > EVICT_ABOVE && cp.misses > cp.hits * 3 + 3) {
                list.remove(i);
            }
        }
        VState.Checkpoint cp = new VState.Checkpoint(pc, st.copy(), st.path);
        if (list.size() < MAX_STATES_PER_INSN) {
            list.add(cp);
        }
        st.path = cp;
        return false;
    }

    private Reg readReg(VState st, int pc, int r) {
        Reg reg = st.reg(r);
        if (reg.type == RegType.NOT_INIT) {
            throw reject(pc, "R" + r + " !read_ok");
        }
        return reg;
    }

    private Reg writeReg(VState st, int pc, int r) {
        if (r == 10) {
            throw reject(pc, "frame pointer is read only");
        }
        return st.reg(r);
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
                Reg base = readReg(st, pc, in.src());
                facts.access(pc, base.type, base.off + in.off());
                int size = sizeBytes(in.opcode());
                stackFact(st, pc, base, in.off(), size, false, false);
                Reg val = new Reg();
                access(st, pc, in.src(), base, in.off(), size, false, null, val);
                if (Op.mode(in.opcode()) == Op.MEMSX && val.type == RegType.SCALAR && !val.isConst()) {
                    val.markUnknown();
                    long lim = 1L << (size * 8 - 1);
                    val.smin = -lim;
                    val.smax = lim - 1;
                    val.sync();
                } else if (Op.mode(in.opcode()) == Op.MEMSX && val.isConst()) {
                    val.markScalar(signExtend(val.tv, size));
                }
                facts.load(pc, base.type == RegType.PTR_TO_MAP_VALUE && map(base.map).readOnly()
                        && val.type == RegType.SCALAR && val.isConst(), val.tv);
                writeReg(st, pc, in.dst()).set(val);
                return pc + 1;
            }
            case Op.ST, Op.STX -> {
                Reg base = readReg(st, pc, in.dst());
                facts.access(pc, base.type, base.off + in.off());
                int size = sizeBytes(in.opcode());
                stackFact(st, pc, base, in.off(), size, cls == Op.STX && Op.mode(in.opcode()) == Op.ATOMIC, true);
                Reg value;
                if (cls == Op.ST) {
                    value = new Reg();
                    value.markScalar(in.imm());
                } else {
                    value = readReg(st, pc, in.src());
                }
                if (cls == Op.STX && Op.mode(in.opcode()) == Op.ATOMIC) {
                    atomic(st, pc, in, base, size);
                    return pc + 1;
                }
                access(st, pc, in.dst(), base, in.off(), size, true, value, null);
                return pc + 1;
            }
            case Op.LD -> {
                return ldImm(st, pc, in);
            }
            default -> {
                return jmp(st, pc, in);
            }
        }
    }

    static long signExtend(long v, int size) {
        int shift = 64 - size * 8;
        return v << shift >> shift;
    }

    static int sizeBytes(int opcode) {
        return switch (Op.size(opcode)) {
            case Op.B -> 1;
            case Op.H -> 2;
            case Op.W -> 4;
            default -> 8;
        };
    }

    private void atomic(VState st, int pc, Insn in, Reg base, int size) {
        if (base.type != RegType.PTR_TO_STACK && base.type != RegType.PTR_TO_MAP_VALUE
                && base.type != RegType.PTR_TO_MEM) {
            if (base.type == RegType.SCALAR || base.type.maybeNull() || base.type == RegType.NOT_INIT) {
                access(st, pc, in.dst(), base, in.off(), size, false, null, new Reg());
            }
            throw reject(pc, "BPF_ATOMIC stores into R" + in.dst() + " " + base.type.kernelName + " is not allowed");
        }
        Reg old = new Reg();
        access(st, pc, in.dst(), base, in.off(), size, false, null, old);
        Reg v = new Reg();
        v.markUnknown();
        if (size == 4) {
            v.markUnknownBelow(U32);
        }
        if (in.imm() == Op.CMPXCHG) {
            readReg(st, pc, 0);
            access(st, pc, in.dst(), base, in.off(), size, true, v, null);
            st.reg(0).set(v);
        } else {
            access(st, pc, in.dst(), base, in.off(), size, true, v, null);
            if ((in.imm() & Op.FETCH) != 0) {
                writeReg(st, pc, in.src()).set(v);
            }
        }
    }

    private int ldImm(VState st, int pc, Insn in) {
        if (!in.isLddw()) {
            throw reject(pc, "BPF_LD_[ABS|IND] instructions not allowed for this program type");
        }
        Insn hi = insns[pc + 1];
        Reg d = writeReg(st, pc, in.dst());
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
        if (idx < 0 || idx >= maps.size()) {
            throw reject(pc, "fd " + idx + " is not pointing to valid bpf_map");
        }
    }

    MapSpec map(int idx) {
        return maps.get(idx);
    }

    int newId() {
        return nextId++;
    }

    // ---- memory access: check_mem_access()

    /**
     * Checks an access of {@code size} bytes at {@code base + off}; a write stores {@code value}, a read
     * fills {@code out}.
     */
    void access(VState st, int pc, int regno, Reg base, int off, int size, boolean write, Reg value, Reg out) {
        String r = "R" + regno;
        switch (base.type) {
            case NOT_INIT -> throw reject(pc, r + " !read_ok");
            case PTR_TO_CTX -> {
                int o = off + base.off;
                if (base.off != 0) {
                    throw reject(pc, "dereference of modified ctx ptr " + r + " off=" + base.off + " disallowed");
                }
                if (!base.isConst() || base.tv != 0) {
                    throw reject(pc, "variable ctx access var_off=" + varOff(base) + " disallowed");
                }
                // xdp_is_valid_access(): egress_ifindex only for programs run on DEVMAP entries
                if (write || size != 4 || o < 0 || o >= 24 || o % 4 != 0
                        || o == XdpMdLayout.EGRESS_IFINDEX && spec.expectedAttachType() != AttachType.XDP_DEVMAP) {
                    throw reject(pc, "invalid bpf_context access off=" + o + " size=" + size);
                }
                switch (o) {
                    case 0 -> out.markPtr(RegType.PTR_TO_PACKET, 0);
                    case 4 -> out.markPtr(RegType.PTR_TO_PACKET_END, 0);
                    case 8 -> out.markPtr(RegType.PTR_TO_PACKET_META, 0);
                    default -> out.markUnknownBelow(U32);
                }
            }
            case PTR_TO_PACKET, PTR_TO_PACKET_META -> {
                if (base.smin < 0) {
                    throw reject(pc, r + " min value is negative, either use unsigned index or do a if (index >=0) check.");
                }
                int o = off + base.off;
                if (o < 0 || (long) o + size > base.range) {
                    throw reject(pc, "invalid access to packet, off=" + o + " size=" + size + ", " + r + "(id="
                            + base.id + ",off=" + o + ",r=" + base.range + ")\n" + r
                            + " offset is outside of the packet");
                }
                if (Long.compareUnsigned(base.umax, MAX_PACKET_OFF) > 0 || base.umax + o + size > MAX_PACKET_OFF) {
                    throw reject(pc, r + " unbounded memory access, make sure to bounds check any such access");
                }
                if (write && value.isPtr()) {
                    // a privileged program may store pointers; the packet then holds a plain number
                }
                if (!write) {
                    out.markUnknownBelow(size == 8 ? -1L : (1L << (size * 8)) - 1);
                    if (size == 8) {
                        out.markUnknown();
                    }
                }
            }
            case PTR_TO_MAP_VALUE, PTR_TO_MEM, PTR_TO_MAP_KEY -> {
                long limit;
                String what;
                if (base.type == RegType.PTR_TO_MAP_VALUE) {
                    limit = map(base.map).valueSize();
                    what = "map value";
                } else if (base.type == RegType.PTR_TO_MAP_KEY) {
                    limit = map(base.map).keySize();
                    what = "map key";
                } else {
                    limit = base.map;
                    what = "memory";
                }
                if (base.smin < 0) {
                    throw reject(pc, r + " min value is negative, either use unsigned index or do a if (index >=0) check.");
                }
                long o = (long) off + base.off;
                String sizeName = what.equals("memory") ? "mem_size" : what.equals("map key") ? "key_size" : "value_size";
                // mirrors check_mem_region_access(): the lowest, then the highest reachable offset
                long lo = o + base.smin;
                if (lo < 0 || lo + size > limit) {
                    throw reject(pc, "invalid access to " + what + ", " + sizeName + "=" + limit + " off=" + lo
                            + " size=" + size + "\n" + r + " min value is outside of the allowed memory range");
                }
                if (Long.compareUnsigned(base.umax, 1L << 29) > 0) {
                    throw reject(pc, r + " unbounded memory access, make sure to bounds check any such access");
                }
                long hi = o + base.umax;
                if (hi + size > limit) {
                    throw reject(pc, "invalid access to " + what + ", " + sizeName + "=" + limit + " off=" + hi
                            + " size=" + size + "\n" + r + " max value is outside of the allowed memory range");
                }
                if (write && base.type == RegType.PTR_TO_MAP_VALUE && isReadOnly(map(base.map))) {
                    throw reject(pc, "write into map forbidden, value_size=" + limit + " off=" + (o + base.tv) + " size=" + size);
                }
                if (write && base.type == RegType.PTR_TO_MAP_KEY) {
                    throw reject(pc, "write to change key " + r + " not allowed");
                }
                if (!write) {
                    if (size == 8) {
                        out.markUnknown();
                    } else {
                        out.markUnknownBelow((1L << (size * 8)) - 1);
                    }
                    if (base.type == RegType.PTR_TO_MAP_VALUE && base.isConst()) {
                        constRead(map(base.map), (int) (o + base.tv), size, out);
                    }
                }
            }
            case PTR_TO_STACK -> Stack.access(this, st, pc, regno, base, off, size, write, value, out);
            case SCALAR -> throw reject(pc, r + " invalid mem access 'scalar'");
            default -> throw reject(pc, r + " invalid mem access '" + base.type.kernelName + "'");
        }
    }

    static boolean isReadOnly(MapSpec m) {
        return m.readOnly() || (m.flags() & BPF_F_RDONLY_PROG) != 0;
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
                stackArgs(st, pc);
                if (in.src() == Op.PSEUDO_CALL) {
                    stackArgsRest();
                    return pseudoCall(st, pc, pc + in.imm() + 1, -1);
                }
                Reg mapReg = st.reg(in.imm() == HelperIds.TAIL_CALL ? 2 : 1);
                facts.mapArg(pc, mapReg.type, mapReg.map);
                int next = HelperCall.call(this, st, pc, in.imm());
                stackArgsRest();
                return next;
            }
            case Op.JCOND -> {
                fork(st.copy(), CfgCheck.jumpTarget(in, pc));
                return pc + 1;
            }
            default -> {
                return Branch.cond(this, st, pc, in);
            }
        }
    }

    /** Queues {@code st} to be explored from {@code target}: one more path in progress (push_stack()). */
    void fork(VState st, int target) {
        if (st.path != null) {
            st.path.branches++;
        }
        pending.push(new Object[] {st, target});
    }

    int pseudoCall(VState st, int pc, int target, int callbackOf) {
        if (st.cur + 1 >= CfgCheck.MAX_CALL_FRAMES) {
            throw reject(pc, "the call stack of " + (st.cur + 2) + " frames is too deep");
        }
        FuncState caller = st.frame();
        FuncState callee = new FuncState(st.cur + 1);
        if (callbackOf < 0) {
            for (int r = 1; r <= 5; r++) {
                callee.regs[r].set(caller.regs[r]);
            }
            for (int r = 0; r <= 5; r++) {
                caller.regs[r].markNotInit();
            }
        }
        callee.callsite = pc + 1;
        callee.callbackOf = callbackOf;
        st.frames[st.cur + 1] = callee;
        st.cur++;
        return target;
    }

    private int exit(VState st, int pc) {
        FuncState f = st.frame();
        Reg r0 = f.regs[0];
        if (r0.type == RegType.NOT_INIT) {
            throw reject(pc, "R0 !read_ok");
        }
        if (st.cur == 0) {
            // check_return_code() sets no range for XDP, and a privileged loader may leak a pointer in R0
            // (allow_ptr_leaks): the action is then whatever number the address is
            if (st.refs.length > 0) {
                throw reject(pc, "Unreleased reference id=" + st.refs[0] + " alloc_insn="
                        + allocInsn.getOrDefault(st.refs[0], -1)
                        + "\nBPF_EXIT instruction in main prog would lead to reference leak");
            }
            return -1;
        }
        if (r0.type == RegType.PTR_TO_STACK && r0.frame == st.cur) {
            throw reject(pc, "cannot return stack pointer to the caller frame");
        }
        FuncState caller = st.frames[st.cur - 1];
        if (f.callbackOf >= 0) {
            if (r0.type != RegType.SCALAR) {
                throw reject(pc, "At callback return the register R0 is not a known value (" + r0.type.kernelName + ")");
            }
            if (!r0.isConst() || r0.tv < 0 || r0.tv > 1) {
                if (Long.compareUnsigned(r0.umax, 1) > 0) {
                    throw reject(pc, "At callback return the register R0 has unknown scalar value should have been in [0, 1]");
                }
            }
            caller.regs[0].markUnknown();
        } else {
            caller.regs[0].set(r0);
        }
        for (int r = 1; r <= 5; r++) {
            caller.regs[r].markNotInit();
        }
        st.frames[st.cur] = null;
        st.cur--;
        return f.callsite;
    }

    void recordAlloc(int id, int pc) {
        allocInsn.put(id, pc);
    }

    /** Every register and spilled slot of every frame (for id-wide updates). */
    static void forEachReg(VState st, java.util.function.Consumer<Reg> fn) {
        for (int i = 0; i <= st.cur; i++) {
            FuncState f = st.frames[i];
            for (Reg r : f.regs) {
                fn.accept(r);
            }
            for (Reg r : f.spilled) {
                if (r != null) {
                    fn.accept(r);
                }
            }
        }
    }

    Rejection rejection(int pc, String msg) {
        return reject(pc, msg);
    }

    Reg read(VState st, int pc, int r) {
        return readReg(st, pc, r);
    }

    Reg write(VState st, int pc, int r) {
        return writeReg(st, pc, r);
    }

    static String helperName(int id) {
        String n = HelperIds.name(id);
        return n == null ? "unknown" : n;
    }
}
