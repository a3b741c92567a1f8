package dev.jxdp.ebpf.interp;

import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;
import dev.jxdp.ebpf.runtime.BpfFault;
import org.junit.jupiter.api.Test;

import static dev.jxdp.ebpf.interp.I.*;
import static dev.jxdp.ebpf.isa.Op.*;
import static org.junit.jupiter.api.Assertions.*;

/** One test per instruction class and edge case of RFC 9669, run as raw programs. */
class InterpreterIsaTest {

    static long r0(Object... insns) {
        try (Harness h = new Harness(prog(insns))) {
            return h.runRaw(new byte[0]);
        }
    }

    static BpfFault faultOf(Object... insns) {
        return assertThrows(BpfFault.class, () -> r0(insns));
    }

    @Test
    void alu64Arithmetic() {
        assertEquals(12, r0(mov(0, 5), alu64(ADD, 0, 7), exit()));
        assertEquals(-2, r0(mov(0, 5), alu64(SUB, 0, 7), exit()));
        assertEquals(35, r0(mov(0, 5), mov(1, 7), alu64r(MUL, 0, 1), exit()));
        assertEquals(0x0f, r0(mov(0, 0xff), alu64(AND, 0, 0x0f), exit()));
        assertEquals(0xff, r0(mov(0, 0xf0), alu64(OR, 0, 0x0f), exit()));
        assertEquals(0xf0, r0(mov(0, 0xff), alu64(XOR, 0, 0x0f), exit()));
        assertEquals(-5, r0(mov(0, 5), alu64(NEG, 0, 0), exit()));
    }

    @Test
    void alu64ImmediateIsSignExtended() {
        assertEquals(-1L, r0(mov(0, -1), exit()));
        assertEquals(0xffffffff_fffffff0L, r0(mov(0, 0), alu64(ADD, 0, -16), exit()));
    }

    @Test
    void alu32ZeroExtendsItsResult() {
        assertEquals(0xffffffffL, r0(mov(0, -1), alu32(ADD, 0, 0), exit()));
        assertEquals(0, r0(mov(0, -1), alu32(ADD, 0, 1), exit()));
        assertEquals(0xffffffffL, r0(alu32(MOV, 0, -1), exit()));
        assertEquals(0x1, r0(lddw(0, 0x1234_5678_0000_0000L), alu32(ADD, 0, 1), exit()));
        assertEquals(0xfffffffbL, r0(mov(0, 5), alu32(NEG, 0, 0), exit()));
    }

    @Test
    void unsignedDivisionAndModulo() {
        assertEquals(0x7fffffff_ffffffffL, r0(mov(0, -1), alu64(DIV, 0, 2), exit()));
        // the immediate is sign-extended first: 5 / 0xffff...ffff = 0
        assertEquals(0, r0(mov(0, 5), alu64(DIV, 0, -1), exit()));
        assertEquals(1, r0(mov(0, -1), alu64(MOD, 0, 2), exit()));
        assertEquals(0x7fffffffL, r0(mov(0, -1), alu32(DIV, 0, 2), exit()));
    }

    @Test
    void divisionByZeroGivesZero() {
        assertEquals(0, r0(mov(0, 7), mov(1, 0), alu64r(DIV, 0, 1), exit()));
        assertEquals(0, r0(mov(0, 7), alu64(DIV, 0, 0), exit()));
        assertEquals(0, r0(mov(0, 7), mov(1, 0), alu32r(DIV, 0, 1), exit()));
        assertEquals(0, r0(mov(0, 7), mov(1, 0), salu64r(DIV, 0, 1), exit()));
        assertEquals(0, r0(mov(0, 7), mov(1, 0), salu32r(DIV, 0, 1), exit()));
    }

    @Test
    void moduloByZeroKeepsTheDividend() {
        assertEquals(-7L, r0(mov(0, -7), mov(1, 0), alu64r(MOD, 0, 1), exit()));
        assertEquals(-7L, r0(mov(0, -7), mov(1, 0), salu64r(MOD, 0, 1), exit()));
        // 32-bit: the upper half is zeroed
        assertEquals(0xfffffff9L, r0(mov(0, -7), mov(1, 0), alu32r(MOD, 0, 1), exit()));
        assertEquals(0xfffffff9L, r0(mov(0, -7), mov(1, 0), salu32r(MOD, 0, 1), exit()));
        assertEquals(7, r0(lddw(0, 0x5_0000_0007L), mov(1, 0), alu32r(MOD, 0, 1), exit()));
    }

