package dev.jxdp.ebpf.isa;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * Reads the kernel's verifier-log syntax back into instructions: everything {@link Disasm} prints, so
 * a {@link Disasm#listing}, a bpftool {@code dump xlated} or the instruction lines of a verifier log
 * assemble to the same encoding.
 *
 * <p>One instruction per line. Blank lines and comments ({@code ;} and {@code //} anywhere, {@code #}
 * at the start of a line or after a space) are skipped; a leading {@code 12:} index and {@code (61)}
 * opcode are dropped (the opcode is checked against what the line assembles to, and {@code (18)}
 * makes {@code r1 = 0x5} an lddw as the kernel prints it). {@code name:} defines a label, alone or
 * before an instruction. Targets are {@code pc+N}, {@code +N}, {@code -N} or a label. {@code call}
 * takes a helper ({@code bpf_map_lookup_elem}, {@code map_lookup_elem}, {@code NAME#ID} or an id), a
 * label or {@code pc+N} (bpf-to-bpf), or {@code kernel-function#ID} (kfunc). A mov of a constant
 * that does not fit in 32 signed bits becomes an lddw; {@code ll} forces one.
 */
public final class Asm {
    private Asm() {}

    /** Assembles text whose lddws name maps only by number ({@code map[idx:3]}). */
    public static Insn[] assemble(String text) {
        return assemble(text, null);
    }

    /**
     * Assembles text; {@code map[NAME]} resolves through {@code mapIndex} (a negative answer means
     * no such map) into a PSEUDO_MAP_IDX / PSEUDO_MAP_IDX_VALUE lddw.
     */
    public static Insn[] assemble(String text, ToIntFunction<String> mapIndex) {
        return new Assembler(mapIndex).run(text);
    }

    private record Fixup(int slot, String label, boolean inImm, int lineNo, int helperFallback) {}

    private static final class Assembler {
        private final ToIntFunction<String> mapIndex;
        private final List<Insn> out = new ArrayList<>();
        private final Map<String, Integer> labels = new HashMap<>();
        private final List<Fixup> fixups = new ArrayList<>();
        private int lineNo;
        private Cursor c;

        Assembler(ToIntFunction<String> mapIndex) {
            this.mapIndex = mapIndex;
        }

        Insn[] run(String text) {
            String[] lines = text.split("\r?\n", -1);
            for (int i = 0; i < lines.length; i++) {
                lineNo = i + 1;
                line(stripComment(lines[i]));
            }
            for (Fixup f : fixups) {
                Integer at = labels.get(f.label());
                Insn in = out.get(f.slot());
                if (at == null) {
                    if (f.helperFallback() < 0) {
                        throw new AsmException(f.lineNo(), "unknown label or helper " + f.label());
                    }
                    out.set(f.slot(), new Insn(in.opcode(), 0, Op.CALL_HELPER, 0, f.helperFallback()));
                    continue;
                }
                int rel = at - f.slot() - 1;
                if (f.inImm()) {
                    out.set(f.slot(), in.withImm(rel));
                } else {
                    lineNo = f.lineNo();
                    out.set(f.slot(), new Insn(in.opcode(), in.dst(), in.src(), off16(rel, "jump offset"), in.imm()));
                }
            }
            return out.toArray(new Insn[0]);
        }

        private static String stripComment(String s) {
            int cut = s.length();
            int semi = s.indexOf(';');
            if (semi >= 0) {
                cut = semi;
            }
            int slashes = s.indexOf("//");
            if (slashes >= 0 && slashes < cut) {
                cut = slashes;
            }
            for (int i = 0; i < cut; i++) {
                if (s.charAt(i) == '#' && (i == 0 || Character.isWhitespace(s.charAt(i - 1)))) {
                    cut = i;
                    break;
                }
            }
            return s.substring(0, cut);
        }

        private void line(String s) {
            c = new Cursor(s);
            c.ws();
            if (c.end()) {
                return;
            }
            // a leading "12:" is the index of a listing or log line; "name:" is a label
            int mark = c.pos;
            String word = c.word();
            if (word != null && c.accept(":")) {
                if (Character.isDigit(word.charAt(0))) {
                    if (!word.chars().allMatch(Character::isDigit)) {
                        throw err("bad instruction index " + word);
                    }
                } else {
                    if (labels.putIfAbsent(word, out.size()) != null) {
                        throw err("label " + word + " defined twice");
                    }
                }
                c.ws();
                if (c.end()) {
                    return;
                }
            } else {
                c.pos = mark;
            }
            // the verifier's "Live regs before insn" listing puts a column like 012...6... first
            int live = c.pos;
            while (live < c.s.length() && (c.s.charAt(live) == '.' || Character.isDigit(c.s.charAt(live)))) {
                live++;
            }
            if (live - c.pos == 10 && c.s.startsWith(" (", live)) {
                c.pos = live;
                c.ws();
            }
            int prefix = -1;
            if (c.peek() == '(' && c.pos + 3 < c.s.length() && c.s.charAt(c.pos + 3) == ')'
                    && isHex(c.s.charAt(c.pos + 1)) && isHex(c.s.charAt(c.pos + 2))) {
                prefix = Integer.parseInt(c.s.substring(c.pos + 1, c.pos + 3), 16);
                c.pos += 4;
                c.ws();
            }
            int first = out.size();
            statement(prefix == Op.LDDW);
            if (!c.end()) {
                throw err("unexpected '" + c.rest() + "'");
            }
            if (prefix >= 0 && out.get(first).opcode() != prefix) {
                throw err(String.format("opcode (%02x) does not match the instruction, which is (%02x)",
                        prefix, out.get(first).opcode()));
            }
        }

        private static boolean isHex(char ch) {
            return Character.digit(ch, 16) >= 0;
        }

        private void statement(boolean forceLddw) {
            if (c.acceptWord("exit")) {
                emit(Op.JMP | Op.EXIT, 0, 0, 0, 0);
            } else if (c.acceptWord("goto")) {
                target(Op.JMP | Op.JA, 0, 0, 0, false);
            } else if (c.acceptWord("gotol")) {
                target(Op.JMP32 | Op.JA, 0, 0, 0, true);
            } else if (c.acceptWord("may_goto")) {
                target(Op.JMP | Op.JCOND, 0, Op.MAY_GOTO, 0, false);
            } else if (c.acceptWord("callx")) {
                emit(Op.JMP | Op.CALL | Op.X, reg64(), 0, 0, 0);
            } else if (c.acceptWord("call")) {
                call();
            } else if (c.acceptWord("if")) {
                cond();
            } else if (c.acceptWord("lock")) {
                lock();
            } else if (c.acceptWord(".insn")) {
                rawInsn();
            } else if (c.peek() == '*') {
                store();
            } else {
                int[] dst = c.reg();
                if (dst == null) {
                    throw err("unknown instruction '" + c.rest() + "'");
                }
                c.ws();
                if (c.accept("=")) {
                    assign(dst, forceLddw);
                } else {
                    alu(dst);
                }
            }
        }

        // if rD OP (rS | imm) goto TARGET
        private void cond() {
            int[] dst = c.reg();
            if (dst == null) {
                throw err("expected a register after 'if'");
            }
            c.ws();
            String opText = c.token("s>=", "s<=", "s>", "s<", "==", "!=", ">=", "<=", ">", "<", "&");
            if (opText == null) {
                throw err("unknown comparison '" + c.rest() + "'");
            }
            int op = switch (opText) {
                case "==" -> Op.JEQ;
                case "!=" -> Op.JNE;
                case ">" -> Op.JGT;
                case ">=" -> Op.JGE;
                case "<" -> Op.JLT;
                case "<=" -> Op.JLE;
                case "&" -> Op.JSET;
                case "s>" -> Op.JSGT;
                case "s>=" -> Op.JSGE;
                case "s<" -> Op.JSLT;
                default -> Op.JSLE;
            };
            int cls = dst[0] == 'w' ? Op.JMP32 : Op.JMP;
            c.ws();
            int[] src = c.reg();
            int code;
            int srcReg = 0;
            int imm = 0;
            if (src != null) {
                sameWidth(dst, src);
                code = cls | op | Op.X;
                srcReg = src[1];
            } else {
                code = cls | op | Op.K;
                imm = imm32(c.number(), true);
            }
            c.ws();
            if (!c.acceptWord("goto")) {
                throw err("expected 'goto' in a conditional jump");
            }
            target(code, dst[1], srcReg, imm, false);
        }

        // pc+N, +N, -N or a label; into off, or into imm for gotol
        private void target(int code, int dst, int src, int imm, boolean inImm) {
            c.ws();
            if (c.pcAhead()) {
                c.pos += 2;
            }
            char ch = c.peek();
            if (ch == '+' || ch == '-') {
                long rel = c.number();
                if (inImm) {
                    emit(code, dst, src, 0, imm32s(rel, "jump offset"));
                } else {
                    emit(code, dst, src, off16(rel, "jump offset"), imm);
                }
                return;
            }
            String label = c.word();
            if (label == null || Character.isDigit(label.charAt(0))) {
                throw err("expected a jump target (pc+N, +N, -N or a label)");
            }
            fixups.add(new Fixup(out.size(), label, inImm, lineNo, -1));
            emit(code, dst, src, 0, imm);
        }

        private void call() {
            c.ws();
            char ch = c.peek();
            if (c.pcAhead() || ch == '+' || ch == '-') {
                target(Op.JMP | Op.CALL, 0, Op.PSEUDO_CALL, 0, true);
                return;
            }
            if (Character.isDigit(ch)) {
                emit(Op.JMP | Op.CALL, 0, Op.CALL_HELPER, 0, imm32s(c.number(), "helper id"));
                return;
            }
            int start = c.pos;
            while (!c.end() && !Character.isWhitespace(c.peek()) && c.peek() != '#') {
                c.pos++;
            }
            String name = c.s.substring(start, c.pos);
            if (name.isEmpty()) {
                throw err("call needs a target");
            }
            if (c.accept("#")) {
                int id = imm32s(c.number(), "call id");
                if (name.equals("kernel-function")) {
                    int btf = 0;
                    if (c.accept("[")) {
                        c.expect("btf:");
                        btf = off16(c.number(), "kfunc btf index");
                        c.expect("]");
                    }
                    emit(Op.JMP | Op.CALL, 0, Op.PSEUDO_KFUNC_CALL, btf, id);
                } else {
                    emit(Op.JMP | Op.CALL, 0, Op.CALL_HELPER, 0, id);
                }
                return;
            }
            // a label wins over a helper of the same name; which one it is is known at the end
            fixups.add(new Fixup(out.size(), name, true, lineNo, HelperIds.byName(name)));
            emit(Op.JMP | Op.CALL, 0, Op.PSEUDO_CALL, 0, 0);
        }

        // lock *(u64 *)(rD +OFF) OP= rS
        private void lock() {
            c.ws();
            int size = sizeType(false);
            int[] a = address();
            c.ws();
            String opText = c.token("+=", "|=", "&=", "^=");
            if (opText == null) {
                throw err("atomic operation must be +=, |=, &= or ^=");
            }
            int op = switch (opText) {
                case "+=" -> Op.ADD;
                case "|=" -> Op.OR;
                case "&=" -> Op.AND;
                default -> Op.XOR;
            };
            c.ws();
            emit(Op.STX | Op.ATOMIC | size, a[0], reg64(), a[1], op);
        }

        // *(u32 *)(rD +OFF) = rS | imm
        private void store() {
            int size = sizeType(false);
            int[] a = address();
            c.ws();
            c.expect("=");
            c.ws();
            int[] src = c.reg();
            if (src != null) {
                requireR(src);
                emit(Op.STX | Op.MEM | size, a[0], src[1], a[1], 0);
            } else {
                emit(Op.ST | Op.MEM | size, a[0], 0, a[1], imm32(c.number(), size != Op.DW));
            }
        }

        private void assign(int[] dst, boolean forceLddw) {
            c.ws();
            char ch = c.peek();
            if (c.s.startsWith("*(", c.pos)) {
                load(dst);
            } else if (ch == '-' && c.pos + 1 < c.s.length() && (c.s.charAt(c.pos + 1) == 'r'
                    || c.s.charAt(c.pos + 1) == 'w')) {
                c.pos++;
                int[] src = c.reg();
                if (src == null || src[1] != dst[1]) {
                    throw err("neg takes its destination register: " + regName(dst) + " = -" + regName(dst));
                }
                sameWidth(dst, src);
                emit(aluClass(dst) | Op.NEG, dst[1], 0, 0, 0);
            } else if (ch == '(' && c.s.startsWith("(s", c.pos)) {
                c.expect("(s");
                int bits = (int) c.number();
                c.expect(")");
                int[] src = c.reg();
                if (src == null) {
                    throw err("expected a register after (s" + bits + ")");
                }
                sameWidth(dst, src);
                if (bits != 8 && bits != 16 && !(bits == 32 && dst[0] == 'r')) {
                    throw err("movsx from " + bits + " bits: want 8, 16" + (dst[0] == 'r' ? " or 32" : ""));
                }
                emit(aluClass(dst) | Op.MOV | Op.X, dst[1], src[1], bits, 0);
            } else if (c.acceptWord("addr_space_cast")) {
                requireR(dst);
                c.expect("(");
                int src = reg64();
                c.ws();
                c.expect(",");
                c.ws();
                long to = c.number();
                c.ws();
                c.expect(",");
                c.ws();
                long from = c.number();
                c.ws();
                c.expect(")");
                emit(Op.ALU64 | Op.MOV | Op.X, dst[1], src, 1, (int) (to << 16 | (from & 0xffff)));
            } else if (c.s.startsWith("atomic", c.pos)) {
                atomicFetch(dst);
            } else if (c.s.startsWith("map[", c.pos) || c.s.startsWith("btf_id[", c.pos)
                    || c.s.startsWith("subprog[", c.pos)) {
                requireR(dst);
                pseudoLddw(dst[1]);
                c.ws();
                c.acceptWord("ll");
            } else if (c.endianAhead()) {
                endian(dst, c.token("bswap", "be", "le"));
            } else if (c.peek() == 'r' || c.peek() == 'w') {
                int[] src = c.reg();
                if (src == null) {
                    throw err("unknown operand '" + c.rest() + "'");
                }
                sameWidth(dst, src);
                emit(aluClass(dst) | Op.MOV | Op.X, dst[1], src[1], 0, 0);
            } else {
                long v = c.number();
                c.ws();
                boolean ll = c.acceptWord("ll");
                if (ll || forceLddw || (dst[0] == 'r' && (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE))) {
                    requireR(dst);
                    emit(Op.LDDW, dst[1], 0, 0, (int) v);
                    emit(0, 0, 0, 0, (int) (v >>> 32));
                } else {
                    emit(aluClass(dst) | Op.MOV | Op.K, dst[1], 0, 0, imm32(v, dst[0] == 'w'));
                }
            }
        }

        private void endian(int[] dst, String kind) {
            int bits = (int) c.number();
            c.ws();
            int[] src = c.reg();
            if (src == null || src[1] != dst[1] || src[0] != 'r' || dst[0] != 'r') {
                throw err("byte swap takes its destination register: r" + dst[1] + " = " + kind + bits + " r" + dst[1]);
            }
            if (bits != 16 && bits != 32 && bits != 64) {
                throw err("byte swap of " + bits + " bits: want 16, 32 or 64");
            }
            int code = switch (kind) {
                case "bswap" -> Op.ALU64 | Op.END | Op.TO_LE;
                case "be" -> Op.ALU | Op.END | Op.TO_BE;
                default -> Op.ALU | Op.END | Op.TO_LE;
            };
            emit(code, dst[1], 0, 0, bits);
        }

        // r2 = atomic64_fetch_add((u64 *)(r1 +0), r2), atomic64_xchg(...), r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r2)
        private void atomicFetch(int[] dst) {
            requireR(dst);
            c.expect("atomic");
            boolean dw = c.accept("64");
            String name = c.token("_fetch_add", "_fetch_and", "_fetch_or", "_fetch_xor", "_xchg", "_cmpxchg");
            if (name == null) {
                throw err("unknown atomic operation '" + c.rest() + "'");
            }
            c.expect("(");
            c.expect("(");
            int size = sizeType(false);
            if (dw != (size == Op.DW)) {
                throw err("atomic" + (dw ? "64" : "") + " needs a " + (dw ? "u64" : "u32") + " operand");
            }
            int[] a = address();
            c.ws();
            c.expect(",");
            c.ws();
            int imm = switch (name) {
                case "_fetch_add" -> Op.ADD | Op.FETCH;
                case "_fetch_and" -> Op.AND | Op.FETCH;
                case "_fetch_or" -> Op.OR | Op.FETCH;
                case "_fetch_xor" -> Op.XOR | Op.FETCH;
                case "_xchg" -> Op.XCHG;
                default -> Op.CMPXCHG;
            };
            if (imm == Op.CMPXCHG) {
                if (dst[1] != 0 || reg64() != 0) {
                    throw err("cmpxchg compares and returns r0: r0 = atomic64_cmpxchg((u64 *)(rD +OFF), r0, rS)");
                }
                c.ws();
                c.expect(",");
                c.ws();
            }
            int src = reg64();
            c.ws();
            c.expect(")");
            if (imm != Op.CMPXCHG && src != dst[1]) {
                throw err("atomic fetch returns into its source register: r" + src + " = ...");
            }
            emit(Op.STX | Op.ATOMIC | size, a[0], src, a[1], imm);
        }

        // the pseudo forms of Disasm's lddw
        private void pseudoLddw(int dst) {
            if (c.accept("subprog[")) {
                c.ws();
                char ch = c.peek();
                if (ch == '+' || ch == '-') {
                    int rel = imm32s(c.number(), "subprog offset");
                    c.expect("]");
                    emit(Op.LDDW, dst, Op.PSEUDO_FUNC, 0, rel);
                } else {
                    String label = c.word();
                    if (label == null) {
                        throw err("subprog[] needs +N, -N or a label");
                    }
                    c.expect("]");
                    fixups.add(new Fixup(out.size(), label, true, lineNo, -1));
                    emit(Op.LDDW, dst, Op.PSEUDO_FUNC, 0, 0);
                }
                emit(0, 0, 0, 0, 0);
                return;
            }
            if (c.accept("btf_id[")) {
                int id = u32(c.number(), "btf id");
                c.expect("]");
                int fd = 0;
                if (c.accept("[fd:")) {
                    fd = u32(c.number(), "btf fd");
                    c.expect("]");
                }
                emit(Op.LDDW, dst, Op.PSEUDO_BTF_ID, 0, id);
                emit(0, 0, 0, 0, fd);
                return;
            }
            c.expect("map[");
            int kind;
            int ref;
            if (c.accept("id:") || c.accept("fd:")) {
                kind = Op.PSEUDO_MAP_FD;
                ref = u32(c.number(), "map id");
            } else if (c.accept("idx:")) {
                kind = Op.PSEUDO_MAP_IDX;
                ref = u32(c.number(), "map index");
            } else {
                int close = c.s.indexOf(']', c.pos);
                if (close < 0) {
                    throw err("map[ without ]");
                }
                String name = c.s.substring(c.pos, close);
                c.pos = close;
                if (mapIndex == null) {
                    throw err("map " + name + ": no map names known here, write map[idx:N]");
                }
                ref = mapIndex.applyAsInt(name);
                if (ref < 0) {
                    throw err("map " + name + ": no such map");
                }
                kind = Op.PSEUDO_MAP_IDX;
            }
            c.expect("]");
            int value = 0;
            boolean valueForm = c.accept("[0]");
            if (valueForm || c.peek() == '+') {
                c.expect("+");
                value = u32(c.number(), "map value offset");
                kind = kind == Op.PSEUDO_MAP_FD ? Op.PSEUDO_MAP_VALUE : Op.PSEUDO_MAP_IDX_VALUE;
            }
            emit(Op.LDDW, dst, kind, 0, ref);
            emit(0, 0, 0, 0, value);
        }

        private void load(int[] dst) {
            requireR(dst);
            c.expect("*(");
            boolean signed = c.peek() == 's';
            int size = sizeType(true);
            if (c.accept("skb[")) {
                if (dst[1] != 0) {
                    throw err("packet loads return in r0");
                }
                c.ws();
                int[] src = c.reg();
                int srcReg = 0;
                int mode = Op.ABS;
                if (src != null) {
                    requireR(src);
                    srcReg = src[1];
                    mode = Op.IND;
                    c.ws();
                    c.expect("+");
                    c.ws();
                }
                int imm = imm32s(c.number(), "packet offset");
                c.ws();
                c.expect("]");
                emit(Op.LD | mode | size, 0, srcReg, 0, imm);
                return;
            }
            int[] a = address();
            emit(Op.LDX | (signed ? Op.MEMSX : Op.MEM) | size, dst[1], a[0], a[1], 0);
        }

        // u8/u16/u32/u64 (s8/s16/s32 where allowed) followed by " *)"
        private int sizeType(boolean allowSigned) {
            c.accept("*(");
            char sign = c.peek();
            if (sign != 'u' && !(allowSigned && sign == 's')) {
                throw err("expected a size type u8, u16, u32 or u64" + (allowSigned ? " (or s8, s16, s32)" : ""));
            }
            c.pos++;
            int bits = (int) c.number();
            int size = switch (bits) {
                case 8 -> Op.B;
                case 16 -> Op.H;
                case 32 -> Op.W;
                case 64 -> sign == 'u' ? Op.DW : -1;
                default -> -1;
            };
            if (size < 0) {
                throw err("bad size type " + sign + bits);
            }
            c.ws();
            c.expect("*)");
            return size;
        }

        // (rN +OFF), (rN -OFF), (rN)
        private int[] address() {
            c.ws();
            c.expect("(");
            c.ws();
            int reg = reg64();
            c.ws();
            int off = 0;
            if (c.peek() == '+' || c.peek() == '-') {
                off = off16(c.number(), "offset");
            }
            c.ws();
            c.expect(")");
            return new int[] {reg, off};
        }

        // rD OP= (rS | imm), with the signed s/= and s%= of v4
        private void alu(int[] dst) {
            String opText = c.token("s>>=", "s/=", "s%=", "<<=", ">>=", "+=", "-=", "*=", "/=", "|=", "&=", "%=", "^=");
            if (opText == null) {
                throw err("unknown operation '" + c.rest() + "'");
            }
            int off = opText.equals("s/=") || opText.equals("s%=") ? 1 : 0;
            int op = switch (opText) {
                case "+=" -> Op.ADD;
                case "-=" -> Op.SUB;
                case "*=" -> Op.MUL;
                case "/=", "s/=" -> Op.DIV;
                case "|=" -> Op.OR;
                case "&=" -> Op.AND;
                case "<<=" -> Op.LSH;
                case ">>=" -> Op.RSH;
                case "%=", "s%=" -> Op.MOD;
                case "^=" -> Op.XOR;
                default -> Op.ARSH;
            };
            c.ws();
            int[] src = c.reg();
            if (src != null) {
                sameWidth(dst, src);
                emit(aluClass(dst) | op | Op.X, dst[1], src[1], off, 0);
            } else {
                emit(aluClass(dst) | op | Op.K, dst[1], 0, off, imm32(c.number(), dst[0] == 'w'));
            }
        }

        // .insn 0xOP dst=D src=S off=O imm=I: any encoding, for tests of what the loader rejects
        private void rawInsn() {
            c.ws();
            int code = (int) c.number();
            c.ws();
            c.expect("dst=");
            int dst = (int) c.number();
            c.ws();
            c.expect("src=");
            int src = (int) c.number();
            c.ws();
            c.expect("off=");
            int off = off16(c.number(), "off");
            c.ws();
            c.expect("imm=");
            int imm = imm32(c.number(), true);
            if (code < 0 || code > 0xff || dst < 0 || dst > 15 || src < 0 || src > 15) {
                throw err(".insn field out of range");
            }
            emit(code, dst, src, off, imm);
        }

        private void emit(int code, int dst, int src, int off, int imm) {
            out.add(new Insn(code, dst, src, off, imm));
        }

        private int reg64() {
            int[] r = c.reg();
            if (r == null) {
                throw err("expected a register, found '" + c.rest() + "'");
            }
            requireR(r);
            return r[1];
        }

        private void requireR(int[] r) {
            if (r[0] != 'r') {
                throw err("w" + r[1] + " here must be r" + r[1]);
            }
        }

        private void sameWidth(int[] a, int[] b) {
            if (a[0] != b[0]) {
                throw err("mixed widths " + regName(a) + " and " + regName(b));
            }
        }

        private static String regName(int[] r) {
            return (char) r[0] + Integer.toString(r[1]);
        }

        private static int aluClass(int[] dst) {
            return dst[0] == 'w' ? Op.ALU : Op.ALU64;
        }

        /** 32-bit immediates: signed, or also unsigned where the operation reads only 32 bits. */
        private int imm32(long v, boolean allowUnsigned) {
            if (v >= Integer.MIN_VALUE && v <= (allowUnsigned ? 0xffffffffL : Integer.MAX_VALUE)) {
                return (int) v;
            }
            throw err("immediate " + v + " does not fit in 32 " + (allowUnsigned ? "" : "signed ") + "bits");
        }

        private int imm32s(long v, String what) {
            if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                return (int) v;
            }
            throw err(what + " " + v + " does not fit in 32 signed bits");
        }

        private int u32(long v, String what) {
            if (v >= 0 && v <= 0xffffffffL) {
                return (int) v;
            }
            throw err(what + " " + v + " does not fit in 32 unsigned bits");
        }

        private int off16(long v, String what) {
            if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
                return (int) v;
            }
            throw err(what + " " + v + " does not fit in 16 signed bits");
        }

        private AsmException err(String what) {
            return new AsmException(lineNo, what);
        }

        /** A position in one line of text. */
        private final class Cursor {
            final String s;
            int pos;

            Cursor(String s) {
                this.s = s.strip();
            }

            boolean end() {
                ws();
                return pos >= s.length();
            }

            char peek() {
                return pos < s.length() ? s.charAt(pos) : '\0';
            }

            String rest() {
                return s.substring(Math.min(pos, s.length()));
            }

            void ws() {
                while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                    pos++;
                }
            }

            boolean accept(String t) {
                if (s.startsWith(t, pos)) {
                    pos += t.length();
                    return true;
                }
                return false;
            }

            void expect(String t) {
                if (!accept(t)) {
                    throw err("expected '" + t + "' at '" + rest() + "'");
                }
            }

            /** A keyword not followed by more of an identifier. */
            boolean acceptWord(String w) {
                if (s.startsWith(w, pos) && !isIdent(pos + w.length())) {
                    pos += w.length();
                    return true;
                }
                return false;
            }

            /** The first of the tokens that starts here (callers list longer ones first). */
            String token(String... options) {
                for (String t : options) {
                    if (s.startsWith(t, pos)) {
                        pos += t.length();
                        return t;
                    }
                }
                return null;
            }

            private boolean isIdent(int i) {
                if (i >= s.length()) {
                    return false;
                }
                char ch = s.charAt(i);
                return Character.isLetterOrDigit(ch) || ch == '_' || ch == '.';
            }

            /** {@code pc+N} or {@code pc-N} starts here. */
            boolean pcAhead() {
                return s.startsWith("pc", pos) && pos + 2 < s.length()
                        && (s.charAt(pos + 2) == '+' || s.charAt(pos + 2) == '-');
            }

            /** {@code be16}, {@code le32}, {@code bswap64}... starts here. */
            boolean endianAhead() {
                int at = s.startsWith("bswap", pos) ? pos + 5
                        : s.startsWith("be", pos) || s.startsWith("le", pos) ? pos + 2 : -1;
                return at > 0 && at < s.length() && Character.isDigit(s.charAt(at));
            }

            /** An identifier or label name ([A-Za-z0-9_.]+), or null. */
            String word() {
                int start = pos;
                while (isIdent(pos)) {
                    pos++;
                }
                return pos > start ? s.substring(start, pos) : null;
            }

            /** {'r' or 'w', number} for r0..r10 / w0..w10, or null (position unchanged) when not a register. */
            int[] reg() {
                ws();
                char kind = peek();
                if (kind != 'r' && kind != 'w') {
                    return null;
                }
                int i = pos + 1;
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    i++;
                }
                if (i == pos + 1 || isIdent(i)) {
                    return null;
                }
                int n = Integer.parseInt(s.substring(pos + 1, Math.min(i, pos + 4)));
                if (i - pos > 3 || n > 10) {
                    throw err("no register " + s.substring(pos, i) + ": registers are r0..r10");
                }
                pos = i;
                return new int[] {kind, n};
            }

            /** A decimal or 0x hexadecimal integer with an optional sign; up to 64 bits unsigned. */
            long number() {
                ws();
                boolean neg = false;
                if (peek() == '+' || peek() == '-') {
                    neg = peek() == '-';
                    pos++;
                    ws();
                }
                int radix = 10;
                if (s.startsWith("0x", pos) || s.startsWith("0X", pos)) {
                    radix = 16;
                    pos += 2;
                }
                int start = pos;
                while (pos < s.length() && Character.digit(s.charAt(pos), radix) >= 0) {
                    pos++;
                }
                if (pos == start || isIdent(pos)) {
                    throw err("expected a number at '" + s.substring(start) + "'");
                }
                long v;
                try {
                    v = Long.parseUnsignedLong(s.substring(start, pos), radix);
                } catch (NumberFormatException e) {
                    throw err("number " + s.substring(start, pos) + " does not fit in 64 bits");
                }
                return neg ? -v : v;
            }
        }
    }
}
