package dev.jxdp.ebpf.interp;

import dev.jxdp.ebpf.helpers.Helpers;
import dev.jxdp.ebpf.isa.HelperIds;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;
import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.mem.Region;
import dev.jxdp.ebpf.runtime.BpfFault;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.FunctionCaller;
import dev.jxdp.ebpf.runtime.XdpBuff;
import dev.jxdp.ebpf.runtime.XdpMdLayout;

import java.lang.invoke.VarHandle;
import java.lang.foreign.ValueLayout;

/**
 * The reference interpreter: the executable specification of the BPF ISA (RFC 9669) as the kernel runs
 * it. Every memory access is checked through {@link ExecState#check}; an access outside the program's
 * memory, an unknown opcode, a call chain deeper than 8 frames or more than {@link ExecState#INSN_LIMIT}
 * instructions in one invocation ends the run with a {@link BpfFault} naming the instruction, its
 * disassembly and its source line. Nothing a program does can crash the JVM.
 *
 * <p>One interpreter per worker thread, like {@link ExecState}: it keeps its register files and call
 * frames in fields so the loop allocates nothing. Helpers that call back into the program (bpf_loop,
 * bpf_for_each_map_elem) re-enter it through {@link #callFunction}, one call frame deeper.
 */
public final class Interpreter implements FunctionCaller {

    private static final int REGS = 11;
    private static final int FRAMES = ExecState.MAX_CALL_FRAMES;
    // atomics go through aligned native-order handles so concurrent workers see real read-modify-writes
    private static final VarHandle ATOMIC64 = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle ATOMIC32 = ValueLayout.JAVA_INT.varHandle();

    // one register file per re-entry (callbacks run while their caller's registers stay live)
    private final long[][] regFiles = new long[FRAMES + 1][REGS];
    // the bpf-to-bpf call stack, shared by all re-entries: depth counts every live function frame
    private final BpfProgram[] frameProg = new BpfProgram[FRAMES];
    private final int[] retPc = new int[FRAMES];
    private final long[] savedRegs = new long[FRAMES * 4];
    // per frame: the falls-through its may_goto instructions have left (reset when a function starts)
    private final long[] mayGoto = new long[FRAMES + 1];
    private int depth;
    private int nesting;
    private long executed;
    // the instruction running now, for faults raised inside helpers
    private BpfProgram curProg;
    private int curPc;
    // the program a successful bpf_tail_call switches to (helperCall returns -1 then)
    private BpfProgram tailProg;

    /** Instructions the last run executed, callbacks included (what the 1,000,000 limit counts). */
    public long executedInstructions() {
        return executed;
    }

    /** Runs an XDP program on {@code st.xdp()}: r1 = the xdp_md context, r10 = the frame pointer. */
    public long run(BpfProgram prog, ExecState st) {
        return runRaw(prog, st, st.ctxAddr(), 0);
    }

    /** Runs a program with r1 and r2 as given (raw programs: the conformance plugin's memory and length). */
    public long runRaw(BpfProgram prog, ExecState st, long r1, long r2) {
        FunctionCaller previous = st.caller();
        st.caller(this);
        depth = 0;
        nesting = 0;
        executed = 0;
        long[] r = regFiles[0];
        java.util.Arrays.fill(r, 0);
        r[1] = r1;
        r[2] = r2;
        r[10] = st.framePointer(0);
        st.stackFloor(r[10] - ExecState.STACK_PER_FRAME);
        mayGoto[0] = ExecState.MAY_GOTO_BUDGET;
        try {
            long r0 = exec(prog, st, 0, r, 0);
            if (st.heldSpinLock() != 0) {
                throw new BpfFault(curPc, explain(curProg, curPc, Helpers.ENDED_HOLDING_LOCK));
            }
            return r0;
        } catch (BpfFault f) {
            Helpers.releaseSpinLock(st);
            throw f;
        } catch (RuntimeException | StackOverflowError e) {
            Helpers.releaseSpinLock(st);
            // the checks should make these impossible; if one slips through, it is still a fault, not a crash
            throw new BpfFault(curPc, explain(curProg, curPc, "internal error: " + e));
        } finally {
            st.caller(previous);
        }
    }

