package dev.jxdp.ebpf.isa;

import java.util.function.IntFunction;

/**
 * Renders instructions in the kernel's verifier-log syntax: the strings of print_bpf_insn()
 * (kernel/bpf/disasm.c), without the {@code (61)} opcode prefix, which {@link #listing} adds.
 *
 * <p>Where the kernel prints nothing faithful, jxdp chooses a form {@link Asm} reads back:
 * <ul>
 *   <li>lddw ends in {@code  ll} (as llvm-objdump), so it never reads as a 32-bit mov;
 *       its pseudo forms follow bpftool's print_imm(): {@code map[id:N]} (src 1),
 *       {@code map[id:N][0]+V} (src 2), {@code subprog[+N]} (src 4); PSEUDO_MAP_IDX (src 5) is
 *       {@code map[idx:N]}, PSEUDO_MAP_IDX_VALUE (src 6) {@code map[idx:N][0]+V}, and with a map
 *       name resolver {@code map[counters]} and {@code map[.rodata][0]+8}; PSEUDO_BTF_ID (src 3) is
 *       {@code btf_id[N]}, or {@code btf_id[N][fd:M]} when the second slot names a BTF fd;</li>
 *   <li>{@code callx r5} for BPF_JMP|BPF_CALL|BPF_X with the register in dst (as LLVM and the
 *       bpf_conformance suite encode it; the kernel rejects the opcode);</li>
 *   <li>a kfunc call is {@code call kernel-function#ID} as the kernel prints it without BTF, with
 *       {@code [btf:N]} appended when off names a module BTF;</li>
 *   <li>an opcode the kernel does not know is {@code .insn 0xOP dst=D src=S off=O imm=I}.</li>
 * </ul>
 */
public final class Disasm {
    private Disasm() {}

    private static final String[] ALU = {
        "+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", null, "%=", "^=", "=", "s>>=", null, null, null,
    };
    private static final String[] JMP = {
        null, "==", ">", ">=", "&", "!=", "s>", "s>=", null, null, "<", "<=", "s<", "s<=", null, null,
    };
    private static final String[] ATOMIC_ALU = {
        "add", null, null, null, "or", "and", null, null, null, null, "xor", null, null, null, null, null,
    };

    /** The instruction at {@code index} as the kernel's verifier log prints it. */
    public static String insn(Insn[] prog, int index) {
        return insn(prog, index, null);
    }

    /** As {@link #insn(Insn[], int)}, naming the maps of PSEUDO_MAP_IDX(_VALUE) lddws by index. */
    public static String insn(Insn[] prog, int index, IntFunction<String> mapName) {
        StringBuilder sb = new StringBuilder(48);
        append(sb, prog, index, mapName);
        return sb.toString();
    }

    /**
     * The whole program, one instruction per line as the kernel's verifier log and bpftool show it:
     * {@code   12: (61) r2 = *(u32 *)(r1 +4)}. The second slot of an lddw has no line.
     */
    public static String listing(Insn[] prog, IntFunction<String> mapName) {
        StringBuilder sb = new StringBuilder(prog.length * 40);
        for (int i = 0; i < prog.length; i++) {
            String idx = Integer.toString(i);
            sb.repeat(' ', Math.max(0, 4 - idx.length())).append(idx).append(": (");
            hex2(sb, prog[i].opcode()).append(") ");
            append(sb, prog, i, mapName);
            sb.append('\n');
            if (prog[i].isLddw()) {
                i++;
            }
        }
        return sb.toString();
    }

    public static String listing(Insn[] prog) {
        return listing(prog, null);
    }

    static void append(StringBuilder sb, Insn[] prog, int index, IntFunction<String> mapName) {
        Insn in = prog[index];
        int code = in.opcode();
        switch (Op.cls(code)) {
            case Op.ALU, Op.ALU64 -> alu(sb, in);
            case Op.LDX -> ldx(sb, in);
            case Op.ST -> st(sb, in);
            case Op.STX -> stx(sb, in);
            case Op.LD -> ld(sb, prog, index, mapName);
            default -> jmp(sb, in);
        }
    }

    // mirrors the ALU branch of print_bpf_insn(), with print_bpf_end_insn() and print_bpf_bswap_insn()
    private static void alu(StringBuilder sb, Insn in) {
        int code = in.opcode();
        int op = Op.op(code);
        char w = Op.cls(code) == Op.ALU ? 'w' : 'r';
        if (op == Op.END) {
            sb.append('r').append(in.dst()).append(" = ");
            if (Op.cls(code) == Op.ALU64) {
                sb.append("bswap");
            } else {
                sb.append(Op.src(code) == Op.TO_BE ? "be" : "le");
            }
            sb.append(in.imm()).append(" r").append(in.dst());
        } else if (op == Op.NEG) {
            sb.append(w).append(in.dst()).append(" = -").append(w).append(in.dst());
        } else if (ALU[op >> 4] == null) {
            raw(sb, in);
        } else if (code == (Op.ALU64 | Op.MOV | Op.X) && in.off() == 1) {
            // BPF_ADDR_SPACE_CAST: imm holds the destination and source address spaces
            sb.append('r').append(in.dst()).append(" = addr_space_cast(r").append(in.src()).append(", ")
                    .append(in.imm() >>> 16).append(", ").append(in.imm() & 0xffff).append(')');
        } else {
            sb.append(w).append(in.dst()).append(' ');
            boolean signed = (op == Op.DIV || op == Op.MOD) && in.off() == 1;
            sb.append(signed ? (op == Op.DIV ? "s/=" : "s%=") : ALU[op >> 4]).append(' ');
            if (Op.src(code) == Op.X) {
                if (op == Op.MOV && (in.off() == 8 || in.off() == 16 || in.off() == 32)) {
                    sb.append("(s").append(in.off()).append(')');
                }
                sb.append(w).append(in.src());
            } else {
                sb.append(in.imm());
            }
        }
    }

