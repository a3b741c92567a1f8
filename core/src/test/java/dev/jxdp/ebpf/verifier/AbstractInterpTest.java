package dev.jxdp.ebpf.verifier;

import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.isa.Asm;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The abstract interpreter ({@link Verifier.Mode#FULL}): each unsafe program rejected with the message
 * kernel 6.18 printed for it (verify --engine kernel, as root), each safe one accepted as the
 * kernel accepts it.
 */
class AbstractInterpTest {

    static final Path BPF = VerifierCorpusTest.BPF;

    static VerifierResult full(String asm) {
        ProgramSpec p = new ProgramSpec("t", "xdp", Asm.assemble(asm), List.of(), List.of());
        return Verifier.verify(p, List.of(), Verifier.Mode.FULL, false);
    }

    static void rejected(String asm, int insn, String message) {
        VerifierResult r = full(asm);
        assertFalse(r.accepted(), "accepted: " + asm);
        assertEquals(message, r.message());
        assertEquals(insn, r.insn());
    }

    static VerifierResult object(String name) {
        ObjectSpec o = ElfLoader.load(BPF.resolve(name));
        return Verifier.verify(o.programs().get(0), o.maps(), Verifier.Mode.FULL, false);
    }

    @Test
    void loopWithAnUnknownBoundIsRefusedByTheInstructionLimit() {
        // each iteration leaves a different r1, so no state repeats and none prunes: the kernel gives up
        // after 1,000,000 processed insns (the wall-clock backstop must not be what stops it)
        VerifierResult r = full("r1 = *(u32 *)(r1 +16)\nl:\nr1 += -1\nif r1 != 0 goto l\nr0 = 2\nexit");
        assertFalse(r.accepted());
        assertEquals("BPF program is too large. Processed 1000001 insn", r.message());
        assertEquals(1_000_001, r.processed());
    }

    @Test
    void uninitialisedRegisterReadIsRejected() {
        rejected("r0 = r2\nexit", 0, "R2 !read_ok");
    }

    @Test
    void exitWithoutReturnValueIsRejected() {
        rejected("exit", 0, "R0 !read_ok");
    }

    @Test
    void scalarDereferenceIsRejected() {
        rejected("r1 = 0\nr0 = *(u32 *)(r1 +0)\nexit", 1, "R1 invalid mem access 'scalar'");
    }

    @Test
    void packetEndDereferenceIsRejected() {
        rejected("r2 = *(u32 *)(r1 +4)\nr0 = *(u8 *)(r2 +0)\nexit", 1, "R2 invalid mem access 'pkt_end'");
    }

    @Test
    void narrowContextReadIsRejected() {
        rejected("r0 = *(u16 *)(r1 +0)\nexit", 0, "invalid bpf_context access off=0 size=2");
    }

    @Test
    void contextWriteIsRejected() {
        rejected("r0 = 0\n*(u32 *)(r1 +16) = r0\nexit", 1, "invalid bpf_context access off=16 size=4");
    }

    @Test
    void stackWriteBelowTheFrameIsRejected() {
        rejected("r0 = 0\n*(u64 *)(r10 -520) = r0\nexit", 1, "invalid write to stack R10 off=-520 size=8");
    }

    @Test
    void uninitialisedStackReadIsAllowedForAPrivilegedLoader() {
        // kernel 6.18 run as root accepts it (allow_uninit_stack); the value is an unknown scalar
        assertTrue(full("r0 = *(u64 *)(r10 -8)\nexit").accepted());
    }

    @Test
    void infiniteLoopIsRejected() {
        rejected("r0 = 0\nl: r0 = 0\ngoto l", 1, "infinite loop detected at insn 1");
    }

    @Test
    void conditionalLoopThatChangesNothingIsRejected() {
        rejected("r1 = 0\nl: if r1 == 0 goto l\nr0 = 2\nexit", 1, "infinite loop detected at insn 1");
    }

    @Test
    void loopStateStillInProgressDoesNotPrune() {
        // the second visit of l (r2 = 1) lies within the first (r2 in [0, 3]), but the first is still
        // being explored and proves nothing: the third visit repeats the second, a loop without end
        rejected("""
                r2 = *(u32 *)(r1 +16)
                r2 &= 3
                l: if r2 == 0 goto out
                r2 = 1
                goto l
                out: r0 = 2
                exit""", 2, "infinite loop detected at insn 2");
    }

    @Test
    void boundedLoopIsAccepted() {
        VerifierResult r = full("r0 = 0\nl: r0 += 1\nif r0 < 100 goto l\nr0 = 2\nexit");
        assertTrue(r.accepted(), r.describe());
        assertTrue(r.processed() > 200, "processed " + r.processed());
    }

    // what clang -mcpu=v3 emits: a 32-bit compare bounds only the low half of a 64-bit value, and the
    // w-register move that follows makes that half the whole value (kernel 6.18 agrees on all four)
    private static final String JMP32_BOUNDED_STACK_INDEX = """
            r2 = *(u64 *)(r10 -16)
            if w2 > %d goto out
            w2 = w2
            r3 = r10
            r3 += -8
            r3 += r2
            r0 = 0
            *(u8 *)(r3 +0) = r0
            out: r0 = 2
            exit""";

    @Test
    void jmp32CompareBoundsTheLowHalfForAStackIndex() {
        VerifierResult r = full(JMP32_BOUNDED_STACK_INDEX.formatted(7));
        assertTrue(r.accepted(), r.describe());
    }

    @Test
    void jmp32CompareOneTooWideIsRejected() {
        rejected(JMP32_BOUNDED_STACK_INDEX.formatted(8), 7,
                "invalid variable-offset write to stack R3 var_off=(0x0; 0xf) off=-8 size=1");
    }

    // s32 bounds carry a 32-bit add that wraps as u32: [1, 8] - 1 is [0, 7] only when signed
    private static final String ALU32_SIGNED_STACK_INDEX = """
            r2 = *(u32 *)(r1 +16)
            %s
            if w2 s> 8 goto out
            w2 += -1
            r3 = r10
            r3 += -8
            r3 += r2
            r0 = 0
            *(u8 *)(r3 +0) = r0
            out: r0 = 2
            exit""";

    @Test
    void alu32AddKeepsTheSigned32BitBound() {
        VerifierResult r = full(ALU32_SIGNED_STACK_INDEX.formatted("if w2 s< 1 goto out"));
        assertTrue(r.accepted(), r.describe());
    }

    @Test
    void alu32AddWithoutALowerBoundIsRejected() {
        // w2 in [0, 8]: minus one is -1 as s32, 0xffffffff zero-extended
        rejected(ALU32_SIGNED_STACK_INDEX.formatted("if w2 s< 0 goto out"), 8,
                "invalid unbounded variable-offset write to stack R3");
    }

    @Test
    void packetReadAfterItsBoundsCheckIsAccepted() {
        VerifierResult r = full("""
                r2 = *(u32 *)(r1 +0)
                r3 = *(u32 *)(r1 +4)
                r4 = r2
                r4 += 14
                r0 = 1
                if r4 > r3 goto out
                r0 = *(u16 *)(r2 +12)
                out: exit""");
        assertTrue(r.accepted(), r.describe());
    }

    @Test
    void packetReadPastItsBoundsCheckIsRejected() {
        rejected("""
                r2 = *(u32 *)(r1 +0)
                r3 = *(u32 *)(r1 +4)
                r4 = r2
                r4 += 14
                r0 = 1
                if r4 > r3 goto out
                r0 = *(u16 *)(r2 +13)
                out: exit""", 6,
                "invalid access to packet, off=13 size=2, R2(id=0,off=13,r=14)\nR2 offset is outside of the packet");
    }

    @Test
    void packetPointersAreDroppedByAdjustHead() {
        rejected("""
                r6 = r1
                r2 = *(u32 *)(r1 +0)
                r3 = *(u32 *)(r1 +4)
                r4 = r2
                r4 += 14
                r0 = 1
                if r4 > r3 goto out
                r7 = r2
                r1 = r6
                r2 = 0
                call bpf_xdp_adjust_head
                r0 = *(u8 *)(r7 +0)
                out: exit""", 11, "R7 invalid mem access 'scalar'");
    }

    @Test
    void pointerArithmeticOnMapPointerIsRejected() {
        ObjectSpec o = ElfLoader.load(BPF.resolve("elf_bad_verify_null.o"));
        ProgramSpec p = new ProgramSpec("t", "xdp", Asm.assemble("r1 = map[idx:0] ll\nr1 += 8\nr0 = 0\nexit"),
                List.of(), List.of());
        VerifierResult r = Verifier.verify(p, o.maps(), Verifier.Mode.FULL, false);
        assertEquals("R1 pointer arithmetic on map_ptr prohibited", r.message());
    }

    @Test
    void readPastTheContextIsRejectedWithItsSourceLine() {
        VerifierResult r = object("elf_bad_verify_ctx.o");
        assertEquals("invalid bpf_context access off=24 size=4", r.message());
        assertEquals("; return ((volatile __u32 *)ctx)[6] == 1 ? XDP_DROP : XDP_PASS; @ elf_bad_verify_ctx.c:7\n"
                + "0: (61) r1 = *(u32 *)(r1 +24)", r.context());
    }

    @Test
    void lookupResultDereferencedWithoutNullCheckIsRejected() {
        VerifierResult r = object("elf_bad_verify_null.o");
        assertEquals(7, r.insn());
        assertEquals("R0 invalid mem access 'map_value_or_null'", r.message());
    }

    @Test
    void ipHeaderReadAfterAnEthernetOnlyCheckIsRejected() {
        VerifierResult r = object("elf_bad_verify_pkt.o");
        assertEquals(6, r.insn());
        assertEquals("invalid access to packet, off=23 size=1, R1(id=0,off=23,r=14)\nR1 offset is outside of the packet",
                r.message());
    }

    @Test
    void writeIntoRodataIsRejected() {
        VerifierResult r = object("elf_bad_verify_rodata.o");
        assertEquals(3, r.insn());
        assertEquals("write into map forbidden, value_size=4 off=0 size=4", r.message());
    }

    @Test
    void mapValueReadPastItsEndIsRejected() {
        VerifierResult r = object("elf_bad_verify_mapoob.o");
        assertEquals(10, r.insn());
        assertEquals("invalid access to map value, value_size=16 off=16 size=4\n"
                + "R1 min value is outside of the allowed memory range", r.message());
    }

    @Test
    void nullKeyForMapLookupIsRejected() {
        VerifierResult r = object("elf_bad_verify_helperarg.o");
        assertEquals(3, r.insn());
        assertEquals("R2 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_",
                r.message());
    }

    @Test
    void ringbufRecordNeverSubmittedIsRejected() {
        VerifierResult r = object("elf_bad_verify_ringbuf.o");
        assertEquals(12, r.insn());
        assertEquals("Unreleased reference id=2 alloc_insn=5\n"
                + "BPF_EXIT instruction in main prog would lead to reference leak", r.message());
    }

    @Test
    void everyKernelAcceptedXdpProgramIsProvenSafe() throws Exception {
        List<String> failures = new ArrayList<>();
        int programs = 0;
        for (Path obj : VerifierCorpusTest.kernelAccepted()) {
            ObjectSpec o = ElfLoader.load(obj);
            for (ProgramSpec p : o.programs()) {
                if (!p.isXdp()) {
                    continue;
                }
                programs++;
                VerifierResult r = Verifier.verify(p, o.maps(), Verifier.Mode.FULL, false);
                if (!r.accepted()) {
                    failures.add(obj.getFileName() + " " + p.name() + ": " + r.describe());
                }
            }
        }
        assertEquals(List.of(), failures);
        assertTrue(programs >= 60, programs + " programs");
    }
}
