package dev.jxdp.ebpf.jit;

import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.isa.Asm;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfFault;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpBuff;
import dev.jxdp.ebpf.verifier.Verifier;
import dev.jxdp.ebpf.verifier.VerifierFacts;
import dev.jxdp.ebpf.verifier.VerifierResult;
import org.junit.jupiter.api.Test;

import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the JIT does with the verifier's facts, read off the bytecode it generates and off runs. */
class JitVerifiedTest {

    private static final Path BPF = Path.of(System.getProperty("jxdp.repo", "."), "core/src/test/bpf");
    private static final byte[] UDP = HexFormat.of().parseHex(
            "02000000000202000000000108004500002112344000401114960a0000010a0000029c401388000df83668656c6c6f");

    /** "Owner.name" of every method the class's code invokes. */
    private static List<String> calls(byte[] classBytes) {
        List<String> out = new ArrayList<>();
        for (MethodModel m : ClassFile.of().parse(classBytes).methods()) {
            m.code().ifPresent((CodeModel code) -> code.forEach(e -> {
                if (e instanceof InvokeInstruction i) {
                    out.add(i.owner().asInternalName().replaceAll(".*/", "") + "." + i.name().stringValue());
                }
            }));
        }
        return out;
    }

    private static VerifierFacts facts(BpfProgram p) {
        VerifierResult r = Verifier.verify(p, Verifier.Mode.FULL, false);
        assertTrue(r.accepted(), r.describe());
        return r.facts();
    }

    @Test
    void provenPacketStackAndContextAccessesCarryNoCheck() {
        ObjectSpec o = ElfLoader.load(BPF.resolve("fw_parse.o"));
        try (BpfCollection c = BpfCollection.load(o)) {
            BpfProgram p = c.program("xdp_firewall");
            List<String> checked = calls(JitCompiler.classBytes(p));
            List<String> verified = calls(JitCompiler.classBytes(p, facts(p)));
            assertTrue(checked.stream().anyMatch(s -> s.matches("JitRt\\.(ld|st)\\d")), checked.toString());
            assertFalse(verified.stream().anyMatch(s -> s.matches("JitRt\\.(ld|st)\\d")), verified.toString());
            assertTrue(verified.contains("ExecState.xdp"), "xdp_md loads read the frame: " + verified);
            assertTrue(verified.stream().anyMatch(s -> s.startsWith("SandboxMem.getU")), verified.toString());
        }
    }

    @Test
    void mapHelpersWithAKnownMapCallTheMapClassDirectly() {
        ObjectSpec o = ElfLoader.load(BPF.resolve("count_maps.o"));
        try (BpfCollection c = BpfCollection.load(o)) {
            BpfProgram p = c.program("xdp_count");
            List<String> checked = calls(JitCompiler.classBytes(p));
            List<String> verified = calls(JitCompiler.classBytes(p, facts(p)));
            assertTrue(checked.contains("Helpers.mapLookupElem"), checked.toString());
            assertFalse(verified.contains("Helpers.mapLookupElem"), verified.toString());
            assertTrue(verified.contains("HashTab.lookup") && verified.contains("ArrayMap.update"), verified.toString());
            // array lookups are computed inline, as the kernel's array_map_gen_lookup() rewrites them
            assertFalse(verified.contains("ArrayMap.lookup"), verified.toString());
        }
    }

