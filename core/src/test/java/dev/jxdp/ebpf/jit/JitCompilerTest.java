package dev.jxdp.ebpf.jit;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.interp.I;
import dev.jxdp.ebpf.isa.HelperIds;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;
import dev.jxdp.ebpf.maps.MapType;
import dev.jxdp.ebpf.maps.ProgArray;
import dev.jxdp.ebpf.runtime.BpfFault;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JitCompilerTest {

    private static long jit(Harness h, int packetLength) {
        h.buff.load(new byte[packetLength]);
        h.st.begin(h.buff);
        return JitCompiler.compile(h.prog(0)).run(h.st);
    }

    @Test
    void compiledCodeIsAHiddenClassReturningR0() {
        try (Harness h = new Harness(I.prog(I.mov(0, 40), I.alu64(Op.ADD, 0, 2), I.exit()))) {
            JitProgram p = JitCompiler.compile(h.prog(0));
            assertTrue(p.code().getClass().isHidden());
            h.buff.load(new byte[64]);
            h.st.begin(h.buff);
            assertEquals(42, p.run(h.st));
        }
    }

    @Test
    void packetLengthFromCtxPointers() {
        // r0 = data_end - data
        try (Harness h = new Harness(I.prog(I.ldx(Op.W, 2, 1, 0), I.ldx(Op.W, 0, 1, 4), I.alu64r(Op.SUB, 0, 2), I.exit()))) {
            assertEquals(60, jit(h, 60));
        }
    }

    @Test
    void outOfBoundsPacketReadFaultsWithTheInterpretersMessage() {
        Insn[] prog = I.prog(I.ldx(Op.W, 2, 1, 0), I.ldx(Op.B, 0, 2, 100), I.exit());
        try (Harness h = new Harness(prog)) {
            BpfFault interp = assertThrows(BpfFault.class, () -> h.run(60));
            BpfFault jit = assertThrows(BpfFault.class, () -> jit(h, 60));
            assertEquals(interp.getMessage(), jit.getMessage());
            assertEquals(1, jit.insn());
            assertTrue(jit.getMessage().contains("beyond data_end"), jit.getMessage());
        }
    }

    @Test
    void infiniteLoopStopsAtTheBudget() {
        try (Harness h = new Harness(I.prog(I.mov(0, 0), I.alu64(Op.ADD, 0, 1), I.ja(-2)))) {
            JitProgram p = JitCompiler.compile(h.prog(0));
            h.buff.load(new byte[64]);
            h.st.begin(h.buff);
            assertEquals(0, p.faults());
            BpfFault f = assertThrows(BpfFault.class, () -> p.run(h.st));
            assertTrue(f.getMessage().contains("more than 1000000 instructions"), f.getMessage());
            assertEquals(1_000_001, p.steps());
            assertEquals(1, p.faults(), "every faulted run is counted");
        }
    }

    @Test
    void tailCallRunsTheCompiledTargetAndAnEmptySlotFallsThrough() {
        // p0: tail call slot r3; falls through to r0 = 1. p1: r0 = 7.
        Insn[] p0 = I.prog(I.lddw(2, Op.PSEUDO_MAP_IDX, 0, 0), I.mov(3, 0), I.call(HelperIds.TAIL_CALL), I.mov(0, 1), I.exit());
        Insn[] p1 = I.prog(I.mov(0, 7), I.exit());
        try (Harness h = new Harness(List.of(Harness.spec("jmp", MapType.PROG_ARRAY, 4, 4, 2)), p0, p1)) {
            assertEquals(1, jit(h, 64));
            ((ProgArray) h.map(0)).set(0, h.prog(1));
            assertEquals(7, jit(h, 64));
            assertEquals(1, h.st.tailCalls);
        }
    }

    @Test
    void bpfLoopCallsTheCompiledCallback() {
        // main: bpf_loop(5, cb, &counter on the stack, 0); r0 = counter. cb(i, ctx): *ctx += i + 1; return 0
        Insn[] prog = I.prog(
                I.st(Op.DW, 10, -8, 0),
                I.mov(1, 5),
                I.lddw(2, Op.PSEUDO_FUNC, 7, 0),
                I.movr(3, 10), I.alu64(Op.ADD, 3, -8),
                I.mov(4, 0),
                I.call(HelperIds.LOOP),
                I.ldx(Op.DW, 0, 10, -8),
                I.exit(),
                // cb at insn 10
                I.ldx(Op.DW, 3, 2, 0), I.alu64r(Op.ADD, 3, 1), I.alu64(Op.ADD, 3, 1), I.stx(Op.DW, 2, 3, 0),
                I.mov(0, 0), I.exit());
        try (Harness h = new Harness(prog)) {
            assertEquals(15, h.run(64));
            assertEquals(15, jit(h, 64));
        }
    }

    @Test
    void bpfToBpfCallGetsItsOwnFrameAndKeepsCalleeSavedRegisters() {
        // main: r6 = 5; *(fp-8) = 100; call f; r0 += r6; r0 += *(fp-8). f: *(fp-8) = 1; r6 = 9; r0 = r1 + 1
        Insn[] prog = I.prog(I.mov(6, 5), I.st(Op.DW, 10, -8, 100), I.mov(1, 10), I.callLocal(4),
                I.alu64r(Op.ADD, 0, 6), I.ldx(Op.DW, 2, 10, -8), I.alu64r(Op.ADD, 0, 2), I.exit(),
                I.st(Op.DW, 10, -8, 1), I.mov(6, 9), I.movr(0, 1), I.alu64(Op.ADD, 0, 1), I.exit());
        try (Harness h = new Harness(prog)) {
            assertEquals(h.run(64), jit(h, 64));
            assertEquals(11 + 5 + 100, jit(h, 64));
        }
    }

    @Test
    void runsAllocateNothing() {
        Insn[] prog = I.prog(I.ldx(Op.W, 2, 1, 0), I.ldx(Op.W, 3, 1, 4), I.movr(4, 2), I.alu64(Op.ADD, 4, 14),
                I.jmpr(Op.JGT, 4, 3, 3), I.ldx(Op.H, 0, 2, 12), I.stx(Op.DW, 10, 0, -8), I.exit(),
                I.mov(0, 1), I.exit());
        try (Harness h = new Harness(prog)) {
            JitProgram p = JitCompiler.compile(h.prog(0));
            h.buff.load(new byte[64]);
            for (int i = 0; i < 20_000; i++) {
                h.st.begin(h.buff);
                p.run(h.st);
            }
            var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 100_000; i++) {
                h.st.begin(h.buff);
                p.run(h.st);
            }
            long bytes = mx.getCurrentThreadAllocatedBytes() - before;
            assertTrue(bytes < 10_000, bytes + " bytes allocated by 100000 runs");
        }
    }
}