    @Test
    void signedDivisionAndModulo() {
        assertEquals(-3, r0(mov(0, -7), salu64(DIV, 0, 2), exit()));
        assertEquals(-1, r0(mov(0, -7), salu64(MOD, 0, 2), exit()));
        assertEquals(Long.MIN_VALUE, r0(lddw(0, Long.MIN_VALUE), mov(1, -1), salu64r(DIV, 0, 1), exit()));
        assertEquals(0, r0(lddw(0, Long.MIN_VALUE), mov(1, -1), salu64r(MOD, 0, 1), exit()));
        assertEquals(0x80000000L, r0(alu32(MOV, 0, Integer.MIN_VALUE), mov(1, -1), salu32r(DIV, 0, 1), exit()));
        assertEquals(0, r0(alu32(MOV, 0, Integer.MIN_VALUE), mov(1, -1), salu32r(MOD, 0, 1), exit()));
        assertEquals(0xfffffffdL, r0(mov(0, -7), mov(1, 2), salu32r(DIV, 0, 1), exit()));
    }

    @Test
    void shiftsMaskTheirCount() {
        assertEquals(1, r0(mov(0, 1), mov(1, 64), alu64r(LSH, 0, 1), exit()));
        assertEquals(2, r0(mov(0, 1), mov(1, 65), alu64r(LSH, 0, 1), exit()));
        assertEquals(1, r0(mov(0, 1), mov(1, 32), alu32r(LSH, 0, 1), exit()));
        assertEquals(0x80000000L, r0(mov(0, 1), alu32(LSH, 0, 31), exit()));
        assertEquals(1, r0(mov(0, -1), alu64(RSH, 0, 63), exit()));
        assertEquals(0xffffffffL, r0(mov(0, -1), mov(1, 32), alu32r(RSH, 0, 1), exit()));
    }

    @Test
    void arithmeticShiftsKeepTheSign() {
        assertEquals(-4, r0(mov(0, -16), alu64(ARSH, 0, 2), exit()));
        assertEquals(0xf8000000L, r0(alu32(MOV, 0, Integer.MIN_VALUE), alu32(ARSH, 0, 4), exit()));
    }

    @Test
    void movsxSignExtends() {
        assertEquals(-128, r0(mov(1, 0x80), movsx64(0, 1, 8), exit()));
        assertEquals(-32768, r0(mov(1, 0x8000), movsx64(0, 1, 16), exit()));
        assertEquals(Integer.MIN_VALUE, r0(alu32(MOV, 1, Integer.MIN_VALUE), movsx64(0, 1, 32), exit()));
        assertEquals(0xffffff80L, r0(mov(1, 0x80), movsx32(0, 1, 8), exit()));
        assertEquals(0xffff8000L, r0(mov(1, 0x8000), movsx32(0, 1, 16), exit()));
    }

    @Test
    void byteSwaps() {
        long v = 0x12345678_9abcdef0L;
        assertEquals(0xdef0, r0(lddw(0, v), end(ALU, TO_LE, 0, 16), exit()));
        assertEquals(0x9abcdef0L, r0(lddw(0, v), end(ALU, TO_LE, 0, 32), exit()));
        assertEquals(v, r0(lddw(0, v), end(ALU, TO_LE, 0, 64), exit()));
        assertEquals(0xf0de, r0(lddw(0, v), end(ALU, TO_BE, 0, 16), exit()));
        assertEquals(0xf0debc9aL, r0(lddw(0, v), end(ALU, TO_BE, 0, 32), exit()));
        assertEquals(0xf0debc9a_78563412L, r0(lddw(0, v), end(ALU, TO_BE, 0, 64), exit()));
        // v4 bswap (ALU64 class) is unconditional
        assertEquals(0xf0de, r0(lddw(0, v), end(ALU64, TO_LE, 0, 16), exit()));
        assertEquals(0xf0debc9a_78563412L, r0(lddw(0, v), end(ALU64, TO_LE, 0, 64), exit()));
    }

    @Test
    void loadsAndStoresOnTheStack() {
        assertEquals(0x1122334455667788L, r0(lddw(1, 0x1122334455667788L), stx(DW, 10, 1, -8), ldx(DW, 0, 10, -8), exit()));
        assertEquals(0x88, r0(lddw(1, 0x1122334455667788L), stx(DW, 10, 1, -8), ldx(B, 0, 10, -8), exit()));
        assertEquals(0x7788, r0(lddw(1, 0x1122334455667788L), stx(DW, 10, 1, -8), ldx(H, 0, 10, -8), exit()));
        assertEquals(0x55667788, r0(lddw(1, 0x1122334455667788L), stx(DW, 10, 1, -8), ldx(W, 0, 10, -8), exit()));
        // ST sign-extends its immediate to the store size
        assertEquals(-2L, r0(st(DW, 10, -8, -2), ldx(DW, 0, 10, -8), exit()));
        assertEquals(0xfffe, r0(st(H, 10, -8, -2), ldx(H, 0, 10, -8), exit()));
    }

