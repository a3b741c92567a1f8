package dev.jxdp.ebpf.isa;

import dev.jxdp.ebpf.BpfException;

/**
 * Structural validity of instructions: a known opcode, registers r0..r10, reserved fields zero, an
 * lddw with its second slot, jumps landing inside the program. Mirrors the encoding checks the kernel
 * makes before any analysis (the reserved-field tests of check_alu_op(), check_ld_imm(),
 * check_ld_abs(), do_check()'s BPF_JMP branch, resolve_pseudo_ldimm64() and check_subprogs()); the
 * semantic ones (division by a zero immediate, shift counts, writes to r10, helper ids) belong to the
 * verifier. {@code callx} (BPF_JMP|BPF_CALL|BPF_X, register in dst) is accepted as RFC 9669's
 * conformance groups and LLVM have it, although the kernel rejects it.
 */
public final class InsnCheck {
    private InsnCheck() {}

    private static final int MAX_REG = 10;

    /** Whether the instruction at {@code index} is valid in its program. */
    public static boolean isValid(Insn[] prog, int index) {
        return reason(prog, index) == null;
    }

    /** Whether one instruction is valid on its own (an lddw's second slot and jump targets unchecked). */
    public static boolean isValid(Insn in) {
        return reason(in) == null;
    }

    /** Throws {@code instruction 12: reason} for the first invalid instruction of the program. */
    public static void requireValid(Insn[] prog) {
        for (int i = 0; i < prog.length; i++) {
            String why = reason(prog, i);
            if (why != null) {
                throw new BpfException("instruction " + i + ": " + why);
            }
            if (prog[i].isLddw()) {
                i++;
            }
        }
    }

    /** Why the instruction at {@code index} is invalid in its program, or null when it is valid. */
    public static String reason(Insn[] prog, int index) {
        Insn in = prog[index];
        String why = reason(in);
        if (why != null) {
            return why;
        }
        if (in.isLddw()) {
            if (index + 1 >= prog.length) {
                return "lddw without its second slot";
            }
            Insn hi = prog[index + 1];
            if (hi.opcode() != 0 || hi.dst() != 0 || hi.src() != 0 || hi.off() != 0) {
                return "invalid bpf_ld_imm64 insn: second slot uses reserved fields";
            }
            if ((in.src() == Op.PSEUDO_MAP_FD || in.src() == Op.PSEUDO_MAP_IDX) && hi.imm() != 0) {
                return "unrecognized bpf_ld_imm64 insn: map reference with a non-zero upper half";
            }
            // the kernel ignores it; libbpf and clang write 0, and jxdp holds it reserved
            if (in.src() == Op.PSEUDO_FUNC && hi.imm() != 0) {
                return "invalid bpf_ld_imm64 insn: function reference with a non-zero upper half";
            }
            return null;
        }
        long target = target(in, index);
        if (target != Long.MIN_VALUE) {
            if (target < 0 || target >= prog.length) {
                return "jump out of range from insn " + index + " to " + target;
            }
            if (target > 0 && prog[(int) target - 1].isLddw()) {
                return "jump into the middle of lddw at insn " + (target - 1);
            }
        }
        return null;
    }

    /** The index an instruction transfers control to, or {@code Long.MIN_VALUE} when it has none. */
    public static long target(Insn in, int index) {
        int code = in.opcode();
        int cls = Op.cls(code);
        if (code == (Op.JMP32 | Op.JA)) {
            return (long) index + in.imm() + 1;
        }
        if (code == (Op.JMP | Op.CALL)) {
            return in.src() == Op.PSEUDO_CALL ? (long) index + in.imm() + 1 : Long.MIN_VALUE;
        }
        if (code == Op.LDDW && in.src() == Op.PSEUDO_FUNC) {
            return (long) index + in.imm() + 1;
        }
        if ((cls == Op.JMP || cls == Op.JMP32) && Op.op(code) != Op.EXIT && Op.op(code) != Op.CALL) {
            return (long) index + in.off() + 1;
        }
        return Long.MIN_VALUE;
    }

    /** Why one instruction is invalid on its own, or null when it is valid. */
    public static String reason(Insn in) {
        if (in.dst() > MAX_REG) {
            return "invalid register r" + in.dst();
        }
        if (in.src() > MAX_REG) {
            return "invalid register r" + in.src();
        }
        int code = in.opcode();
        return switch (Op.cls(code)) {
            case Op.ALU, Op.ALU64 -> alu(in);
            case Op.LDX -> ldx(in);
            case Op.ST -> Op.mode(code) != Op.MEM ? unknown(code)
                    : in.src() != 0 ? "BPF_ST uses reserved fields" : null;
            case Op.STX -> stx(in);
            case Op.LD -> ld(in);
            default -> jmp(in);
        };
    }

