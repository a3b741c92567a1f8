package dev.jxdp.ebpf.verifier;

/** One call frame of the abstract state (struct bpf_func_state): registers and the 512-byte stack. */
final class FuncState {
    static final int MAX_STACK = 512;
    static final byte INVALID = 0;
    static final byte MISC = 1;
    static final byte SPILL = 2;
    static final byte ZERO = 3;

    final Reg[] regs = new Reg[11];
    /** per byte, from fp-512 (index 0) to fp-1 (index 511) */
    final byte[] stack = new byte[MAX_STACK];
    /** the register spilled in each 8-byte slot */
    final Reg[] spilled = new Reg[MAX_STACK / 8];
    /** the instruction after the call that made this frame, -1 for the main one */
    int callsite = -1;
    int frameno;
    /** the callback's helper call instruction when this frame runs a bpf_loop-style callback, else -1 */
    int callbackOf = -1;

    FuncState(int frameno) {
        this.frameno = frameno;
        for (int i = 0; i < regs.length; i++) {
            regs[i] = new Reg();
            regs[i].markNotInit();
        }
        regs[10].markPtr(RegType.PTR_TO_STACK, 0);
        regs[10].frame = frameno;
    }

    FuncState copy() {
        FuncState f = new FuncState(frameno);
        for (int i = 0; i < regs.length; i++) {
            f.regs[i].set(regs[i]);
        }
        System.arraycopy(stack, 0, f.stack, 0, stack.length);
        for (int i = 0; i < spilled.length; i++) {
            f.spilled[i] = spilled[i] == null ? null : spilled[i].copy();
        }
        f.callsite = callsite;
        f.callbackOf = callbackOf;
        return f;
    }
}