    /**
     * Calls a function of the running program (a PSEUDO_FUNC address) in a new frame below the current
     * one, as the kernel runs bpf_loop and bpf_for_each_map_elem callbacks; returns its r0.
     */
    @Override
    public long callFunction(ExecState st, long fnAddr, long r1, long r2, long r3, long r4, long r5) {
        BpfProgram prog = programAt(st, fnAddr);
        if (prog == null) {
            throw new BpfFault("callback 0x" + Long.toHexString(fnAddr) + " is not a function of the program");
        }
        if (depth + 1 >= FRAMES || nesting + 1 > FRAMES) {
            throw new BpfFault("callback: the call chain is deeper than " + FRAMES + " frames");
        }
        int savedDepth = depth;
        BpfProgram savedProg = curProg;
        int savedPc = curPc;
        long savedFloor = st.stackFloor();
        depth++;
        nesting++;
        long[] r = regFiles[nesting];
        r[1] = r1;
        r[2] = r2;
        r[3] = r3;
        r[4] = r4;
        r[5] = r5;
        r[10] = st.framePointer(depth);
        st.stackFloor(r[10] - ExecState.STACK_PER_FRAME);
        mayGoto[depth] = ExecState.MAY_GOTO_BUDGET;
        try {
            return exec(prog, st, prog.funcInsn(fnAddr), r, depth);
        } finally {
            nesting--;
            depth = savedDepth;
            curProg = savedProg;
            curPc = savedPc;
            st.stackFloor(savedFloor);
        }
    }

    private static BpfProgram programAt(ExecState st, long addr) {
        Region code = st.space().containing(addr);
        if (code != null && code.kind() == Region.Kind.CODE && code.owner() instanceof BpfProgram p
                && p.funcInsn(addr) >= 0) {
            return p;
        }
        return null;
    }

