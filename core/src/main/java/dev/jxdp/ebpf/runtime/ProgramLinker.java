package dev.jxdp.ebpf.runtime;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.helpers.Helpers;
import dev.jxdp.ebpf.isa.HelperIds;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;

/**
 * Load-time checks that need the live collection: every map index in range, every helper one jxdp
 * implements. (The verifier, a later layer, proves the rest.)
 */
final class ProgramLinker {
    private ProgramLinker() {}

    static void check(BpfProgram prog, int mapCount) {
        Insn[] insns = prog.insns();
        for (int i = 0; i < insns.length; i++) {
            Insn in = insns[i];
            if (in.isLddw()) {
                int kind = in.src();
                if (kind == Op.PSEUDO_MAP_IDX || kind == Op.PSEUDO_MAP_IDX_VALUE) {
                    if (in.imm() < 0 || in.imm() >= mapCount) {
                        throw new BpfException("program " + prog.name() + ": instruction " + i
                                + ": map index " + in.imm() + " out of range (" + mapCount + " maps)");
                    }
                } else if (kind != 0 && kind != Op.PSEUDO_FUNC) {
                    throw new BpfException("program " + prog.name() + ": instruction " + i
                            + ": unsupported lddw kind src=" + kind);
                }
                i++;
            } else if (in.opcode() == (Op.JMP | Op.CALL) && in.src() == Op.CALL_HELPER) {
                if (!Helpers.isSupported(in.imm())) {
                    String name = HelperIds.name(in.imm());
                    throw new BpfException("program " + prog.name() + ": instruction " + i + ": "
                            + (name == null ? "invalid helper " + in.imm() : "helper " + name + "#" + in.imm()
                            + " is not supported"));
                }
            } else if (in.opcode() == (Op.JMP | Op.CALL) && in.src() == Op.PSEUDO_KFUNC_CALL) {
                throw new BpfException("program " + prog.name() + ": instruction " + i
                        + ": kfunc calls are not supported");
            }
        }
    }
}
