package dev.jxdp.ebpf.verifier;

import dev.jxdp.ebpf.isa.HelperIds;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;

import java.util.Arrays;

/**
 * What the verifier knows about each instruction before it explores a single path (the static parts of
 * bpf_insn_aux_data): where states are compared and stored (prune points, check_cfg()'s
 * mark_prune_point()), where the jump history records an entry (jump points), where a checkpoint is
 * forced (calls that take a callback), which instructions form loops (strongly connected components,
 * compute_scc()) and which registers are live before each instruction (compute_live_registers()).
 */
final class InsnAux {
    final Insn[] insns;
    /** first instruction of every function, ascending */
    final int[] subprogs;
    final boolean[] prunePoint;
    final boolean[] jmpPoint;
    final boolean[] forceCheckpoint;
    final boolean[] callsCallback;
    /** the loop (strongly connected component) an instruction belongs to, 0 for none */
    final int[] scc;
    /** registers that may be read before being written from here on, bit r for register r */
    final int[] liveRegsBefore;
    /** per function (index into subprogs): its instructions in postorder of a walk from its entry */
    final int[][] postorder;

    InsnAux(Insn[] insns, int[] subprogs) {
        this.insns = insns;
        this.subprogs = subprogs;
        int n = insns.length;
        prunePoint = new boolean[n];
        jmpPoint = new boolean[n];
        forceCheckpoint = new boolean[n];
        callsCallback = new boolean[n];
        scc = new int[n];
        liveRegsBefore = new int[n];
        markPoints();
        postorder = new int[subprogs.length][];
        for (int s = 0; s < subprogs.length; s++) {
            postorder[s] = postorderOf(s);
        }
        computeScc();
        computeLiveRegs();
    }

    /** The function (index into subprogs) instruction {@code pc} belongs to. */
    int subprogOf(int pc) {
        return Math.max(0, CfgCheck.subprogOf(subprogs, pc));
    }

    int subprogEnd(int s) {
        return s + 1 < subprogs.length ? subprogs[s + 1] : insns.length;
    }

    static boolean isSyncCallbackCall(Insn in) {
        return in.opcode() == (Op.JMP | Op.CALL) && in.src() == Op.CALL_HELPER
                && (in.imm() == HelperIds.LOOP || in.imm() == HelperIds.FOR_EACH_MAP_ELEM);
    }

    // mirrors visit_insn() and visit_func_call_insn(): which instructions are prune points and jump points
    private void markPoints() {
        for (int t = 0; t < insns.length; t++) {
            Insn in = insns[t];
            int cls = in.cls();
            if (in.isLddw()) {
                if (in.src() == Op.PSEUDO_FUNC) {
                    funcCall(t, 2, t + in.imm() + 1);
                }
                t++;
                continue;
            }
            if (cls != Op.JMP && cls != Op.JMP32) {
                continue;
            }
            int op = Op.op(in.opcode());
            switch (op) {
                case Op.EXIT -> {
                }
                case Op.CALL -> {
                    if (isSyncCallbackCall(in)) {
                        callsCallback[t] = true;
                        forceCheckpoint[t] = true;
                        prunePoint[t] = true;
                        jmpPoint[t] = true;
                    }
                    funcCall(t, 1, in.src() == Op.PSEUDO_CALL ? t + in.imm() + 1 : -1);
                }
                case Op.JA -> point(CfgCheck.jumpTarget(in, t));
                default -> {
                    prunePoint[t] = true;
                    if (op == Op.JCOND) {
                        forceCheckpoint[t] = true;
                    }
                    point(CfgCheck.jumpTarget(in, t));
                }
            }
        }
    }

    private void funcCall(int t, int size, int callee) {
        point(t + size);
        if (callee >= 0) {
            prunePoint[t] = true;
            point(callee);
        }
    }

    private void point(int at) {
        if (at >= 0 && at < insns.length) {
            prunePoint[at] = true;
            jmpPoint[at] = true;
        }
    }

    /** bpf_insn_successors(): where control may go after {@code pc} within its function. */
    int successors(int pc, int[] out) {
        Insn in = insns[pc];
        int cls = in.cls();
        if (cls != Op.JMP && cls != Op.JMP32) {
            out[0] = pc + (in.isLddw() ? 2 : 1);
            return 1;
        }
        int op = Op.op(in.opcode());
        if (op == Op.EXIT) {
            return 0;
        }
        if (op == Op.CALL) {
            out[0] = pc + 1;
            return 1;
        }
        if (op == Op.JA) {
            out[0] = CfgCheck.jumpTarget(in, pc);
            return 1;
        }
        out[0] = pc + 1;
        out[1] = CfgCheck.jumpTarget(in, pc);
        return 2;
    }

    private int[] postorderOf(int s) {
        int start = subprogs[s];
        int end = subprogEnd(s);
        int[] order = new int[end - start];
        int count = 0;
        boolean[] seen = new boolean[end - start];
        int[] stack = new int[end - start + 1];
        int[] next = new int[end - start];
        int[] succ = new int[2];
        int sp = 0;
        stack[sp++] = start;
        seen[0] = true;
        while (sp > 0) {
            int t = stack[sp - 1];
            int k = successors(t, succ);
            if (next[t - start] < k) {
                int w = succ[next[t - start]++];
                if (w >= start && w < end && !seen[w - start]) {
                    seen[w - start] = true;
                    stack[sp++] = w;
                }
            } else {
                sp--;
                order[count++] = t;
            }
        }
        return Arrays.copyOf(order, count);
    }