    // the main loop: runs from pc until the function at baseDepth exits
    private long exec(BpfProgram prog, ExecState st, int startPc, long[] r, int baseDepth) {
        Insn[] code = prog.insns();
        int pc = startPc;
        final long limit = ExecState.INSN_LIMIT;
        while (true) {
            if (pc < 0 || pc >= code.length) {
                throw fault(prog, Math.max(0, Math.min(pc, code.length - 1)),
                        "jump or fall-through to insn " + pc + ", outside the program (" + code.length + " insns)");
            }
            if (++executed > limit) {
                throw fault(prog, pc, "more than " + limit + " instructions in one run");
            }
            Insn in = code[pc];
            int opc = in.opcode();
            int dst = in.dst();
            int src = in.src();
            if (dst > 10 || src > 10 && usesSrcReg(opc)) {
                throw fault(prog, pc, "invalid register r" + Math.max(dst, src));
            }
            switch (Op.cls(opc)) {
                case Op.ALU64 -> {
                    if (dst == 10) {
                        throw fault(prog, pc, "frame pointer is read only");
                    }
                    r[dst] = alu64(prog, pc, in, r[dst], Op.src(opc) == Op.X ? r[src] : in.imm());
                    pc++;
                }
                case Op.ALU -> {
                    if (dst == 10) {
                        throw fault(prog, pc, "frame pointer is read only");
                    }
                    if (Op.op(opc) == Op.END) {
                        r[dst] = endian(prog, pc, in, r[dst]);
                    } else {
                        r[dst] = alu32(prog, pc, in, (int) r[dst], Op.src(opc) == Op.X ? (int) r[src] : in.imm())
                                & 0xffffffffL;
                    }
                    pc++;
                }
                case Op.JMP, Op.JMP32 -> {
                    int op = Op.op(opc);
                    if (op == Op.EXIT) {
                        if (opc != (Op.JMP | Op.EXIT)) {
                            throw unknown(prog, pc, in);
                        }
                        if (depth == baseDepth) {
                            return r[0];
                        }
                        depth--;
                        int d = depth * 4;
                        r[6] = savedRegs[d];
                        r[7] = savedRegs[d + 1];
                        r[8] = savedRegs[d + 2];
                        r[9] = savedRegs[d + 3];
                        r[10] = st.framePointer(depth);
                        st.stackFloor(r[10] - ExecState.STACK_PER_FRAME);
                        prog = frameProg[depth];
                        code = prog.insns();
                        pc = retPc[depth];
                    } else if (op == Op.CALL) {
                        if (Op.cls(opc) != Op.JMP) {
                            throw unknown(prog, pc, in);
                        }
                        if (Op.src(opc) == Op.X) {
                            // callx: LLVM puts the register in dst; older encodings (and ubpf) in imm
                            int reg = dst != 0 ? dst : in.imm();
                            if (reg < 0 || reg > 10) {
                                throw fault(prog, pc, "callx: invalid register " + reg);
                            }
                            long target = r[reg];
                            BpfProgram callee = programAt(st, target);
                            if (callee == prog) {
                                pc = enterFunction(st, prog, pc, r, callee.funcInsn(target));
                                code = prog.insns();
                            } else if (target >= 0 && target <= Integer.MAX_VALUE && Helpers.isSupported((int) target)) {
                                pc = helperCall(prog, st, pc, r, (int) target);
                                if (pc < 0) {
                                    prog = tailProg;
                                    code = prog.insns();
                                    pc = 0;
                                    mayGoto[depth] = ExecState.MAY_GOTO_BUDGET;
                                }
                            } else {
                                throw fault(prog, pc, "callx: r" + reg + " = 0x" + Long.toHexString(target)
                                        + " is neither a function of the program nor a helper");
                            }
                        } else if (src == Op.PSEUDO_CALL) {
                            pc = enterFunction(st, prog, pc, r, pc + in.imm() + 1);
                        } else if (src == Op.CALL_HELPER) {
                            pc = helperCall(prog, st, pc, r, in.imm());
                            if (pc < 0) {
                                prog = tailProg;
                                code = prog.insns();
                                pc = 0;
                                mayGoto[depth] = ExecState.MAY_GOTO_BUDGET;
                            }
                        } else {
                            throw fault(prog, pc, "kfunc calls are not supported");
                        }
                    } else if (op == Op.JCOND) {
                        // may_goto: falls through while the frame's budget lasts, then jumps
                        if (opc != (Op.JMP | Op.JCOND) || src != Op.MAY_GOTO || dst != 0 || in.imm() != 0) {
                            throw unknown(prog, pc, in);
                        }
                        if (mayGoto[depth] == 0) {
                            pc += in.off() + 1;
                        } else {
                            mayGoto[depth]--;
                            pc++;
                        }
                    } else if (op == Op.JA) {
                        if (Op.src(opc) != Op.K) {
                            throw unknown(prog, pc, in);
                        }
                        // JMP|JA jumps by off; JMP32|JA (gotol) by the 32-bit imm
                        pc += (Op.cls(opc) == Op.JMP ? in.off() : in.imm()) + 1;
                    } else {
                        boolean taken;
                        if (Op.cls(opc) == Op.JMP) {
                            long a = r[dst];
                            long b = Op.src(opc) == Op.X ? r[src] : in.imm();
                            taken = cond64(prog, pc, in, op, a, b);
                        } else {
                            int a = (int) r[dst];
                            int b = Op.src(opc) == Op.X ? (int) r[src] : in.imm();
                            taken = cond32(prog, pc, in, op, a, b);
                        }
                        pc += taken ? in.off() + 1 : 1;
                    }
                }
                case Op.LDX -> {
                    int mode = Op.mode(opc);
                    int size = Op.bytes(Op.size(opc));
                    if (dst == 10) {
                        throw fault(prog, pc, "frame pointer is read only");
                    }
                    long addr = r[src] + in.off();
                    if (mode == Op.MEM) {
                        r[dst] = load(prog, st, pc, addr, size);
                    } else if (mode == Op.MEMSX && size != 8) {
                        long v = load(prog, st, pc, addr, size);
                        r[dst] = size == 1 ? (byte) v : size == 2 ? (short) v : (int) v;
                    } else {
                        throw unknown(prog, pc, in);
                    }
                    pc++;
                }
                case Op.ST -> {
                    if (Op.mode(opc) != Op.MEM) {
                        throw unknown(prog, pc, in);
                    }
                    store(prog, st, pc, r[dst] + in.off(), Op.bytes(Op.size(opc)), in.imm());
                    pc++;
                }
                case Op.STX -> {
                    int mode = Op.mode(opc);
                    long addr = r[dst] + in.off();
                    if (mode == Op.MEM) {
                        store(prog, st, pc, addr, Op.bytes(Op.size(opc)), r[src]);
                    } else if (mode == Op.ATOMIC && in.imm() == Op.LOAD_ACQ) {
                        if (dst == 10) {
                            throw fault(prog, pc, "frame pointer is read only");
                        }
                        long from = r[src] + in.off();
                        int size = Op.bytes(Op.size(opc));
                        checkAtomic(prog, st, pc, from, size, false);
                        r[dst] = Mem.load(from, size);
                        VarHandle.acquireFence();
                    } else if (mode == Op.ATOMIC && in.imm() == Op.STORE_REL) {
                        int size = Op.bytes(Op.size(opc));
                        checkAtomic(prog, st, pc, addr, size, true);
                        VarHandle.releaseFence();
                        Mem.store(addr, size, r[src]);
                    } else if (mode == Op.ATOMIC && (Op.size(opc) == Op.W || Op.size(opc) == Op.DW)) {
                        atomic(prog, st, pc, in, r, addr, Op.size(opc) == Op.DW);
                    } else {
                        throw unknown(prog, pc, in);
                    }
                    pc++;
                }
                case Op.LD -> {
                    if (opc != Op.LDDW) {
                        if (Op.mode(opc) == Op.ABS || Op.mode(opc) == Op.IND) {
                            throw fault(prog, pc, "legacy packet loads (BPF_ABS/BPF_IND) are not valid in XDP programs");
                        }
                        throw unknown(prog, pc, in);
                    }
                    if (dst == 10) {
                        throw fault(prog, pc, "frame pointer is read only");
                    }
                    if (pc + 1 >= code.length || code[pc + 1].opcode() != 0) {
                        throw fault(prog, pc, "lddw without its second slot");
                    }
                    r[dst] = lddw(prog, st, pc, in, code[pc + 1]);
                    pc += 2;
                }
                default -> throw unknown(prog, pc, in);
            }
        }
    }

