package dev.jxdp.ebpf.jit;

import dev.jxdp.ebpf.helpers.Helpers;
import dev.jxdp.ebpf.isa.HelperIds;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;
import dev.jxdp.ebpf.maps.ArrayMap;
import dev.jxdp.ebpf.maps.Errno;
import dev.jxdp.ebpf.maps.HashTab;
import dev.jxdp.ebpf.maps.LpmTrie;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpMdLayout;
import dev.jxdp.ebpf.verifier.VerifierFacts;

import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.classfile.Opcode;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DynamicConstantDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bytecode of one eBPF function. Registers are long locals; the instructions reachable from the
 * entry are emitted in address order with a label each; what the interpreter would refuse when it
 * reached an instruction (unknown opcode, bad register, jump outside the program) becomes a throw of the
 * same fault at that place, so such programs fail exactly when and where the interpreter fails them.
 */
final class FunctionEmitter {

    // locals: 0 cx, 1 st, 2..11 r1..r5, 12 depth, then r0, r6..r10 and scratch
    private static final int DEPTH = 12;
    private static final int R0 = 13;
    private static final int R6 = 15;
    private static final int R10 = 23;
    private static final int TMP_OBJ = 25;
    // split functions only: the per-depth register array, the next pc (encoded), depth * 16
    private static final int REGS = 26;
    private static final int NEXT = 27;
    private static final int BASE = 29;
    // stack slots kept in JVM locals: slot i (fp-512+8i) in local SLOTS + 2i
    private static final int SLOTS = 30;
    /** Longs per call depth in {@link JitProgram#regs}: r0..r10, then the pc a region starts at. */
    static final int REG_STRIDE = 16;
    static final int START_PC = 11;

    private static final DynamicConstantDesc<BpfProgram> PROG_CONST =
            DynamicConstantDesc.ofNamed(ConstantDescs.BSM_CLASS_DATA, ConstantDescs.DEFAULT_NAME, Descs.PROG);

    private final BpfProgram prog;
    private final ClassDesc self;
    private final CodeBuilder c;
    private final int entry;
    private final Insn[] code;
    private final Label[] labels;
    private final List<Runnable> stubs = new ArrayList<>();
    // what the verifier proved (null: no proof, every access checked at run time)
    private final Proof facts;
    // per instruction, the stack slot it reads or writes as a JVM local, or -1 (null: none in this method)
    private int[] localSlot;
    // split mode: the region of every reachable instruction (null when the function is one method)
    private int[] regionOf;
    private int region;
    private Label spill;
    private Label exit;
    // whether the main function is enter's body (no static f0): a call of function 0 then goes through enter
    private boolean mainInEnter;

    FunctionEmitter(BpfProgram prog, ClassDesc self, CodeBuilder c, int entry, Proof facts) {
        this.facts = facts;
        this.prog = prog;
        this.self = self;
        this.c = c;
        this.entry = entry;
        this.code = prog.insns();
        this.labels = new Label[code.length];
    }

    static String methodName(int insn) {
        return "f" + insn;
    }

    /** Whether the main function is emitted as {@code enter}'s body rather than as a static {@code f0}. */
    FunctionEmitter mainInEnter(boolean inEnter) {
        this.mainInEnter = inEnter;
        return this;
    }

    // the call of function target, its arguments (cx, st, r1..r5, depth) pushed; function 0 only in a
    // program the verifier did not check (a call back into the main function is a loop it rejects)
    private void invokeFunction(int target) {
        if (target == 0 && mainInEnter) {
            c.invokestatic(Descs.RT, "enterMain", Descs.FN);
        } else {
            c.invokestatic(self, methodName(target), Descs.FN);
        }
    }

    private static int slot(int r) {
        return r == 0 ? R0 : r <= 5 ? 2 + 2 * (r - 1) : r <= 9 ? R6 + 2 * (r - 6) : R10;
    }

    void emit() {
        boolean[] reach = reachable();
        for (int pc = 0; pc < code.length; pc++) {
            if (reach[pc]) {
                labels[pc] = c.newLabel();
            }
        }
        // r0 and r6-r9 start at 0 as in the interpreter's fresh register file; r10 is this frame's pointer
        for (int r : new int[] {0, 6, 7, 8, 9}) {
            c.lconst_0().lstore(slot(r));
        }
        c.aload(1).iload(DEPTH).invokevirtual(Descs.ST, "framePointer", Descs.I_J).lstore(R10);
        restoreFloor();
        if (usesMayGoto(reach)) {
            c.aload(0).iload(DEPTH).invokestatic(Descs.RT, "mayGotoReset", Descs.MAY_GOTO_RESET);
        }
        promoteStackSlots(reach);
        if (!reach[entry]) {
            throw new IllegalStateException("function entry " + entry + " unreachable");
        }
        c.goto_(labels[entry]);
        for (int pc = 0; pc < code.length; pc++) {
            if (!reach[pc]) {
                continue;
            }
            c.labelBinding(labels[pc]);
            String why = staticFault(pc);
            if (why != null) {
                throwFault(pc, why);
                continue;
            }
            int next = instruction(pc);
            if (next >= 0) {
                fallTo(pc, next, reach);
            }
        }
        for (Runnable s : stubs) {
            s.run();
        }
    }

    /**
     * Stack slots that never leave this function's code (no helper, callee or partial access reaches
     * them: the verifier's facts) become JVM locals, which HotSpot keeps in registers. Zeroed first so
     * the class verifier sees them assigned; the facts guarantee every read follows a write.
     */
    private void promoteStackSlots(boolean[] reach) {
        if (facts == null) {
            return;
        }
        int[] slots = new int[code.length];
        Arrays.fill(slots, -1);
        long used = 0;
        for (int pc = 0; pc < code.length; pc++) {
            if (!reach[pc]) {
                continue;
            }
            if (facts.stackAccessOfOtherFunction(pc, entry)) {
                return;  // code shared with another function's entry: its frame layout is not ours alone
            }
            int opc = code[pc].opcode();
            boolean mem = Op.cls(opc) == Op.LDX || Op.cls(opc) == Op.STX || Op.cls(opc) == Op.ST;
            if (mem && Op.mode(opc) == Op.MEM && Op.size(opc) == Op.DW && staticFault(pc) == null) {
                int s = facts.localSlotAt(pc, entry);
                slots[pc] = s;
                if (s >= 0) {
                    used |= 1L << s;
                }
            }
        }
        if (used == 0) {
            return;
        }
        localSlot = slots;
        for (int s = 0; s < 64; s++) {
            if ((used >>> s & 1) != 0) {
                c.lconst_0().lstore(SLOTS + 2 * s);
            }
        }
    }

    private int localSlot(int pc) {
        return localSlot == null ? -1 : localSlot[pc];
    }

    // st.stackFloor(r10 - 512): this function's frame is the lowest live one again
    private void restoreFloor() {
        c.aload(1).lload(R10).ldc((long) ExecState.STACK_PER_FRAME).lsub().invokevirtual(Descs.ST, "stackFloor", Descs.J_V);
    }

    private void fallTo(int pc, int next, boolean[] reach) {
        if (next >= code.length) {
            throwFault(clamp(next), "jump or fall-through to insn " + next + ", outside the program (" + code.length + " insns)");
            return;
        }
        if (labels[next] == null) {
            leave(next);
            return;
        }
        int following = pc + 1;
        while (following < code.length && !reach[following]) {
            following++;
        }
        if (following != next) {
            c.goto_(labels[next]);
        }
    }

    private int clamp(int target) {
        return Math.max(0, Math.min(target, code.length - 1));
    }

    private void throwFault(int pc, String why) {
        c.loadConstant(pc).ldc(JitFaults.explain(prog, pc, why)).invokestatic(Descs.RT, "fault", Descs.FAULT).athrow();
    }

    private void prog() {
        c.ldc(PROG_CONST);
    }

