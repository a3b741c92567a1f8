package dev.jxdp.ebpf.isa;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The strings of the kernel's print_bpf_insn() (kernel/bpf/disasm.c), one group of the ISA at a time. */
class DisasmTest {

    private static String d(int code, int dst, int src, int off, int imm) {
        return Disasm.insn(new Insn[] {new Insn(code, dst, src, off, imm)}, 0);
    }

    @Test
    void alu64AndAlu32UseRAndWRegisters() {
        assertEquals("w1 += w2", d(0x0c, 1, 2, 0, 0));
        assertEquals("r1 += r2", d(0x0f, 1, 2, 0, 0));
        assertEquals("r1 -= -5", d(0x17, 1, 0, 0, -5));
        assertEquals("w3 <<= 7", d(0x64, 3, 0, 0, 7));
        assertEquals("r3 s>>= r4", d(0xcf, 3, 4, 0, 0));
        assertEquals("r0 = 1", d(0xb7, 0, 0, 0, 1));
        assertEquals("w0 = w9", d(0xbc, 0, 9, 0, 0));
        assertEquals("r1 ^= 255", d(0xa7, 1, 0, 0, 255));
    }

    @Test
    void negIsPrintedAsAssignmentOfTheNegation() {
        assertEquals("r1 = -r1", d(0x87, 1, 0, 0, 0));
        assertEquals("w4 = -w4", d(0x84, 4, 0, 0, 0));
    }

    @Test
    void signedDivisionAndModuloHaveOff1() {
        assertEquals("r1 s/= r2", d(0x3f, 1, 2, 1, 0));
        assertEquals("r1 s%= r2", d(0x9f, 1, 2, 1, 0));
        assertEquals("w1 s/= -3", d(0x34, 1, 0, 1, -3));
        assertEquals("r1 /= r2", d(0x3f, 1, 2, 0, 0));
    }

    @Test
    void movsxCastsTheSource() {
        assertEquals("r1 = (s8)r2", d(0xbf, 1, 2, 8, 0));
        assertEquals("r1 = (s16)r2", d(0xbf, 1, 2, 16, 0));
        assertEquals("r1 = (s32)r2", d(0xbf, 1, 2, 32, 0));
        assertEquals("w1 = (s8)w2", d(0xbc, 1, 2, 8, 0));
    }

    @Test
    void byteSwapsPrintDirectionAndWidth() {
        assertEquals("r1 = be16 r1", d(0xdc, 1, 0, 0, 16));
        assertEquals("r2 = le64 r2", d(0xd4, 2, 0, 0, 64));
        assertEquals("r1 = bswap64 r1", d(0xd7, 1, 0, 0, 64));
        assertEquals("r1 = bswap32 r1", d(0xd7, 1, 0, 0, 32));
    }

    @Test
    void loadsAndStoresPrintSizeAndSignedOffset() {
        assertEquals("r0 = *(u32 *)(r1 +4)", d(0x61, 0, 1, 4, 0));
        assertEquals("r2 = *(u64 *)(r10 -8)", d(0x79, 2, 10, -8, 0));
        assertEquals("r3 = *(u8 *)(r2 +0)", d(0x71, 3, 2, 0, 0));
        assertEquals("*(u64 *)(r10 -8) = r1", d(0x7b, 10, 1, -8, 0));
        assertEquals("*(u16 *)(r10 -2) = -1", d(0x6a, 10, 0, -2, -1));
    }

    @Test
    void signExtendingLoadsUseSTypes() {
        assertEquals("r0 = *(s16 *)(r1 +2)", d(0x89, 0, 1, 2, 0));
        assertEquals("r0 = *(s8 *)(r1 -1)", d(0x91, 0, 1, -1, 0));
        assertEquals("r0 = *(s32 *)(r1 +0)", d(0x81, 0, 1, 0, 0));
    }