    private static boolean usesSrcReg(int opc) {
        int cls = Op.cls(opc);
        return cls == Op.LDX || cls == Op.STX
                || (cls == Op.ALU || cls == Op.ALU64 || cls == Op.JMP || cls == Op.JMP32) && Op.src(opc) == Op.X
                && Op.op(opc) != Op.CALL && Op.op(opc) != Op.END;
    }

    // ---- calls ----

    private int enterFunction(ExecState st, BpfProgram prog, int pc, long[] r, int target) {
        if (depth + 1 >= FRAMES) {
            throw fault(prog, pc, "the call chain is deeper than " + FRAMES + " frames");
        }
        int d = depth * 4;
        savedRegs[d] = r[6];
        savedRegs[d + 1] = r[7];
        savedRegs[d + 2] = r[8];
        savedRegs[d + 3] = r[9];
        frameProg[depth] = prog;
        retPc[depth] = pc + 1;
        depth++;
        r[10] = st.framePointer(depth);
        st.stackFloor(r[10] - ExecState.STACK_PER_FRAME);
        mayGoto[depth] = ExecState.MAY_GOTO_BUDGET;
        return target;
    }

    // calls a helper; returns the next pc, or -1 when a tail call replaced the current frame's program
    private int helperCall(BpfProgram prog, ExecState st, int pc, long[] r, int id) {
        if (id == HelperIds.TAIL_CALL) {
            BpfProgram next = tailCall(prog, pc, st, r[2], r[3]);
            if (next != null) {
                tailProg = next;
                return -1;
            }
            // a tail call that does not happen leaves r0 alone and falls through, as the kernel's
            return pc + 1;
        }
        if (!Helpers.isSupported(id)) {
            String name = HelperIds.name(id);
            throw fault(prog, pc, (name == null ? "invalid helper " + id : "helper " + name + "#" + id + " is not supported"));
        }
        curProg = prog;
        curPc = pc;
        try {
            r[0] = id == HelperIds.LOOP ? Helpers.loopAt(st, prog, pc, r[1], r[2], r[3], r[4])
                    : Helpers.call(id, st, r[1], r[2], r[3], r[4], r[5]);
        } catch (BpfFault f) {
            if (f.insn() >= 0) {
                throw f;
            }
            throw fault(prog, pc, f.getMessage());
        }
        return pc + 1;
    }

    private BpfProgram tailCall(BpfProgram prog, int pc, ExecState st, long mapHandle, long index) {
        try {
            return st.tailCallTarget(Helpers.mapOf(st, mapHandle), index);
        } catch (BpfFault f) {
            throw fault(prog, pc, f.getMessage());
        }
    }

    // ---- lddw ----

