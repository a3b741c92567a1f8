package dev.jxdp.ebpf.interp;

import dev.jxdp.ebpf.isa.Disasm;
import dev.jxdp.ebpf.isa.Insn;

/** One instruction's text for fault messages, in the kernel's verifier-log syntax. Only fault paths call it. */
final class Disassembly {
    private Disassembly() {}

    static String of(Insn[] prog, int i) {
        if (i < 0 || i >= prog.length) {
            return "(none)";
        }
        try {
            return Disasm.insn(prog, i);
        } catch (RuntimeException e) {
            // a malformed instruction still gets its raw fields
            Insn in = prog[i];
            return String.format("(%02x) dst=r%d src=r%d off=%d imm=%d", in.opcode(), in.dst(), in.src(), in.off(), in.imm());
        }
    }
}
