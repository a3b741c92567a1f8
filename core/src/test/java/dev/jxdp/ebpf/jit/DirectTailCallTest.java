package dev.jxdp.ebpf.jit;

import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.interp.Interpreter;
import dev.jxdp.ebpf.isa.Asm;
import dev.jxdp.ebpf.maps.MapType;
import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.maps.ProgArray;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfFault;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpBuff;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Direct tail calls (a constant index the verifier proved, {@link DirectTailCall}) on tailcall_chain.o:
 * the same answers as the interpreter, which has no direct path, and as the kernel (the recorded
 * tailcall_chain.json); a slot's change is seen by the next run, before and after HotSpot compiled the
 * site with the callee inlined.
 */
class DirectTailCallTest {

    private static final Path OBJ = Path.of(System.getProperty("jxdp.repo", "."), "core/src/test/bpf/tailcall_chain.o");
    private static final ObjectSpec SPEC = ElfLoader.load(OBJ);
    // hits: entry, ping, pong, self, fall-through, back from the subprogram
    private static final int HIT_PING = 1, HIT_PONG = 2, HIT_SELF = 3, HIT_FALLTHROUGH = 4;

    private final Arena arena = Arena.ofShared();
    private final List<BpfCollection> loaded = new ArrayList<>();

    @AfterEach
    void close() {
        loaded.forEach(BpfCollection::close);
        arena.close();
    }

    /** One collection of tailcall_chain.o with a JIT that relies on the verifier, and an interpreter. */
    private final class Chain {
        final BpfCollection coll = load();
        final JitCompiler jit;
        final ExecState st = coll.newExecState(0);
        final XdpBuff buff = XdpBuff.allocate(arena);
        final Interpreter interp = new Interpreter();

        Chain(JitCompiler jit) {
            this.jit = jit;
        }

        Chain() {
            this(JitCompiler.verifying());
        }

        ProgArray jmp() { return (ProgArray) map("chain_jmp"); }

        BpfMap map(String name) {
            return coll.maps().stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
        }

        long jit(String prog) {
            return jit.program(coll.program(prog)).run(begin());
        }

        long interp(String prog) {
            return interp.run(coll.program(prog), begin());
        }

        private ExecState begin() {
            clearHits();
            buff.load(new byte[60]);
            st.begin(buff);
            return st;
        }

        long hits(int what) {
            byte[] v = map("chain_hits").userLookup(u32(what));
            return ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong();
        }

        private void clearHits() {
            for (int i = 0; i < 6; i++) {
                map("chain_hits").userUpdate(u32(i), new byte[8], 0);
            }
        }

        /** Runs {@code prog} in both engines: the verdict and the hits must agree; returns them. */
        String both(String prog) {
            long i = interp(prog);
            String want = i + " " + hits(HIT_PING) + "/" + hits(HIT_PONG) + "/" + hits(HIT_SELF) + "/" + hits(HIT_FALLTHROUGH);
            long j = jit(prog);
            String got = j + " " + hits(HIT_PING) + "/" + hits(HIT_PONG) + "/" + hits(HIT_SELF) + "/" + hits(HIT_FALLTHROUGH);
            assertEquals(want, got, prog + ": the JIT and the interpreter");
            return got;
        }
    }