    @Test
    void signExtendingLoads() {
        assertEquals(-1L, r0(st(B, 10, -8, 0xff), ldxsx(B, 0, 10, -8), exit()));
        assertEquals(-32768L, r0(st(H, 10, -8, 0x8000), ldxsx(H, 0, 10, -8), exit()));
        assertEquals(Integer.MIN_VALUE, r0(st(W, 10, -8, Integer.MIN_VALUE), ldxsx(W, 0, 10, -8), exit()));
        assertEquals(0x7f, r0(st(B, 10, -8, 0x7f), ldxsx(B, 0, 10, -8), exit()));
    }

    @Test
    void jumps64CompareUnsignedAndSigned() {
        // -1 > 1 unsigned, not signed
        assertEquals(1, r0(mov(1, -1), mov(0, 0), jmp(JGT, 1, 1, 1), exit(), mov(0, 1), exit()));
        assertEquals(0, r0(mov(1, -1), mov(0, 0), jmp(JSGT, 1, 1, 1), exit(), mov(0, 1), exit()));
        assertEquals(1, r0(mov(1, -1), mov(0, 0), jmp(JSLT, 1, 0, 1), exit(), mov(0, 1), exit()));
        assertEquals(1, r0(mov(1, 6), mov(0, 0), jmp(JSET, 1, 2, 1), exit(), mov(0, 1), exit()));
        assertEquals(0, r0(mov(1, 6), mov(0, 0), jmp(JSET, 1, 1, 1), exit(), mov(0, 1), exit()));
        assertEquals(1, r0(mov(1, 3), mov(2, 3), mov(0, 0), jmpr(JLE, 1, 2, 1), exit(), mov(0, 1), exit()));
        assertEquals(1, r0(mov(1, 3), mov(2, 4), mov(0, 0), jmpr(JNE, 1, 2, 1), exit(), mov(0, 1), exit()));
        assertEquals(1, r0(mov(1, -3), mov(0, 0), jmp(JSGE, 1, -3, 1), exit(), mov(0, 1), exit()));
    }

    @Test
    void jumps32LookAtTheLowHalfOnly() {
        assertEquals(1, r0(lddw(1, 0x1_0000_0005L), mov(0, 0), jmp32(JEQ, 1, 5, 1), exit(), mov(0, 1), exit()));
        assertEquals(0, r0(lddw(1, 0x1_0000_0005L), mov(0, 0), jmp(JEQ, 1, 5, 1), exit(), mov(0, 1), exit()));
        assertEquals(1, r0(lddw(1, 0x0_8000_0000L), mov(0, 0), jmp32(JSLT, 1, 0, 1), exit(), mov(0, 1), exit()));
        assertEquals(1, r0(lddw(1, 0x0_ffff_ffffL), mov(2, 1), mov(0, 0), jmp32r(JGT, 1, 2, 1), exit(), mov(0, 1), exit()));
    }

    @Test
    void unconditionalJumpsBothWidths() {
        assertEquals(2, r0(mov(0, 1), ja(1), exit(), mov(0, 2), exit()));
        assertEquals(2, r0(mov(0, 1), gotol(1), exit(), mov(0, 2), exit()));
        assertEquals(3, r0(mov(0, 0), alu64(ADD, 0, 1), jmp(JLT, 0, 3, -2), exit()));
    }