    @Test
    void bpfLoopWithAKnownCallbackAndZeroFlagsIsAJvmLoopOverTheCallback() {
        ObjectSpec o = ElfLoader.load(BPF.resolve("loop_inline.o"));
        try (BpfCollection c = BpfCollection.load(o)) {
            // flags 0 and one callback: inlined as the kernel's verifier does, the callback's method called
            // directly; flags from the frame: the helper, as in the kernel
            BpfProgram known = c.program("xdp_loop_known");
            List<String> checked = calls(JitCompiler.classBytes(known));
            List<String> verified = calls(JitCompiler.classBytes(known, facts(known)));
            assertTrue(checked.contains("Helpers.loopAt"), checked.toString());
            assertFalse(verified.stream().anyMatch(s -> s.startsWith("Helpers.loop")), verified.toString());
            assertTrue(verified.contains("Long.compareUnsigned"), verified.toString());
            BpfProgram flags = c.program("xdp_loop_flags");
            List<String> helper = calls(JitCompiler.classBytes(flags, facts(flags)));
            assertTrue(helper.contains("Helpers.loop"), helper.toString());
            assertTrue(known.loopInlined(firstLoopCall(known)), "the verifier's acceptance marks the call inlined");
            assertFalse(flags.loopInlined(firstLoopCall(flags)));
        }
    }

    @Test
    void forEachOverAnArrayWithAKnownCallbackIsAJvmLoop() {
        // the array walks of foreach_array.o (both kinds) call the callback's method directly; map_walk.o's
        // walk of a hash stays the helper's (the map's own walk), its walk of an array does not
        ObjectSpec o = ElfLoader.load(BPF.resolve("foreach_array.o"));
        try (BpfCollection c = BpfCollection.load(o)) {
            BpfProgram p = c.program("xdp_each_array");
            assertTrue(calls(JitCompiler.classBytes(p)).contains("Helpers.forEachMapElem"));
            List<String> verified = calls(JitCompiler.classBytes(p, facts(p)));
            assertFalse(verified.contains("Helpers.forEachMapElem"), verified.toString());
        }
        try (BpfCollection c = BpfCollection.load(ElfLoader.load(BPF.resolve("map_walk.o")))) {
            BpfProgram p = c.programs().get(0);
            List<String> verified = calls(JitCompiler.classBytes(p, facts(p)));
            assertEquals(1, verified.stream().filter("Helpers.forEachMapElem"::equals).count(), verified.toString());
        }
    }

    private static int firstLoopCall(BpfProgram p) {
        for (int pc = 0; pc < p.insns().length; pc++) {
            if (p.insns()[pc].opcode() == 0x85 && p.insns()[pc].src() == 0
                    && p.insns()[pc].imm() == dev.jxdp.ebpf.isa.HelperIds.LOOP) {
                return pc;
            }
        }
        throw new AssertionError("no bpf_loop call in " + p.name());
    }