    // a jump from pc to target: a back-edge counts against the run's budget first
    private void jumpTo(int pc, int target) {
        if (target < 0 || target >= code.length) {
            throwFault(clamp(target), "jump or fall-through to insn " + target + ", outside the program (" + code.length + " insns)");
        } else {
            if (target <= pc) {
                tick(pc);
            }
            if (labels[target] == null) {
                leave(target);
            } else {
                c.goto_(labels[target]);
            }
        }
    }

    // a back-edge or call counts against the run's 1,000,000 steps, unless the verifier bounded them all
    private void tick(int pc) {
        if (facts != null && facts.bounded()) {
            return;
        }
        c.aload(0);
        prog();
        c.loadConstant(pc).invokestatic(Descs.RT, "tick", Descs.TICK);
    }

    // ---- reachability: what the interpreter can fetch starting at the entry ----

    private boolean[] reachable() {
        boolean[] seen = new boolean[code.length];
        ArrayDeque<Integer> work = new ArrayDeque<>();
        work.push(entry);
        while (!work.isEmpty()) {
            int pc = work.pop();
            if (pc < 0 || pc >= code.length || seen[pc]) {
                continue;
            }
            seen[pc] = true;
            if (staticFault(pc) != null) {
                continue;
            }
            for (int s : successors(pc)) {
                work.push(s);
            }
        }
        return seen;
    }

    private static final int[] NONE = {};

    /** Where control can go after the valid instruction at pc (possibly outside the program). */
    int[] successors(int pc) {
        Insn in = code[pc];
        int opc = in.opcode();
        switch (Op.cls(opc)) {
            case Op.LD -> {
                return new int[] {pc + 2};
            }
            case Op.JMP, Op.JMP32 -> {
                int op = Op.op(opc);
                if (op == Op.EXIT) {
                    return NONE;
                }
                if (op == Op.CALL) {
                    return new int[] {pc + 1};
                }
                if (op == Op.JA) {
                    return new int[] {pc + (Op.cls(opc) == Op.JMP ? in.off() : in.imm()) + 1};
                }
                return new int[] {pc + 1, pc + in.off() + 1};
            }
            default -> {
                return new int[] {pc + 1};
            }
        }
    }

    /** Reachable instructions of this function, in address order. */
    boolean[] reach() {
        return reachable();
    }

    /** Whether a reachable instruction of this function is a may_goto (the function then keeps a budget). */
    boolean usesMayGoto(boolean[] reach) {
        for (int pc = 0; pc < code.length; pc++) {
            if (reach[pc] && code[pc] != null && code[pc].opcode() == (Op.JMP | Op.JCOND)) {
                return true;
            }
        }
        return false;
    }

    /** A generous estimate of the bytecode bytes instruction pc becomes (for cutting a function into regions). */
    int cost(int pc) {
        if (staticFault(pc) != null) {
            return 16;
        }
        Insn in = code[pc];
        int opc = in.opcode();
        return switch (Op.cls(opc)) {
            case Op.ALU, Op.ALU64 -> 8;
            case Op.LD -> 12;
            case Op.LDX, Op.ST -> 16;
            case Op.STX -> Op.mode(opc) == Op.MEM ? 16 : 30;
            // jumps: compare, a stub, a tick and an exit; a direct tail call carries the indirect one too,
            // each with its own enter
            default -> Op.op(opc) != Op.CALL ? 28 : isTailCall(in) ? 120 : 50;
        };
    }

    private static boolean isTailCall(Insn in) {
        return in.src() == Op.CALL_HELPER && Op.src(in.opcode()) != Op.X && in.imm() == HelperIds.TAIL_CALL;
    }

    // ---- split functions: regions of contiguous instructions, each its own method ----

    /** Emits region k of a split function: the instructions whose region is k, entered at the pcs given. */
    void emitRegion(int[] regionOf, int k, int[] entries) {
        this.regionOf = regionOf;
        this.region = k;
        boolean[] reach = reachable();
        for (int pc = 0; pc < code.length; pc++) {
            if (reach[pc] && regionOf[pc] == k) {
                labels[pc] = c.newLabel();
            }
        }
        spill = c.newLabel();
        exit = c.newLabel();
        // the registers come from the frame's slice of cx.regs, r1..r5 as arguments
        c.aload(0).getfield(Descs.CX, "regs", Descs.LONGS).astore(REGS);
        c.iload(DEPTH).loadConstant(4).ishl().istore(BASE);
        for (int r : new int[] {0, 6, 7, 8, 9}) {
            c.aload(REGS).iload(BASE).loadConstant(r).iadd().laload().lstore(slot(r));
        }
        c.aload(1).iload(DEPTH).invokevirtual(Descs.ST, "framePointer", Descs.I_J).lstore(R10);
        c.loadConstant(-1L).lstore(NEXT);
        Label bad = c.newLabel();
        List<java.lang.classfile.instruction.SwitchCase> cases = new ArrayList<>();
        for (int e : entries) {
            cases.add(java.lang.classfile.instruction.SwitchCase.of(e, labels[e]));
        }
        c.aload(REGS).iload(BASE).loadConstant(START_PC).iadd().laload().l2i().lookupswitch(bad, cases);
        for (int pc = 0; pc < code.length; pc++) {
            if (!reach[pc] || regionOf[pc] != k) {
                continue;
            }
            c.labelBinding(labels[pc]);
            String why = staticFault(pc);
            if (why != null) {
                throwFault(pc, why);
                continue;
            }
            int next = instruction(pc);
            if (next >= 0) {
                fallTo(pc, next, reach);
            }
        }
        for (Runnable s : stubs) {
            s.run();
        }
        c.labelBinding(bad);
        throwFault(entry, "internal error: region " + k + " entered at an instruction it does not start");
        c.labelBinding(spill);
        for (int r = 0; r <= 9; r++) {
            c.aload(REGS).iload(BASE).loadConstant(r).iadd().lload(slot(r)).lastore();
        }
        c.lload(NEXT).lreturn();
        c.labelBinding(exit);
        c.aload(REGS).iload(BASE).lload(R0).lastore();
        c.loadConstant(-1L).lreturn();
    }

    // control leaves this region for target: save the registers, give the dispatcher (region << 32 | pc)
    private void leave(int target) {
        c.loadConstant(((long) regionOf[target] << 32) | target).lstore(NEXT).goto_(spill);
    }

    /** region method k of the function at entry */
    static String regionName(int entry, int k) {
        return methodName(entry) + "_r" + k;
    }

