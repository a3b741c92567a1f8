package dev.jxdp.ebpf.jit;

import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.runtime.XdpMdLayout;
import dev.jxdp.ebpf.verifier.VerifierFacts;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Facts forged to be as wrong as a verifier bug could make them, for any program, accepted or not: every
 * load, store and atomic proven (so compiled raw), every map helper call given a known map (so compiled as
 * a direct call of that map's code with the program's key and value pointers). What a forger needs to keep
 * programs doing realistic damage rather than none is where the context is: a small dataflow tracks the
 * registers and 8-byte stack slots that hold the ctx pointer (and map pointers), so that {@code data} and
 * {@code data_end} loads still read the frame's fields and packet pointers stay packet pointers, which the
 * program then walks past its bounds as it likes. Nothing here is meant to be sound.
 */
final class ForgedProof implements Proof {

    // abstract values: 0 unknown, else a tag in the high half and an offset or map index in the low half
    private static final long CTX = 1L << 32;
    private static final long MAP = 2L << 32;
    private static final long FP = 3L << 32;
    private static final int SLOTS = 64;      // fp-512 .. fp-8
    private static final int WIDTH = 11 + SLOTS;

    private final Insn[] code;
    private final int maps;
    private final long[][] in;

    private ForgedProof(BpfProgram prog) {
        this.code = prog.insns();
        this.maps = prog.collection() == null ? 0 : prog.collection().maps().size();
        this.in = new long[code.length][];
        for (int f : JitCompiler.functions(prog)) {
            long[] entry = new long[WIDTH];
            entry[10] = FP;
            if (f == 0) {
                entry[1] = CTX;
            }
            flow(f, entry);
        }
    }

    /** The forged proof of {@code prog}. */
    static ForgedProof of(BpfProgram prog) {
        return new ForgedProof(prog);
    }

    /** A compiler that trusts forged facts for every program it compiles. */
    static JitCompiler compiler() {
        return JitCompiler.trusting(ForgedProof::of);
    }

    @Override
    public VerifierFacts.Mem memAt(int pc) {
        return ctxOffOrMinus(pc) >= 0 ? VerifierFacts.Mem.CTX : VerifierFacts.Mem.PACKET;
    }

    @Override
    public int ctxOffAt(int pc) {
        return ctxOffOrMinus(pc);
    }

    // a 4-byte load of an xdp_md field through a register holding the ctx: the offset; else -1 (raw)
    private int ctxOffOrMinus(int pc) {
        Insn in = code[pc];
        long[] s = this.in[pc];
        if (s == null || in.opcode() != (Op.LDX | Op.MEM | Op.W) || in.src() > 10 || tag(s[in.src()]) != CTX) {
            return -1;
        }
        int off = (int) s[in.src()] + in.off();
        return off >= 0 && off < XdpMdLayout.SIZE && off % 4 == 0 ? off : -1;
    }

    @Override
    public int mapAt(int pc) {
        long[] s = in[pc];
        if (s != null && tag(s[1]) == MAP && (int) s[1] < maps) {
            return (int) s[1];
        }
        // a map the program may not even hold: a wrong proof can say anything
        return maps > 0 ? pc % maps : VerifierFacts.NO_MAP;
    }

    @Override public boolean loadsConstant(int pc) { return false; }
    @Override public long constantAt(int pc) { return 0; }
    @Override public int localSlotAt(int pc, int fnEntry) { return -1; }
    @Override public boolean stackAccessOfOtherFunction(int pc, int fnEntry) { return false; }

    // ---- the dataflow ----

    private static long tag(long v) {
        return v & 0xffffffff00000000L;
    }

    private void flow(int entry, long[] state) {
        ArrayDeque<Integer> work = new ArrayDeque<>();
        if (merge(entry, state)) {
            work.push(entry);
        }
        while (!work.isEmpty()) {
            int pc = work.pop();
            Insn insn = code[pc];
            long[] out = in[pc].clone();
            if (!transfer(insn, out)) {
                continue;
            }
            for (int s : successors(pc, insn)) {
                if (s >= 0 && s < code.length && merge(s, out)) {
                    work.push(s);
                }
            }
        }
    }