    private static void ldx(StringBuilder sb, Insn in) {
        int mode = Op.mode(in.opcode());
        if (mode != Op.MEM && mode != Op.MEMSX) {
            raw(sb, in);
            return;
        }
        sb.append('r').append(in.dst()).append(" = *(");
        sizeName(sb, in.opcode(), mode == Op.MEMSX ? 's' : 'u').append(" *)");
        addr(sb, in.src(), in.off());
    }

    private static void st(StringBuilder sb, Insn in) {
        if (Op.mode(in.opcode()) != Op.MEM) {
            raw(sb, in);
            return;
        }
        sb.append("*(");
        sizeName(sb, in.opcode(), 'u').append(" *)");
        addr(sb, in.dst(), in.off()).append(" = ").append(in.imm());
    }

    // mirrors the BPF_STX branch of print_bpf_insn(), atomics included
    private static void stx(StringBuilder sb, Insn in) {
        int code = in.opcode();
        int mode = Op.mode(code);
        if (mode == Op.MEM) {
            sb.append("*(");
            sizeName(sb, code, 'u').append(" *)");
            addr(sb, in.dst(), in.off()).append(" = r").append(in.src());
            return;
        }
        int imm = in.imm();
        if (mode == Op.ATOMIC && imm == Op.LOAD_ACQ) {
            sb.append('r').append(in.dst()).append(" = load_acquire((");
            sizeName(sb, code, 'u').append(" *)");
            addr(sb, in.src(), in.off()).append(')');
            return;
        }
        if (mode == Op.ATOMIC && imm == Op.STORE_REL) {
            sb.append("store_release((");
            sizeName(sb, code, 'u').append(" *)");
            addr(sb, in.dst(), in.off()).append(", r").append(in.src()).append(')');
            return;
        }
        if (mode != Op.ATOMIC || (imm & ~0xf1) != 0) {
            raw(sb, in);
            return;
        }
        String alu = ATOMIC_ALU[(imm & 0xf0) >> 4];
        String width = Op.size(code) == Op.DW ? "64" : "";
        if (alu != null && (imm & Op.FETCH) == 0) {
            sb.append("lock *(");
            sizeName(sb, code, 'u').append(" *)");
            addr(sb, in.dst(), in.off()).append(' ').append(ALU[imm >> 4]).append(" r").append(in.src());
        } else if (alu != null || imm == Op.XCHG) {
            sb.append('r').append(in.src()).append(" = atomic").append(width)
                    .append(alu != null ? "_fetch_" + alu : "_xchg").append("((");
            sizeName(sb, code, 'u').append(" *)");
            addr(sb, in.dst(), in.off()).append(", r").append(in.src()).append(')');
        } else if (imm == Op.CMPXCHG) {
            sb.append("r0 = atomic").append(width).append("_cmpxchg((");
            sizeName(sb, code, 'u').append(" *)");
            addr(sb, in.dst(), in.off()).append(", r0, r").append(in.src()).append(')');
        } else {
            raw(sb, in);
        }
    }

    private static void ld(StringBuilder sb, Insn[] prog, int index, IntFunction<String> mapName) {
        Insn in = prog[index];
        int code = in.opcode();
        int mode = Op.mode(code);
        if (mode == Op.ABS && Op.size(code) != Op.DW) {
            sb.append("r0 = *(");
            sizeName(sb, code, 'u').append(" *)skb[").append(in.imm()).append(']');
        } else if (mode == Op.IND && Op.size(code) != Op.DW) {
            sb.append("r0 = *(");
            sizeName(sb, code, 'u').append(" *)skb[r").append(in.src()).append(" + ").append(in.imm()).append(']');
        } else if (code == Op.LDDW) {
            lddw(sb, prog, index, mapName);
        } else {
            raw(sb, in);
        }
    }

