package dev.jxdp.ebpf.jit;

import dev.jxdp.ebpf.verifier.VerifierFacts;

/**
 * What the JIT relies on per instruction when it drops a run-time check: the verifier's facts
 * ({@link #of}), or, in tests, facts forged to be wrong, which the sandbox must survive (every access
 * claimed proven, any map claimed known). The JIT reads nothing else of a proof.
 */
interface Proof {

    /** The kind of memory the load, store or atomic at {@code pc} accesses; proven kinds compile raw. */
    VerifierFacts.Mem memAt(int pc);

    /** For a context access: the xdp_md field offset. */
    int ctxOffAt(int pc);

    /** For a helper call: the index of the map r1 holds, or {@link VerifierFacts#NO_MAP}. */
    int mapAt(int pc);

    /** Whether the load at {@code pc} reads the constant {@link #constantAt} on every path. */
    boolean loadsConstant(int pc);

    long constantAt(int pc);

    /** The stack slot the 8-byte access at {@code pc} may keep in a JVM local, or -1. */
    int localSlotAt(int pc, int fnEntry);

    /** Whether the stack access at {@code pc} belongs to a function other than {@code fnEntry}. */
    boolean stackAccessOfOtherFunction(int pc, int fnEntry);

    /**
     * Whether every loop and call of the program is bounded without a run-time count: the verifier
     * explored each path to its exit within its complexity limit (recursion and unbounded loops
     * rejected; may_goto loops carry their own budget), so, as in the kernel, which runs a verified program
     * with no instruction counter, the JIT drops the 1,000,000-step bound's back-edge and call ticks. A
     * forged proof keeps them: a wrong proof must neither leave the sandbox nor hang a worker.
     */
    default boolean bounded() {
        return false;
    }

    /**
     * For a proven load or store: the fixed offset of its base register from the start of its memory on
     * every path (see {@link VerifierFacts#baseOffAt}), 0 when unknown. The JIT masks {@code base - k} and
     * adds k back with the instruction's offset, within the guards, so a wrong k costs nothing but speed.
     */
    default int baseOffAt(int pc) {
        return 0;
    }

    /**
     * For a bpf_loop call: the callback's first instruction when the verifier found the call fit to inline
     * as the kernel does (see {@link VerifierFacts#loopCallbackAt}), else -1. A forged proof inlines none.
     */
    default int loopCallbackAt(int pc) {
        return -1;
    }

    /** For a bpf_for_each_map_elem call: its callback's first instruction, the same on every path, else -1. */
    default int forEachCallbackAt(int pc) {
        return -1;
    }

    /**
     * For a bpf_tail_call: the index, when the verifier found it the same in-range constant on every path
     * (see {@link VerifierFacts#tailCallKeyAt}), else -1. The JIT then calls the slot's program directly.
     */
    default long tailCallKeyAt(int pc) {
        return -1;
    }

    /** The verifier's facts as a proof; null when they may not be relied on (none, or unsound). */
    static Proof of(VerifierFacts f) {
        if (f == null || !f.sound()) {
            return null;
        }
        return new Proof() {
            @Override public VerifierFacts.Mem memAt(int pc) { return f.memAt(pc); }
            @Override public int ctxOffAt(int pc) { return f.ctxOffAt(pc); }
            @Override public int mapAt(int pc) { return f.mapAt(pc); }
            @Override public boolean loadsConstant(int pc) { return f.loadsConstant(pc); }
            @Override public long constantAt(int pc) { return f.constantAt(pc); }
            @Override public int localSlotAt(int pc, int fnEntry) { return f.localSlotAt(pc, fnEntry); }
            @Override public boolean bounded() { return true; }
            @Override public int loopCallbackAt(int pc) { return f.loopCallbackAt(pc); }
            @Override public int baseOffAt(int pc) { return f.baseOffAt(pc); }
            @Override public int forEachCallbackAt(int pc) { return f.forEachCallbackAt(pc); }
            @Override public long tailCallKeyAt(int pc) { return f.tailCallKeyAt(pc); }
            @Override public boolean stackAccessOfOtherFunction(int pc, int fnEntry) {
                return f.stackAccessOfOtherFunction(pc, fnEntry);
            }
        };
    }
}