    private long lddw(BpfProgram prog, ExecState st, int pc, Insn lo, Insn hi) {
        switch (lo.src()) {
            case 0 -> {
                return Insn.imm64(lo, hi);
            }
            case Op.PSEUDO_MAP_IDX, Op.PSEUDO_MAP_IDX_VALUE -> {
                BpfMap map = mapByIndex(prog, pc, lo.imm());
                if (lo.src() == Op.PSEUDO_MAP_IDX) {
                    return map.handle();
                }
                long value = map.directValueAddr(st.cpu());
                if (value == 0) {
                    throw fault(prog, pc, "map " + map.name() + " has no value at key 0 to point into");
                }
                return value + (hi.imm() & 0xffffffffL);
            }
            case Op.PSEUDO_FUNC -> {
                return prog.funcAddr(pc + lo.imm() + 1);
            }
            default -> throw fault(prog, pc, "unsupported lddw kind src=" + lo.src());
        }
    }

    private BpfMap mapByIndex(BpfProgram prog, int pc, int index) {
        if (prog.collection() == null || index < 0 || index >= prog.collection().maps().size()) {
            throw fault(prog, pc, "map index " + index + " out of range");
        }
        return prog.map(index);
    }

    // ---- ALU ----

    private long alu64(BpfProgram prog, int pc, Insn in, long a, long b) {
        int off = in.off();
        switch (Op.op(in.opcode())) {
            case Op.ADD: return a + b;
            case Op.SUB: return a - b;
            case Op.MUL: return a * b;
            case Op.DIV:
                if (off == 1) {
                    return b == 0 ? 0 : a / b;
                }
                if (off != 0) break;
                return b == 0 ? 0 : Long.divideUnsigned(a, b);
            case Op.MOD:
                if (off == 1) {
                    return b == 0 ? a : a % b;
                }
                if (off != 0) break;
                return b == 0 ? a : Long.remainderUnsigned(a, b);
            case Op.OR: return a | b;
            case Op.AND: return a & b;
            case Op.XOR: return a ^ b;
            case Op.LSH: return a << b;
            case Op.RSH: return a >>> b;
            case Op.ARSH: return a >> b;
            case Op.NEG:
                if (Op.src(in.opcode()) != Op.K) break;
                return -a;
            case Op.MOV:
                if (off == 0) {
                    return b;
                }
                if (Op.src(in.opcode()) != Op.X) break;
                // movsx: sign-extend the low 8/16/32 bits of src
                return switch (off) {
                    case 8 -> (byte) b;
                    case 16 -> (short) b;
                    case 32 -> (int) b;
                    default -> throw unknown(prog, pc, in);
                };
            case Op.END:
                // ALU64|END (v4 bswap): unconditional swap of the low imm bits
                if (Op.src(in.opcode()) != Op.TO_LE) break;
                return switch (in.imm()) {
                    case 16 -> Short.reverseBytes((short) a) & 0xffffL;
                    case 32 -> Integer.reverseBytes((int) a) & 0xffffffffL;
                    case 64 -> Long.reverseBytes(a);
                    default -> throw unknown(prog, pc, in);
                };
            default:
                break;
        }
        throw unknown(prog, pc, in);
    }

    private long alu32(BpfProgram prog, int pc, Insn in, int a, int b) {
        int off = in.off();
        switch (Op.op(in.opcode())) {
            case Op.ADD: return a + b;
            case Op.SUB: return a - b;
            case Op.MUL: return a * b;
            case Op.DIV:
                if (off == 1) {
                    return b == 0 ? 0 : a / b;
                }
                if (off != 0) break;
                return b == 0 ? 0 : Integer.divideUnsigned(a, b);
            case Op.MOD:
                if (off == 1) {
                    return b == 0 ? a : a % b;
                }
                if (off != 0) break;
                return b == 0 ? a : Integer.remainderUnsigned(a, b);
            case Op.OR: return a | b;
            case Op.AND: return a & b;
            case Op.XOR: return a ^ b;
            case Op.LSH: return a << b;
            case Op.RSH: return a >>> b;
            case Op.ARSH: return a >> b;
            case Op.NEG:
                if (Op.src(in.opcode()) != Op.K) break;
                return -a;
            case Op.MOV:
                if (off == 0) {
                    return b;
                }
                if (Op.src(in.opcode()) != Op.X) break;
                return switch (off) {
                    case 8 -> (byte) b;
                    case 16 -> (short) b;
                    default -> throw unknown(prog, pc, in);
                };
            default:
                break;
        }
        throw unknown(prog, pc, in);
    }

