package dev.jxdp.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import dev.jxdp.ebpf.isa.Insn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Raw changes to a generated program, chosen by the fuzzer's input: an opcode, a register, an offset or an
 * immediate replaced by any value, an instruction inserted, deleted, duplicated or swapped, or one of the
 * generator's known ways to break the program ({@code VerifiedProgramGenerator.Site}). What comes out is
 * mostly invalid, sometimes subtly: the programs the verifier must refuse, and the unsafe ones the
 * interpreter and the checked JIT must stop with a fault rather than crash on.
 */
final class InsnMutator {
    private InsnMutator() {}

    /** Values that sit on the edges the verifier and the JIT reason about. */
    private static final int[] INTERESTING = {0, 1, -1, 2, 4, 7, 8, 14, 16, 31, 32, 63, 64, 255, 256, 511, 512, 4096,
            0x7fff, -0x8000, 0xffff, Integer.MAX_VALUE, Integer.MIN_VALUE, -512, -8};

    /** Applies up to {@code max} changes; {@code sites} are single-instruction replacements known to be invalid. */
    static Insn[] mutate(Insn[] program, List<Site> sites, FuzzedDataProvider data, int max) {
        List<Insn> p = new ArrayList<>(Arrays.asList(program));
        int n = data.consumeInt(0, max);
        for (int k = 0; k < n && !p.isEmpty(); k++) {
            int at = data.consumeInt(0, p.size() - 1);
            Insn in = p.get(at);
            switch (data.consumeInt(0, 8)) {
                case 0 -> p.set(at, new Insn(data.consumeInt(0, 255), in.dst(), in.src(), in.off(), in.imm()));
                case 1 -> p.set(at, new Insn(in.opcode(), data.consumeInt(0, 15), in.src(), in.off(), in.imm()));
                case 2 -> p.set(at, new Insn(in.opcode(), in.dst(), data.consumeInt(0, 15), in.off(), in.imm()));
                case 3 -> p.set(at, new Insn(in.opcode(), in.dst(), in.src(), value(data, Short.MIN_VALUE, Short.MAX_VALUE), in.imm()));
                case 4 -> p.set(at, in.withImm(value(data, Integer.MIN_VALUE, Integer.MAX_VALUE)));
                case 5 -> p.add(at, new Insn(data.consumeInt(0, 255), data.consumeInt(0, 15), data.consumeInt(0, 15),
                        value(data, Short.MIN_VALUE, Short.MAX_VALUE), value(data, Integer.MIN_VALUE, Integer.MAX_VALUE)));
                case 6 -> p.remove(at);
                case 7 -> p.add(at, in);
                default -> {
                    if (!sites.isEmpty()) {
                        Site s = sites.get(data.consumeInt(0, sites.size() - 1));
                        if (s.pc() < p.size()) {
                            p.set(s.pc(), s.replacement());
                        }
                    } else {
                        int other = data.consumeInt(0, p.size() - 1);
                        p.set(at, p.get(other));
                        p.set(other, in);
                    }
                }
            }
        }
        return p.toArray(Insn[]::new);
    }

    /** A single-instruction replacement known to make the program invalid. */
    record Site(int pc, Insn replacement) {}

    private static int value(FuzzedDataProvider data, int min, int max) {
        if (data.consumeBoolean()) {
            int v = INTERESTING[data.consumeInt(0, INTERESTING.length - 1)];
            return Math.clamp(v, min, max);
        }
        return data.consumeInt(min, max);
    }
}
