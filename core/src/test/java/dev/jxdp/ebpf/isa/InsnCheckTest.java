package dev.jxdp.ebpf.isa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jxdp.ebpf.BpfException;
import org.junit.jupiter.api.Test;

class InsnCheckTest {

    private static String why(int code, int dst, int src, int off, int imm) {
        return InsnCheck.reason(new Insn(code, dst, src, off, imm));
    }

    @Test
    void unknownOpcodesAreNamedInHex() {
        assertEquals("unknown opcode e4", why(0xe4, 1, 0, 0, 0));
        assertEquals("unknown opcode 99", why(0x99, 1, 2, 0, 0)); // ldsx of 64 bits
        assertEquals("unknown opcode 8e", why(0x8e, 0, 0, 0, 0)); // JMP32 call
        assertEquals("unknown opcode 96", why(0x96, 0, 0, 0, 0)); // JMP32 exit
        assertEquals("unknown opcode 00", why(0x00, 0, 0, 0, 0));
    }

    @Test
    void registersAboveR10AreInvalid() {
        assertEquals("invalid register r11", why(0xbf, 11, 1, 0, 0));
        assertEquals("invalid register r15", why(0x61, 0, 15, 0, 0));
    }

    @Test
    void reservedFieldsMustBeZero() {
        assertEquals("BPF_ALU uses reserved fields", why(0x07, 1, 3, 0, 5));
        assertEquals("BPF_ALU uses reserved fields", why(0x0f, 1, 2, 0, 5));
        assertEquals("BPF_ALU uses reserved fields", why(0x0f, 1, 2, 1, 0)); // off=1 only for div/mod
        assertEquals("BPF_NEG uses reserved fields", why(0x8f, 1, 0, 0, 0));
        assertEquals("BPF_END uses reserved fields", why(0xdf, 1, 0, 0, 16)); // bswap has no BE form
        assertEquals("BPF_END uses reserved fields", why(0xd7, 1, 0, 0, 8));
        assertEquals("BPF_MOV uses reserved fields", why(0xbc, 1, 2, 32, 0)); // no 32-bit movsx from s32
        assertEquals("BPF_LDX uses reserved fields", why(0x61, 1, 2, 0, 1));
        assertEquals("BPF_ST uses reserved fields", why(0x62, 10, 1, -4, 0));
        assertEquals("BPF_CALL uses reserved fields", why(0x85, 0, 0, 1, 1));
        assertEquals("callx uses reserved fields", why(0x8d, 1, 0, 0, 1));
        assertEquals("BPF_EXIT uses reserved fields", why(0x95, 1, 0, 0, 0));
        assertEquals("BPF_JA uses reserved fields", why(0x06, 0, 0, 1, 5)); // gotol keeps its offset in imm
        assertEquals("BPF_LD_[ABS|IND] uses reserved fields", why(0x30, 1, 0, 0, 0));
    }

    @Test
    void atomicsNeedAKnownOperationAndAWordOrDoubleWord() {
        assertEquals("BPF_ATOMIC uses invalid atomic opcode 0xe0", why(0xdb, 1, 2, 0, 0xe0)); // xchg without fetch
        assertEquals("invalid atomic operand size", why(0xd3, 1, 2, 0, 0));
        assertNull(why(0xc3, 1, 2, 0, Op.CMPXCHG));
    }

    @Test
    void lddwNeedsAWellFormedSecondSlot() {
        assertEquals("lddw without its second slot", InsnCheck.reason(new Insn[] {new Insn(0x18, 1, 0, 0, 0)}, 0));
        assertEquals("invalid bpf_ld_imm64 insn: second slot uses reserved fields",
                InsnCheck.reason(new Insn[] {new Insn(0x18, 1, 0, 0, 0), new Insn(0, 1, 0, 0, 0)}, 0));
        assertEquals("unrecognized bpf_ld_imm64 insn: map reference with a non-zero upper half",
                InsnCheck.reason(new Insn[] {new Insn(0x18, 1, 5, 0, 0), new Insn(0, 0, 0, 0, 1)}, 0));
        assertEquals("invalid BPF_LD_IMM insn: pseudo kind 7",
                InsnCheck.reason(new Insn[] {new Insn(0x18, 1, 7, 0, 0), new Insn(0, 0, 0, 0, 0)}, 0));
    }

    @Test
    void jumpsMustLandOnAnInstruction() {
        Insn[] p = Asm.assemble("goto +3\nr1 = 0x100000000\nexit");
        assertEquals("jump out of range from insn 0 to 4", InsnCheck.reason(p, 0));
        Insn[] mid = Asm.assemble("goto +1\nr1 = 0x100000000\nexit");
        assertEquals("jump into the middle of lddw at insn 1", InsnCheck.reason(mid, 0));
        assertNull(InsnCheck.reason(Asm.assemble("goto +2\nr1 = 0x100000000\nexit"), 0));
    }

    @Test
    void requireValidNamesTheInstruction() {
        Insn[] p = Asm.assemble("r0 = 0\n.insn 0xe4 dst=1 src=0 off=0 imm=0\nexit");
        BpfException e = assertThrows(BpfException.class, () -> InsnCheck.requireValid(p));
        assertEquals("instruction 1: unknown opcode e4", e.getMessage());
    }
}
