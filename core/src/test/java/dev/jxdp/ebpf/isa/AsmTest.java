package dev.jxdp.ebpf.isa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jxdp.ebpf.BpfException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AsmTest {

    private static Insn one(String text) {
        Insn[] p = Asm.assemble(text);
        assertEquals(1, p.length, text);
        return p[0];
    }

    @Test
    void assemblesKernelSyntax() {
        assertEquals(new Insn(0x61, 0, 1, 4, 0), one("r0 = *(u32 *)(r1 +4)"));
        assertEquals(new Insn(0x7b, 10, 1, -8, 0), one("*(u64 *)(r10 -8) = r1"));
        assertEquals(new Insn(0x0c, 1, 2, 0, 0), one("w1 += w2"));
        assertEquals(new Insn(0x87, 1, 0, 0, 0), one("r1 = -r1"));
        assertEquals(new Insn(0xdc, 1, 0, 0, 16), one("r1 = be16 r1"));
        assertEquals(new Insn(0xd7, 1, 0, 0, 64), one("r1 = bswap64 r1"));
        assertEquals(new Insn(0x3f, 1, 2, 1, 0), one("r1 s/= r2"));
        assertEquals(new Insn(0x9f, 1, 2, 1, 0), one("r1 s%= r2"));
        assertEquals(new Insn(0xbf, 1, 2, 8, 0), one("r1 = (s8)r2"));
        assertEquals(new Insn(0x89, 0, 1, 2, 0), one("r0 = *(s16 *)(r1 +2)"));
        assertEquals(new Insn(0xdb, 1, 2, 0, Op.ADD), one("lock *(u64 *)(r1 +0) += r2"));
        assertEquals(new Insn(0xdb, 1, 0, 0, Op.ADD | Op.FETCH), one("r0 = atomic64_fetch_add((u64 *)(r1 +0), r0)"));
        assertEquals(new Insn(0xdb, 1, 2, 0, Op.CMPXCHG), one("r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r2)"));
        assertEquals(new Insn(0xdb, 1, 1, 0, Op.XCHG), one("r1 = atomic64_xchg((u64 *)(r1 +0), r1)"));
        assertEquals(new Insn(0x2d, 2, 3, 5, 0), one("if r2 > r3 goto pc+5"));
        assertEquals(new Insn(0xc6, 2, 0, -3, 7), one("if w2 s< 7 goto pc-3"));
        assertEquals(new Insn(0x05, 0, 0, 1, 0), one("goto pc+1"));
        assertEquals(new Insn(0x06, 0, 0, 0, 100000), one("gotol pc+100000"));
        assertEquals(new Insn(0x85, 0, 0, 0, 1), one("call bpf_map_lookup_elem#1"));
        assertEquals(new Insn(0x85, 0, 1, 0, 4), one("call pc+4"));
        assertEquals(new Insn(0x8d, 5, 0, 0, 0), one("callx r5"));
        assertEquals(new Insn(0x95, 0, 0, 0, 0), one("exit"));
        assertEquals(new Insn(0x30, 0, 0, 0, 4), one("r0 = *(u8 *)skb[4]"));
        assertEquals(new Insn(0x40, 0, 3, 0, 8), one("r0 = *(u32 *)skb[r3 + 8]"));
    }

    @Test
    void kernelHexImmediatesAreUnsigned32Bit() {
        assertEquals(new Insn(0x15, 1, 0, 0, -1), one("if r1 == 0xffffffff goto pc+0"));
    }

    @Test
    void callTakesHelperNamesIdsAndKfuncs() {
        assertEquals(new Insn(0x85, 0, 0, 0, 1), one("call bpf_map_lookup_elem"));
        assertEquals(new Insn(0x85, 0, 0, 0, 51), one("call redirect_map"));
        assertEquals(new Insn(0x85, 0, 0, 0, 5), one("call 5"));
        assertEquals(new Insn(0x85, 0, 0, 0, 999), one("call unknown#999"));
        assertEquals(new Insn(0x85, 0, 2, 0, 77), one("call kernel-function#77"));
        assertEquals(new Insn(0x85, 0, 1, 0, -2), one("call -2"));
    }

    @Test
    void lddwFromLlSuffixOrWideConstant() {
        assertArrayEquals(new Insn[] {new Insn(0x18, 1, 0, 0, 0x1234), new Insn(0, 0, 0, 0, 0)},
                Asm.assemble("r1 = 0x1234 ll"));
        assertArrayEquals(new Insn[] {new Insn(0x18, 1, 0, 0, 0x9abcdef0), new Insn(0, 0, 0, 0, 0x12345678)},
                Asm.assemble("r1 = 0x123456789abcdef0"));
        assertArrayEquals(new Insn[] {new Insn(0x18, 1, 0, 0, -1), new Insn(0, 0, 0, 0, 0)},
                Asm.assemble("r1 = 0xffffffff"));
        assertEquals(new Insn(0xb7, 1, 0, 0, -1), one("r1 = -1"));
        assertEquals(new Insn(0xb4, 1, 0, 0, -1), one("w1 = 0xffffffff"));
    }

    @Test
    void opcodePrefix18MakesAKernelLogLddw() {
        assertArrayEquals(new Insn[] {new Insn(0x18, 1, 0, 0, 5), new Insn(0, 0, 0, 0, 0)},
                Asm.assemble("   7: (18) r1 = 0x5"));
    }

    @Test
    void verifierLiveRegsListingLinesAssemble() {
        assertEquals(new Insn(0xdb, 0, 3, 8, Op.ADD | Op.FETCH),
                one("     31: 0.23...... (db) r3 = atomic64_fetch_add((u64 *)(r0 +8), r3)"));
        assertEquals(new Insn(0x07, 3, 0, 0, 12), one("9: (07) r3 += 12                      ; R3=pkt_meta(off=12,r=0)"));
    }

    @Test
    void mapNamesResolveThroughTheResolver() {
        Map<String, Integer> maps = Map.of("counters", 0, ".rodata", 1);
        Insn[] p = Asm.assemble("""
                r1 = map[counters] ll
                r2 = map[.rodata][0]+8 ll
                r3 = map[idx:4]
                r4 = map[id:9]
                r5 = map[id:9][0]+4
                """, n -> maps.getOrDefault(n, -1));
        assertEquals(new Insn(0x18, 1, Op.PSEUDO_MAP_IDX, 0, 0), p[0]);
        assertEquals(new Insn(0x18, 2, Op.PSEUDO_MAP_IDX_VALUE, 0, 1), p[2]);
        assertEquals(8, p[3].imm());
        assertEquals(new Insn(0x18, 3, Op.PSEUDO_MAP_IDX, 0, 4), p[4]);
        assertEquals(new Insn(0x18, 4, Op.PSEUDO_MAP_FD, 0, 9), p[6]);
        assertEquals(new Insn(0x18, 5, Op.PSEUDO_MAP_VALUE, 0, 9), p[8]);
        assertEquals(4, p[9].imm());
    }

    @Test
    void labelsResolveToPcRelativeOffsetsCountingLddwAsTwo() {
        Insn[] p = Asm.assemble("""
                ; count to ten
                    r1 = 0
                loop:
                    r1 += 1
                    r2 = 0x100000000 ll   // two slots
                    if r1 < 10 goto loop
                    call sub
                    goto out
                out:  exit
                sub:
                    r0 = 2
                    exit
                """);
        assertEquals(new Insn(0xa5, 1, 0, -4, 10), p[4]);
        assertEquals(new Insn(0x85, 0, 1, 0, 2), p[5]);
        assertEquals(new Insn(0x05, 0, 0, 0, 0), p[6]);
    }

    @Test
    void aLabelWinsOverAHelperOfTheSameName() {
        Insn[] p = Asm.assemble("call loop\nexit\nloop: exit");
        assertEquals(new Insn(0x85, 0, 1, 0, 1), p[0]);
        assertEquals(new Insn(0x85, 0, 0, 0, HelperIds.LOOP), Asm.assemble("call loop")[0]);
    }

    @Test
    void subprogReferencesTakeLabels() {
        Insn[] p = Asm.assemble("r2 = subprog[cb] ll\nexit\ncb: r0 = 0\nexit");
        assertEquals(new Insn(0x18, 2, Op.PSEUDO_FUNC, 0, 2), p[0]);
    }

    @Test
    void hashCommentsDoNotEatHelperIds() {
        assertEquals(new Insn(0x85, 0, 0, 0, 1), one("call bpf_map_lookup_elem#1 # look it up"));
        assertEquals(new Insn(0x95, 0, 0, 0, 0), one("# header\nexit"));
    }

    @Test
    void errorsNameTheLine() {
        assertError(2, "no register r11", "exit\nr11 = 1");
        assertError(1, "unknown label or helper nowhere", "goto nowhere");
        assertError(1, "mixed widths", "w1 += r2");
        assertError(1, "does not fit in 32 signed bits", "r1 += 0x80000000");
        assertError(1, "map counters: no map names known here", "r1 = map[counters] ll");
        assertError(1, "map nope: no such map", "r1 = map[nope] ll", n -> -1);
        assertError(1, "opcode (61) does not match", "(61) r1 = *(u64 *)(r2 +0)");
        assertError(3, "unknown instruction", "\n\nfrobnicate r1");
        assertError(1, "jump offset 40000 does not fit in 16 signed bits", "goto +40000");
        assertError(2, "label a defined twice", "a:\na: exit");
    }

    @Test
    void asmExceptionIsABpfException() {
        BpfException e = assertThrows(BpfException.class, () -> Asm.assemble("nonsense"));
        assertEquals("line 1: unknown instruction 'nonsense'", e.getMessage());
    }

    @Test
    void rawInsnWritesAnyEncoding() {
        assertEquals(new Insn(0x8c, 1, 2, 0, 0), one(".insn 0x8c dst=1 src=2 off=0 imm=0"));
    }

    private static void assertError(int line, String part, String text) {
        assertError(line, part, text, null);
    }

    private static void assertError(int line, String part, String text, java.util.function.ToIntFunction<String> maps) {
        AsmException e = assertThrows(AsmException.class, () -> Asm.assemble(text, maps));
        assertEquals(line, e.line(), e.getMessage());
        if (!e.getMessage().contains(part)) {
            throw new AssertionError("'" + e.getMessage() + "' does not say '" + part + "'");
        }
    }
}
