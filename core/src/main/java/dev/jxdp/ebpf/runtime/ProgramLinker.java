package dev.jxdp.ebpf.runtime;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.helpers.Helpers;
import dev.jxdp.ebpf.isa.HelperIds;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;

/**
 * Load-time checks that need the object's maps: every map index in range, every helper one jxdp
 * implements, no kfunc. (The verifier, a later layer, proves the rest.) What the kernel would refuse too
 * (a map index out of range, a helper id no kernel has) fails the object's load, as it fails libbpf's; what
 * only jxdp lacks (a helper the kernel has, a kfunc) fails one program: the object loads without it, and
 * the program is refused, with this reason, only when it is chosen.
 */
public final class ProgramLinker {
    private ProgramLinker() {}

    /**
     * Why jxdp cannot load {@code prog} from an object with {@code mapCount} maps although the kernel could
     * ("instruction 7: helper bpf_sk_lookup_tcp#84 is not supported"), or null when it can; throws
     * {@link BpfException} for what no kernel loads.
     */
    public static String unsupported(ProgramSpec prog, int mapCount) {
        Insn[] insns = prog.insns();
        for (int i = 0; i < insns.length; i++) {
            Insn in = insns[i];
            if (in.isLddw()) {
                int kind = in.src();
                if (kind == Op.PSEUDO_MAP_IDX || kind == Op.PSEUDO_MAP_IDX_VALUE) {
                    if (in.imm() < 0 || in.imm() >= mapCount) {
                        throw malformed(prog, i, "map index " + in.imm() + " out of range (" + mapCount + " maps)");
                    }
                } else if (kind != 0 && kind != Op.PSEUDO_FUNC) {
                    throw malformed(prog, i, "unsupported lddw kind src=" + kind);
                }
                i++;
            } else if (in.opcode() == (Op.JMP | Op.CALL) && in.src() == Op.CALL_HELPER) {
                if (!Helpers.isSupported(in.imm())) {
                    String name = HelperIds.name(in.imm());
                    if (name == null) {
                        throw malformed(prog, i, "invalid helper " + in.imm());
                    }
                    return "instruction " + i + ": helper " + name + "#" + in.imm() + " is not supported";
                }
            } else if (in.opcode() == (Op.JMP | Op.CALL) && in.src() == Op.PSEUDO_KFUNC_CALL) {
                return "instruction " + i + ": kfunc calls are not supported";
            }
        }
        return null;
    }

    private static BpfException malformed(ProgramSpec prog, int insn, String what) {
        return new BpfException("program " + prog.name() + ": instruction " + insn + ": " + what);
    }
}
