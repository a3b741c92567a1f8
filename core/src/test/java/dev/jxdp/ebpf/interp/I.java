package dev.jxdp.ebpf.interp;

import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;

import java.util.ArrayList;
import java.util.List;

/** Instruction builders for tests (until the assembler lands): one method per instruction form. */
public final class I {
    private I() {}

    public static Insn alu64(int op, int dst, int imm) { return new Insn(Op.ALU64 | Op.K | op, dst, 0, 0, imm); }
    public static Insn alu64r(int op, int dst, int src) { return new Insn(Op.ALU64 | Op.X | op, dst, src, 0, 0); }
    public static Insn alu32(int op, int dst, int imm) { return new Insn(Op.ALU | Op.K | op, dst, 0, 0, imm); }
    public static Insn alu32r(int op, int dst, int src) { return new Insn(Op.ALU | Op.X | op, dst, src, 0, 0); }
    /** signed div/mod (off = 1) */
    public static Insn salu64(int op, int dst, int imm) { return new Insn(Op.ALU64 | Op.K | op, dst, 0, 1, imm); }
    public static Insn salu64r(int op, int dst, int src) { return new Insn(Op.ALU64 | Op.X | op, dst, src, 1, 0); }
    public static Insn salu32r(int op, int dst, int src) { return new Insn(Op.ALU | Op.X | op, dst, src, 1, 0); }
    public static Insn mov(int dst, int imm) { return alu64(Op.MOV, dst, imm); }
    public static Insn movr(int dst, int src) { return alu64r(Op.MOV, dst, src); }
    public static Insn movsx64(int dst, int src, int bits) { return new Insn(Op.ALU64 | Op.X | Op.MOV, dst, src, bits, 0); }
    public static Insn movsx32(int dst, int src, int bits) { return new Insn(Op.ALU | Op.X | Op.MOV, dst, src, bits, 0); }
    public static Insn end(int cls, int dir, int dst, int bits) { return new Insn(cls | dir | Op.END, dst, 0, 0, bits); }
    public static Insn ldx(int size, int dst, int src, int off) { return new Insn(Op.LDX | Op.MEM | size, dst, src, off, 0); }
    public static Insn ldxsx(int size, int dst, int src, int off) { return new Insn(Op.LDX | Op.MEMSX | size, dst, src, off, 0); }
    public static Insn stx(int size, int dst, int src, int off) { return new Insn(Op.STX | Op.MEM | size, dst, src, off, 0); }
    public static Insn st(int size, int dst, int off, int imm) { return new Insn(Op.ST | Op.MEM | size, dst, 0, off, imm); }
    public static Insn atomic(int size, int dst, int src, int off, int op) { return new Insn(Op.STX | Op.ATOMIC | size, dst, src, off, op); }
    public static Insn jmp(int op, int dst, int imm, int off) { return new Insn(Op.JMP | Op.K | op, dst, 0, off, imm); }
    public static Insn jmpr(int op, int dst, int src, int off) { return new Insn(Op.JMP | Op.X | op, dst, src, off, 0); }
    public static Insn jmp32(int op, int dst, int imm, int off) { return new Insn(Op.JMP32 | Op.K | op, dst, 0, off, imm); }
    public static Insn jmp32r(int op, int dst, int src, int off) { return new Insn(Op.JMP32 | Op.X | op, dst, src, off, 0); }
    public static Insn ja(int off) { return new Insn(Op.JMP | Op.JA, 0, 0, off, 0); }
    public static Insn gotol(int imm) { return new Insn(Op.JMP32 | Op.JA, 0, 0, 0, imm); }
    public static Insn call(int helper) { return new Insn(Op.JMP | Op.CALL, 0, 0, 0, helper); }
    public static Insn callLocal(int rel) { return new Insn(Op.JMP | Op.CALL, 0, Op.PSEUDO_CALL, 0, rel); }
    public static Insn callx(int reg) { return new Insn(Op.JMP | Op.X | Op.CALL, reg, 0, 0, 0); }
    public static Insn exit() { return new Insn(Op.JMP | Op.EXIT, 0, 0, 0, 0); }

    public static Insn[] lddw(int dst, long imm) {
        return new Insn[] {new Insn(Op.LDDW, dst, 0, 0, (int) imm), new Insn(0, 0, 0, 0, (int) (imm >>> 32))};
    }

    public static Insn[] lddw(int dst, int kind, int imm, int hiImm) {
        return new Insn[] {new Insn(Op.LDDW, dst, kind, 0, imm), new Insn(0, 0, 0, 0, hiImm)};
    }

    /** A program from instructions and instruction arrays (lddw), in order. */
    public static Insn[] prog(Object... parts) {
        List<Insn> out = new ArrayList<>();
        for (Object p : parts) {
            if (p instanceof Insn i) {
                out.add(i);
            } else {
                out.addAll(List.of((Insn[]) p));
            }
        }
        return out.toArray(Insn[]::new);
    }
}