    @Test
    void atomicsWithAndWithoutFetch() {
        // *(u64 *)(r10 -8) = 10; lock += 5
        assertEquals(15, r0(st(DW, 10, -8, 10), mov(1, 5), atomic(DW, 10, 1, -8, ADD), ldx(DW, 0, 10, -8), exit()));
        assertEquals(10, r0(st(DW, 10, -8, 10), mov(1, 5), atomic(DW, 10, 1, -8, ADD | FETCH), movr(0, 1), exit()));
        assertEquals(0b1110, r0(st(DW, 10, -8, 0b1100), mov(1, 0b0110), atomic(DW, 10, 1, -8, OR), ldx(DW, 0, 10, -8), exit()));
        assertEquals(0b0100, r0(st(DW, 10, -8, 0b1100), mov(1, 0b0110), atomic(DW, 10, 1, -8, AND), ldx(DW, 0, 10, -8), exit()));
        assertEquals(0b1010, r0(st(DW, 10, -8, 0b1100), mov(1, 0b0110), atomic(DW, 10, 1, -8, XOR), ldx(DW, 0, 10, -8), exit()));
        assertEquals(0b1100, r0(st(DW, 10, -8, 0b1100), mov(1, 0b0110), atomic(DW, 10, 1, -8, XOR | FETCH), movr(0, 1), exit()));
        assertEquals(0b1100, r0(st(DW, 10, -8, 0b1100), mov(1, 0b0110), atomic(DW, 10, 1, -8, AND | FETCH), movr(0, 1), exit()));
        assertEquals(0b1100, r0(st(DW, 10, -8, 0b1100), mov(1, 0b0110), atomic(DW, 10, 1, -8, OR | FETCH), movr(0, 1), exit()));
    }

    @Test
    void atomics32ZeroExtendTheFetchedValue() {
        assertEquals(0xffffffffL, r0(st(W, 10, -8, -1), mov(1, 1), atomic(W, 10, 1, -8, ADD | FETCH), movr(0, 1), exit()));
        assertEquals(0, r0(st(W, 10, -8, -1), mov(1, 1), atomic(W, 10, 1, -8, ADD), ldx(W, 0, 10, -8), exit()));
        // the 32-bit add leaves the neighbouring word alone
        assertEquals(7, r0(st(W, 10, -8, -1), st(W, 10, -4, 7), mov(1, 1), atomic(W, 10, 1, -8, ADD), ldx(W, 0, 10, -4), exit()));
    }

    @Test
    void exchangeAndCompareExchange() {
        assertEquals(10, r0(st(DW, 10, -8, 10), mov(1, 5), atomic(DW, 10, 1, -8, XCHG), movr(0, 1), exit()));
        assertEquals(5, r0(st(DW, 10, -8, 10), mov(1, 5), atomic(DW, 10, 1, -8, XCHG), ldx(DW, 0, 10, -8), exit()));
        // match: memory takes r1, r0 gets the old value
        assertEquals(5, r0(st(DW, 10, -8, 10), mov(0, 10), mov(1, 5), atomic(DW, 10, 1, -8, CMPXCHG), ldx(DW, 0, 10, -8), exit()));
        assertEquals(10, r0(st(DW, 10, -8, 10), mov(0, 10), mov(1, 5), atomic(DW, 10, 1, -8, CMPXCHG), exit()));
        // no match: memory unchanged, r0 = old
        assertEquals(10, r0(st(DW, 10, -8, 10), mov(0, 9), mov(1, 5), atomic(DW, 10, 1, -8, CMPXCHG), ldx(DW, 0, 10, -8), exit()));
        assertEquals(10, r0(st(DW, 10, -8, 10), mov(0, 9), mov(1, 5), atomic(DW, 10, 1, -8, CMPXCHG), exit()));
        // 32-bit: compares the low half of r0, zero-extends what it returns
        assertEquals(0xffffffffL, r0(st(W, 10, -8, -1), mov(0, -1), mov(1, 5), atomic(W, 10, 1, -8, CMPXCHG), exit()));
        assertEquals(5, r0(st(W, 10, -8, -1), mov(0, -1), mov(1, 5), atomic(W, 10, 1, -8, CMPXCHG), ldx(W, 0, 10, -8), exit()));
    }

    @Test
    void misalignedAtomicFaults() {
        assertTrue(faultOf(mov(1, 1), atomic(DW, 10, 1, -12, ADD), exit()).getMessage().contains("misaligned"));
    }

    @Test
    void lddwLoadsAll64Bits() {
        assertEquals(0xdeadbeef_cafef00dL, r0(lddw(0, 0xdeadbeef_cafef00dL), exit()));
    }

    @Test
    void bpfToBpfCallPreservesCalleeSavedRegistersAndGivesANewFrame() {
        Insn[] p = prog(
                mov(6, 100), st(DW, 10, -8, 7), mov(1, 2),
                callLocal(4),
                ldx(DW, 1, 10, -8), alu64r(ADD, 0, 1), alu64r(ADD, 0, 6), exit(),
                // f(r1): writes its own frame, clobbers r6, returns r1 * 10
                st(DW, 10, -8, 99), mov(6, 0), movr(0, 1), alu64(MUL, 0, 10), exit());
        // 20 from f, 7 from the caller's untouched slot, 100 from r6
        try (Harness h = new Harness(p)) {
            assertEquals(127, h.runRaw(new byte[0]));
        }
    }