    // the kernel prints cb_imm's text or 0x%llx; the pseudo forms are bpftool's print_imm()
    private static void lddw(StringBuilder sb, Insn[] prog, int index, IntFunction<String> mapName) {
        Insn in = prog[index];
        boolean hasHi = index + 1 < prog.length;
        int hi = hasHi ? prog[index + 1].imm() : 0;
        sb.append('r').append(in.dst()).append(" = ");
        switch (in.src()) {
            case 0 -> sb.append("0x").append(Long.toHexString(Insn.imm64(in, new Insn(0, 0, 0, 0, hi))));
            case Op.PSEUDO_MAP_FD -> sb.append("map[id:").append(Integer.toUnsignedString(in.imm())).append(']');
            case Op.PSEUDO_MAP_VALUE -> sb.append("map[id:").append(Integer.toUnsignedString(in.imm()))
                    .append("][0]+").append(Integer.toUnsignedString(hi));
            case Op.PSEUDO_BTF_ID -> {
                sb.append("btf_id[").append(Integer.toUnsignedString(in.imm())).append(']');
                if (hi != 0) {
                    sb.append("[fd:").append(Integer.toUnsignedString(hi)).append(']');
                }
            }
            case Op.PSEUDO_FUNC -> {
                sb.append("subprog[");
                signed(sb, in.imm()).append(']');
            }
            case Op.PSEUDO_MAP_IDX, Op.PSEUDO_MAP_IDX_VALUE -> {
                String name = mapName == null ? null : mapName.apply(in.imm());
                if (name != null) {
                    sb.append("map[").append(name).append(']');
                } else {
                    sb.append("map[idx:").append(Integer.toUnsignedString(in.imm())).append(']');
                }
                if (in.src() == Op.PSEUDO_MAP_IDX_VALUE) {
                    sb.append("[0]+").append(Integer.toUnsignedString(hi));
                }
            }
            default -> {
                raw(sb, in);
                return;
            }
        }
        sb.append(" ll");
        if (!hasHi) {
            sb.append(" ; second slot missing");
        }
    }

    // mirrors the BPF_JMP/BPF_JMP32 branch of print_bpf_insn()
    private static void jmp(StringBuilder sb, Insn in) {
        int code = in.opcode();
        int op = Op.op(code);
        boolean jmp64 = Op.cls(code) == Op.JMP;
        if (code == (Op.JMP | Op.CALL)) {
            call(sb, in);
        } else if (code == (Op.JMP | Op.CALL | Op.X)) {
            sb.append("callx r").append(in.dst());
        } else if (code == (Op.JMP | Op.JA)) {
            signed(sb.append("goto pc"), in.off());
        } else if (code == (Op.JMP32 | Op.JA)) {
            signed(sb.append("gotol pc"), in.imm());
        } else if (code == (Op.JMP | Op.JCOND) && in.src() == Op.MAY_GOTO) {
            signed(sb.append("may_goto pc"), in.off());
        } else if (code == (Op.JMP | Op.EXIT)) {
            sb.append("exit");
        } else if (JMP[op >> 4] == null) {
            raw(sb, in);
        } else {
            char w = jmp64 ? 'r' : 'w';
            sb.append("if ").append(w).append(in.dst()).append(' ').append(JMP[op >> 4]).append(' ');
            if (Op.src(code) == Op.X) {
                sb.append(w).append(in.src());
            } else {
                sb.append("0x").append(Integer.toHexString(in.imm()));
            }
            signed(sb.append(" goto pc"), in.off());
        }
    }

    // mirrors __func_get_name(): helper names from the uapi list, bpf-to-bpf calls pc-relative
    private static void call(StringBuilder sb, Insn in) {
        switch (in.src()) {
            case Op.PSEUDO_CALL -> signed(sb.append("call pc"), in.imm());
            case Op.PSEUDO_KFUNC_CALL -> {
                sb.append("call kernel-function#").append(in.imm());
                if (in.off() != 0) {
                    sb.append("[btf:").append(in.off()).append(']');
                }
            }
            case Op.CALL_HELPER -> {
                String name = in.imm() == 0 ? "bpf_unspec" : HelperIds.name(in.imm());
                sb.append("call ").append(name == null ? "unknown" : name).append('#').append(in.imm());
            }
            default -> sb.append("call unknown#").append(in.imm());
        }
    }

    private static StringBuilder addr(StringBuilder sb, int reg, int off) {
        sb.append("(r").append(reg).append(' ');
        return signed(sb, off).append(')');
    }

    private static StringBuilder signed(StringBuilder sb, int v) {
        return (v >= 0 ? sb.append('+') : sb).append(v);
    }

    private static StringBuilder sizeName(StringBuilder sb, int code, char sign) {
        return sb.append(sign).append(Op.bytes(Op.size(code)) * 8);
    }

    private static StringBuilder hex2(StringBuilder sb, int b) {
        return sb.append(Character.forDigit(b >> 4 & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }

    /** The escape form for an encoding the kernel's syntax cannot say; {@link Asm} reads it back. */
    private static void raw(StringBuilder sb, Insn in) {
        sb.append(".insn 0x");
        hex2(sb, in.opcode()).append(" dst=").append(in.dst()).append(" src=").append(in.src())
                .append(" off=").append(in.off()).append(" imm=").append(in.imm());
    }
}