    @Test
    void arrayLookupsAreInlineAndReachTheValueTheMapHandsOut() {
        int last = dev.jxdp.ebpf.maps.Cpus.possible() - 1;
        for (var type : List.of(dev.jxdp.ebpf.maps.MapType.ARRAY, dev.jxdp.ebpf.maps.MapType.PERCPU_ARRAY)) {
            for (long key : new long[] {0, 3, 4, 0xffffffffL}) {
                for (int cpu : new int[] {0, last}) {
                    // the value found gets key + 100: which index and CPU slot it lands in shows the address
                    String asm = """
                            *(u32 *)(r10 -4) = %d
                            r2 = r10
                            r2 += -4
                            r1 = map[idx:0] ll
                            call bpf_map_lookup_elem
                            if r0 == 0 goto miss
                            r1 = %d
                            *(u64 *)(r0 +0) = r1
                            r0 = 1
                            exit
                            miss:
                            r0 = 2
                            exit""".formatted((int) key, key + 100);
                    try (Harness h = new Harness(List.of(Harness.spec("a", type, 4, 12, 4)), Asm.assemble(asm))) {
                        BpfProgram p = h.prog(0);
                        VerifierFacts f = facts(p);
                        List<String> verified = calls(JitCompiler.classBytes(p, f));
                        assertFalse(verified.contains("ArrayMap.lookup"), verified.toString());
                        assertEquals(type == dev.jxdp.ebpf.maps.MapType.PERCPU_ARRAY, verified.contains("ExecState.cpu"),
                                verified.toString());
                        ExecState st = h.coll.newExecState(cpu);
                        h.buff.load(UDP);
                        st.begin(h.buff);
                        boolean hit = key < 4;
                        assertEquals(hit ? 1 : 2, JitCompiler.compile(p, f).run(st), type + " key " + key);
                        for (int i = 0; i < 4; i++) {
                            byte[] v = h.map(0).userLookup(new byte[] {(byte) i, 0, 0, 0});
                            for (int c = 0; c < (type == dev.jxdp.ebpf.maps.MapType.ARRAY ? 1 : v.length / 16); c++) {
                                boolean written = hit && i == key
                                        && (type == dev.jxdp.ebpf.maps.MapType.ARRAY || c == cpu);
                                assertEquals(written ? key + 100 : 0, v[c * 16] & 0xff, type + " key " + key
                                        + " cpu " + cpu + ": index " + i + " slot " + c);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void anAccessThatSeesDifferentMemoryOnDifferentPathsKeepsItsCheck() {
        // r2 points into the stack on one path and into the (bounds-checked) packet on the other
        String asm = """
                r2 = *(u32 *)(r1 +0)
                r3 = *(u32 *)(r1 +4)
                r4 = r2
                r4 += 8
                if r4 > r3 goto out
                r5 = *(u32 *)(r1 +16)
                if r5 == 0 goto load
                r2 = r10
                r2 += -8
                r6 = 0
                *(u64 *)(r10 -8) = r6
                load:
                r0 = *(u8 *)(r2 +1)
                exit
                out:
                r0 = 1
                exit""";
        try (Harness h = new Harness(Asm.assemble(asm))) {
            BpfProgram p = h.prog(0);
            VerifierFacts f = facts(p);
            int load = 11;
            assertEquals(VerifierFacts.Mem.MIXED, f.memAt(load));
            assertEquals(VerifierFacts.Mem.CTX, f.memAt(0));
            List<String> verified = calls(JitCompiler.classBytes(p, f));
            assertEquals(1, verified.stream().filter(s -> s.equals("JitRt.ld1")).count(), verified.toString());
            // and it runs: the packet path (queue 0) reads byte 1 of the frame
            assertEquals(UDP[1] & 0xff, JitCompiler.compile(p, f).run(begin(h)));
        }
    }

    private static ExecState begin(Harness h) {
        h.buff.load(UDP);
        h.st.begin(h.buff);
        return h.st;
    }

    @Test
    void collectionsOfOneObjectShareCompiledCodeButNotMaps() {
        ObjectSpec o = ElfLoader.load(BPF.resolve("count_maps.o"));
        JitCompiler jc = JitCompiler.verifying();
        try (BpfCollection a = BpfCollection.load(o); BpfCollection b = BpfCollection.load(o);
             Arena arena = Arena.ofConfined()) {
            JitProgram ja = jc.program(a.program("xdp_count"));
            JitProgram jb = jc.program(b.program("xdp_count"));
            assertSame(ja.code(), jb.code());
            XdpBuff buff = XdpBuff.allocate(arena);
            ExecState sa = a.newExecState(0);
            ExecState sb = b.newExecState(0);
            for (int i = 0; i < 3; i++) {
                buff.load(UDP);
                sa.begin(buff);
                ja.run(sa);
            }
            buff.load(UDP);
            sb.begin(buff);
            jb.run(sb);
            byte[] key = {17, 0, 0, 0};
            assertEquals(3, a.map("cnt_array").userLookup(key)[0]);
            assertEquals(1, b.map("cnt_array").userLookup(key)[0]);
            assertNotSame(ja.maps[0], jb.maps[0]);
        }
    }

    @Test
    void frozenRodataReadsBecomeConstants() {
        ObjectSpec o = ElfLoader.load(BPF.resolve("global_data.o"));
        try (BpfCollection c = BpfCollection.load(o); Arena arena = Arena.ofConfined()) {
            BpfProgram p = c.programs().get(0);
            VerifierFacts f = facts(p);
            int constants = 0;
            for (int pc = 0; pc < p.insns().length; pc++) {
                constants += f.loadsConstant(pc) ? 1 : 0;
            }
            assertTrue(constants > 0, "no .rodata load folded");
            // and the folded program still computes what the interpreter computes
            XdpBuff buff = XdpBuff.allocate(arena);
            ExecState st = c.newExecState(0);
            buff.load(UDP);
            st.begin(buff);
            long interp = new dev.jxdp.ebpf.interp.Interpreter().run(p, st);
            String afterInterp = dev.jxdp.ebpf.testrun.MapJson.dump(c).toString();
            try (BpfCollection d = BpfCollection.load(o)) {
                BpfProgram q = d.programs().get(0);
                ExecState sq = d.newExecState(0);
                buff.load(UDP);
                sq.begin(buff);
                assertEquals(interp, JitCompiler.compile(q, facts(q)).run(sq));
                assertEquals(afterInterp, dev.jxdp.ebpf.testrun.MapJson.dump(d).toString());
            }
        }
    }

    @Test
    void stackSlotsNoHelperOrCalleeReachesBecomeLocals() {
        // fp-8 is only ever stored and loaded whole; fp-16 holds a key bpf_map_lookup_elem reads
        String asm = """
                r6 = 7
                *(u64 *)(r10 -8) = r6
                *(u32 *)(r10 -16) = 0
                r2 = r10
                r2 += -16
                r1 = map[idx:0] ll
                call bpf_map_lookup_elem
                r7 = *(u64 *)(r10 -8)
                r8 = *(u64 *)(r10 -16)
                r0 = r7
                r0 += r8
                exit""";
        try (Harness h = new Harness(List.of(Harness.spec("a", dev.jxdp.ebpf.maps.MapType.ARRAY, 4, 8, 4)),
                Asm.assemble(asm))) {
            BpfProgram p = h.prog(0);
            VerifierFacts f = facts(p);
            assertEquals(63, f.localSlotAt(1, 0), "fp-8 is slot 63");
            assertEquals(63, f.localSlotAt(8, 0));
            assertEquals(-1, f.localSlotAt(9, 0), "fp-16 reaches the helper");
            List<String> verified = calls(JitCompiler.classBytes(p, f));
            assertEquals(0, verified.stream().filter(s -> s.equals("SandboxMem.putU64")).count(), verified.toString());
            assertEquals(1, verified.stream().filter(s -> s.equals("SandboxMem.getU64")).count(), verified.toString());
            ExecState st = begin(h);
            long viaInterp = new dev.jxdp.ebpf.interp.Interpreter().run(p, st);
            assertEquals(viaInterp, JitCompiler.compile(p, f).run(begin(h)));
            assertEquals(7, viaInterp & 0xff);
        }
    }

    @Test
    void factsHoldAfterCallbacksTheVerifierIteratedToAFixedPoint() {
        // calls_loops.o: bpf_loop (insn 22) runs walk_step until its states converge, so what follows the
        // call is proven for every number of iterations, as the kernel proves it
        ObjectSpec o = ElfLoader.load(BPF.resolve("calls_loops.o"));
        try (BpfCollection c = BpfCollection.load(o)) {
            BpfProgram p = c.program("xdp_calls");
            VerifierFacts f = facts(p);
            assertTrue(f.sound());
            assertEquals(VerifierFacts.Mem.STACK, f.memAt(3), "before the loop");
            assertEquals(VerifierFacts.Mem.CTX, f.memAt(105), "sum_head, called before the loop only");
            assertEquals(VerifierFacts.Mem.STACK, f.memAt(24), "after the loop");
            assertTrue(f.mapAt(33) != VerifierFacts.NO_MAP, "the map of the call after the loop");
            assertEquals(-1, f.localSlotAt(15, 0), "fp-32 is the callback's context: in memory");
        }
    }

    @Test
    void mayGotoFallsThroughWhileTheBudgetLastsInBothRuntimes() {
        // a loop bounded by the packet length (45 & 7 = 5) and a may_goto: the verifier accepts it (the
        // may_goto ends every path), and 5 turns fit the budget, so both runtimes count to 5
        String asm = """
                r2 = *(u32 *)(r1 +0)
                r3 = *(u32 *)(r1 +4)
                r3 -= r2
                r3 &= 7
                r0 = 0
                loop:
                may_goto out
                r0 += 1
                if r0 < r3 goto loop
                out:
                exit""";
        try (Harness h = new Harness(Asm.assemble(asm))) {
            BpfProgram p = h.prog(0);
            VerifierFacts f = facts(p);
            List<String> verified = calls(JitCompiler.classBytes(p, f));
            assertEquals(1, verified.stream().filter(s -> s.equals("JitRt.mayGotoReset")).count(), verified.toString());
            assertEquals(1, verified.stream().filter(s -> s.equals("JitRt.mayGoto")).count(), verified.toString());
            long viaInterp = new dev.jxdp.ebpf.interp.Interpreter().run(p, begin(h));
            assertEquals(UDP.length & 7, viaInterp);
            assertEquals(viaInterp, JitCompiler.compile(p, f).run(begin(h)));
        }
    }

    @Test
    void aLoopOnlyMayGotoEndsIsAccepted() {
        // nothing bounds the counter: the verifier proves termination from the may_goto alone (its loop
        // states converge once the widened counter repeats)
        String asm = """
                r0 = 0
                loop:
                may_goto out
                r0 += 1
                goto loop
                out:
                r0 = 2
                exit""";
        try (Harness h = new Harness(Asm.assemble(asm))) {
            VerifierResult r = Verifier.verify(h.prog(0), Verifier.Mode.FULL, false);
            assertTrue(r.accepted(), r.describe());
        }
    }
    @Test
    void aVerifiedProgramCountsNoBackEdgesOrCalls() {
        // the verifier bounded every loop (calls_loops.o: a counted loop, bpf-to-bpf calls, bpf_loop), so
        // as in the kernel the run carries no step counter; checked code keeps the 1,000,000-step bound
        ObjectSpec o = ElfLoader.load(BPF.resolve("calls_loops.o"));
        try (BpfCollection c = BpfCollection.load(o)) {
            BpfProgram p = c.programs().get(0);
            List<String> checked = calls(JitCompiler.classBytes(p));
            List<String> verified = calls(JitCompiler.classBytes(p, facts(p)));
            assertTrue(checked.contains("JitRt.tick"), checked.toString());
            assertFalse(verified.contains("JitRt.tick"), verified.toString());
        }
    }

    @Test
    void callbacksOfVerifiedCodeRunToBpfMaxLoopsNotTheStepBound() {
        // xdp_loop_flags: flags from the frame, so the helper (not the inlined loop) calls the callback, 2^21
        // times; the kernel bounds that by BPF_MAX_LOOPS alone, and so does verified code. Code compiled
        // without the proof counts each callback and stops at 1,000,000.
        ObjectSpec o = ElfLoader.load(BPF.resolve("loop_inline.o"));
        try (BpfCollection c = BpfCollection.load(o)) {
            BpfProgram p = c.program("xdp_loop_flags");
            byte[] frame = new byte[64];
            java.nio.ByteBuffer.wrap(frame, 14, 24).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .putLong(1L << 21).putLong(-1L).putLong(0);
            XdpBuff buff = XdpBuff.allocate(Arena.ofAuto());
            buff.load(frame);
            ExecState st = c.newExecState(0);
            st.begin(buff);
            assertEquals(2, JitCompiler.compile(p, facts(p)).run(st));
            byte[] result = c.map("loop_res").userLookup(new byte[4]);
            assertEquals(1L << 21, java.nio.ByteBuffer.wrap(result).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(),
                    "bpf_loop's result: every iteration ran");
            st.begin(buff);
            BpfFault f = assertThrows(BpfFault.class, () -> JitCompiler.compile(p).run(st));
            assertTrue(f.getMessage().contains("more than 1000000 instructions"), f.getMessage());
        }
    }

    @Test
    void aVerifiedMayGotoLoopEndsOnItsBudgetNotTheStepBound() {
        // the loop is bounded by may_goto's budget alone: the verified code runs it to the end (the kernel
        // has no step bound to fault on), the checked code stops at the 1,000,000 steps first
        String asm = """
                r0 = 0
                loop:
                may_goto out
                r0 += 1
                goto loop
                out:
                exit""";
        try (Harness h = new Harness(Asm.assemble(asm))) {
            BpfProgram p = h.prog(0);
            assertEquals(ExecState.MAY_GOTO_BUDGET, JitCompiler.compile(p, facts(p)).run(begin(h)));
            BpfFault f = assertThrows(BpfFault.class, () -> JitCompiler.compile(p).run(begin(h)));
            assertTrue(f.getMessage().contains("more than 1000000 instructions"), f.getMessage());
        }
    }

    @Test
    void verified32BitAtomicsZeroExtendWhatTheyFetchAndCompareTheLowWord() {
        // every BPF_W atomic on a stack word whose upper half is 1: the lower half wraps without carrying
        // into it, fetched values come back zero-extended, cmpxchg compares r0's low 32 bits only
        String asm = """
                r1 = 0x100000005 ll
                *(u64 *)(r10 -8) = r1
                w2 = -4
                r2 = atomic_fetch_add((u32 *)(r10 -8), r2)
                if r2 != 5 goto bad
                r0 = 0xffffffff00000001 ll
                r4 = 7
                r0 = atomic_cmpxchg((u32 *)(r10 -8), r0, r4)
                if r0 != 1 goto bad
                r0 = 3
                r4 = 9
                r0 = atomic_cmpxchg((u32 *)(r10 -8), r0, r4)
                if r0 != 7 goto bad
                r5 = 0xffffffff80000000 ll
                r5 = atomic_xchg((u32 *)(r10 -8), r5)
                if r5 != 7 goto bad
                r6 = 15
                r6 = atomic_fetch_or((u32 *)(r10 -8), r6)
                r7 = 0x80000000 ll
                if r6 != r7 goto bad
                r6 = 0xffffffff0000000c ll
                r6 = atomic_fetch_and((u32 *)(r10 -8), r6)
                r7 = 0x8000000f ll
                if r6 != r7 goto bad
                r6 = 5
                r6 = atomic_fetch_xor((u32 *)(r10 -8), r6)
                if r6 != 12 goto bad
                w8 = -2
                lock *(u32 *)(r10 -8) += r8
                w8 = 6
                lock *(u32 *)(r10 -8) |= r8
                w8 = 3
                lock *(u32 *)(r10 -8) &= r8
                w8 = 1
                lock *(u32 *)(r10 -8) ^= r8
                r0 = *(u64 *)(r10 -8)
                exit
                bad:
                r0 = 0
                exit""";
        try (Harness h = new Harness(Asm.assemble(asm))) {
            BpfProgram p = h.prog(0);
            VerifierFacts f = facts(p);
            List<String> verified = calls(JitCompiler.classBytes(p, f));
            assertEquals(11, verified.stream().filter(s -> s.equals("JitRt.atomicProven")).count(), verified.toString());
            // 5 - 4 = 1; cmpxchg 1 -> 7; fails on 3; xchg -> 0x80000000; | 15; & 12 -> 12; ^ 5 -> 9;
            // + 0xfffffffe -> 7; | 6 -> 7; & 3 -> 3; ^ 1 -> 2, the upper half 1 throughout
            long want = 0x1_0000_0002L;
            assertEquals(want, new dev.jxdp.ebpf.interp.Interpreter().run(p, begin(h)));
            assertEquals(want, JitCompiler.compile(p, f).run(begin(h)));
            assertEquals(want, JitCompiler.compile(p).run(begin(h)));
        }
    }
}
