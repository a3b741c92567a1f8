package dev.jxdp.ebpf.jit;

import dev.jxdp.ebpf.isa.Disasm;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.runtime.BpfFault;
import dev.jxdp.ebpf.runtime.BpfProgram;

/** Fault messages in the interpreter's form: {@code insn 12: r0 = *(u32 *)(r2 +0): why ; source @ file.c:42}. */
final class JitFaults {
    private JitFaults() {}

    static BpfFault fault(BpfProgram prog, int pc, String why) {
        return new BpfFault(pc, explain(prog, pc, why));
    }

    static String explain(BpfProgram prog, int pc, String why) {
        if (prog == null) {
            return why;
        }
        StringBuilder sb = new StringBuilder("insn ").append(pc).append(": ")
                .append(disasm(prog.insns(), pc)).append(": ").append(why);
        if (prog.spec() != null && prog.spec().lines() != null) {
            var line = prog.spec().lineOf(pc);
            if (line != null) {
                sb.append(' ').append(line);
            }
        }
        return sb.toString();
    }

    private static String disasm(Insn[] code, int i) {
        if (i < 0 || i >= code.length) {
            return "(none)";
        }
        try {
            return Disasm.insn(code, i);
        } catch (RuntimeException e) {
            Insn in = code[i];
            return String.format("(%02x) dst=r%d src=r%d off=%d imm=%d", in.opcode(), in.dst(), in.src(), in.off(), in.imm());
        }
    }
}
