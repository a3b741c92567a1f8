package dev.jxdp.ebpf.interp;

import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;
import dev.jxdp.ebpf.maps.MapSpec;
import dev.jxdp.ebpf.maps.MapType;
import dev.jxdp.ebpf.maps.ProgArray;
import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.runtime.BpfFault;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.jxdp.ebpf.interp.I.*;
import static dev.jxdp.ebpf.isa.Op.*;
import static org.junit.jupiter.api.Assertions.*;

/** XDP programs: the context, packet bounds, faults, tail calls, map references. */
class InterpreterXdpTest {

    // r2 = data, r3 = data_end
    static final Insn[] LOAD_DATA = prog(ldx(W, 2, 1, 0), ldx(W, 3, 1, 4));

    @Test
    void contextLoadsGiveThePacketPointers() {
        try (Harness h = new Harness(prog(LOAD_DATA, movr(0, 3), alu64r(SUB, 0, 2), exit()))) {
            assertEquals(60, h.run(60));
        }
    }

    @Test
    void dataMetaEqualsDataWithoutMetadata() {
        try (Harness h = new Harness(prog(ldx(W, 2, 1, 0), ldx(W, 3, 1, 8), movr(0, 2), alu64r(SUB, 0, 3), exit()))) {
            assertEquals(0, h.run(60));
        }
    }

    @Test
    void contextScalarFields() {
        try (Harness h = new Harness(prog(ldx(W, 0, 1, 12), ldx(W, 2, 1, 16), alu64(LSH, 2, 8), alu64r(OR, 0, 2), exit()))) {
            h.buff.ingressIfindex = 7;
            h.buff.rxQueueIndex = 3;
            h.buff.load(new byte[20]);
            h.st.begin(h.buff);
            assertEquals(0x307, h.interp.run(h.prog(0), h.st));
        }
    }

    @Test
    void packetReadAndWrite() {
        // swap the first two bytes, return the first byte read
        Insn[] p = prog(LOAD_DATA, movr(4, 2), alu64(ADD, 4, 2), jmpr(JGT, 4, 3, 5),
                ldx(B, 5, 2, 0), ldx(B, 6, 2, 1), stx(B, 2, 6, 0), stx(B, 2, 5, 1), movr(0, 5), exit(),
                mov(0, 1), exit());
        try (Harness h = new Harness(p)) {
            byte[] pkt = new byte[20];
            pkt[0] = 0x11;
            pkt[1] = 0x22;
            assertEquals(0x11, h.run(pkt));
            byte[] out = h.buff.bytesFromMeta();
            assertEquals(0x22, out[0]);
            assertEquals(0x11, out[1]);
        }
    }

    @Test
    void readBeyondDataEndFaultsWithAnExplanation() {
        try (Harness h = new Harness(prog(LOAD_DATA, ldx(W, 0, 2, 58), exit()))) {
            BpfFault f = assertThrows(BpfFault.class, () -> h.run(60));
            assertEquals(2, f.insn());
            assertTrue(f.getMessage().startsWith("insn 2: "), f.getMessage());
            assertTrue(f.getMessage().contains("invalid read of 4 bytes at packet+58, beyond data_end (len 60)"), f.getMessage());
        }
    }

    @Test
    void readInTheHeadroomFaults() {
        try (Harness h = new Harness(prog(LOAD_DATA, ldx(B, 0, 2, -1), exit()))) {
            BpfFault f = assertThrows(BpfFault.class, () -> h.run(60));
            assertTrue(f.getMessage().contains("packet-1, before data_meta"), f.getMessage());
        }
    }

    @Test
    void contextWritesFault() {
        try (Harness h = new Harness(prog(st(W, 1, 12, 0), mov(0, 2), exit()))) {
            BpfFault f = assertThrows(BpfFault.class, () -> h.run(60));
            assertTrue(f.getMessage().contains("ctx+12: the context is read-only"), f.getMessage());
        }
    }

    @Test
    void contextLoadsOfOtherSizesFault() {
        try (Harness h = new Harness(prog(ldx(DW, 0, 1, 0), exit()))) {
            assertThrows(BpfFault.class, () -> h.run(60));
        }
        try (Harness h = new Harness(prog(ldx(H, 0, 1, 0), exit()))) {
            assertThrows(BpfFault.class, () -> h.run(60));
        }
        try (Harness h = new Harness(prog(ldx(W, 0, 1, 2), exit()))) {
            assertThrows(BpfFault.class, () -> h.run(60));
        }
    }