    // le16/le32/le64 truncate on this little-endian host; be16/be32/be64 swap the low imm bits
    private long endian(BpfProgram prog, int pc, Insn in, long a) {
        boolean be = Op.src(in.opcode()) == Op.TO_BE;
        return switch (in.imm()) {
            case 16 -> (be ? Short.reverseBytes((short) a) : (short) a) & 0xffffL;
            case 32 -> (be ? Integer.reverseBytes((int) a) : (int) a) & 0xffffffffL;
            case 64 -> be ? Long.reverseBytes(a) : a;
            default -> throw unknown(prog, pc, in);
        };
    }

    // ---- jumps ----

    private boolean cond64(BpfProgram prog, int pc, Insn in, int op, long a, long b) {
        return switch (op) {
            case Op.JEQ -> a == b;
            case Op.JNE -> a != b;
            case Op.JGT -> Long.compareUnsigned(a, b) > 0;
            case Op.JGE -> Long.compareUnsigned(a, b) >= 0;
            case Op.JLT -> Long.compareUnsigned(a, b) < 0;
            case Op.JLE -> Long.compareUnsigned(a, b) <= 0;
            case Op.JSGT -> a > b;
            case Op.JSGE -> a >= b;
            case Op.JSLT -> a < b;
            case Op.JSLE -> a <= b;
            case Op.JSET -> (a & b) != 0;
            default -> throw unknown(prog, pc, in);
        };
    }

    private boolean cond32(BpfProgram prog, int pc, Insn in, int op, int a, int b) {
        return switch (op) {
            case Op.JEQ -> a == b;
            case Op.JNE -> a != b;
            case Op.JGT -> Integer.compareUnsigned(a, b) > 0;
            case Op.JGE -> Integer.compareUnsigned(a, b) >= 0;
            case Op.JLT -> Integer.compareUnsigned(a, b) < 0;
            case Op.JLE -> Integer.compareUnsigned(a, b) <= 0;
            case Op.JSGT -> a > b;
            case Op.JSGE -> a >= b;
            case Op.JSLT -> a < b;
            case Op.JSLE -> a <= b;
            case Op.JSET -> (a & b) != 0;
            default -> throw unknown(prog, pc, in);
        };
    }

    // ---- memory ----

    private long load(BpfProgram prog, ExecState st, int pc, long addr, int size) {
        Region reg = st.check(addr, size, false);
        if (reg == null) {
            throw fault(prog, pc, AccessExplainer.explain(st, addr, size, false));
        }
        if (reg.kind() == Region.Kind.CTX) {
            return ctxLoad(prog, st, pc, addr, size);
        }
        return Mem.load(addr, size);
    }

    // mirrors xdp_convert_ctx_access(): data, data_end and data_meta become the 64-bit xdp_buff pointers
    private long ctxLoad(BpfProgram prog, ExecState st, int pc, long addr, int size) {
        long off = addr - st.ctxAddr();
        XdpBuff b = st.xdp();
        if (size != 4 || (off & 3) != 0 || b == null) {
            throw fault(prog, pc, AccessExplainer.explain(st, addr, size, false));
        }
        return switch ((int) off) {
            case XdpMdLayout.DATA -> b.data;
            case XdpMdLayout.DATA_END -> b.dataEnd;
            case XdpMdLayout.DATA_META -> b.dataMeta;
            case XdpMdLayout.INGRESS_IFINDEX -> b.ingressIfindex & 0xffffffffL;
            case XdpMdLayout.RX_QUEUE_INDEX -> b.rxQueueIndex & 0xffffffffL;
            case XdpMdLayout.EGRESS_IFINDEX -> b.egressIfindex & 0xffffffffL;
            default -> throw fault(prog, pc, AccessExplainer.explain(st, addr, size, false));
        };
    }

    private void store(BpfProgram prog, ExecState st, int pc, long addr, int size, long v) {
        if (st.check(addr, size, true) == null) {
            throw fault(prog, pc, AccessExplainer.explain(st, addr, size, true));
        }
        Mem.store(addr, size, v);
    }

