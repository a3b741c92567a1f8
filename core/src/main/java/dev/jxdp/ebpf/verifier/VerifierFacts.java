package dev.jxdp.ebpf.verifier;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * What the verifier proved about each instruction, merged over every path it explored (the kernel keeps
 * the same in bpf_insn_aux_data: the pointer type an access saw, the map a helper call got). The JIT
 * reads it to drop the run-time checks the proof makes unnecessary: an accepted program's every memory
 * access is within its region on every path, so only the kind of memory matters (the context is
 * rewritten to frame fields, everything else is a plain load or store).
 */
public final class VerifierFacts {

    /** The kind of memory an instruction's base register pointed to on every path. */
    public enum Mem {
        /** not reached by the verifier (dead on every path it explored) */
        UNSEEN,
        CTX,
        PACKET,
        STACK,
        MAP_VALUE,
        /** ringbuf records and other sized memory */
        MEM,
        MAP_KEY,
        /** different kinds on different paths: the JIT checks at run time */
        MIXED
    }

    /** {@link #mapAt(int)} when no map was seen or different maps on different paths. */
    public static final int NO_MAP = -1;

    private final Mem[] mem;
    private final int[] ctxOff;
    private final int[] map;
    // loads from frozen .rodata at a known offset: 0 unseen, 1 constant on every path, 2 not
    private final byte[] constState;
    private final long[] constValue;
    // bpf_loop calls: the callback's first instruction when the kernel inlines the call (the same callback
    // and flags known 0 on every path, update_loop_inline_state()), -1 when it calls the helper, unseen MIN
    private final int[] loopCallback;
    // bpf_for_each_map_elem calls: the callback's first instruction when the same on every path, else -1
    private final int[] eachCallback;
    // bpf_tail_call sites: the index when the same in-range constant on every path (record_func_key()'s
    // map key state), -1 once a path had another (the kernel's BPF_MAP_KEY_POISON), unseen MIN
    private final long[] tailKey;
    // per access: the base register's fixed offset (reg->off) when the same on every path, else NO_BASE_OFF
    private static final int NO_BASE_OFF = Integer.MIN_VALUE + 1;
    private final int[] baseOff;
    private boolean sound = true;
    // stack slots that can live in JVM locals: per access, the function whose frame it touches and the
    // 8-byte slot (NO_SLOT: none, BAD_SLOT: anything else); per function, the slots that must stay in
    // memory (bit i: bytes fp-512+8i .. fp-505+8i), because a helper, a callee, an atomic, a partial or
    // variable-offset access or a read of never-written bytes reaches them
    private static final int NO_SLOT = -1;
    private static final int BAD_SLOT = -2;
    private final int[] slotOf;
    private final int[] slotOwner;
    private final Map<Integer, Long> inMemory = new HashMap<>();

    VerifierFacts(int insns) {
        slotOf = new int[insns];
        Arrays.fill(slotOf, NO_SLOT);
        slotOwner = new int[insns];
        constState = new byte[insns];
        constValue = new long[insns];
        mem = new Mem[insns];
        Arrays.fill(mem, Mem.UNSEEN);
        ctxOff = new int[insns];
        map = unseen(insns);
        baseOff = unseen(insns);
        loopCallback = unseen(insns);
        eachCallback = unseen(insns);
        tailKey = new long[insns];
        Arrays.fill(tailKey, Long.MIN_VALUE);
    }

    /** The kind of memory the load, store or atomic at {@code pc} accesses on every path. */
    public Mem memAt(int pc) {
        return mem[pc];
    }

    /** For a context access at {@code pc}: the xdp_md field offset (insn off plus the pointer's offset). */
    public int ctxOffAt(int pc) {
        return ctxOff[pc];
    }

    /**
     * Whether the load at {@code pc} reads the same constant on every path (a frozen .rodata value at a
     * known offset, already sign-extended for BPF_MEMSX): {@link #constantAt(int)} is then the value.
     */
    public boolean loadsConstant(int pc) {
        return constState[pc] == 1;
    }

    public long constantAt(int pc) {
        return constValue[pc];
    }