    // mirrors check_alu_op()'s reserved-field checks
    private static String alu(Insn in) {
        int code = in.opcode();
        int op = Op.op(code);
        boolean alu64 = Op.cls(code) == Op.ALU64;
        boolean x = Op.src(code) == Op.X;
        if (op == Op.END) {
            if (in.src() != 0 || in.off() != 0 || (alu64 && x)) {
                return "BPF_END uses reserved fields";
            }
            return in.imm() == 16 || in.imm() == 32 || in.imm() == 64 ? null : "BPF_END uses reserved fields";
        }
        if (op == Op.NEG) {
            return x || in.src() != 0 || in.off() != 0 || in.imm() != 0 ? "BPF_NEG uses reserved fields" : null;
        }
        if (op > Op.ARSH) {
            return unknown(code);
        }
        if (!x) {
            boolean signedOff = (op == Op.DIV || op == Op.MOD) && in.off() == 1;
            return in.src() != 0 || (in.off() != 0 && !signedOff) ? "BPF_ALU uses reserved fields" : null;
        }
        if (op == Op.MOV) {
            if (alu64 && in.off() == 1) {
                return in.imm() == 1 || in.imm() == 1 << 16 ? null : "invalid addr_space_cast";
            }
            boolean sx = in.off() == 8 || in.off() == 16 || (alu64 && in.off() == 32);
            return in.imm() != 0 || (in.off() != 0 && !sx) ? "BPF_MOV uses reserved fields" : null;
        }
        boolean signedOff = (op == Op.DIV || op == Op.MOD) && in.off() == 1;
        return in.imm() != 0 || (in.off() != 0 && !signedOff) ? "BPF_ALU uses reserved fields" : null;
    }

    private static String ldx(Insn in) {
        int mode = Op.mode(in.opcode());
        if (mode != Op.MEM && !(mode == Op.MEMSX && Op.size(in.opcode()) != Op.DW)) {
            return unknown(in.opcode());
        }
        return in.imm() != 0 ? "BPF_LDX uses reserved fields" : null;
    }

    private static String stx(Insn in) {
        int code = in.opcode();
        if (Op.mode(code) == Op.MEM) {
            return in.imm() != 0 ? "BPF_STX uses reserved fields" : null;
        }
        if (Op.mode(code) != Op.ATOMIC) {
            return unknown(code);
        }
        if (in.imm() == Op.LOAD_ACQ || in.imm() == Op.STORE_REL) {
            return null;
        }
        if (Op.size(code) != Op.W && Op.size(code) != Op.DW) {
            return "invalid atomic operand size";
        }
        // mirrors check_atomic(): the operation lives in imm
        return switch (in.imm() & ~Op.FETCH) {
            case Op.ADD, Op.OR, Op.AND, Op.XOR -> null;
            case Op.XCHG & ~Op.FETCH, Op.CMPXCHG & ~Op.FETCH ->
                    (in.imm() & Op.FETCH) != 0 ? null : "BPF_ATOMIC uses invalid atomic opcode " + hex(in.imm());
            default -> "BPF_ATOMIC uses invalid atomic opcode " + hex(in.imm());
        };
    }

    // mirrors check_ld_imm() and check_ld_abs()
    private static String ld(Insn in) {
        int code = in.opcode();
        int mode = Op.mode(code);
        if (code == Op.LDDW) {
            if (in.off() != 0) {
                return "BPF_LD_IMM64 uses reserved fields";
            }
            return in.src() <= Op.PSEUDO_MAP_IDX_VALUE ? null : "invalid BPF_LD_IMM insn: pseudo kind " + in.src();
        }
        if ((mode == Op.ABS || mode == Op.IND) && Op.size(code) != Op.DW) {
            return in.dst() != 0 || in.off() != 0 || (mode == Op.ABS && in.src() != 0)
                    ? "BPF_LD_[ABS|IND] uses reserved fields" : null;
        }
        return unknown(code);
    }

    // mirrors do_check()'s BPF_JMP/BPF_JMP32 reserved-field checks
    private static String jmp(Insn in) {
        int code = in.opcode();
        int op = Op.op(code);
        boolean jmp32 = Op.cls(code) == Op.JMP32;
        boolean x = Op.src(code) == Op.X;
        switch (op) {
            case Op.CALL -> {
                if (jmp32) {
                    return unknown(code);
                }
                if (x) {
                    return in.src() != 0 || in.off() != 0 || in.imm() != 0 ? "callx uses reserved fields" : null;
                }
                if (in.dst() != 0 || in.src() > Op.PSEUDO_KFUNC_CALL
                        || (in.off() != 0 && in.src() != Op.PSEUDO_KFUNC_CALL)) {
                    return "BPF_CALL uses reserved fields";
                }
                return null;
            }
            case Op.JA -> {
                if (x) {
                    return unknown(code);
                }
                boolean bad = jmp32 ? in.off() != 0 : in.imm() != 0;
                return bad || in.src() != 0 || in.dst() != 0 ? "BPF_JA uses reserved fields" : null;
            }
            case Op.EXIT -> {
                if (jmp32 || x) {
                    return unknown(code);
                }
                return in.src() != 0 || in.dst() != 0 || in.off() != 0 || in.imm() != 0
                        ? "BPF_EXIT uses reserved fields" : null;
            }
            case Op.JCOND -> {
                if (jmp32 || x) {
                    return unknown(code);
                }
                return in.src() != Op.MAY_GOTO || in.dst() != 0 || in.imm() != 0
                        ? "may_goto uses reserved fields" : null;
            }
            case 0xf0 -> {
                return unknown(code);
            }
            default -> {
                return x ? (in.imm() != 0 ? "BPF_JMP/JMP32 uses reserved fields" : null)
                        : (in.src() != 0 ? "BPF_JMP/JMP32 uses reserved fields" : null);
            }
        }
    }

    private static String unknown(int code) {
        return "unknown opcode " + hex(code).substring(2);
    }

    private static String hex(int v) {
        return "0x" + (v >= 0 && v < 16 ? "0" : "") + Integer.toHexString(v);
    }
}