    // where an atomic may go: memory the program may access that way, naturally aligned, not the packet
    private void checkAtomic(BpfProgram prog, ExecState st, int pc, long addr, int size, boolean write) {
        Region reg = st.check(addr, size, write);
        if (reg == null || (addr & (size - 1)) != 0 || reg.kind() == Region.Kind.PACKET) {
            String why = reg == null ? AccessExplainer.explain(st, addr, size, write)
                    : (addr & (size - 1)) != 0 ? "misaligned atomic access of " + size + " bytes at 0x" + Long.toHexString(addr)
                    : "atomic access to the packet is not allowed";
            throw fault(prog, pc, why);
        }
    }

    // mirrors the kernel's BPF_ATOMIC: only stack and map values (the verifier refuses ctx and packet), aligned
    private void atomic(BpfProgram prog, ExecState st, int pc, Insn in, long[] r, long addr, boolean dw) {
        int size = dw ? 8 : 4;
        checkAtomic(prog, st, pc, addr, size, true);
        int op = in.imm();
        int src = in.src();
        long v = r[src];
        long old;
        if (dw) {
            old = switch (op & ~Op.FETCH) {
                case Op.ADD -> (long) ATOMIC64.getAndAdd(Mem.ALL, addr, v);
                case Op.OR -> (long) ATOMIC64.getAndBitwiseOr(Mem.ALL, addr, v);
                case Op.AND -> (long) ATOMIC64.getAndBitwiseAnd(Mem.ALL, addr, v);
                case Op.XOR -> (long) ATOMIC64.getAndBitwiseXor(Mem.ALL, addr, v);
                case 0xe0 -> op == Op.XCHG ? (long) ATOMIC64.getAndSet(Mem.ALL, addr, v) : badAtomic(prog, pc, in);
                case 0xf0 -> op == Op.CMPXCHG ? (long) ATOMIC64.compareAndExchange(Mem.ALL, addr, r[0], v) : badAtomic(prog, pc, in);
                default -> badAtomic(prog, pc, in);
            };
        } else {
            int iv = (int) v;
            int o = switch (op & ~Op.FETCH) {
                case Op.ADD -> (int) ATOMIC32.getAndAdd(Mem.ALL, addr, iv);
                case Op.OR -> (int) ATOMIC32.getAndBitwiseOr(Mem.ALL, addr, iv);
                case Op.AND -> (int) ATOMIC32.getAndBitwiseAnd(Mem.ALL, addr, iv);
                case Op.XOR -> (int) ATOMIC32.getAndBitwiseXor(Mem.ALL, addr, iv);
                case 0xe0 -> op == Op.XCHG ? (int) ATOMIC32.getAndSet(Mem.ALL, addr, iv) : (int) badAtomic(prog, pc, in);
                case 0xf0 -> op == Op.CMPXCHG ? (int) ATOMIC32.compareAndExchange(Mem.ALL, addr, (int) r[0], iv)
                        : (int) badAtomic(prog, pc, in);
                default -> (int) badAtomic(prog, pc, in);
            };
            old = o & 0xffffffffL;
        }
        if (op == Op.CMPXCHG) {
            r[0] = old;
        } else if ((op & Op.FETCH) != 0) {
            r[src] = old;
        }
    }

    private long badAtomic(BpfProgram prog, int pc, Insn in) {
        throw fault(prog, pc, "unknown atomic operation 0x" + Integer.toHexString(in.imm()));
    }

    // ---- faults ----

    private BpfFault unknown(BpfProgram prog, int pc, Insn in) {
        return fault(prog, pc, "unknown opcode 0x" + Integer.toHexString(in.opcode()));
    }

    private BpfFault fault(BpfProgram prog, int pc, String why) {
        return new BpfFault(pc, explain(prog, pc, why));
    }

    /** {@code insn 12: r0 = *(u32 *)(r2 +0): why ; source @ file.c:42}. */
    static String explain(BpfProgram prog, int pc, String why) {
        if (prog == null) {
            return why;
        }
        StringBuilder sb = new StringBuilder("insn ").append(pc).append(": ")
                .append(Disassembly.of(prog.insns(), pc)).append(": ").append(why);
        if (prog.spec() != null && prog.spec().lines() != null) {
            var line = prog.spec().lineOf(pc);
            if (line != null) {
                sb.append(' ').append(line);
            }
        }
        return sb.toString();
    }
}