    /**
     * The method of a split function: keeps its registers in cx.regs at depth * 16 and runs the region
     * each step names until one exits; r0 is then at the slice's first slot.
     */
    static void emitDispatcher(CodeBuilder c, ClassDesc self, int entry, int entryRegion, int regions,
                               boolean mayGoto) {
        if (mayGoto) {
            c.aload(0).iload(DEPTH).invokestatic(Descs.RT, "mayGotoReset", Descs.MAY_GOTO_RESET);
        }
        int a = 13;
        int b = 14;
        int next = 15;
        c.aload(0).getfield(Descs.CX, "regs", Descs.LONGS).astore(a);
        c.iload(DEPTH).loadConstant(4).ishl().istore(b);
        for (int r = 0; r <= 9; r++) {
            c.aload(a).iload(b).loadConstant(r).iadd();
            if (r >= 1 && r <= 5) {
                c.lload(slot(r));
            } else {
                c.lconst_0();
            }
            c.lastore();
        }
        c.aload(1).aload(1).iload(DEPTH).invokevirtual(Descs.ST, "framePointer", Descs.I_J)
                .ldc((long) ExecState.STACK_PER_FRAME).lsub().invokevirtual(Descs.ST, "stackFloor", Descs.J_V);
        c.loadConstant(((long) entryRegion << 32) | entry).lstore(next);
        Label loop = c.newLabel();
        Label after = c.newLabel();
        Label bad = c.newLabel();
        c.labelBinding(loop);
        c.aload(a).iload(b).loadConstant(START_PC).iadd().lload(next).loadConstant(0xffffffffL).land().lastore();
        List<java.lang.classfile.instruction.SwitchCase> cases = new ArrayList<>();
        List<Label> ls = new ArrayList<>();
        for (int k = 0; k < regions; k++) {
            Label l = c.newLabel();
            ls.add(l);
            cases.add(java.lang.classfile.instruction.SwitchCase.of(k, l));
        }
        // the arguments go on the stack before the switch, so a case is only its call: 10 bytes a region
        c.aload(0).aload(1);
        for (int r = 1; r <= 5; r++) {
            c.aload(a).iload(b).loadConstant(r).iadd().laload();
        }
        c.iload(DEPTH);
        c.lload(next).loadConstant(32).lushr().l2i().tableswitch(0, regions - 1, bad, cases);
        for (int k = 0; k < regions; k++) {
            c.labelBinding(ls.get(k));
            c.invokestatic(self, regionName(entry, k), Descs.FN).goto_(after);
        }
        c.labelBinding(after);
        c.lstore(next).lload(next).lconst_0().lcmp().ifge(loop);
        c.aload(a).iload(b).laload().lreturn();
        c.labelBinding(bad);
        c.loadConstant(entry).ldc("internal error: no region for the next instruction")
                .invokestatic(Descs.RT, "fault", Descs.FAULT).athrow();
    }

    // ---- what the interpreter refuses without running anything (mirrors Interpreter.exec's decoding) ----

    String staticFault(int pc) {
        Insn in = code[pc];
        int opc = in.opcode();
        int dst = in.dst();
        int src = in.src();
        String unknown = "unknown opcode 0x" + Integer.toHexString(opc);
        if (dst > 10 || src > 10 && usesSrcReg(opc)) {
            return "invalid register r" + Math.max(dst, src);
        }
        String ro = "frame pointer is read only";
        switch (Op.cls(opc)) {
            case Op.ALU64 -> {
                return dst == 10 ? ro : alu64Valid(in) ? null : unknown;
            }
            case Op.ALU -> {
                if (dst == 10) {
                    return ro;
                }
                if (Op.op(opc) == Op.END) {
                    return in.imm() == 16 || in.imm() == 32 || in.imm() == 64 ? null : unknown;
                }
                return alu32Valid(in) ? null : unknown;
            }
            case Op.JMP, Op.JMP32 -> {
                int op = Op.op(opc);
                if (op == Op.EXIT) {
                    return opc != (Op.JMP | Op.EXIT) ? unknown : null;
                }
                if (op == Op.CALL) {
                    if (Op.cls(opc) != Op.JMP) {
                        return unknown;
                    }
                    if (Op.src(opc) == Op.X) {
                        int reg = dst != 0 ? dst : in.imm();
                        return reg < 0 || reg > 10 ? "callx: invalid register " + reg : null;
                    }
                    if (src == Op.PSEUDO_CALL) {
                        return null;
                    }
                    if (src == Op.CALL_HELPER) {
                        int id = in.imm();
                        if (id == HelperIds.TAIL_CALL || Helpers.isSupported(id)) {
                            return null;
                        }
                        String name = HelperIds.name(id);
                        return name == null ? "invalid helper " + id : "helper " + name + "#" + id + " is not supported";
                    }
                    return "kfunc calls are not supported";
                }
                if (op == Op.JA) {
                    return Op.src(opc) != Op.K ? unknown : null;
                }
                if (op == Op.JCOND) {
                    return opc != (Op.JMP | Op.JCOND) || src != Op.MAY_GOTO || dst != 0 || in.imm() != 0 ? unknown : null;
                }
                return op == 0xf0 ? unknown : null;
            }
            case Op.LDX -> {
                if (dst == 10) {
                    return ro;
                }
                int mode = Op.mode(opc);
                return mode == Op.MEM || mode == Op.MEMSX && Op.size(opc) != Op.DW ? null : unknown;
            }
            case Op.ST -> {
                return Op.mode(opc) != Op.MEM ? unknown : null;
            }
            case Op.STX -> {
                int mode = Op.mode(opc);
                if (mode == Op.ATOMIC && in.imm() == Op.LOAD_ACQ) {
                    return dst == 10 ? ro : null;
                }
                if (mode == Op.ATOMIC && in.imm() == Op.STORE_REL) {
                    return null;
                }
                return mode == Op.MEM || mode == Op.ATOMIC && (Op.size(opc) == Op.W || Op.size(opc) == Op.DW) ? null : unknown;
            }
            default -> {
                // LD
                if (opc != Op.LDDW) {
                    if (Op.mode(opc) == Op.ABS || Op.mode(opc) == Op.IND) {
                        return "legacy packet loads (BPF_ABS/BPF_IND) are not valid in XDP programs";
                    }
                    return unknown;
                }
                if (dst == 10) {
                    return ro;
                }
                if (pc + 1 >= code.length || code[pc + 1].opcode() != 0) {
                    return "lddw without its second slot";
                }
                return switch (src) {
                    case 0, Op.PSEUDO_FUNC -> null;
                    case Op.PSEUDO_MAP_IDX, Op.PSEUDO_MAP_IDX_VALUE ->
                            prog.collection() == null || in.imm() < 0 || in.imm() >= prog.collection().maps().size()
                                    ? "map index " + in.imm() + " out of range" : null;
                    default -> "unsupported lddw kind src=" + src;
                };
            }
        }
    }

    private static boolean usesSrcReg(int opc) {
        int cls = Op.cls(opc);
        return cls == Op.LDX || cls == Op.STX
                || (cls == Op.ALU || cls == Op.ALU64 || cls == Op.JMP || cls == Op.JMP32) && Op.src(opc) == Op.X
                && Op.op(opc) != Op.CALL && Op.op(opc) != Op.END;
    }

    private static boolean alu64Valid(Insn in) {
        int off = in.off();
        int opc = in.opcode();
        return switch (Op.op(opc)) {
            case Op.ADD, Op.SUB, Op.MUL, Op.OR, Op.AND, Op.XOR, Op.LSH, Op.RSH, Op.ARSH -> true;
            case Op.DIV, Op.MOD -> off == 0 || off == 1;
            case Op.NEG -> Op.src(opc) == Op.K;
            case Op.MOV -> off == 0 || Op.src(opc) == Op.X && (off == 8 || off == 16 || off == 32);
            case Op.END -> Op.src(opc) == Op.TO_LE && (in.imm() == 16 || in.imm() == 32 || in.imm() == 64);
            default -> false;
        };
    }

    private static boolean alu32Valid(Insn in) {
        int off = in.off();
        int opc = in.opcode();
        return switch (Op.op(opc)) {
            case Op.ADD, Op.SUB, Op.MUL, Op.OR, Op.AND, Op.XOR, Op.LSH, Op.RSH, Op.ARSH -> true;
            case Op.DIV, Op.MOD -> off == 0 || off == 1;
            case Op.NEG -> Op.src(opc) == Op.K;
            case Op.MOV -> off == 0 || Op.src(opc) == Op.X && (off == 8 || off == 16);
            default -> false;
        };
    }

    // ---- one valid instruction; returns the fall-through pc, or -1 when control does not fall through ----