    @Test
    void calleeMayUseItsCallersFrameThroughAPointer() {
        Insn[] p = prog(
                st(DW, 10, -8, 7), movr(1, 10), alu64(ADD, 1, -8), callLocal(2), ldx(DW, 0, 10, -8), exit(),
                st(DW, 1, 0, 42), exit());
        try (Harness h = new Harness(p)) {
            assertEquals(42, h.runRaw(new byte[0]));
        }
    }

    @Test
    void accessBelowTheCurrentFrameFaults() {
        BpfFault f = faultOf(ldx(DW, 0, 10, -520), exit());
        assertTrue(f.getMessage().contains("below the current frame"), f.getMessage());
        assertTrue(f.getMessage().startsWith("insn 0: "), f.getMessage());
    }

    @Test
    void callChainDeeperThanEightFramesFaults() {
        // f calls itself forever
        BpfFault f = faultOf(callLocal(1), exit(), callLocal(-1), exit());
        assertTrue(f.getMessage().contains("deeper than 8"), f.getMessage());
    }

    @Test
    void sevenNestedCallsAreFine() {
        // main -> f1 -> ... -> f7 (8 frames); each adds 1
        Object[] code = new Object[2 + 7 * 3 + 2];
        int k = 0;
        code[k++] = mov(0, 0);
        code[k++] = callLocal(2);
        code[k++] = exit();
        code[k++] = exit();   // padding so each function is 3 insns starting at 4
        for (int i = 0; i < 7; i++) {
            code[k++] = alu64(ADD, 0, 1);
            code[k++] = i < 6 ? callLocal(1) : exit();
            code[k++] = exit();
        }
        Insn[] p = prog(java.util.Arrays.copyOf(code, k));
        try (Harness h = new Harness(p)) {
            assertEquals(7, h.runRaw(new byte[0]));
        }
    }

    @Test
    void callxCallsAFunctionAddress() {
        Insn[] p = prog(lddw(2, Op.PSEUDO_FUNC, 4, 0), mov(1, 6), callx(2), exit(),
                movr(0, 1), alu64(MUL, 0, 7), exit());
        try (Harness h = new Harness(p)) {
            assertEquals(42, h.runRaw(new byte[0]));
        }
    }

    @Test
    void callxWithAHelperIdCallsTheHelper() {
        // as the conformance suite's callx test: r2 = 5 (ktime_get_ns)
        assertEquals(2, r0(mov(1, -1), mov(2, 5), callx(2), mov(0, 2), exit()));
    }

    @Test
    void instructionLimitStopsEndlessLoops() {
        BpfFault f = faultOf(mov(0, 0), ja(-1), exit());
        assertTrue(f.getMessage().contains("more than 1000000 instructions"), f.getMessage());
    }

    @Test
    void unknownOpcodeFaults() {
        assertTrue(faultOf(new Insn(0xff, 0, 0, 0, 0), exit()).getMessage().contains("unknown opcode 0xff"));
        assertTrue(faultOf(new Insn(ALU64 | K | 0xe0, 0, 0, 0, 0), exit()).getMessage().contains("unknown opcode"));
    }

    @Test
    void fallingOffTheEndFaults() {
        assertTrue(faultOf(mov(0, 1)).getMessage().contains("outside the program"));
    }

    @Test
    void nullPointerReadFaults() {
        BpfFault f = faultOf(mov(1, 0), ldx(W, 0, 1, 0), exit());
        assertTrue(f.getMessage().contains("null pointer"), f.getMessage());
        assertEquals(1, f.insn());
    }

    @Test
    void writingTheFramePointerFaults() {
        assertTrue(faultOf(mov(10, 0), exit()).getMessage().contains("read only"));
    }

    @Test
    void legacyPacketLoadsFault() {
        BpfFault f = faultOf(new Insn(LD | ABS | W, 0, 0, 0, 0), exit());
        assertTrue(f.getMessage().contains("BPF_ABS"), f.getMessage());
    }

    @Test
    void rawMemoryIsReachableThroughR1() {
        try (Harness h = new Harness(prog(ldx(W, 0, 1, 4), alu64r(ADD, 0, 2), exit()))) {
            assertEquals(0x04030201L + 8, h.runRaw(new byte[] {0, 0, 0, 0, 1, 2, 3, 4}));
        }
    }
}
