package dev.jxdp.ebpf.elf;

import dev.jxdp.cli.BpfConformancePlugin;
import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.interp.Interpreter;
import dev.jxdp.ebpf.isa.Op;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.ExecState;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.jxdp.ebpf.interp.I.alu64;
import static dev.jxdp.ebpf.interp.I.callLocal;
import static dev.jxdp.ebpf.interp.I.exit;
import static dev.jxdp.ebpf.interp.I.mov;
import static dev.jxdp.ebpf.interp.I.movr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Calls whose target lies inside a function, as hand-written objects (bpf_conformance's --elf) have them. */
class ElfMidFunctionCallTest {

    private static long run(ObjectSpec spec) {
        try (BpfCollection coll = BpfCollection.load(spec)) {
            ExecState st = coll.newExecState(0);
            st.begin(null);
            return new Interpreter().runRaw(coll.programs().get(0), st, 0, 0);
        }
    }

    // bpf_conformance's writer: one .text section, one `main` symbol over all of it, local calls without relocation
    @Test
    void callWithoutRelocationIntoOwnMiddleKeepsLayout() {
        TinyElf elf = new TinyElf();
        int text = elf.section(".text",
                mov(1, 1),          // 0
                callLocal(1),       // 1: -> 3, inside main
                exit(),             // 2
                movr(0, 1),         // 3: r0 = r1 (1)
                alu64(Op.ADD, 0, 41),
                exit());
        elf.function("main", text, 0, 6, false);
        ObjectSpec spec = ElfLoader.parse(elf.build(), "conformance.o");

        ProgramSpec p = spec.programs().getFirst();
        assertEquals("main", p.name());
        assertEquals(6, p.insns().length);
        assertEquals(1, p.insns()[1].imm());
        assertEquals(Op.PSEUDO_CALL, p.insns()[1].src());
        assertEquals(List.of(new ProgramSpec.Func(0, "main")), p.funcs());
        assertEquals(42, run(spec));
    }

    // a relocated call from a program into the middle of a .text function: the function is appended whole
    // and the call lands at the same offset inside the appended copy
    @Test
    void relocatedCallIntoMiddleOfSubprogramPointsIntoAppendedCopy() {
        TinyElf elf = new TinyElf();
        int xdp = elf.section("xdp",
                mov(1, 2),
                callLocal(1),       // relocated against .text: target .text insn 0 + 1 + 1 = 2
                exit());
        int text = elf.section(".text",
                mov(0, 100),        // 0: skipped by the call
                exit(),
                movr(0, 1),         // 2: call target
                alu64(Op.MUL, 0, 21),
                exit());
        elf.function("prog", xdp, 0, 3, false);
        elf.function("sub", text, 0, 5, true);
        int textSym = elf.sectionSymbol(text);
        elf.reloc(xdp, 1, textSym, ElfLoader.R_BPF_64_32);
        ObjectSpec spec = ElfLoader.parse(elf.build(), "t.o");

        ProgramSpec p = spec.program("prog");
        assertEquals(List.of(new ProgramSpec.Func(0, "prog"), new ProgramSpec.Func(3, "sub")), p.funcs());
        assertEquals(8, p.insns().length);
        assertEquals(3, p.insns()[1].imm()); // 1 + 3 + 1 = 5 = sub's copy at 3, plus 2
        assertEquals(42, run(spec));
    }

    @Test
    void conformancePluginRunsTheObject() {
        TinyElf elf = new TinyElf();
        int text = elf.section(".text", mov(1, 1), callLocal(1), exit(), movr(0, 1), alu64(Op.ADD, 0, 41), exit());
        elf.function("main", text, 0, 6, false);
        StringBuilder hex = new StringBuilder();
        for (byte b : elf.build()) {
            hex.append(String.format("%02x ", b & 0xff));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = BpfConformancePlugin.run(new String[] {"--elf"},
                new ByteArrayInputStream(hex.toString().getBytes(StandardCharsets.US_ASCII)),
                new PrintStream(out, true), new PrintStream(err, true));
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        assertEquals("2a", out.toString(StandardCharsets.UTF_8).strip());
    }

    @Test
    void callOutsideEveryFunctionIsRefused() {
        TinyElf elf = new TinyElf();
        int text = elf.section(".text", mov(0, 0), callLocal(5), exit());
        elf.function("main", text, 0, 3, false);
        BpfException e = assertThrows(BpfException.class, () -> ElfLoader.parse(elf.build(), "t.o"));
        assertTrue(e.getMessage().startsWith("program main: instruction 1: call to instruction 7 of section .text"),
                e.getMessage());
    }
}