    // joins state into in[pc]; true when that changed it
    private boolean merge(int pc, long[] state) {
        if (in[pc] == null) {
            in[pc] = state.clone();
            return true;
        }
        boolean changed = false;
        for (int i = 0; i < WIDTH; i++) {
            if (in[pc][i] != state[i] && in[pc][i] != 0) {
                in[pc][i] = 0;
                changed = true;
            }
        }
        return changed;
    }

    private int[] successors(int pc, Insn in) {
        int cls = Op.cls(in.opcode());
        int op = Op.op(in.opcode());
        if (cls == Op.LD) {
            return new int[] {pc + 2};
        }
        if (cls == Op.JMP || cls == Op.JMP32) {
            if (op == Op.EXIT) {
                return new int[0];
            }
            if (op == Op.CALL) {
                return new int[] {pc + 1};
            }
            if (op == Op.JA) {
                return new int[] {pc + (cls == Op.JMP ? in.off() : in.imm()) + 1};
            }
            return new int[] {pc + 1, pc + in.off() + 1};
        }
        return new int[] {pc + 1};
    }

    // false when the instruction is not one to follow (bad registers)
    private boolean transfer(Insn in, long[] s) {
        int opc = in.opcode();
        int cls = Op.cls(opc);
        int dst = in.dst();
        int src = in.src();
        if (dst > 10) {
            return false;
        }
        long srcValue = src <= 10 ? s[src] : 0;
        switch (cls) {
            case Op.ALU64 -> {
                long d = s[dst];
                int op = Op.op(opc);
                if (op == Op.MOV && Op.src(opc) == Op.X && in.off() == 0) {
                    s[dst] = srcValue;
                } else if ((op == Op.ADD || op == Op.SUB) && Op.src(opc) == Op.K && (tag(d) == CTX || tag(d) == FP)) {
                    int off = (int) d + (op == Op.ADD ? in.imm() : -in.imm());
                    s[dst] = tag(d) | (off & 0xffffffffL);
                } else {
                    s[dst] = 0;
                }
            }
            case Op.ALU -> s[dst] = 0;
            case Op.LD -> s[dst] = opc == Op.LDDW && src == Op.PSEUDO_MAP_IDX ? MAP | (in.imm() & 0xffffffffL) : 0;
            case Op.LDX -> {
                int slot = slot(srcValue, in.off(), Op.bytes(Op.size(opc)));
                s[dst] = slot >= 0 && Op.size(opc) == Op.DW && Op.mode(opc) == Op.MEM ? s[11 + slot] : 0;
            }
            case Op.ST, Op.STX -> {
                int bytes = Op.bytes(Op.size(opc));
                int slot = slot(s[dst], in.off(), bytes);
                boolean whole = slot >= 0 && bytes == 8 && cls == Op.STX && Op.mode(opc) == Op.MEM;
                if (whole) {
                    s[11 + slot] = srcValue;
                } else if (tag(s[dst]) == FP) {
                    Arrays.fill(s, 11, WIDTH, 0);  // a partial or odd write: forget the frame
                }
                if (cls == Op.STX && Op.mode(opc) == Op.ATOMIC) {
                    if (in.imm() == Op.CMPXCHG) {
                        s[0] = 0;
                    } else if ((in.imm() & Op.FETCH) != 0 && src <= 10) {
                        s[src] = 0;
                    }
                }
            }
            case Op.JMP, Op.JMP32 -> {
                if (Op.op(opc) == Op.CALL) {
                    for (int r = 0; r <= 5; r++) {
                        s[r] = 0;
                    }
                }
            }
            default -> { }
        }
        return true;
    }

    // the 8-byte slot an access of `bytes` at base + off covers wholly, or -1
    private static int slot(long base, int off, int bytes) {
        if (tag(base) != FP) {
            return -1;
        }
        int at = (int) base + off;
        if (at < -512 || at > -bytes || at % 8 != 0) {
            return -1;
        }
        return (at + 512) / 8;
    }
}