    @Test
    void atomicsFollowTheKernelsLockAndAtomicForms() {
        assertEquals("lock *(u64 *)(r1 +0) += r2", d(0xdb, 1, 2, 0, Op.ADD));
        assertEquals("lock *(u32 *)(r1 +8) |= r2", d(0xc3, 1, 2, 8, Op.OR));
        assertEquals("lock *(u64 *)(r1 +0) &= r2", d(0xdb, 1, 2, 0, Op.AND));
        assertEquals("lock *(u64 *)(r1 +0) ^= r2", d(0xdb, 1, 2, 0, Op.XOR));
        assertEquals("r0 = atomic64_fetch_add((u64 *)(r1 +0), r0)", d(0xdb, 1, 0, 0, Op.ADD | Op.FETCH));
        assertEquals("r3 = atomic_fetch_xor((u32 *)(r1 -4), r3)", d(0xc3, 1, 3, -4, Op.XOR | Op.FETCH));
        assertEquals("r2 = atomic64_fetch_and((u64 *)(r1 +0), r2)", d(0xdb, 1, 2, 0, Op.AND | Op.FETCH));
        assertEquals("r2 = atomic_fetch_or((u32 *)(r1 +0), r2)", d(0xc3, 1, 2, 0, Op.OR | Op.FETCH));
        assertEquals("r1 = atomic64_xchg((u64 *)(r10 -8), r1)", d(0xdb, 10, 1, -8, Op.XCHG));
        assertEquals("r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r2)", d(0xdb, 1, 2, 0, Op.CMPXCHG));
        assertEquals("r0 = atomic_cmpxchg((u32 *)(r1 +0), r0, r2)", d(0xc3, 1, 2, 0, Op.CMPXCHG));
    }

    @Test
    void conditionalJumpsPrintImmediatesInHex() {
        assertEquals("if r2 > r3 goto pc+5", d(0x2d, 2, 3, 5, 0));
        assertEquals("if w2 s< 0x7 goto pc-3", d(0xc6, 2, 0, -3, 7));
        assertEquals("if r1 == 0xffffffff goto pc+0", d(0x15, 1, 0, 0, -1));
        assertEquals("if w1 & w2 goto pc+1", d(0x4e, 1, 2, 1, 0));
        assertEquals("if r1 s>= 0x10 goto pc+2", d(0x75, 1, 0, 2, 16));
        assertEquals("if r1 <= r2 goto pc+2", d(0xbd, 1, 2, 2, 0));
        assertEquals("if w1 != 0x0 goto pc+2", d(0x56, 1, 0, 2, 0));
    }

    @Test
    void unconditionalJumpsAndExit() {
        assertEquals("goto pc+1", d(0x05, 0, 0, 1, 0));
        assertEquals("goto pc-1", d(0x05, 0, 0, -1, 0));
        assertEquals("gotol pc+100000", d(0x06, 0, 0, 0, 100000));
        assertEquals("may_goto pc+3", d(0xe5, 0, 0, 3, 0));
        assertEquals("exit", d(0x95, 0, 0, 0, 0));
    }

    @Test
    void callsNameHelpersAndPcRelativeTargets() {
        assertEquals("call bpf_map_lookup_elem#1", d(0x85, 0, 0, 0, 1));
        assertEquals("call bpf_xdp_adjust_head#44", d(0x85, 0, 0, 0, 44));
        assertEquals("call unknown#99999", d(0x85, 0, 0, 0, 99999));
        assertEquals("call pc+4", d(0x85, 0, 1, 0, 4));
        assertEquals("call pc-10", d(0x85, 0, 1, 0, -10));
        assertEquals("call kernel-function#1234", d(0x85, 0, 2, 0, 1234));
        assertEquals("callx r5", d(0x8d, 5, 0, 0, 0));
    }

    @Test
    void legacyPacketLoadsUseSkbSyntax() {
        assertEquals("r0 = *(u8 *)skb[4]", d(0x30, 0, 0, 0, 4));
        assertEquals("r0 = *(u16 *)skb[12]", d(0x28, 0, 0, 0, 12));
        assertEquals("r0 = *(u32 *)skb[r3 + 8]", d(0x40, 0, 3, 0, 8));
    }

