package dev.jxdp.cli;

import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.isa.Disasm;
import dev.jxdp.ebpf.isa.Insn;

/** A program's listing: kernel verifier-log lines with function names and C source lines between them. */
final class Listing {
    private Listing() {}

    static String of(ObjectSpec o, ProgramSpec p, boolean source) {
        return of(o, p, source, 0, p.insns().length);
    }

    /** Instructions [from, to) of the listing. */
    static String of(ObjectSpec o, ProgramSpec p, boolean source, int from, int to) {
        StringBuilder sb = new StringBuilder();
        Insn[] insns = p.insns();
        if (from == 0) {
            sb.append(p.name()).append(" (section ").append(p.section()).append(", ")
                    .append(insns.length).append(" instructions):\n");
        }
        ProgramSpec.Line last = null;
        for (int i = from; i < Math.min(to, insns.length); i++) {
            for (ProgramSpec.Func f : p.funcs()) {
                if (f.insn() == i && i > 0) {
                    sb.append(f.name()).append(":\n");
                }
            }
            if (source) {
                ProgramSpec.Line line = p.lineOf(i);
                // clang emits several records for one source line; show it once per run of them
                if (line != null && line.insn() == i && (last == null || last.line() != line.line()
                        || !last.file().equals(line.file()))) {
                    sb.append(line).append('\n');
                    last = line;
                }
            }
            sb.append(String.format("%5d: (%02x) %s%n", i, insns[i].opcode(),
                    Disasm.insn(insns, i, idx -> idx >= 0 && idx < o.maps().size() ? o.maps().get(idx).name() : null)));
            if (insns[i].isLddw()) {
                i++;
            }
        }
        return sb.toString();
    }
}
