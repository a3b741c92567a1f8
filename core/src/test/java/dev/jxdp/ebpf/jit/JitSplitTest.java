package dev.jxdp.ebpf.jit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.interp.I;
import dev.jxdp.ebpf.interp.Interpreter;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpBuff;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JitSplitTest {

    private static final Path BPF_DIR = Path.of(System.getProperty("jxdp.repo", "."), "core/src/test/bpf");

    private static void assertEveryMethodCompilable(BpfProgram prog, int minMethods) {
        Map<String, Integer> sizes = JitCompiler.methodSizes(JitCompiler.classBytes(prog));
        assertTrue(sizes.size() >= minMethods, "methods: " + sizes);
        sizes.forEach((name, size) -> assertTrue(size <= JitCompiler.HUGE_METHOD_LIMIT,
                name + " has " + size + " bytes of bytecode, over HotSpot's 8000"));
    }

    // a loop of 5 rounds over ~2,400 instructions of ALU, stack and branch work, calling a ~2,000-instruction
    // function each round: both functions must be split, the loop's back-edge and the call cross regions
    private static Insn[] bigProgram() {
        List<Object> p = new ArrayList<>();
        p.add(I.mov(6, 0));
        p.add(I.mov(0, 7));
        int loop = 2;
        p.add(I.mov(7, 1));  // insn 2: loop head
        for (int i = 0; i < 400; i++) {
            p.add(I.alu64r(Op.ADD, 0, 6));
            p.add(I.alu64(Op.XOR, 0, 0x5a + i));
            p.add(I.stx(Op.DW, 10, 0, -8 - 8 * (i % 8)));
            p.add(I.ldx(Op.DW, 2, 10, -8 - 8 * (i % 8)));
            p.add(I.jmp(Op.JSET, 2, 1, 1));
            p.add(I.alu64(Op.ADD, 0, 3));
        }
        // r1 = r0; call big function; r0 = its result
        p.add(I.movr(1, 0));
        int callAt = count(p);
        p.add(null);  // patched: call
        p.add(I.alu64(Op.ADD, 6, 1));
        int back = count(p);
        p.add(I.jmp(Op.JLT, 6, 5, loop - back - 1));
        p.add(I.exit());
        int fn = count(p);
        p.set(callAt, I.callLocal(fn - callAt - 1));
        p.add(I.movr(0, 1));
        for (int i = 0; i < 500; i++) {
            p.add(I.alu64(Op.MUL, 0, 3));
            p.add(I.alu32(Op.ADD, 0, i));
            p.add(I.jmp32(Op.JGT, 0, 1000 + i, 1));
            p.add(I.alu64(Op.RSH, 0, 1));
        }
        p.add(I.exit());
        return I.prog(p.toArray());
    }

    private static int count(List<Object> p) {
        return p.size();
    }

    @Test
    void assembledProgramOf4000InstructionsIsSplitIntoCompilableMethodsAndAgrees() {
        Insn[] prog = bigProgram();
        assertTrue(prog.length >= 4000, "length " + prog.length);
        try (Harness h = new Harness(prog)) {
            assertEveryMethodCompilable(h.prog(0), 6);
            long interp = h.run(64);
            h.buff.load(new byte[64]);
            h.st.begin(h.buff);
            JitProgram jit = JitCompiler.compile(h.prog(0));
            assertEquals(interp, jit.run(h.st));
            // and again on the same per-thread state, as repeats do
            h.st.begin(h.buff);
            assertEquals(interp, jit.run(h.st));
        }
    }

    @Test
    void aCallBackIntoTheMainFunctionFaultsAsTheInterpreterDoes() {
        // only without the verifier (a loop in the call graph): the JIT's main function is enter's body,
        // so the call goes back in through enter and ends at the frame limit, as the interpreter's does
        try (Harness h = new Harness(I.prog(I.mov(0, 1), I.callLocal(-2), I.exit()))) {
            dev.jxdp.ebpf.runtime.BpfFault interp = org.junit.jupiter.api.Assertions.assertThrows(
                    dev.jxdp.ebpf.runtime.BpfFault.class, () -> h.run(64));
            h.buff.load(new byte[64]);
            h.st.begin(h.buff);
            JitProgram jit = JitCompiler.compile(h.prog(0));
            dev.jxdp.ebpf.runtime.BpfFault fault = org.junit.jupiter.api.Assertions.assertThrows(
                    dev.jxdp.ebpf.runtime.BpfFault.class, () -> jit.run(h.st));
            assertEquals(interp.getMessage(), fault.getMessage());
        }
    }

    @Test
    void smallProgramsStayOneMethodPerFunction() {
        // the main function is enter's own body (no static f0 to inline behind it)
        try (Harness h = new Harness(I.prog(I.mov(0, 40), I.alu64(Op.ADD, 0, 2), I.exit()))) {
            assertEquals(List.of("<init>", "enter", "bounded", "callFn"),
                    List.copyOf(JitCompiler.methodSizes(JitCompiler.classBytes(h.prog(0))).keySet()));
        }
    }

    @Test
    void gotolV4IsSplitIntoCompilableMethodsAndAgreesWithTheInterpreter() throws Exception {
        Path obj = BPF_DIR.resolve("gotol_v4.o");
        JsonNode rec = new ObjectMapper().readTree(Path.of(System.getProperty("jxdp.repo", "."),
                "core/src/test/resources/oracle/gotol_v4.json").toFile());
        int cases = 0;
        for (JsonNode c : rec.path("cases")) {
            byte[] frame = HexFormat.of().parseHex(c.path("data_in").asText());
            long[] ret = new long[2];
            byte[][] out = new byte[2][];
            for (int engine = 0; engine < 2; engine++) {
                try (BpfCollection coll = BpfCollection.load(ElfLoader.load(obj)); Arena arena = Arena.ofConfined()) {
                    BpfProgram prog = coll.programs().get(0);
                    assertTrue(prog.insns().length >= 4000, "length " + prog.insns().length);
                    if (engine == 1 && cases == 0) {
                        assertEveryMethodCompilable(prog, 6);
                    }
                    XdpBuff buff = XdpBuff.allocate(arena);
                    buff.load(frame);
                    ExecState st = coll.newExecState(0);
                    st.begin(buff);
                    ret[engine] = engine == 0 ? new Interpreter().run(prog, st) : JitCompiler.compile(prog).run(st);
                    out[engine] = buff.bytesFromMeta();
                }
            }
            assertEquals(c.path("expect").path("retval").asLong(), ret[0], c.path("name").asText());
            assertEquals(ret[0], ret[1], c.path("name").asText());
            assertArrayEquals(out[0], out[1], c.path("name").asText());
            cases++;
        }
        assertEquals(5, cases);
    }
}