    private int instruction(int pc) {
        Insn in = code[pc];
        int opc = in.opcode();
        switch (Op.cls(opc)) {
            case Op.ALU64 -> alu64(in);
            case Op.ALU -> alu32(in);
            case Op.JMP, Op.JMP32 -> {
                return jump(pc, in);
            }
            case Op.LDX -> ldx(pc, in);
            case Op.ST -> {
                if (localSlot(pc) >= 0) {
                    c.loadConstant((long) in.imm()).lstore(SLOTS + 2 * localSlot(pc));
                    return pc + 1;
                }
                boolean proven = proven(pc);
                storeAddress(pc, in, proven);
                c.loadConstant((long) in.imm());
                store(pc, Op.bytes(Op.size(opc)), proven);
            }
            case Op.STX -> {
                if (Op.mode(opc) == Op.MEM && localSlot(pc) >= 0) {
                    c.lload(slot(in.src())).lstore(SLOTS + 2 * localSlot(pc));
                } else if (Op.mode(opc) == Op.MEM) {
                    boolean proven = proven(pc);
                    storeAddress(pc, in, proven);
                    c.lload(slot(in.src()));
                    store(pc, Op.bytes(Op.size(opc)), proven);
                } else if (in.imm() == Op.LOAD_ACQ) {
                    // rare: through the checked runtime, whatever the verifier proved
                    c.aload(1);
                    address(in.src(), in.off());
                    c.loadConstant(Op.bytes(Op.size(opc)));
                    prog();
                    c.loadConstant(pc).invokestatic(Descs.RT, "loadAcquire", Descs.LOAD_ACQ).lstore(slot(in.dst()));
                } else if (in.imm() == Op.STORE_REL) {
                    c.aload(1);
                    address(in.dst(), in.off());
                    c.loadConstant(Op.bytes(Op.size(opc))).lload(slot(in.src()));
                    prog();
                    c.loadConstant(pc).invokestatic(Descs.RT, "storeRelease", Descs.STORE_REL);
                } else {
                    atomic(pc, in);
                }
            }
            default -> {
                lddw(pc, in, code[pc + 1]);
                return pc + 2;
            }
        }
        return pc + 1;
    }

    private void address(int reg, int off) {
        c.lload(slot(reg));
        if (off != 0) {
            c.loadConstant((long) off).ladd();
        }
    }

    // a store's address: (st, addr) for the checked path, (base, off) for a proven one (SandboxMem)
    private void storeAddress(int pc, Insn in, boolean proven) {
        if (proven) {
            provenAddress(pc, in.dst(), in.off());
        } else {
            c.aload(1);
            address(in.dst(), in.off());
        }
    }

    /**
     * A proven access's (base, off) for SandboxMem, which masks the base and adds off. When the verifier
     * saw the register at the same fixed offset k from the start of its memory on every path (the packet's
     * data, the frame pointer, a map value), the base is {@code reg - k} and off {@code k + insn.off}: every
     * pointer derived from {@code data} by constants then masks the same value, which C2 computes once for
     * all of them, instead of one mask and one more live register per derived pointer (the cost the wall
     * had on header-writing programs). off stays within the 16 bits the guards absorb, so a wrong k moves
     * an access within the sandbox like any wrong proof, never out of it.
     */
    private void provenAddress(int pc, int reg, int off) {
        int k = facts.baseOffAt(pc);
        int total = k + off;
        c.lload(slot(reg));
        if (k != 0 && total == (short) total) {
            c.loadConstant((long) k).lsub().loadConstant(total);
        } else {
            c.loadConstant(off);
        }
    }

    private void store(int pc, int size, boolean proven) {
        if (proven) {
            // the verifier proved [addr, addr + size) inside the packet, the stack or a value on every path;
            // the sandbox's mask keeps a wrong proof inside memory programs were given
            c.invokestatic(Descs.SANDBOX_MEM, "putU" + size * 8, Descs.JIJ_V);
            return;
        }
        prog();
        c.loadConstant(pc).invokestatic(Descs.RT, "st" + size, Descs.STORE);
    }

    /** Whether the verifier proved the access at pc in bounds of plain memory (not the context) on every path. */
    private boolean proven(int pc) {
        if (facts == null) {
            return false;
        }
        return switch (facts.memAt(pc)) {
            case PACKET, STACK, MAP_VALUE, MEM, MAP_KEY -> true;
            default -> false;
        };
    }

    // a proven xdp_md load: the field of the frame the run is on (xdp_convert_ctx_access())
    private boolean ctxLoad(int pc, Insn in) {
        if (facts == null || facts.memAt(pc) != VerifierFacts.Mem.CTX || Op.mode(in.opcode()) != Op.MEM
                || Op.size(in.opcode()) != Op.W) {
            return false;
        }
        String field;
        boolean wide = true;
        switch (facts.ctxOffAt(pc)) {
            case XdpMdLayout.DATA -> field = "data";
            case XdpMdLayout.DATA_END -> field = "dataEnd";
            case XdpMdLayout.DATA_META -> field = "dataMeta";
            case XdpMdLayout.INGRESS_IFINDEX -> { field = "ingressIfindex"; wide = false; }
            case XdpMdLayout.RX_QUEUE_INDEX -> { field = "rxQueueIndex"; wide = false; }
            case XdpMdLayout.EGRESS_IFINDEX -> { field = "egressIfindex"; wide = false; }
            default -> {
                return false;
            }
        }
        c.aload(1).invokevirtual(Descs.ST, "xdp", MethodTypeDesc.of(Descs.XDP_BUFF))
                .getfield(Descs.XDP_BUFF, field, wide ? ConstantDescs.CD_long : ConstantDescs.CD_int);
        if (!wide) {
            c.i2l().loadConstant(0xffffffffL).land();
        }
        c.lstore(slot(in.dst()));
        return true;
    }

    private void ldx(int pc, Insn in) {
        int size = Op.bytes(Op.size(in.opcode()));
        if (ctxLoad(pc, in)) {
            return;
        }
        if (localSlot(pc) >= 0) {
            c.lload(SLOTS + 2 * localSlot(pc)).lstore(slot(in.dst()));
            return;
        }
        if (facts != null && facts.loadsConstant(pc)) {
            // frozen .rodata at a known offset: the value the verifier read is the value every run reads
            c.loadConstant(facts.constantAt(pc)).lstore(slot(in.dst()));
            return;
        }
        if (proven(pc)) {
            // base and offset apart: the sandbox masks the base (once per register value, C2 sees to it)
            provenAddress(pc, in.src(), in.off());
            c.invokestatic(Descs.SANDBOX_MEM, "getU" + size * 8, size <= 2 ? Descs.JI_I : Descs.JI_J);
            if (size <= 2) {
                c.i2l();
            }
        } else {
            c.aload(1);
            address(in.src(), in.off());
            prog();
            c.loadConstant(pc).invokestatic(Descs.RT, "ld" + size, Descs.LOAD);
        }
        if (Op.mode(in.opcode()) == Op.MEMSX) {
            c.l2i();
            if (size == 1) {
                c.i2b();
            } else if (size == 2) {
                c.i2s();
            }
            c.i2l();
        }
        c.lstore(slot(in.dst()));
    }

    private void atomic(int pc, Insn in) {
        boolean dw = Op.size(in.opcode()) == Op.DW;
        int op = in.imm();
        c.aload(1);
        address(in.dst(), in.off());
        c.lload(slot(in.src())).lload(R0).loadConstant(op).loadConstant(dw ? 1 : 0);
        prog();
        c.loadConstant(pc).invokestatic(Descs.RT, proven(pc) ? "atomicProven" : "atomic", Descs.ATOMIC);
        if (op == Op.CMPXCHG) {
            c.lstore(R0);
        } else if ((op & Op.FETCH) != 0) {
            c.lstore(slot(in.src()));
        } else {
            c.pop2();
        }
    }