    // mirrors compute_scc(): Tarjan's algorithm over every function's control flow; an instruction gets a
    // component number when its component has several instructions, a self loop, or calls a callback
    // (the callback returns to the call: an implicit loop)
    private void computeScc() {
        int n = insns.length;
        int[] index = new int[n];
        int[] low = new int[n];
        boolean[] onStack = new boolean[n];
        Arrays.fill(index, -1);
        int[] stack = new int[n];
        int sp = 0;
        int[] callStack = new int[n];
        int[] callNext = new int[n];
        int counter = 0;
        int nextScc = 1;
        int[] succ = new int[2];
        for (int root = 0; root < n; root++) {
            if (index[root] >= 0 || (root > 0 && insns[root - 1].isLddw())) {
                continue;
            }
            int csp = 0;
            callStack[csp] = root;
            callNext[csp++] = 0;
            index[root] = low[root] = counter++;
            stack[sp++] = root;
            onStack[root] = true;
            while (csp > 0) {
                int v = callStack[csp - 1];
                int k = successors(v, succ);
                if (callNext[csp - 1] < k) {
                    int w = succ[callNext[csp - 1]++];
                    if (w < 0 || w >= n) {
                        continue;
                    }
                    if (index[w] < 0) {
                        index[w] = low[w] = counter++;
                        stack[sp++] = w;
                        onStack[w] = true;
                        callStack[csp] = w;
                        callNext[csp++] = 0;
                    } else if (onStack[w]) {
                        low[v] = Math.min(low[v], index[w]);
                    }
                    continue;
                }
                csp--;
                if (csp > 0) {
                    int parent = callStack[csp - 1];
                    low[parent] = Math.min(low[parent], low[v]);
                }
                if (low[v] == index[v]) {
                    boolean assign = stack[sp - 1] != v;
                    int kk = successors(v, succ);
                    for (int j = 0; j < kk; j++) {
                        assign |= succ[j] == v;
                    }
                    assign |= callsCallback[v];
                    int id = assign ? nextScc++ : 0;
                    int w;
                    do {
                        w = stack[--sp];
                        onStack[w] = false;
                        scc[w] = id;
                    } while (w != v);
                }
            }
        }
    }

    /** Registers the call at {@code pc} reads: a helper its prototype's arguments, anything else r1-r5. */
    private int callUses(Insn in) {
        if (in.src() == Op.CALL_HELPER) {
            HelperProto p = HelperProto.of(in.imm());
            if (p != null) {
                return ((1 << (p.params() + 1)) - 1) & ~1;
            }
        }
        return 0x3e;
    }

    // mirrors compute_insn_live_regs(): the registers an instruction reads (use) and writes (def)
    private int[] useDef(Insn in) {
        int src = 1 << in.src();
        int dst = 1 << in.dst();
        int use = 0xffff;
        int def = 0;
        int cls = in.cls();
        int mode = Op.mode(in.opcode());
        switch (cls) {
            case Op.LD -> {
                if (in.isLddw()) {
                    def = dst;
                    use = 0;
                }
            }
            case Op.LDX -> {
                if (mode == Op.MEM || mode == Op.MEMSX) {
                    def = dst;
                    use = src;
                }
            }
            case Op.ST -> {
                if (mode == Op.MEM) {
                    use = dst;
                }
            }
            case Op.STX -> {
                if (mode == Op.MEM) {
                    use = dst | src;
                } else if (mode == Op.ATOMIC) {
                    if (in.imm() == Op.CMPXCHG) {
                        use = 1 | dst | src;
                        def = 1;
                    } else if (in.imm() == Op.LOAD_ACQ) {
                        def = dst;
                        use = src;
                    } else if (in.imm() == Op.STORE_REL) {
                        use = dst | src;
                    } else {
                        use = dst | src;
                        def = (in.imm() & Op.FETCH) != 0 ? src : 0;
                    }
                }
            }
            case Op.ALU, Op.ALU64 -> {
                int op = Op.op(in.opcode());
                def = dst;
                if (op == Op.END) {
                    use = dst;
                } else if (op == Op.MOV) {
                    use = Op.src(in.opcode()) == Op.K ? 0 : src;
                } else {
                    use = Op.src(in.opcode()) == Op.K ? dst : dst | src;
                }
            }
            default -> {
                int op = Op.op(in.opcode());
                switch (op) {
                    case Op.JA, Op.JCOND -> use = 0;
                    case Op.EXIT -> use = 1;
                    case Op.CALL -> {
                        def = 0x3f;
                        use = callUses(in);
                    }
                    default -> use = Op.src(in.opcode()) == Op.K ? dst : dst | src;
                }
            }
        }
        return new int[] {use, def};
    }

    // mirrors compute_live_registers(): live-before = (union of the successors' live-before minus what
    // the instruction writes) plus what it reads, to a fixed point
    private void computeLiveRegs() {
        int n = insns.length;
        int[] use = new int[n];
        int[] def = new int[n];
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int[] ud = useDef(insns[i]);
            use[i] = ud[0];
            def[i] = ud[1];
            if (insns[i].isLddw()) {
                i++;
            }
        }
        int[] succ = new int[2];
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int[] order : postorder) {
                for (int pc : order) {
                    int k = successors(pc, succ);
                    int newOut = 0;
                    for (int j = 0; j < k; j++) {
                        if (succ[j] >= 0 && succ[j] < n) {
                            newOut |= liveRegsBefore[succ[j]];
                        }
                    }
                    int newIn = (newOut & ~def[pc]) | use[pc];
                    if (newOut != out[pc] || newIn != liveRegsBefore[pc]) {
                        out[pc] = newOut;
                        liveRegsBefore[pc] = newIn;
                        changed = true;
                    }
                }
            }
        }
    }
}