    @Test
    void lddwJoinsBothSlots() {
        Insn[] p = {new Insn(0x18, 1, 0, 0, 0x1234), new Insn(0, 0, 0, 0, 0)};
        assertEquals("r1 = 0x1234 ll", Disasm.insn(p, 0));
        Insn[] big = {new Insn(0x18, 2, 0, 0, 0x89abcdef), new Insn(0, 0, 0, 0, 0x01234567)};
        assertEquals("r2 = 0x123456789abcdef ll", Disasm.insn(big, 0));
    }

    @Test
    void lddwPseudoFormsFollowBpftool() {
        assertEquals("r1 = map[id:3] ll", Disasm.insn(lddw(1, Op.PSEUDO_MAP_FD, 3, 0), 0));
        assertEquals("r1 = map[id:3][0]+8 ll", Disasm.insn(lddw(1, Op.PSEUDO_MAP_VALUE, 3, 8), 0));
        assertEquals("r1 = map[idx:0] ll", Disasm.insn(lddw(1, Op.PSEUDO_MAP_IDX, 0, 0), 0));
        assertEquals("r1 = map[idx:2][0]+16 ll", Disasm.insn(lddw(1, Op.PSEUDO_MAP_IDX_VALUE, 2, 16), 0));
        assertEquals("r2 = subprog[+5] ll", Disasm.insn(lddw(2, Op.PSEUDO_FUNC, 5, 0), 0));
        assertEquals("r3 = btf_id[77] ll", Disasm.insn(lddw(3, Op.PSEUDO_BTF_ID, 77, 0), 0));
    }

    @Test
    void mapNamesReplaceIndexesWhenKnown() {
        String[] names = {"counters", ".rodata"};
        assertEquals("r1 = map[counters] ll", Disasm.insn(lddw(1, Op.PSEUDO_MAP_IDX, 0, 0), 0, i -> names[i]));
        assertEquals("r1 = map[.rodata][0]+8 ll",
                Disasm.insn(lddw(1, Op.PSEUDO_MAP_IDX_VALUE, 1, 8), 0, i -> names[i]));
    }

    @Test
    void listingNumbersSlotsAndSkipsTheSecondHalfOfLddw() {
        Insn[] p = {
            new Insn(0x61, 2, 1, 4, 0),
            new Insn(0x18, 1, Op.PSEUDO_MAP_IDX, 0, 0), new Insn(0, 0, 0, 0, 0),
            new Insn(0x85, 0, 0, 0, 1),
            new Insn(0x95, 0, 0, 0, 0),
        };
        assertEquals("""
                   0: (61) r2 = *(u32 *)(r1 +4)
                   1: (18) r1 = map[counters] ll
                   3: (85) call bpf_map_lookup_elem#1
                   4: (95) exit
                """, Disasm.listing(p, i -> "counters"));
    }

    @Test
    void unknownOpcodesUseTheRawForm() {
        assertEquals(".insn 0xff dst=1 src=2 off=-3 imm=4", d(0xff, 1, 2, -3, 4));
        assertEquals(".insn 0x00 dst=0 src=0 off=0 imm=7", d(0x00, 0, 0, 0, 7));
    }

    @Test
    void insnToStringUsesTheKernelSyntax() {
        assertEquals("r0 = *(u32 *)(r1 +4)", new Insn(0x61, 0, 1, 4, 0).toString());
        assertEquals("r1 = 0x5 ll ; second slot missing", new Insn(0x18, 1, 0, 0, 5).toString());
    }

    private static Insn[] lddw(int dst, int kind, int lo, int hi) {
        return new Insn[] {new Insn(Op.LDDW, dst, kind, 0, lo), new Insn(0, 0, 0, 0, hi)};
    }
}