    private void lddw(int pc, Insn lo, Insn hi) {
        switch (lo.src()) {
            case 0 -> c.loadConstant(Insn.imm64(lo, hi));
            // per collection: generated code is shared by every collection loaded from one object
            case Op.PSEUDO_MAP_IDX -> c.aload(0).getfield(Descs.CX, "mapHandles", Descs.LONGS).loadConstant(lo.imm()).laload();
            case Op.PSEUDO_MAP_IDX_VALUE -> {
                ArrayMap global = knownArray(lo.imm());
                if (global != null && !global.perCpu()) {
                    // an ARRAY map's value at key 0 is where its values start: the address the runtime's
                    // lookup would give, read from this collection's layout (global data, .rodata strings)
                    arrayLayout(lo.imm() * JitProgram.ARRAY_LAYOUT);
                    c.loadConstant(hi.imm() & 0xffffffffL).ladd().lstore(slot(lo.dst()));
                    return;
                }
                c.aload(0).aload(1);
                prog();
                c.loadConstant(lo.imm()).loadConstant(hi.imm() & 0xffffffffL).loadConstant(pc)
                        .invokestatic(Descs.RT, "mapValue", Descs.MAP_VALUE);
            }
            default -> {
                c.aload(0);
                prog();
                c.loadConstant(pc + lo.imm() + 1).invokestatic(Descs.RT, "funcAddr", Descs.FUNC_ADDR);
            }
        }
        c.lstore(slot(lo.dst()));
    }

    // the map at index i when it is an ARRAY or PERCPU_ARRAY (its layout then in the collection's
    // arrayLayouts), else null
    private ArrayMap knownArray(int i) {
        return prog.collection() != null && i >= 0 && i < prog.collection().maps().size()
                && prog.map(i) instanceof ArrayMap a ? a : null;
    }

    // ---- ALU ----

    private void alu64(Insn in) {
        int opc = in.opcode();
        int op = Op.op(opc);
        int dst = slot(in.dst());
        boolean x = Op.src(opc) == Op.X;
        switch (op) {
            case Op.MOV -> {
                if (in.off() == 0) {
                    b64(in);
                } else {
                    c.lload(slot(in.src())).l2i();
                    if (in.off() == 8) {
                        c.i2b();
                    } else if (in.off() == 16) {
                        c.i2s();
                    }
                    c.i2l();
                }
            }
            case Op.NEG -> c.lload(dst).lneg();
            case Op.END -> {
                c.lload(dst);
                switch (in.imm()) {
                    case 16 -> c.invokestatic(Descs.RT, "bswap16", Descs.J_J);
                    case 32 -> c.invokestatic(Descs.RT, "bswap32", Descs.J_J);
                    default -> c.invokestatic(ConstantDescs.CD_Long, "reverseBytes", Descs.J_J);
                }
            }
            case Op.LSH, Op.RSH, Op.ARSH -> {
                c.lload(dst);
                if (x) {
                    c.lload(slot(in.src())).l2i();
                } else {
                    c.loadConstant(in.imm());
                }
                c.with(java.lang.classfile.instruction.OperatorInstruction.of(
                        op == Op.LSH ? Opcode.LSHL : op == Op.RSH ? Opcode.LUSHR : Opcode.LSHR));
            }
            case Op.DIV, Op.MOD -> {
                c.lload(dst);
                b64(in);
                String name = (in.off() == 1 ? "s" : "u") + (op == Op.DIV ? "div64" : "mod64");
                c.invokestatic(Descs.RT, name, Descs.JJ_J);
            }
            default -> {
                c.lload(dst);
                b64(in);
                c.with(java.lang.classfile.instruction.OperatorInstruction.of(switch (op) {
                    case Op.ADD -> Opcode.LADD;
                    case Op.SUB -> Opcode.LSUB;
                    case Op.MUL -> Opcode.LMUL;
                    case Op.OR -> Opcode.LOR;
                    case Op.AND -> Opcode.LAND;
                    default -> Opcode.LXOR;
                }));
            }
        }
        c.lstore(dst);
    }

    private void b64(Insn in) {
        if (Op.src(in.opcode()) == Op.X) {
            c.lload(slot(in.src()));
        } else {
            c.loadConstant((long) in.imm());
        }
    }

    private void b32(Insn in) {
        if (Op.src(in.opcode()) == Op.X) {
            c.lload(slot(in.src())).l2i();
        } else {
            c.loadConstant(in.imm());
        }
    }

    private void alu32(Insn in) {
        int opc = in.opcode();
        int op = Op.op(opc);
        int dst = slot(in.dst());
        if (op == Op.END) {
            boolean be = Op.src(opc) == Op.TO_BE;
            c.lload(dst);
            switch (in.imm()) {
                case 16 -> {
                    if (be) {
                        c.invokestatic(Descs.RT, "bswap16", Descs.J_J);
                    } else {
                        c.loadConstant(0xffffL).land();
                    }
                }
                case 32 -> {
                    if (be) {
                        c.invokestatic(Descs.RT, "bswap32", Descs.J_J);
                    } else {
                        c.loadConstant(0xffffffffL).land();
                    }
                }
                default -> {
                    if (be) {
                        c.invokestatic(ConstantDescs.CD_Long, "reverseBytes", Descs.J_J);
                    }
                }
            }
            c.lstore(dst);
            return;
        }
        switch (op) {
            case Op.MOV -> {
                b32(in);
                if (in.off() == 8) {
                    c.i2b();
                } else if (in.off() == 16) {
                    c.i2s();
                }
            }
            case Op.NEG -> c.lload(dst).l2i().ineg();
            case Op.DIV, Op.MOD -> {
                c.lload(dst).l2i();
                b32(in);
                String name = (in.off() == 1 ? "s" : "u") + (op == Op.DIV ? "div32" : "mod32");
                c.invokestatic(Descs.RT, name, Descs.II_I);
            }
            default -> {
                c.lload(dst).l2i();
                b32(in);
                c.with(java.lang.classfile.instruction.OperatorInstruction.of(switch (op) {
                    case Op.ADD -> Opcode.IADD;
                    case Op.SUB -> Opcode.ISUB;
                    case Op.MUL -> Opcode.IMUL;
                    case Op.OR -> Opcode.IOR;
                    case Op.AND -> Opcode.IAND;
                    case Op.XOR -> Opcode.IXOR;
                    case Op.LSH -> Opcode.ISHL;
                    case Op.RSH -> Opcode.IUSHR;
                    default -> Opcode.ISHR;
                }));
            }
        }
        c.i2l().loadConstant(0xffffffffL).land().lstore(dst);
    }

    // ---- jumps and calls ----

    private int jump(int pc, Insn in) {
        int opc = in.opcode();
        int op = Op.op(opc);
        if (op == Op.EXIT) {
            if (regionOf == null) {
                c.lload(R0).lreturn();
            } else {
                c.goto_(exit);
            }
            return -1;
        }
        if (op == Op.CALL) {
            call(pc, in);
            return pc + 1;
        }
        if (op == Op.JA) {
            jumpTo(pc, pc + (Op.cls(opc) == Op.JMP ? in.off() : in.imm()) + 1);
            return -1;
        }
        int target = pc + in.off() + 1;
        Label taken;
        if (target >= 0 && target < code.length && target > pc && labels[target] != null) {
            taken = labels[target];
        } else {
            Label stub = c.newLabel();
            taken = stub;
            stubs.add(() -> {
                c.labelBinding(stub);
                jumpTo(pc, target);
            });
        }
        if (op == Op.JCOND) {
            // may_goto: jumps once the function's budget is spent
            c.aload(0).iload(DEPTH).invokestatic(Descs.RT, "mayGoto", Descs.MAY_GOTO).ifne(taken);
        } else if (Op.cls(opc) == Op.JMP) {
            c.lload(slot(in.dst()));
            b64(in);
            cond64(op, taken);
        } else {
            c.lload(slot(in.dst())).l2i();
            b32(in);
            cond32(op, taken);
        }
        return pc + 1;
    }