    @Test
    void faultNamesTheSourceLineWhenBtfHasIt() {
        var spec = new dev.jxdp.ebpf.elf.ProgramSpec("p", "xdp", prog(mov(1, 0), ldx(W, 0, 1, 0), exit()),
                List.of(), List.of(new dev.jxdp.ebpf.elf.ProgramSpec.Line(1, "/src/prog.c", 42, 5, "  return *p;")));
        try (var c = dev.jxdp.ebpf.runtime.BpfCollection.load(new dev.jxdp.ebpf.elf.ObjectSpec("t.o", List.of(), List.of(spec), "GPL"))) {
            var st = c.newExecState(0);
            st.begin(null);
            BpfFault f = assertThrows(BpfFault.class, () -> new Interpreter().runRaw(c.programs().get(0), st, 0, 0));
            assertTrue(f.getMessage().endsWith("; return *p; @ prog.c:42"), f.getMessage());
        }
    }

    // ---- tail calls ----

    static MapSpec progArray(int max) {
        return Harness.spec("jmp", MapType.PROG_ARRAY, 4, 4, max);
    }

    // p0: tail call slot r3 of map 0, else return 1
    static Insn[] tailCaller(int slot) {
        return prog(lddw(2, Op.PSEUDO_MAP_IDX, 0, 0), mov(3, slot), call(12), mov(0, 1), exit());
    }

    @Test
    void tailCallReplacesTheProgram() {
        try (Harness h = new Harness(List.of(progArray(4)), tailCaller(0), prog(mov(0, 3), exit()))) {
            ((ProgArray) h.map(0)).set(0, h.prog(1));
            assertEquals(3, h.run(60));
            assertEquals(1, h.st.tailCalls);
        }
    }

    @Test
    void tailCallToAnEmptySlotFallsThrough() {
        try (Harness h = new Harness(List.of(progArray(4)), tailCaller(1), prog(mov(0, 3), exit()))) {
            ((ProgArray) h.map(0)).set(0, h.prog(1));
            assertEquals(1, h.run(60));
        }
    }

    @Test
    void tailCallOutOfRangeFallsThrough() {
        try (Harness h = new Harness(List.of(progArray(4)), tailCaller(4), prog(mov(0, 3), exit()))) {
            ((ProgArray) h.map(0)).set(0, h.prog(1));
            assertEquals(1, h.run(60));
        }
    }

    @Test
    void tailCallsStopAfter33() {
        // p1 counts its runs in map 1's value and tail-calls itself through slot 0
        MapSpec counter = Harness.spec("cnt", MapType.ARRAY, 4, 8, 1);
        Insn[] p1 = prog(lddw(7, Op.PSEUDO_MAP_IDX_VALUE, 1, 0), mov(8, 1), atomic(DW, 7, 8, 0, ADD),
                lddw(2, Op.PSEUDO_MAP_IDX, 0, 0), mov(3, 0), call(12), mov(0, 2), exit());
        try (Harness h = new Harness(List.of(progArray(1), counter), tailCaller(0), p1)) {
            ((ProgArray) h.map(0)).set(0, h.prog(1));
            assertEquals(2, h.run(60));
            assertEquals(33, h.st.tailCalls);
            assertEquals(33, Mem.getU64(h.map(1).directValueAddr(0)));
        }
    }

    // ---- lddw map forms ----

    @Test
    void lddwMapIdxGivesTheMapHandle() {
        try (Harness h = new Harness(List.of(Harness.spec("m", MapType.ARRAY, 4, 8, 1)),
                prog(lddw(0, Op.PSEUDO_MAP_IDX, 0, 0), exit()))) {
            assertEquals(h.map(0).handle(), h.run(60));
        }
    }

    @Test
    void lddwMapValuePointsIntoGlobalData() {
        byte[] init = {1, 2, 3, 4, 5, 6, 7, 8};
        MapSpec data = new MapSpec(".data", MapType.ARRAY.id(), 4, 8, 1, 0, init, false, null, ".data");
        try (Harness h = new Harness(List.of(data), prog(lddw(1, Op.PSEUDO_MAP_IDX_VALUE, 0, 4), ldx(W, 0, 1, 0), exit()))) {
            assertEquals(0x08070605L, h.run(60));
        }
    }

    @Test
    void readOnlyGlobalDataRefusesWrites() {
        byte[] init = {1, 2, 3, 4, 5, 6, 7, 8};
        MapSpec ro = new MapSpec(".rodata", MapType.ARRAY.id(), 4, 8, 1, 0, init, true, null, ".rodata");
        try (Harness h = new Harness(List.of(ro), prog(lddw(1, Op.PSEUDO_MAP_IDX_VALUE, 0, 0), st(W, 1, 0, 9), mov(0, 2), exit()))) {
            BpfFault f = assertThrows(BpfFault.class, () -> h.run(60));
            assertTrue(f.getMessage().contains("invalid write of 4 bytes"), f.getMessage());
        }
    }
}
