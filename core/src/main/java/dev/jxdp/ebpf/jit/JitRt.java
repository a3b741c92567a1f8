package dev.jxdp.ebpf.jit;

import dev.jxdp.ebpf.helpers.Helpers;
import dev.jxdp.ebpf.interp.AccessExplainer;
import dev.jxdp.ebpf.isa.HelperIds;
import dev.jxdp.ebpf.isa.Op;
import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.mem.Region;
import dev.jxdp.ebpf.mem.Sandbox;
import dev.jxdp.ebpf.mem.SandboxMem;
import dev.jxdp.ebpf.runtime.BpfFault;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpBuff;
import dev.jxdp.ebpf.runtime.XdpMdLayout;

import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * What generated code calls: memory accesses with their run-time checks, the ALU operations with
 * edge cases (division by zero, signed division, byte swaps), atomics, tail calls and the run budget.
 * Each method is small so HotSpot inlines it into the generated method; the fast path of an access is
 * the packet window [data_meta, data_end) and the running frame [stackFloor, stackTop), everything else
 * goes through {@link ExecState#check} exactly as the interpreter does, with the interpreter's messages.
 */
public final class JitRt {
    private JitRt() {}

    private static final VarHandle ATOMIC64 = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle ATOMIC32 = ValueLayout.JAVA_INT.varHandle();

    // ---- loads and stores ----

    public static long ld1(ExecState st, long addr, BpfProgram prog, int pc) {
        return fast(st, addr, 1) ? Mem.getU8(addr) : slowLoad(st, addr, 1, prog, pc);
    }

    public static long ld2(ExecState st, long addr, BpfProgram prog, int pc) {
        return fast(st, addr, 2) ? Mem.getU16(addr) : slowLoad(st, addr, 2, prog, pc);
    }

    public static long ld4(ExecState st, long addr, BpfProgram prog, int pc) {
        if (fast(st, addr, 4)) {
            return Mem.getU32(addr);
        }
        // xdp_md->data and ->data_end: the context loads every XDP program starts with
        XdpBuff b = st.xdp();
        long off = addr - st.ctxAddr();
        if (b != null && off == XdpMdLayout.DATA) {
            return b.data;
        }
        if (b != null && off == XdpMdLayout.DATA_END) {
            return b.dataEnd;
        }
        return slowLoad(st, addr, 4, prog, pc);
    }

    public static long ld8(ExecState st, long addr, BpfProgram prog, int pc) {
        return fast(st, addr, 8) ? Mem.getU64(addr) : slowLoad(st, addr, 8, prog, pc);
    }

    public static void st1(ExecState st, long addr, long v, BpfProgram prog, int pc) {
        if (!fast(st, addr, 1)) {
            slowStore(st, addr, 1, prog, pc);
        }
        Mem.putU8(addr, v);
    }

    public static void st2(ExecState st, long addr, long v, BpfProgram prog, int pc) {
        if (!fast(st, addr, 2)) {
            slowStore(st, addr, 2, prog, pc);
        }
        Mem.putU16(addr, v);
    }

    public static void st4(ExecState st, long addr, long v, BpfProgram prog, int pc) {
        if (!fast(st, addr, 4)) {
            slowStore(st, addr, 4, prog, pc);
        }
        Mem.putU32(addr, v);
    }

    public static void st8(ExecState st, long addr, long v, BpfProgram prog, int pc) {
        if (!fast(st, addr, 8)) {
            slowStore(st, addr, 8, prog, pc);
        }
        Mem.putU64(addr, v);
    }

    // the packet window and the running frame: the two regions nearly every access hits
    private static boolean fast(ExecState st, long addr, int size) {
        XdpBuff b = st.xdp();
        if (b != null && addr >= b.dataMeta && addr <= b.dataEnd - size) {
            return true;
        }
        return addr >= st.stackFloor() && addr <= st.stackTop() - size;
    }

    private static long slowLoad(ExecState st, long addr, int size, BpfProgram prog, int pc) {
        Region reg = st.check(addr, size, false);
        if (reg == null) {
            throw JitFaults.fault(prog, pc, AccessExplainer.explain(st, addr, size, false));
        }
        if (reg.kind() == Region.Kind.CTX) {
            return ctxLoad(st, addr, size, prog, pc);
        }
        return Mem.load(addr, size);
    }

    // mirrors xdp_convert_ctx_access(), as the interpreter does
    private static long ctxLoad(ExecState st, long addr, int size, BpfProgram prog, int pc) {
        long off = addr - st.ctxAddr();
        XdpBuff b = st.xdp();
        if (size != 4 || (off & 3) != 0 || b == null) {
            throw JitFaults.fault(prog, pc, AccessExplainer.explain(st, addr, size, false));
        }
        return switch ((int) off) {
            case XdpMdLayout.DATA -> b.data;
            case XdpMdLayout.DATA_END -> b.dataEnd;
            case XdpMdLayout.DATA_META -> b.dataMeta;
            case XdpMdLayout.INGRESS_IFINDEX -> b.ingressIfindex & 0xffffffffL;
            case XdpMdLayout.RX_QUEUE_INDEX -> b.rxQueueIndex & 0xffffffffL;
            case XdpMdLayout.EGRESS_IFINDEX -> b.egressIfindex & 0xffffffffL;
            default -> throw JitFaults.fault(prog, pc, AccessExplainer.explain(st, addr, size, false));
        };
    }

    private static void slowStore(ExecState st, long addr, int size, BpfProgram prog, int pc) {
        if (st.check(addr, size, true) == null) {
            throw JitFaults.fault(prog, pc, AccessExplainer.explain(st, addr, size, true));
        }
    }

    // ---- atomics: mirrors the interpreter's (stack and map values only, aligned) ----

    /** Performs atomic operation {@code op} and returns the old value (zero-extended for 32 bits). */
    /** BPF_LOAD_ACQ: a checked load, zero-extended, that later accesses cannot move before. */
    public static long loadAcquire(ExecState st, long addr, int size, BpfProgram prog, int pc) {
        checkAtomic(st, addr, size, false, prog, pc);
        long v = Mem.load(addr, size);
        VarHandle.acquireFence();
        return v;
    }

    /** BPF_STORE_REL: a checked store that earlier accesses cannot move after. */
    public static void storeRelease(ExecState st, long addr, int size, long v, BpfProgram prog, int pc) {
        checkAtomic(st, addr, size, true, prog, pc);
        VarHandle.releaseFence();
        Mem.store(addr, size, v);
    }

    // where an atomic may go: memory the program may access that way, naturally aligned, not the packet
    private static void checkAtomic(ExecState st, long addr, int size, boolean write, BpfProgram prog, int pc) {
        Region reg = st.check(addr, size, write);
        if (reg == null || (addr & (size - 1)) != 0 || reg.kind() == Region.Kind.PACKET) {
            String why = reg == null ? AccessExplainer.explain(st, addr, size, write)
                    : (addr & (size - 1)) != 0 ? "misaligned atomic access of " + size + " bytes at 0x" + Long.toHexString(addr)
                    : "atomic access to the packet is not allowed";
            throw JitFaults.fault(prog, pc, why);
        }
    }

    public static long atomic(ExecState st, long addr, long v, long r0, int op, boolean dw, BpfProgram prog, int pc) {
        int size = dw ? 8 : 4;
        checkAtomic(st, addr, size, true, prog, pc);
        if (dw) {
            return switch (op & ~Op.FETCH) {
                case Op.ADD -> (long) ATOMIC64.getAndAdd(Mem.ALL, addr, v);
                case Op.OR -> (long) ATOMIC64.getAndBitwiseOr(Mem.ALL, addr, v);
                case Op.AND -> (long) ATOMIC64.getAndBitwiseAnd(Mem.ALL, addr, v);
                case Op.XOR -> (long) ATOMIC64.getAndBitwiseXor(Mem.ALL, addr, v);
                case 0xe0 -> op == Op.XCHG ? (long) ATOMIC64.getAndSet(Mem.ALL, addr, v) : badAtomic(op, prog, pc);
                case 0xf0 -> op == Op.CMPXCHG ? (long) ATOMIC64.compareAndExchange(Mem.ALL, addr, r0, v) : badAtomic(op, prog, pc);
                default -> badAtomic(op, prog, pc);
            };
        }
        int iv = (int) v;
        int o = switch (op & ~Op.FETCH) {
            case Op.ADD -> (int) ATOMIC32.getAndAdd(Mem.ALL, addr, iv);
            case Op.OR -> (int) ATOMIC32.getAndBitwiseOr(Mem.ALL, addr, iv);
            case Op.AND -> (int) ATOMIC32.getAndBitwiseAnd(Mem.ALL, addr, iv);
            case Op.XOR -> (int) ATOMIC32.getAndBitwiseXor(Mem.ALL, addr, iv);
            case 0xe0 -> op == Op.XCHG ? (int) ATOMIC32.getAndSet(Mem.ALL, addr, iv) : (int) badAtomic(op, prog, pc);
            case 0xf0 -> op == Op.CMPXCHG ? (int) ATOMIC32.compareAndExchange(Mem.ALL, addr, (int) r0, iv)
                    : (int) badAtomic(op, prog, pc);
            default -> (int) badAtomic(op, prog, pc);
        };
        return o & 0xffffffffL;
    }

    /**
     * An atomic the verifier proved aligned and inside the stack or a map value: raw, inside the sandbox
     * (a wrong proof stays in memory programs were given). {@code op} and {@code dw} are constants of the
     * call site, so C2 keeps only the one operation. Returns what the interpreter's does: the old value,
     * a 32-bit one zero-extended (the fetch variants' src, cmpxchg's r0).
     */
    public static long atomicProven(ExecState st, long addr, long v, long r0, int op, boolean dw, BpfProgram prog, int pc) {
        if ((addr & (dw ? 7 : 3)) != 0) {
            return atomic(st, addr, v, r0, op, dw, prog, pc);  // the checked path explains it
        }
        return dw ? atomicProven64(st, addr, v, r0, op, prog, pc) : atomicProven32(st, addr, v, r0, op, prog, pc);
    }

    private static long atomicProven64(ExecState st, long addr, long v, long r0, int op, BpfProgram prog, int pc) {
        return switch (op) {
            case Op.ADD, Op.ADD | Op.FETCH -> SandboxMem.getAndAdd64(addr, v);
            case Op.OR, Op.OR | Op.FETCH -> SandboxMem.getAndOr64(addr, v);
            case Op.AND, Op.AND | Op.FETCH -> SandboxMem.getAndAnd64(addr, v);
            case Op.XOR, Op.XOR | Op.FETCH -> SandboxMem.getAndXor64(addr, v);
            case Op.XCHG -> SandboxMem.getAndSet64(addr, v);
            case Op.CMPXCHG -> SandboxMem.compareAndExchange64(addr, r0, v);
            default -> atomic(st, addr, v, r0, op, true, prog, pc);
        };
    }

    private static long atomicProven32(ExecState st, long addr, long v, long r0, int op, BpfProgram prog, int pc) {
        int iv = (int) v;
        return switch (op) {
            case Op.ADD, Op.ADD | Op.FETCH -> SandboxMem.getAndAdd32(addr, iv) & 0xffffffffL;
            case Op.OR, Op.OR | Op.FETCH -> SandboxMem.getAndOr32(addr, iv) & 0xffffffffL;
            case Op.AND, Op.AND | Op.FETCH -> SandboxMem.getAndAnd32(addr, iv) & 0xffffffffL;
            case Op.XOR, Op.XOR | Op.FETCH -> SandboxMem.getAndXor32(addr, iv) & 0xffffffffL;
            case Op.XCHG -> SandboxMem.getAndSet32(addr, iv) & 0xffffffffL;
            // the low 32 bits of r0 are compared; r0 gets the old value zero-extended
            case Op.CMPXCHG -> SandboxMem.compareAndExchange32(addr, (int) r0, iv) & 0xffffffffL;
            default -> atomic(st, addr, v, r0, op, false, prog, pc);
        };
    }

    private static long badAtomic(int op, BpfProgram prog, int pc) {
        throw JitFaults.fault(prog, pc, "unknown atomic operation 0x" + Integer.toHexString(op));
    }

    // ---- ALU edge cases (the verifier-free semantics of the interpreter) ----

    public static long udiv64(long a, long b) { return b == 0 ? 0 : Long.divideUnsigned(a, b); }
    public static long sdiv64(long a, long b) { return b == 0 ? 0 : a / b; }
    public static long umod64(long a, long b) { return b == 0 ? a : Long.remainderUnsigned(a, b); }
    public static long smod64(long a, long b) { return b == 0 ? a : a % b; }
    public static int udiv32(int a, int b) { return b == 0 ? 0 : Integer.divideUnsigned(a, b); }
    public static int sdiv32(int a, int b) { return b == 0 ? 0 : a / b; }
    public static int umod32(int a, int b) { return b == 0 ? a : Integer.remainderUnsigned(a, b); }
    public static int smod32(int a, int b) { return b == 0 ? a : a % b; }

    public static long bswap16(long a) { return Short.reverseBytes((short) a) & 0xffffL; }
    public static long bswap32(long a) { return Integer.reverseBytes((int) a) & 0xffffffffL; }

    /**
     * A pointer argument of a direct map call, which the map code reads {@code bytes} bytes from: the
     * address itself when those bytes lie in the sandbox; otherwise the verifier's proof was wrong, and the
     * run faults rather than let the map read outside memory programs were given.
     */
    public static long inSandbox(long addr, int bytes, BpfProgram prog, int pc) {
        if (Sandbox.contains(addr, bytes)) {
            return addr;
        }
        throw outsideSandbox(addr, bytes, prog, pc);
    }

    // the message in a method of its own, so that inSandbox stays small enough for C2 to inline anywhere
    private static BpfFault outsideSandbox(long addr, int bytes, BpfProgram prog, int pc) {
        return JitFaults.fault(prog, pc, "pointer 0x" + Long.toHexString(addr) + " (" + bytes
                + " bytes) is outside the memory programs can reach: the verifier's proof does not hold");
    }

    // ---- lddw of a map value ----

    public static long mapValue(JitProgram cx, ExecState st, BpfProgram prog, int mapIndex, long off, int pc) {
        BpfMap map = cx.maps[mapIndex];
        long value = map.directValueAddr(st.cpu());
        if (value == 0) {
            throw JitFaults.fault(prog, pc, "map " + map.name() + " has no value at key 0 to point into");
        }
        return value + off;
    }

    // ---- control ----

    /** lddw of a function's address: that function in the running collection's copy of the program. */
    public static long funcAddr(JitProgram cx, BpfProgram prog, int insn) {
        return cx.programFor(prog.spec()).funcAddr(insn);
    }

    /** One loop back-edge or call: the JIT's share of the 1,000,000-instruction bound. */
    public static void tick(JitProgram cx, BpfProgram prog, int pc) {
        if (++cx.steps > ExecState.INSN_LIMIT) {
            throw JitFaults.fault(prog, pc, "more than " + ExecState.INSN_LIMIT
                    + " instructions in one run (the JIT counts loop back-edges and calls)");
        }
    }

    /** may_goto at call depth {@code depth}: true (jump) once the function's budget is spent. */
    public static boolean mayGoto(JitProgram cx, int depth) {
        long left = cx.mayGoto[depth];
        if (left == 0) {
            return true;
        }
        cx.mayGoto[depth] = left - 1;
        return false;
    }

    /** A function with a may_goto starts: its budget is full. */
    public static void mayGotoReset(JitProgram cx, int depth) {
        cx.mayGoto[depth] = ExecState.MAY_GOTO_BUDGET;
    }

    /** Before a helper call: where a fault raised inside it happened, and the depth its callbacks start below. */
    public static void at(JitProgram cx, BpfProgram prog, int pc, int depth) {
        cx.curProg = prog;
        cx.curPc = pc;
        cx.depth = depth;
    }

    /**
     * A bpf-to-bpf call of the main function, which the JIT emits as {@code enter}'s body: only in a
     * program loaded without the verifier, which rejects such a call (it makes the call graph a loop).
     */
    public static long enterMain(JitProgram cx, ExecState st, long r1, long r2, long r3, long r4, long r5, int depth) {
        return cx.code().enter(cx, st, r1, r2, r3, r4, r5, depth);
    }

    /**
     * mirrors the interpreter's bpf_tail_call: index checked against max_entries, then the count, then
     * the slot; returns the compiled target or null when the call falls through.
     */
    public static JitCode tailCall(JitProgram cx, ExecState st, long mapHandle, long index, BpfProgram prog, int pc) {
        return tailCallMap(cx, st, Helpers.mapOf(st, mapHandle), index, prog, pc);
    }

    /** bpf_tail_call through a map the verifier knows. */
    public static JitCode tailCallMap(JitProgram cx, ExecState st, BpfMap map, long index, BpfProgram prog, int pc) {
        BpfProgram p;
        try {
            p = st.tailCallTarget(map, index);
        } catch (BpfFault f) {
            throw JitFaults.fault(prog, pc, f.getMessage());
        }
        return p == null ? null : cx.codeOf(p);
    }

    /** callx: a function of the running program through its address, or a helper by id (not bpf_tail_call). */
    public static long callx(JitProgram cx, ExecState st, long target, int reg, long r1, long r2, long r3, long r4,
                             long r5, int depth, BpfProgram prog, int pc) {
        Region code = st.space().containing(target);
        if (code != null && code.kind() == Region.Kind.CODE && code.owner() instanceof BpfProgram own
                && own.spec() == prog.spec() && own.funcInsn(target) >= 0) {
            if (depth + 1 >= ExecState.MAX_CALL_FRAMES) {
                throw JitFaults.fault(prog, pc, "the call chain is deeper than " + ExecState.MAX_CALL_FRAMES + " frames");
            }
            tick(cx, prog, pc);
            return cx.codeOf(own).callFn(own.funcInsn(target), cx, st, r1, r2, r3, r4, r5, depth + 1);
        }
        if (target >= 0 && target <= Integer.MAX_VALUE && Helpers.isSupported((int) target)) {
            if (target == HelperIds.TAIL_CALL) {
                throw JitFaults.fault(prog, pc, "callx of bpf_tail_call is not supported by the JIT");
            }
            at(cx, prog, pc, depth);
            return Helpers.call((int) target, st, r1, r2, r3, r4, r5);
        }
        throw JitFaults.fault(prog, pc, "callx: r" + reg + " = 0x" + Long.toHexString(target)
                + " is neither a function of the program nor a helper");
    }

    /** A fault whose message was explained when the program was compiled. */
    public static BpfFault fault(int pc, String explained) {
        return new BpfFault(pc, explained);
    }
}
