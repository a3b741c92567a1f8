package dev.jxdp.ebpf.verifier;

import dev.jxdp.ebpf.isa.HelperIds;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;

/**
 * bpf_fastcall patterns (mark_fastcall_patterns(), check_fastcall_stack_contract(),
 * remove_fastcall_spills_fills()): around a call of a helper the kernel inlines without touching r1-r5
 * (on x86-64, bpf_get_smp_processor_id), compilers spill the registers they need to the stack and fill
 * them back; the kernel removes those pairs, and the stack they used no longer counts in the function's
 * stack depth, as long as nothing else in the function touches that part of the stack. Only the depth
 * changes: jxdp runs the spills and fills, which give the same registers.
 */
final class Fastcall {

    private final InsnAux aux;
    private final Insn[] insns;
    private final boolean[] pattern;
    private final int[] spillsNum;
    /** per function: the lowest offset a pattern uses (0: none), or Short.MIN_VALUE once the contract broke */
    private final int[] stackOff;

    Fastcall(Insn[] insns, InsnAux aux) {
        this.aux = aux;
        this.insns = insns;
        this.pattern = new boolean[insns.length];
        this.spillsNum = new int[insns.length];
        this.stackOff = new int[aux.subprogs.length];
        for (int s = 0; s < aux.subprogs.length; s++) {
            int lowest = 0;
            for (int i = aux.subprogs[s]; i < aux.subprogEnd(s); i++) {
                if (isSpill(insns[i])) {
                    lowest = Math.min(lowest, insns[i].off());
                }
            }
            for (int i = aux.subprogs[s]; i < aux.subprogEnd(s); i++) {
                Insn in = insns[i];
                if (in != null && in.opcode() == (Op.JMP | Op.CALL)) {
                    markCall(s, i, lowest);
                }
            }
        }
    }

    private static boolean isSpill(Insn in) {
        return in != null && in.opcode() == (Op.STX | Op.MEM | Op.DW) && in.dst() == 10;
    }

    private static boolean isFill(Insn in) {
        return in != null && in.opcode() == (Op.LDX | Op.MEM | Op.DW) && in.src() == 10;
    }

    // mark_fastcall_pattern_for_call(): pairs "*(u64 *)(r10 + off) = rX" before the call and
    // "rX = *(u64 *)(r10 + off)" after it, outwards, at consecutive offsets from the lowest spill up
    private void markCall(int subprog, int call, int lowest) {
        Insn in = insns[call];
        // bpf_get_smp_processor_id: allow_fastcall, inlined by the x86-64 JIT, clobbers r0 only
        if (in.src() != Op.CALL_HELPER || in.imm() != HelperIds.GET_SMP_PROCESSOR_ID) {
            return;
        }
        int expected = 0x3e;  // r1-r5
        int i = 1;
        int off = lowest;
        for (; i <= 5; i++, off += 8) {
            if (call - i < 0 || call + i >= insns.length) {
                break;
            }
            Insn stx = insns[call - i];
            Insn ldx = insns[call + i];
            if (!isSpill(stx) || !isFill(ldx) || stx.src() != ldx.dst() || (expected & (1 << stx.src())) == 0
                    || stx.off() != off || ldx.off() != off) {
                break;
            }
            expected &= ~(1 << stx.src());
            pattern[call - i] = true;
            pattern[call + i] = true;
        }
        if (i == 1) {
            return;
        }
        spillsNum[call] = i - 1;
        stackOff[subprog] = Math.min(stackOff[subprog], off);
    }

    /**
     * check_fastcall_stack_contract(): a stack access at {@code off} by an instruction outside the
     * patterns, below the pattern area's top, makes the function keep its spills and their stack.
     */
    void stackAccess(int funcEntry, int pc, int off) {
        int s = aux.subprogOf(funcEntry);
        if (stackOff[s] <= off || pattern[pc]) {
            return;
        }
        stackOff[s] = Short.MIN_VALUE;
        for (int i = aux.subprogs[s]; i < aux.subprogEnd(s); i++) {
            spillsNum[i] = 0;
            pattern[i] = false;
        }
    }

    /** remove_fastcall_spills_fills(): the stack depth of each function whose patterns go, in place. */
    void adjustStackDepth(int[] stackDepth) {
        for (int s = 0; s < aux.subprogs.length; s++) {
            boolean removed = false;
            for (int i = aux.subprogs[s]; i < aux.subprogEnd(s); i++) {
                removed |= spillsNum[i] > 0;
            }
            // (the kernel keeps the stack of patterns around calls it does not inline; it inlines the only
            // helper here)
            if (removed) {
                stackDepth[s] = -stackOff[s];
            }
        }
    }
}