    private BpfCollection load() {
        BpfCollection c = BpfCollection.load(SPEC);
        loaded.add(c);
        return c;
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    @Test
    void aConstantIndexCompilesToADirectCallAndAnIndexFromThePacketDoesNot() {
        try (BpfCollection c = BpfCollection.load(SPEC)) {
            assertEquals(1, JitClasses.directTailCalls(c.program("xdp_chain")));
            assertEquals(6, JitClasses.directTailCalls(c.program("xdp_chain_empty_first")));
            assertEquals(0, JitClasses.directTailCalls(c.program("xdp_chain_from_packet")));
            // past max_entries: the verifier does not record the key (poisoned), the call stays indirect
            assertEquals(0, JitClasses.directTailCalls(c.program("xdp_chain_past_end")));
        }
    }

    @Test
    void theLimitOf33HoldsOnTheDirectPath() {
        Chain ch = new Chain();
        assertEquals("50 17/16/0/0", ch.both("xdp_chain"));
        assertEquals("4 0/0/34/0", ch.both("xdp_self"));
        assertEquals("44 0/0/33/1", ch.both("xdp_chain_sub_then_tail"));
    }

    @Test
    void emptySlotCallsFallThroughWithoutCounting() {
        Chain ch = new Chain();
        assertEquals("50 17/16/0/0", ch.both("xdp_chain_empty_first"));
        assertEquals("102 0/0/0/0", ch.both("xdp_chain_sub_empty"));
    }

    @Test
    void aSlotChangeIsSeenByTheNextRun() {
        Chain ch = new Chain();
        assertEquals("50 17/16/0/0", ch.both("xdp_chain"));
        ch.jmp().set(0, ch.coll.program("xdp_self"));
        assertEquals("4 0/0/33/0", ch.both("xdp_chain"));
        ch.jmp().set(0, null);
        assertEquals("40 0/0/0/1", ch.both("xdp_chain"));
        ch.jmp().set(0, ch.coll.program("xdp_ping"));
        assertEquals("50 17/16/0/0", ch.both("xdp_chain"));
        assertEquals(0, ch.jmp().userDelete(u32(0)));
        assertEquals("40 0/0/0/1", ch.both("xdp_chain"));
    }

    @Test
    void aSlotChangeIsSeenAfterHotSpotCompiledTheSite() {
        Chain ch = new Chain();
        JitProgram run = ch.jit.program(ch.coll.program("xdp_chain_empty_first"));
        ch.jmp().set(0, ch.coll.program("xdp_pong"));
        for (int i = 0; i < 20_000; i++) {
            ch.buff.load(new byte[60]);
            ch.st.begin(ch.buff);
            assertEquals(60, run.run(ch.st));
        }
        ch.jmp().set(0, ch.coll.program("xdp_self"));
        assertEquals("4 0/0/33/0", ch.both("xdp_chain_empty_first"));
        ch.jmp().set(0, null);
        assertEquals("41 0/0/0/1", ch.both("xdp_chain_empty_first"));
    }

    @Test
    void codeSharedByTwoCollectionsCallsThroughEachOnesOwnArray() {
        JitCompiler shared = JitCompiler.verifying();
        Chain a = new Chain(shared);
        Chain b = new Chain(shared);
        assertSame(shared.program(a.coll.program("xdp_chain")).code(), shared.program(b.coll.program("xdp_chain")).code(),
                "one compiled class for both");
        b.jmp().set(0, b.coll.program("xdp_self"));
        assertEquals("50 17/16/0/0", a.both("xdp_chain"));
        assertEquals("4 0/0/33/0", b.both("xdp_chain"));
        assertEquals("50 17/16/0/0", a.both("xdp_chain"));
    }

    @Test
    void aSlotHoldingAProgramNoEngineHereRunsFaultsAsTheIndirectCallDoes() {
        Chain ch = new Chain();
        ch.jmp().set(0, () -> "elsewhere");
        BpfFault interp = assertThrows(BpfFault.class, () -> ch.interp("xdp_chain"));
        BpfFault jit = assertThrows(BpfFault.class, () -> ch.jit("xdp_chain"));
        assertEquals(interp.getMessage(), jit.getMessage());
        assertEquals(interp.insn(), jit.insn());
    }

    @Test
    void aDirectCallInAProgramSplitIntoRegionsEndsTheRunOrFallsThrough() {
        // 1,200 ALU instructions before the call: the entry is split into region methods, the call in one
        StringBuilder entry = new StringBuilder("r7 = 0\n");
        for (int i = 0; i < 1200; i++) {
            entry.append("r7 += 1\n");
        }
        entry.append("r2 = map[idx:0] ll\nr3 = 1\ncall bpf_tail_call\nr0 = r7\nexit");
        try (Harness h = new Harness(List.of(Harness.spec("jmp", MapType.PROG_ARRAY, 4, 4, 2)),
                Asm.assemble(entry.toString()), Asm.assemble("r0 = 2\nexit"))) {
            BpfProgram p = h.prog(0);
            assertTrue(JitCompiler.methodSizes(JitClasses.verified(p)).size() > 5, "split into regions");
            assertEquals(1, JitClasses.directTailCalls(p));
            JitProgram jit = JitCompiler.verifying().program(p);
            assertEquals(1200, runOn(h, jit), "empty: falls through");
            ((ProgArray) h.map(0)).set(1, h.prog(1));
            assertEquals(2, runOn(h, jit));
            assertEquals(1, h.st.tailCalls);
            ((ProgArray) h.map(0)).set(1, null);
            assertEquals(1200, runOn(h, jit));
        }
    }

    private static long runOn(Harness h, JitProgram jit) {
        h.buff.load(new byte[60]);
        h.st.begin(h.buff);
        long interp = h.interp.run(h.prog(0), h.st);
        h.st.begin(h.buff);
        long r0 = jit.run(h.st);
        assertEquals(interp, r0, "the JIT and the interpreter");
        return r0;
    }
}