    private void cond64(int op, Label taken) {
        switch (op) {
            case Op.JEQ -> c.lcmp().ifeq(taken);
            case Op.JNE -> c.lcmp().ifne(taken);
            case Op.JSGT -> c.lcmp().ifgt(taken);
            case Op.JSGE -> c.lcmp().ifge(taken);
            case Op.JSLT -> c.lcmp().iflt(taken);
            case Op.JSLE -> c.lcmp().ifle(taken);
            case Op.JGT -> ucmp64().ifgt(taken);
            case Op.JGE -> ucmp64().ifge(taken);
            case Op.JLT -> ucmp64().iflt(taken);
            case Op.JLE -> ucmp64().ifle(taken);
            default -> c.land().lconst_0().lcmp().ifne(taken);
        }
    }

    private CodeBuilder ucmp64() {
        return c.invokestatic(ConstantDescs.CD_Long, "compareUnsigned", Descs.JJ_I);
    }

    private void cond32(int op, Label taken) {
        switch (op) {
            case Op.JEQ -> c.if_icmpeq(taken);
            case Op.JNE -> c.if_icmpne(taken);
            case Op.JSGT -> c.if_icmpgt(taken);
            case Op.JSGE -> c.if_icmpge(taken);
            case Op.JSLT -> c.if_icmplt(taken);
            case Op.JSLE -> c.if_icmple(taken);
            case Op.JGT -> ucmp32().ifgt(taken);
            case Op.JGE -> ucmp32().ifge(taken);
            case Op.JLT -> ucmp32().iflt(taken);
            case Op.JLE -> ucmp32().ifle(taken);
            default -> c.iand().ifne(taken);
        }
    }

    private CodeBuilder ucmp32() {
        return c.invokestatic(ConstantDescs.CD_Integer, "compareUnsigned", Descs.II_I);
    }

    private void call(int pc, Insn in) {
        int opc = in.opcode();
        if (Op.src(opc) == Op.X) {
            int reg = in.dst() != 0 ? in.dst() : in.imm();
            c.aload(0).aload(1).lload(slot(reg)).loadConstant(reg);
            argRegs();
            c.iload(DEPTH);
            prog();
            c.loadConstant(pc).invokestatic(Descs.RT, "callx", Descs.CALLX).lstore(R0);
            restoreFloor();
            return;
        }
        if (in.src() == Op.PSEUDO_CALL) {
            int target = pc + in.imm() + 1;
            Label ok = c.newLabel();
            c.iload(DEPTH).loadConstant(ExecState.MAX_CALL_FRAMES - 1).if_icmplt(ok);
            throwFault(pc, "the call chain is deeper than " + ExecState.MAX_CALL_FRAMES + " frames");
            c.labelBinding(ok);
            if (target < 0 || target >= code.length) {
                throwFault(clamp(target), "jump or fall-through to insn " + target + ", outside the program ("
                        + code.length + " insns)");
                return;
            }
            tick(pc);
            c.aload(0).aload(1);
            argRegs();
            c.iload(DEPTH).iconst_1().iadd();
            invokeFunction(target);
            c.lstore(R0);
            restoreFloor();
            return;
        }
        int id = in.imm();
        if (id == HelperIds.LOOP && inlineLoop(pc)) {
            return;
        }
        int knownMap = facts == null ? VerifierFacts.NO_MAP : facts.mapAt(pc);
        if (id == HelperIds.FOR_EACH_MAP_ELEM && knownMap >= 0 && inlineArrayForEach(pc, knownMap)) {
            return;
        }
        if (knownMap >= 0 && directMapCall(pc, id, knownMap)) {
            return;
        }
        if (id == HelperIds.TAIL_CALL) {
            tailCall(pc, knownMap);
            return;
        }
        c.aload(0);
        prog();
        c.loadConstant(pc).iload(DEPTH).invokestatic(Descs.RT, "at", Descs.AT);
        Method m = HelperMethods.of(id);
        if (m == null) {
            c.loadConstant(id).aload(1);
            argRegs();
            c.invokestatic(Descs.HELPERS, "call", HelperMethods.GENERIC);
        } else {
            int n = 0;
            for (Class<?> p : m.getParameterTypes()) {
                if (p == ExecState.class) {
                    c.aload(1);
                } else {
                    c.lload(slot(1 + n++));
                }
            }
            c.invokestatic(Descs.HELPERS, m.getName(), HelperMethods.desc(m));
        }
        c.lstore(R0);
    }

    /**
     * bpf_tail_call: direct when the verifier proved the index constant and the map known (the kernel's
     * poke descriptors, see {@link DirectTailCall}), else through the map at run time. The direct call
     * enters the code on a path of its own, so that its receiver stays a constant HotSpot can inline; a
     * collection sharing this code whose program array is another takes the indirect call.
     */
    private void tailCall(int pc, int knownMap) {
        Label miss = c.newLabel();
        long key = facts == null || knownMap < 0 ? -1 : facts.tailCallKeyAt(pc);
        if (key >= 0 && DirectTailCall.fits(prog, knownMap, key)) {
            Label indirect = c.newLabel();
            knownMapOf(knownMap);
            c.ldc(DirectTailCall.arrayConstant(knownMap)).if_acmpne(indirect);
            c.aload(0).aload(1);
            prog();
            c.loadConstant(pc).invokedynamic(DirectTailCall.site(knownMap, key));
            enterTailCallee(miss);
            c.labelBinding(indirect);
        }
        c.aload(0).aload(1);
        if (knownMap >= 0) {
            knownMapOf(knownMap);
            c.lload(slot(3));
            prog();
            c.loadConstant(pc).invokestatic(Descs.RT, "tailCallMap", Descs.TAIL_MAP);
        } else {
            c.lload(slot(2)).lload(slot(3));
            prog();
            c.loadConstant(pc).invokestatic(Descs.RT, "tailCall", Descs.TAIL);
        }
        enterTailCallee(miss);
        c.labelBinding(miss);
    }

    // the running collection's map at a map index the verifier knows
    private void knownMapOf(int knownMap) {
        c.aload(0).getfield(Descs.CX, "maps", Descs.MAPS).loadConstant(knownMap).aaload();
    }

    // the JitCode on the stack, or null (fall through to miss): the tail call enters it and ends the function
    private void enterTailCallee(Label miss) {
        c.astore(TMP_OBJ)
                .aload(TMP_OBJ).ifnull(miss)
                .aload(TMP_OBJ).aload(0).aload(1);
        argRegs();
        c.iload(DEPTH).invokevirtual(Descs.CODE, "enter", Descs.ENTER);
        if (regionOf == null) {
            c.lreturn();
        } else {
            c.lstore(R0).goto_(exit);
        }
    }

    /**
     * A bpf_loop call the verifier found fit to inline (one callback, flags 0: the kernel's
     * inline_bpf_loop()) becomes a JVM loop calling the callback's static method directly, which HotSpot
     * can inline into it: no helper, no lookup of the callback by address, no virtual call. As the kernel's
     * inlined form: the whole 64-bit r1 against BPF_MAX_LOOPS (else r0 = the 32-bit -E2BIG), the
     * callback gets (index, r3), a non-zero return stops the loop, r0 = the calls made. The verifier
     * bounded the callback, so nothing counts the iterations (bounded proofs only). Without such a proof
     * the call goes to {@link dev.jxdp.ebpf.helpers.Helpers#loopAt}, which does the same through the helper.
     */
    private boolean inlineLoop(int pc) {
        if (facts == null || !facts.bounded()) {
            c.aload(0);
            prog();
            c.loadConstant(pc).iload(DEPTH).invokestatic(Descs.RT, "at", Descs.AT);
            c.aload(1);
            prog();
            c.loadConstant(pc).lload(slot(1)).lload(slot(2)).lload(slot(3)).lload(slot(4));
            c.invokestatic(Descs.HELPERS, "loopAt", Descs.LOOP_AT).lstore(R0);
            return true;
        }
        int target = facts.loopCallbackAt(pc);
        if (target < 0 || Arrays.binarySearch(JitCompiler.functions(prog), target) < 0) {
            return false;
        }
        int n = slot(4);
        int i = slot(5);
        Label ok = c.newLabel();
        Label inRange = c.newLabel();
        Label head = c.newLabel();
        Label end = c.newLabel();
        Label done = c.newLabel();
        callbackDepthCheck(pc, ok);
        c.lload(slot(1)).ldc(Helpers.BPF_MAX_LOOPS).invokestatic(Descs.LONG, "compareUnsigned", Descs.JJ_I).ifle(inRange);
        c.ldc((long) -Errno.E2BIG & 0xffffffffL).lstore(R0).goto_(done);
        c.labelBinding(inRange);
        c.lload(slot(1)).lstore(n).lconst_0().lstore(i);
        c.labelBinding(head);
        // i and n are at most BPF_MAX_LOOPS: the signed compare is the unsigned one
        c.lload(i).lload(n).lcmp().ifge(end);
        c.aload(0).aload(1).lload(i).lload(slot(3)).lconst_0().lconst_0().lconst_0();
        callbackStep(target, i, head, end, done);
        return true;
    }