    void load(int pc, boolean constant, long value) {
        if (!constant) {
            constState[pc] = 2;
        } else if (constState[pc] == 0) {
            constState[pc] = 1;
            constValue[pc] = value;
        } else if (constState[pc] == 1 && constValue[pc] != value) {
            constState[pc] = 2;
        }
    }

    /**
     * For a helper call at {@code pc}: the index of the map its map argument (r1; r2 for bpf_tail_call and
     * bpf_redirect_xsk) held on every path, or {@link #NO_MAP}.
     */
    public int mapAt(int pc) {
        int m = map[pc];
        return m < 0 ? NO_MAP : m;
    }

    /**
     * For a load or store at {@code pc}: the fixed offset its base register held from the start of its
     * memory (the packet's data, the frame pointer, the map value) on every path, so that {@code base - k} is
     * that start: the JIT masks the start once for all the accesses that derive from it. 0 when it differs
     * between paths.
     */
    public int baseOffAt(int pc) {
        int k = baseOff[pc];
        return k == UNSEEN || k == NO_BASE_OFF ? 0 : k;
    }

    void baseOff(int pc, int off) {
        merge(baseOff, pc, off, NO_BASE_OFF);
    }

    /**
     * For a bpf_loop call at {@code pc}: the first instruction of its callback when the kernel's verifier
     * would inline the call (inline_bpf_loop(): one callback and flags 0 on every path it explored), else -1.
     * An inlined call runs the callback in a loop of its own, whose edges differ from the helper's: the
     * whole 64-bit nr_loops is compared with BPF_MAX_LOOPS and -E2BIG is a 32-bit value.
     */
    public int loopCallbackAt(int pc) {
        int t = loopCallback[pc];
        return t < 0 ? -1 : t;
    }

    /** The bpf_loop calls the kernel inlines ({@link #loopCallbackAt} at least 0), by instruction. */
    public java.util.BitSet inlinedLoopCalls() {
        java.util.BitSet b = new java.util.BitSet(loopCallback.length);
        for (int pc = 0; pc < loopCallback.length; pc++) {
            if (loopCallback[pc] >= 0) {
                b.set(pc);
            }
        }
        return b;
    }

    /**
     * For a bpf_for_each_map_elem call at {@code pc}: the callback's first instruction when it is the same on
     * every path, else -1. (Its flags are not part of the fact: the kernel does not make r4 precise there,
     * so a pruned path may have had others, and the JIT checks them at run time.)
     */
    public int forEachCallbackAt(int pc) {
        int t = eachCallback[pc];
        return t < 0 ? -1 : t;
    }

    /**
     * For a bpf_tail_call at {@code pc}: the index into the program array when it is the same constant,
     * below max_entries, on every path the verifier explored (the kernel's record_func_key(), which then
     * lets its JIT emit a direct jump patched on map updates: a poke descriptor); else -1.
     */
    public long tailCallKeyAt(int pc) {
        long k = tailKey[pc];
        return k < 0 ? -1 : k;
    }

    /** A path reaches the tail call at {@code pc} with index {@code key}, -1 when not an in-range constant. */
    void tailCallKey(int pc, long key) {
        if (tailKey[pc] == Long.MIN_VALUE) {
            tailKey[pc] = key;
        } else if (tailKey[pc] != key) {
            tailKey[pc] = -1;
        }
    }

    void forEachCall(int pc, int callback) {
        merge(eachCallback, pc, callback >= 0 ? callback : -1, -1);
    }

    void loopCall(int pc, int callback, boolean flagsZero) {
        merge(loopCallback, pc, flagsZero && callback >= 0 ? callback : -1, -1);
    }

    /**
     * Whether the proof covers every run: false when the verifier took a shortcut that may miss a path
     * (then the JIT must keep its run-time checks).
     */
    public boolean sound() {
        return sound;
    }

    /**
     * For an 8-byte load or store at {@code pc} in the function starting at {@code fnEntry}: the stack
     * slot (0..63, slot i at fp-512+8i) it always accesses, when that slot may be a JVM local; else -1.
     */
    public int localSlotAt(int pc, int fnEntry) {
        int slot = slotOf[pc];
        if (slot < 0 || slotOwner[pc] != fnEntry || mem[pc] != Mem.STACK) {
            return -1;
        }
        return (inMemory.getOrDefault(fnEntry, 0L) >>> slot & 1) != 0 ? -1 : slot;
    }

