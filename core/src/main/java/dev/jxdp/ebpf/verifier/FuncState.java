package dev.jxdp.ebpf.verifier;

/**
 * One call frame of the abstract state (struct bpf_func_state): registers and the 512-byte stack.
 * <p>
 * The stack is kept as the kernel keeps it, per byte: a kind ({@link #INVALID} never written,
 * {@link #MISC} some data, {@link #ZERO} a known zero, {@link #SPILL} part of a spilled register), and per
 * 8-byte slot the register spilled there. Bytes are indexed from fp-512 (index 0) to fp-1 (index 511);
 * the kernel's slot number ({@code spi}, 0 for fp-8..fp-1) is {@code 63 - index / 8}.
 */
final class FuncState {
    static final int MAX_STACK = 512;
    static final int SLOTS = MAX_STACK / 8;
    static final byte INVALID = 0;
    static final byte MISC = 1;
    static final byte SPILL = 2;
    static final byte ZERO = 3;

    final Reg[] regs = new Reg[11];
    /** per byte, from fp-512 (index 0) to fp-1 (index 511) */
    final byte[] stack = new byte[MAX_STACK];
    /** the register spilled in each 8-byte slot, by byte index / 8 */
    final Reg[] spilled = new Reg[SLOTS];
    /** bytes of stack the frame has used so far, a multiple of 8 (allocated_stack) */
    int allocatedStack;
    /** the call instruction that made this frame, -1 for the main one (callsite) */
    int callsite = -1;
    int frameno;
    /** the first instruction of the function this frame runs */
    int subprog;
    /** the frame runs a callback of bpf_loop or bpf_for_each_map_elem (in_callback_fn) */
    boolean inCallbackFn;
    /** the values a callback may return (callback_ret_range) */
    long callbackRetMin;
    long callbackRetMax;
    /** callbacks this frame started since it last continued after the call (callback_depth) */
    int callbackDepth;

    FuncState(int frameno, int callsite, int subprog) {
        this.frameno = frameno;
        this.callsite = callsite;
        this.subprog = subprog;
        for (int i = 0; i < regs.length; i++) {
            regs[i] = new Reg();
        }
        regs[10].markPtr(RegType.PTR_TO_STACK, 0);
        regs[10].frame = frameno;
    }

    private FuncState(FuncState o) {
        for (int i = 0; i < regs.length; i++) {
            regs[i] = o.regs[i].copy();
        }
        System.arraycopy(o.stack, 0, stack, 0, MAX_STACK);
        for (int i = 0; i < SLOTS; i++) {
            spilled[i] = o.spilled[i] == null ? null : o.spilled[i].copy();
        }
        allocatedStack = o.allocatedStack;
        callsite = o.callsite;
        frameno = o.frameno;
        subprog = o.subprog;
        inCallbackFn = o.inCallbackFn;
        callbackRetMin = o.callbackRetMin;
        callbackRetMax = o.callbackRetMax;
        callbackDepth = o.callbackDepth;
    }

    FuncState copy() {
        return new FuncState(this);
    }

    /** The kernel's slot number (spi) of byte index {@code at}. */
    static int spiOf(int at) {
        return SLOTS - 1 - at / 8;
    }

    /** The byte index of the first (lowest-addressed) byte of slot {@code spi}. */
    static int slotBase(int spi) {
        return (SLOTS - 1 - spi) * 8;
    }

    /** is_spilled_reg(): the slot's lowest byte is part of a spill. */
    boolean isSpilled(int spi) {
        return stack[slotBase(spi)] == SPILL;
    }

    /** is_spilled_scalar_reg() */
    boolean isSpilledScalar(int spi) {
        return isSpilled(spi) && spilled[SLOTS - 1 - spi] != null && spilled[SLOTS - 1 - spi].type == RegType.SCALAR;
    }

    /** The register spilled in slot {@code spi}, or null. */
    Reg spill(int spi) {
        return spilled[SLOTS - 1 - spi];
    }

    /** grow_stack_state(): the frame has used at least {@code bytes} bytes below its frame pointer. */
    void grow(long bytes) {
        int b = (int) Math.min(MAX_STACK, (bytes + 7) & ~7L);
        if (b > allocatedStack) {
            allocatedStack = b;
        }
    }
}