    // the call chain's bound, checked once before a callback loop (the verifier bounds it too)
    private void callbackDepthCheck(int pc, Label ok) {
        c.iload(DEPTH).loadConstant(ExecState.MAX_CALL_FRAMES - 1).if_icmplt(ok);
        throwFault(pc, "callback: the call chain is deeper than " + ExecState.MAX_CALL_FRAMES + " frames");
        c.labelBinding(ok);
    }

    /**
     * The rest of an inline callback loop's body, its five arguments pushed: the call one frame down, i
     * counted, back to {@code head} while the callback returns 0; then r0 = i, this frame's stack floor
     * again, and {@code done}.
     */
    private void callbackStep(int target, int i, Label head, Label end, Label done) {
        c.iload(DEPTH).iconst_1().iadd();
            invokeFunction(target);
            c.lstore(R0);
        c.lload(i).lconst_1().ladd().lstore(i);
        c.lload(R0).lconst_0().lcmp().ifeq(head);
        c.labelBinding(end);
        c.lload(i).lstore(R0);
        restoreFloor();
        c.labelBinding(done);
    }

    /**
     * bpf_for_each_map_elem over an ARRAY or PERCPU_ARRAY map and a callback the verifier knows, as a JVM
     * loop calling the callback's method directly, in bpf_for_each_array_elem()'s order and meaning: flags
     * other than 0 give -EINVAL (checked here: the verifier's fact does not cover them), then for every index
     * the u32 key is written to the map's per-CPU key word and the callback gets (map, &key, value, r3); a
     * non-zero return stops after counting that element; r0 = the elements visited. Bounded proofs only,
     * so nothing counts the calls, as in the kernel.
     */
    private boolean inlineArrayForEach(int pc, int mapIndex) {
        ArrayMap a = knownArray(mapIndex);
        if (!facts.bounded() || a == null) {
            return false;
        }
        int target = facts.forEachCallbackAt(pc);
        if (target < 0 || Arrays.binarySearch(JitCompiler.functions(prog), target) < 0) {
            return false;
        }
        int at = mapIndex * JitProgram.ARRAY_LAYOUT;
        int i = slot(2);     // r2, the callback's address, is not needed once known
        int key = slot(4);   // r4, the flags, once checked
        int value = slot(5);
        Label flagsOk = c.newLabel();
        Label ok = c.newLabel();
        Label head = c.newLabel();
        Label end = c.newLabel();
        Label done = c.newLabel();
        c.lload(slot(4)).lconst_0().lcmp().ifeq(flagsOk);
        c.ldc((long) -Errno.EINVAL).lstore(R0).goto_(done);
        c.labelBinding(flagsOk);
        callbackDepthCheck(pc, ok);
        arrayLayout(at + 4);
        c.aload(1).invokevirtual(Descs.ST, "cpu", Descs.V_I).i2l().ldc(8L).lmul().ladd().lstore(key);
        c.lconst_0().lstore(i);
        c.labelBinding(head);
        // i is below max_entries (at most 2^32 - 1): the signed compare is the unsigned one
        c.lload(i);
        arrayLayout(at + 1);
        c.lcmp().ifge(end);
        c.lload(key).loadConstant(0).lload(i).invokestatic(Descs.SANDBOX_MEM, "putU32", Descs.JIJ_V);
        c.lload(i);
        arrayValue(at, a.perCpu());
        c.lstore(value);
        c.aload(0).aload(1).lload(slot(1)).lload(key).lload(value).lload(slot(3)).lconst_0();
        callbackStep(target, i, head, end, done);
        return true;
    }

    /**
     * A map helper whose map the verifier knows: a direct call of that map class's code (no handle lookup,
     * no region checks: the verifier proved key and value memory), which HotSpot inlines. The key and value
     * pointers only get the sandbox's check (the map code reads key_size and value_size bytes from them,
     * so they are checked whole rather than masked): a wrong proof faults there instead of reading outside.
     * An array lookup is no call at all: see {@link #arrayLookup}.
     */
    private boolean directMapCall(int pc, int id, int mapIndex) {
        if (prog.collection() == null || mapIndex >= prog.collection().maps().size()) {
            return false;
        }
        dev.jxdp.ebpf.maps.BpfMap map = prog.map(mapIndex);
        Class<?> type = map.getClass();
        ClassDesc cd = Modifier.isPublic(type.getModifiers()) ? ClassDesc.of(type.getName()) : Descs.MAP;
        switch (id) {
            case HelperIds.MAP_LOOKUP_ELEM -> {
                if (map instanceof ArrayMap a) {
                    arrayLookup(mapIndex, a.perCpu());
                    break;
                }
                loadMap(mapIndex, cd);
                inSandbox(2, map.keySize(), pc);
                c.aload(1).invokevirtual(Descs.ST, "cpu", Descs.V_I);
                if (map instanceof HashTab || map instanceof LpmTrie) {
                    // the key size as a constant: hash and compare unroll for it (maps from one object agree)
                    c.loadConstant(map.keySize()).invokevirtual(cd, "lookup", MethodTypeDesc.of(ConstantDescs.CD_long,
                            ConstantDescs.CD_long, ConstantDescs.CD_int, ConstantDescs.CD_int));
                } else {
                    c.invokevirtual(cd, "lookup", MethodTypeDesc.of(ConstantDescs.CD_long, ConstantDescs.CD_long, ConstantDescs.CD_int));
                }
            }
            case HelperIds.MAP_UPDATE_ELEM -> {
                loadMap(mapIndex, cd);
                inSandbox(2, map.keySize(), pc);
                inSandbox(3, map.valueSize(), pc);
                c.lload(slot(4)).aload(1).invokevirtual(Descs.ST, "cpu", Descs.V_I)
                        .invokevirtual(cd, "update", MethodTypeDesc.of(ConstantDescs.CD_int, ConstantDescs.CD_long,
                                ConstantDescs.CD_long, ConstantDescs.CD_long, ConstantDescs.CD_int)).i2l();
            }
            case HelperIds.MAP_DELETE_ELEM -> {
                loadMap(mapIndex, cd);
                inSandbox(2, map.keySize(), pc);
                c.aload(1).invokevirtual(Descs.ST, "cpu", Descs.V_I)
                        .invokevirtual(cd, "delete", MethodTypeDesc.of(ConstantDescs.CD_int, ConstantDescs.CD_long,
                                ConstantDescs.CD_int)).i2l();
            }
            case HelperIds.REDIRECT_MAP -> {
                c.aload(1);
                if (map instanceof dev.jxdp.ebpf.maps.XskMap) {
                    // the common AF_XDP program: the XSKMAP case alone, no map type to test per frame
                    loadMap(mapIndex, cd);
                    c.lload(slot(2)).lload(slot(3)).invokestatic(Descs.HELPERS, "redirectXskMapTo", Descs.REDIRECT_XSK_MAP_TO);
                } else {
                    loadMap(mapIndex, Descs.MAP);
                    c.lload(slot(2)).lload(slot(3)).invokestatic(Descs.HELPERS, "redirectMapTo", Descs.REDIRECT_MAP_TO);
                }
            }
            case HelperIds.JXDP_REDIRECT_XSK -> {
                c.aload(1);
                loadMap(mapIndex, Descs.MAP);
                c.lload(slot(3)).lload(slot(4)).invokestatic(Descs.HELPERS, "redirectXskTo", Descs.REDIRECT_MAP_TO);
            }
            default -> {
                return false;
            }
        }
        c.lstore(R0);
        return true;
    }