    /** Whether the stack access at {@code pc} belongs to a function other than {@code fnEntry}. */
    public boolean stackAccessOfOtherFunction(int pc, int fnEntry) {
        return slotOf[pc] != NO_SLOT && slotOwner[pc] != fnEntry;
    }

    /** A stack access: {@code slotCandidate} when it is an own-frame 8-byte access of a whole slot at a constant offset. */
    void stackAccess(int pc, int owner, long off, int size, boolean slotCandidate) {
        if (!slotCandidate) {
            escape(owner, off, size);
            if (slotOf[pc] >= 0) {
                escapeSlot(slotOwner[pc], slotOf[pc]);
            }
            slotOf[pc] = BAD_SLOT;
            slotOwner[pc] = owner;
            return;
        }
        int slot = (int) ((off + 512) / 8);
        if (slotOf[pc] == NO_SLOT) {
            slotOf[pc] = slot;
            slotOwner[pc] = owner;
        } else if (slotOf[pc] == BAD_SLOT) {
            escapeSlot(owner, slot);
        } else if (slotOf[pc] != slot || slotOwner[pc] != owner) {
            escapeSlot(slotOwner[pc], slotOf[pc]);
            escapeSlot(owner, slot);
            slotOf[pc] = BAD_SLOT;
        }
    }

    /** Bytes [off, off + size) of {@code owner}'s frame are reached other than by whole-slot accesses. */
    void escape(int owner, long off, long size) {
        long lo = Math.max(off, -512);
        long hi = Math.min(off + Math.max(size, 1), 0);
        for (long b = lo; b < hi; b += 8) {
            escapeSlot(owner, (int) ((b + 512) / 8));
        }
        if (hi > lo) {
            escapeSlot(owner, (int) ((hi - 1 + 512) / 8));
        }
    }

    void escapeAll(int owner) {
        inMemory.put(owner, -1L);
    }

    private void escapeSlot(int owner, int slot) {
        if (slot >= 0 && slot < 64) {
            inMemory.merge(owner, 1L << slot, (a, b) -> a | b);
        }
    }

    /** After the walk: a slot an access reached through memory of another kind on some path stays in memory. */
    void finish() {
        for (int pc = 0; pc < slotOf.length; pc++) {
            if (slotOf[pc] >= 0 && mem[pc] != Mem.STACK) {
                escapeSlot(slotOwner[pc], slotOf[pc]);
            }
        }
    }

    void unsound() {
        sound = false;
    }

    void access(int pc, RegType type, int off) {
        Mem k = switch (type) {
            case PTR_TO_CTX -> Mem.CTX;
            case PTR_TO_PACKET, PTR_TO_PACKET_META -> Mem.PACKET;
            case PTR_TO_STACK -> Mem.STACK;
            case PTR_TO_MAP_VALUE -> Mem.MAP_VALUE;
            case PTR_TO_MEM -> Mem.MEM;
            case PTR_TO_MAP_KEY -> Mem.MAP_KEY;
            default -> Mem.MIXED;
        };
        Mem old = mem[pc];
        if (old == Mem.UNSEEN) {
            mem[pc] = k;
            ctxOff[pc] = off;
        } else if (old != k || k == Mem.CTX && ctxOff[pc] != off) {
            mem[pc] = Mem.MIXED;
        }
    }

    void mapArg(int pc, RegType type, int mapIndex) {
        merge(map, pc, type == RegType.CONST_PTR_TO_MAP ? mapIndex : -1, -1);
    }

    // a per-instruction fact merged over every path the verifier explored: UNSEEN until one reaches the
    // instruction, then the value all paths agree on, else `mixed`
    private static final int UNSEEN = Integer.MIN_VALUE;

    private static int[] unseen(int insns) {
        int[] a = new int[insns];
        Arrays.fill(a, UNSEEN);
        return a;
    }

    private static void merge(int[] facts, int pc, int value, int mixed) {
        if (facts[pc] == UNSEEN) {
            facts[pc] = value;
        } else if (facts[pc] != value) {
            facts[pc] = mixed;
        }
    }
}