    /**
     * An ARRAY or PERCPU_ARRAY lookup computed inline, as the kernel's array_map_gen_lookup() and
     * percpu_array_map_gen_lookup() rewrite it: the u32 key (a proven load: the verifier checked key_size
     * bytes of key memory, the sandbox masks the address), unsigned below max_entries, gives
     * {@code values + index * perIndex (+ cpu * perCpu)}, else 0: the address ArrayMap.lookup returns.
     * The layout comes from the JitProgram, since collections loaded from one object share this code.
     * Leaves r0's value on the stack.
     */
    private void arrayLookup(int mapIndex, boolean perCpu) {
        int at = mapIndex * JitProgram.ARRAY_LAYOUT;
        Label miss = c.newLabel();
        Label done = c.newLabel();
        c.lload(slot(2)).loadConstant(0).invokestatic(Descs.SANDBOX_MEM, "getU32", Descs.JI_J).lstore(R0);
        // the index is zero-extended and max_entries at most 2^32 - 1: a signed compare is the unsigned one
        c.lload(R0);
        arrayLayout(at + 1);
        c.lcmp().ifge(miss);
        c.lload(R0);
        arrayValue(at, perCpu);
        c.goto_(done).labelBinding(miss).lconst_0().labelBinding(done);
    }

    // the index on the stack becomes its value's address: values + index * perIndex (+ cpu * perCpu)
    private void arrayValue(int at, boolean perCpu) {
        arrayLayout(at + 2);
        c.lmul();
        arrayLayout(at);
        c.ladd();
        if (perCpu) {
            c.aload(1).invokevirtual(Descs.ST, "cpu", Descs.V_I).i2l();
            arrayLayout(at + 3);
            c.lmul().ladd();
        }
    }

    private void arrayLayout(int i) {
        c.aload(0).getfield(Descs.CX, "arrayLayouts", Descs.LONGS).loadConstant(i).laload();
    }

    // pushes register r, checked to point at `bytes` bytes inside the sandbox
    private void inSandbox(int r, int bytes, int pc) {
        c.lload(slot(r)).loadConstant(bytes);
        prog();
        c.loadConstant(pc).invokestatic(Descs.RT, "inSandbox", Descs.IN_SANDBOX);
    }

    private void loadMap(int mapIndex, ClassDesc cd) {
        c.aload(0).getfield(Descs.CX, "maps", Descs.MAPS).loadConstant(mapIndex).aaload();
        if (!cd.equals(Descs.MAP)) {
            c.checkcast(cd);
        }
    }

    private void argRegs() {
        for (int r = 1; r <= 5; r++) {
            c.lload(slot(r));
        }
    }

    /** The Helpers static methods generated code calls directly, by helper id. */
    static final class HelperMethods {
        private HelperMethods() {}

        static final MethodTypeDesc GENERIC = MethodTypeDesc.of(ConstantDescs.CD_long, ConstantDescs.CD_int, Descs.ST,
                ConstantDescs.CD_long, ConstantDescs.CD_long, ConstantDescs.CD_long, ConstantDescs.CD_long, ConstantDescs.CD_long);

        static Method of(int id) {
            String name = switch (id) {
                case HelperIds.MAP_LOOKUP_ELEM -> "mapLookupElem";
                case HelperIds.MAP_UPDATE_ELEM -> "mapUpdateElem";
                case HelperIds.MAP_DELETE_ELEM -> "mapDeleteElem";
                case HelperIds.KTIME_GET_NS -> "ktimeGetNs";
                case HelperIds.GET_PRANDOM_U32 -> "getPrandomU32";
                case HelperIds.GET_SMP_PROCESSOR_ID -> "getSmpProcessorId";
                case HelperIds.REDIRECT -> "redirect";
                case HelperIds.CSUM_DIFF -> "csumDiff";
                case HelperIds.XDP_ADJUST_HEAD -> "xdpAdjustHead";
                case HelperIds.REDIRECT_MAP -> "redirectMap";
                case HelperIds.XDP_ADJUST_META -> "xdpAdjustMeta";
                case HelperIds.XDP_ADJUST_TAIL -> "xdpAdjustTail";
                case HelperIds.KTIME_GET_BOOT_NS -> "ktimeGetBootNs";
                case HelperIds.RINGBUF_OUTPUT -> "ringbufOutput";
                case HelperIds.RINGBUF_RESERVE -> "ringbufReserve";
                case HelperIds.RINGBUF_SUBMIT -> "ringbufSubmit";
                case HelperIds.RINGBUF_DISCARD -> "ringbufDiscard";
                case HelperIds.RINGBUF_QUERY -> "ringbufQuery";
                case HelperIds.FOR_EACH_MAP_ELEM -> "forEachMapElem";
                case HelperIds.LOOP -> "loop";
                case HelperIds.XDP_GET_BUFF_LEN -> "xdpGetBuffLen";
                case HelperIds.XDP_LOAD_BYTES -> "xdpLoadBytes";
                case HelperIds.XDP_STORE_BYTES -> "xdpStoreBytes";
                case HelperIds.CHECK_MTU -> "checkMtu";
                case HelperIds.FIB_LOOKUP -> "fibLookup";
                case HelperIds.PERF_EVENT_OUTPUT -> "perfEventOutput";
                case HelperIds.GET_NUMA_NODE_ID -> "getNumaNodeId";
                case HelperIds.KTIME_GET_COARSE_NS -> "ktimeGetCoarseNs";
                case HelperIds.KTIME_GET_TAI_NS -> "ktimeGetTaiNs";
                case HelperIds.JIFFIES64 -> "jiffies64";
                case HelperIds.STRTOL -> "strtol";
                case HelperIds.STRTOUL -> "strtoul";
                case HelperIds.PROBE_READ_KERNEL -> "probeReadKernel";
                case HelperIds.SPIN_LOCK -> "spinLock";
                case HelperIds.SPIN_UNLOCK -> "spinUnlock";
                case HelperIds.JXDP_REDIRECT_XSK -> "redirectXsk";
                default -> null;
            };
            if (name == null) {
                return null;
            }
            for (Method m : Helpers.class.getMethods()) {
                if (m.getName().equals(name) && Modifier.isStatic(m.getModifiers()) && m.getReturnType() == long.class
                        && simpleArgs(m)) {
                    return m;
                }
            }
            return null;
        }

        private static boolean simpleArgs(Method m) {
            Class<?>[] ps = m.getParameterTypes();
            int longs = 0;
            for (int i = 0; i < ps.length; i++) {
                if (ps[i] == ExecState.class && i == 0) {
                    continue;
                }
                if (ps[i] != long.class) {
                    return false;
                }
                longs++;
            }
            return longs <= 5;
        }

        static MethodTypeDesc desc(Method m) {
            Class<?>[] ps = m.getParameterTypes();
            ClassDesc[] ds = new ClassDesc[ps.length];
            for (int i = 0; i < ps.length; i++) {
                ds[i] = ps[i] == ExecState.class ? Descs.ST : ConstantDescs.CD_long;
            }
            return MethodTypeDesc.of(ConstantDescs.CD_long, ds);
        }
    }
}
