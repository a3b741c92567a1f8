package dev.jxdp.ebpf.jit;

import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.interp.I;
import dev.jxdp.ebpf.isa.HelperIds;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;
import dev.jxdp.ebpf.maps.MapSpec;
import dev.jxdp.ebpf.maps.MapType;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random XDP programs the verifier must accept, built from blocks that each keep a few invariants:
 * r6 holds the ctx, r7 and r8 are scalar accumulators, r9 counts loop trips, r0-r5 are scratch (dead
 * between blocks), the stack bytes fp-64..fp-1 always hold scalars. A block may be skipped by a forward
 * jump on an accumulator, so every block re-derives the pointers it needs and proves its own accesses:
 * packet reads and writes behind {@code data + N > data_end} checks (constant and masked or compared
 * variable offsets), ctx fields, stack slots and spills, array and hash map values behind null checks
 * (loads, stores, every atomic), map updates and deletes, bpf-to-bpf calls with pointers to the caller's
 * stack, bounded loops, adjust_head/tail/meta followed by fresh pointers and checks. No pointer ever
 * reaches r0, the packet or a map, so three engines on three fresh states must agree byte for byte.
 *
 * <p>Each program also lists {@link Site}s: one-instruction changes that make it invalid (a dropped bounds
 * or null check, an access widened past the proven range, an uninitialised register, a stale packet
 * pointer), each with the instruction whose reachability makes the verifier's rejection certain.
 *
 * <p>Public for the fuzz targets (dev.jxdp.fuzz), which drive it with a {@link Random} whose every choice
 * comes from the fuzzer's input, so that mutating the input mutates the program's structure.
 */
public final class VerifiedProgramGenerator {

    /** map 0 */
    static final int ARRAY_VALUE = 32;
    static final int ARRAY_ENTRIES = 8;
    /** map 1 */
    static final int HASH_VALUE = 16;
    static final int HASH_ENTRIES = 6;

    // stack layout of the main function (see the class comment for what the scalar area guarantees)
    private static final int SCALARS = -64;      // fp-64..fp-1: scalars only
    private static final int CTX_SPILL = -72;
    private static final int PKT_SPILL = -80;
    private static final int ARRAY_KEY = -88;     // u32
    private static final int HASH_KEY = -96;      // u64
    private static final int VALUE_BUF = -128;    // 32 bytes, a map value to store
    private static final int SUB_ARGS = -160;     // 16 bytes a subprogram reads and writes
    private static final int VALUE_SPILL = -168;  // a map value pointer, maybe null, across its null check

    private static final int[] SIZES = {Op.B, Op.H, Op.W, Op.DW};
    private static final int[] ALU_OPS = {Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.OR, Op.AND, Op.LSH, Op.RSH, Op.NEG,
            Op.MOD, Op.XOR, Op.MOV, Op.ARSH};
    private static final int[] JMP_OPS = {Op.JEQ, Op.JGT, Op.JGE, Op.JSET, Op.JNE, Op.JSGT, Op.JSGE, Op.JLT,
            Op.JLE, Op.JSLT, Op.JSLE};
    private static final int[] ATOMIC_OPS = {Op.ADD, Op.ADD | Op.FETCH, Op.OR, Op.OR | Op.FETCH, Op.AND,
            Op.AND | Op.FETCH, Op.XOR, Op.XOR | Op.FETCH, Op.XCHG, Op.CMPXCHG};

    /** A change of one instruction that makes the program invalid; {@code witness} must be reachable. */
    public record Site(int pc, Insn replacement, String what, int witness) {}

    /** A generated program and the ways to break it. */
    public record Program(Insn[] insns, List<Site> sites) {}

    /** The maps the programs use: map 0 an array, map 1 a hash. */
    public static List<MapSpec> maps() {
        return List.of(Harness.spec("arr", MapType.ARRAY, 4, ARRAY_VALUE, ARRAY_ENTRIES),
                Harness.spec("hash", MapType.HASH, 8, HASH_VALUE, HASH_ENTRIES));
    }

    private final Random rnd;
    private final Asm a = new Asm();
    private final List<Site> sites = new ArrayList<>();
    private int subArgs;
    private int subCtx;
    private int subKey;
    // which subprograms some block calls (one nobody calls is unreachable code, which the kernel refuses)
    private final boolean[] called = new boolean[3];

    VerifiedProgramGenerator(Random rnd) {
        this.rnd = rnd;
    }

    public static Program generate(Random rnd) {
        return new VerifiedProgramGenerator(rnd).build();
    }

    private Program build() {
        subArgs = a.label();
        subCtx = a.label();
        subKey = a.label();
        int tooShort = a.label();
        prologue(tooShort);
        int blocks = 3 + rnd.nextInt(10);
        int[] starts = new int[blocks + 1];
        for (int i = 0; i <= blocks; i++) {
            starts[i] = a.label();
        }
        int skipping = 0;
        for (int i = 0; i < blocks; i++) {
            a.bind(starts[i]);
            if (skipping < 6 && rnd.nextInt(5) == 0) {
                // skip one or more later blocks on an accumulator (both paths stay valid)
                skipping++;
                jumpOnAccumulators(starts[i + 1 + rnd.nextInt(blocks - i)]);
            }
            block(false);
        }
        a.bind(starts[blocks]);
        epilogue();
        a.bind(tooShort);
        a.emit(I.mov(0, 1));
        a.emit(I.exit());
        subprograms();
        Insn[] insns = a.resolve();
        return new Program(insns, List.copyOf(sites));
    }

    // ---- frame: prologue, epilogue, subprograms

    private void prologue(int tooShort) {
        site(a.emit(I.movr(6, 1)), I.movr(6, 2), "uninitialised register r2 read", 0);
        loadPointers(2, 3);
        a.emit(I.movr(4, 2));
        a.emit(I.alu64(Op.ADD, 4, 16));
        a.jmpr(Op.JGT, 4, 3, tooShort);
        a.emit(I.ldx(Op.DW, 7, 2, 0));
        a.emit(I.ldx(Op.DW, 8, 2, 8));
        for (int off = SCALARS; off < 0; off += 8) {
            switch (rnd.nextInt(3)) {
                case 0 -> a.emit(I.stx(Op.DW, 10, 7, off));
                case 1 -> a.emit(I.stx(Op.DW, 10, 8, off));
                default -> a.emit(I.st(Op.DW, 10, off, imm()));
            }
        }
        for (int off = VALUE_BUF; off < VALUE_BUF + ARRAY_VALUE; off += 8) {
            a.emit(rnd.nextBoolean() ? I.stx(Op.DW, 10, 8, off) : I.st(Op.DW, 10, off, imm()));
        }
        scrub();
    }

    private void epilogue() {
        switch (rnd.nextInt(4)) {
            case 0 -> {
                a.emit(I.movr(0, 7));
                a.emit(I.alu64(Op.AND, 0, 3));
            }
            case 1 -> {
                a.emit(I.movr(0, 8));
                a.emit(I.alu64(Op.MOD, 0, 5));
            }
            case 2 -> {
                a.emit(I.alu32r(Op.MOV, 0, 7));
                a.emit(I.alu32(Op.RSH, 0, 30));
            }
            default -> {
                int pass = a.label();
                a.emit(I.mov(0, 1));
                a.jmp(Op.JSET, 8, 1 << rnd.nextInt(8), pass);
                a.emit(I.mov(0, 2));
                a.bind(pass);
            }
        }
        a.emit(I.exit());
    }

    private void subprograms() {
        if (called[0]) {
            subArgs();
        }
        if (called[1]) {
            subCtx();
        }
        if (called[2]) {
            subKey();
        }
    }

    /** (r1 = caller stack, r2 = scalar): reads and writes the caller's frame, uses its own. */
    private void subArgs() {
        a.bind(subArgs);
        int first = a.emit(I.ldx(Op.DW, 0, 1, 0));
        a.emit(I.alu64r(Op.ADD, 0, 2));
        int own = a.emit(I.stx(Op.DW, 10, 2, -8));
        // the caller's r7 is not the callee's
        site(first, I.movr(0, 7), "uninitialised register r7 read in a subprogram", own);
        a.emit(I.ldx(Op.W, 3, 10, -8));
        a.emit(I.alu64r(Op.XOR, 0, 3));
        a.emit(I.alu64(Op.MUL, 0, imm() | 1));
        a.emit(I.stx(Op.DW, 1, 0, 8));
        a.emit(I.exit());
    }

    /** (r1 = ctx): a packet byte of its own proving. */
    private void subCtx() {
        a.bind(subCtx);
        int none = a.label();
        int off = rnd.nextInt(80);
        a.emit(I.mov(0, 0));
        pointersFrom(1, 2, 3);
        a.emit(I.movr(4, 2));
        a.emit(I.alu64(Op.ADD, 4, off + 1));
        a.jmpr(Op.JGT, 4, 3, none);
        a.emit(I.ldx(Op.B, 0, 2, off));
        a.bind(none);
        a.emit(I.exit());
    }

    /** (r1 = a key in the caller's stack): the caller's stack handed on to a helper. */
    private void subKey() {
        a.bind(subKey);
        int miss = a.label();
        a.emit(I.movr(2, 1));
        a.emit(I.lddw(1, Op.PSEUDO_MAP_IDX, 0, 0));
        a.emit(I.call(HelperIds.MAP_LOOKUP_ELEM));
        a.jmp(Op.JEQ, 0, 0, miss);
        a.emit(I.ldx(Op.W, 0, 0, 4 * rnd.nextInt(ARRAY_VALUE / 4)));
        a.emit(I.exit());
        a.bind(miss);
        a.emit(I.mov(0, 0));
        a.emit(I.exit());
    }

    // ---- blocks

    private void block(boolean inLoop) {
        switch (rnd.nextInt(inLoop ? 4 : 13)) {
            case 0 -> aluMix(2 + rnd.nextInt(5), inLoop);
            case 1 -> packetConst(inLoop);
            case 2 -> stackOps(inLoop);
            case 3 -> arrayValue(inLoop);
            case 4 -> ctxFields();
            case 5 -> packetVar();
            case 6 -> hashOps();
            case 7 -> arrayUpdate();
            case 8 -> call();
            case 9 -> adjust();
            case 10 -> loop();
            case 11 -> spills();
            default -> aluMix(3 + rnd.nextInt(6), false);
        }
    }

    private void jumpOnAccumulators(int target) {
        boolean x = rnd.nextBoolean();
        int op = JMP_OPS[rnd.nextInt(JMP_OPS.length)];
        int cls = rnd.nextBoolean() ? Op.JMP32 : Op.JMP;
        int dst = acc();
        a.jump(new Insn(cls | (x ? Op.X : Op.K) | op, dst, x ? 15 - dst : 0, 0, x ? 0 : imm()), target);
    }

    /** ALU64 and ALU32 on the accumulators, directly and through scratch r2/r3. */
    private void aluMix(int n, boolean inLoop) {
        for (int i = 0; i < n; i++) {
            int dst = rnd.nextInt(4) == 0 ? 2 + rnd.nextInt(2) : acc();
            if (dst < 6) {
                a.emit(rnd.nextBoolean() ? I.movr(dst, acc()) : I.mov(dst, imm()));
            }
            a.emit(alu(dst, rnd.nextBoolean() ? acc() : dst));
            if (dst < 6) {
                a.emit(I.alu64r(rnd.nextBoolean() ? Op.ADD : Op.XOR, acc(), dst));
            }
        }
        if (!inLoop) {
            scrub();
        }
    }

    private Insn alu(int dst, int src) {
        int op = ALU_OPS[rnd.nextInt(ALU_OPS.length)];
        boolean is64 = rnd.nextBoolean();
        int cls = is64 ? Op.ALU64 : Op.ALU;
        if (rnd.nextInt(10) == 0) {
            int bits = new int[] {16, 32, 64}[rnd.nextInt(3)];
            return is64 ? new Insn(Op.ALU64 | Op.END, dst, 0, 0, bits)
                    : new Insn(Op.ALU | (rnd.nextBoolean() ? Op.TO_BE : Op.TO_LE) | Op.END, dst, 0, 0, bits);
        }
        boolean x = op != Op.NEG && rnd.nextBoolean();
        int reg = x ? src : 0;
        int off = 0;
        if ((op == Op.DIV || op == Op.MOD) && rnd.nextBoolean()) {
            off = 1;
        }
        if (op == Op.MOV && x && rnd.nextInt(2) == 0) {
            off = is64 ? new int[] {8, 16, 32}[rnd.nextInt(3)] : new int[] {8, 16}[rnd.nextInt(2)];
        }
        int k = 0;
        if (!x) {
            k = switch (op) {
                case Op.LSH, Op.RSH, Op.ARSH -> rnd.nextInt(is64 ? 64 : 32);
                case Op.DIV, Op.MOD -> nonZero();
                case Op.NEG -> 0;
                default -> imm();
            };
        }
        return new Insn(cls | (x ? Op.X : Op.K) | op, dst, reg, off, k);
    }

    /** ctx fields: the queue and interface, the packet's length as a pointer difference, data_meta. */
    private void ctxFields() {
        int field = rnd.nextBoolean() ? 12 : 16;
        site(a.emit(I.ldx(Op.W, 2, 6, field)), I.stx(Op.W, 6, 2, field), "store into ctx", -1);
        a.emit(I.alu64r(Op.ADD, acc(), 2));
        loadPointers(2, 3);
        a.emit(I.alu64r(Op.SUB, 3, 2));
        a.emit(I.alu64r(Op.XOR, acc(), 3));
        // data_meta <= data always; empty until adjust_meta
        a.emit(I.ldx(Op.W, 4, 6, 8));
        a.emit(I.ldx(Op.W, 5, 6, 0));
        a.emit(I.alu64r(Op.SUB, 5, 4));
        a.emit(I.alu64r(Op.ADD, acc(), 5));
        scrub();
    }

    /** One check of data + n against data_end, then accesses inside [data, data + n). */
    private void packetConst(boolean inLoop) {
        int skip = a.label();
        int n = 1 + rnd.nextInt(rnd.nextBoolean() ? 64 : 220);
        loadPointers(2, 3);
        if (rnd.nextInt(4) == 0) {
            // a header skipped before the check: the range counts from the moved pointer
            a.emit(I.alu64(Op.ADD, 2, 1 + rnd.nextInt(20)));
        }
        a.emit(I.movr(4, 2));
        a.emit(I.alu64(Op.ADD, 4, n));
        int check = packetCheck(4, 3, skip);
        int accesses = 1 + rnd.nextInt(3);
        for (int i = 0; i < accesses; i++) {
            int size = SIZES[rnd.nextInt(4)];
            int bytes = Op.bytes(size);
            if (bytes > n) {
                size = Op.B;
                bytes = 1;
            }
            int off = rnd.nextInt(n - bytes + 1);
            int base = 2;
            int shift = 0;
            if (rnd.nextInt(3) == 0) {
                // a copy moved inside the checked range keeps what is left of it
                shift = rnd.nextInt(off + 1);
                base = 5;
                a.emit(I.movr(5, 2));
                a.emit(I.alu64(Op.ADD, 5, shift));
            }
            int pc = packetAccess(base, off - shift, size, !inLoop);
            if (check >= 0) {
                site(check, I.ja(0), "packet bounds check dropped", pc);
            }
            site(pc, moved(a.at(pc), n - shift - bytes + 1), "packet access past the check", pc);
        }
        a.bind(skip);
        scrub();
    }

    /**
     * {@code if end < ptr goto skip} in one of the forms compilers emit; returns the pc of the jump whose
     * removal leaves the accesses unchecked, or -1 for the two-jump forms.
     */
    private int packetCheck(int ptr, int end, int skip) {
        switch (rnd.nextInt(4)) {
            case 0 -> {
                return a.jmpr(Op.JGT, ptr, end, skip);
            }
            case 1 -> {
                return a.jmpr(Op.JLT, end, ptr, skip);
            }
            case 2 -> {
                int ok = a.label();
                a.jmpr(Op.JLE, ptr, end, ok);
                a.jump(I.ja(0), skip);
                a.bind(ok);
                return -1;
            }
            default -> {
                int ok = a.label();
                a.jmpr(Op.JGE, end, ptr, ok);
                a.jump(I.ja(0), skip);
                a.bind(ok);
                return -1;
            }
        }
    }

    /** A load into an accumulator (or, in a loop, a store only) at ptr + off; returns its pc. */
    private int packetAccess(int ptr, int off, int size, boolean mayLoad) {
        if (mayLoad && rnd.nextBoolean()) {
            boolean sx = size != Op.DW && rnd.nextInt(3) == 0;
            int pc = a.emit(sx ? I.ldxsx(size, 5, ptr, off) : I.ldx(size, 5, ptr, off));
            a.emit(I.alu64r(rnd.nextBoolean() ? Op.ADD : Op.XOR, acc(), 5));
            return pc;
        }
        return a.emit(rnd.nextInt(3) == 0 ? I.st(size, ptr, off, imm()) : I.stx(size, ptr, acc(), off));
    }

    /** A variable offset from an accumulator, bounded by a mask or a compare, then checked and accessed. */
    private void packetVar() {
        int skip = a.label();
        loadPointers(2, 3);
        a.emit(I.movr(4, acc()));
        int bound;
        switch (rnd.nextInt(3)) {
            case 0 -> {
                bound = (1 << (3 + rnd.nextInt(5))) - 1;
                a.emit(rnd.nextBoolean() ? I.alu64(Op.AND, 4, bound) : I.alu32(Op.AND, 4, bound));
            }
            case 1 -> {
                bound = rnd.nextInt(120);
                a.jmp(Op.JGT, 4, bound, skip);
            }
            default -> {
                // a 32-bit compare bounds the whole register once a 32-bit move cleared the upper half
                bound = rnd.nextInt(120);
                a.emit(I.alu32r(Op.MOV, 4, 4));
                a.jump(I.jmp32(rnd.nextBoolean() ? Op.JGT : Op.JSGT, 4, bound, 0), skip);
                if (a.at(a.size() - 1).opcode() == (Op.JMP32 | Op.K | Op.JSGT)) {
                    // signed: negative w4 is still possible, so rule it out as compilers do
                    a.jump(I.jmp32(Op.JSLT, 4, 0, 0), skip);
                }
            }
        }
        a.emit(I.alu64r(Op.ADD, 2, 4));
        int size = SIZES[rnd.nextInt(4)];
        int off = rnd.nextInt(24);
        a.emit(I.movr(5, 2));
        a.emit(I.alu64(Op.ADD, 5, off + Op.bytes(size)));
        int check = a.jmpr(Op.JGT, 5, 3, skip);
        int pc = packetAccess(2, off, size, true);
        site(check, I.ja(0), "variable packet access unchecked", pc);
        a.bind(skip);
        scrub();
    }

    /** Stores, loads (zero- and sign-extending) and atomics at constant offsets in the scalar area. */
    private void stackOps(boolean inLoop) {
        int n = 1 + rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
            int size = SIZES[rnd.nextInt(4)];
            int bytes = Op.bytes(size);
            // the kernel refuses a stack access not aligned to its size (check_ptr_alignment(), strict for fp)
            int off = SCALARS + bytes * rnd.nextInt(-SCALARS / bytes);
            int pc;
            switch (rnd.nextInt(inLoop ? 2 : 5)) {
                case 0 -> pc = a.emit(I.st(size, 10, off, imm()));
                case 1 -> pc = a.emit(I.stx(size, 10, acc(), off));
                case 2 -> {
                    pc = a.emit(I.ldx(size, 2, 10, off));
                    a.emit(I.alu64r(Op.ADD, acc(), 2));
                }
                case 3 -> {
                    pc = a.emit(size == Op.DW ? I.ldx(size, 2, 10, off) : I.ldxsx(size, 2, 10, off));
                    a.emit(I.alu64r(Op.XOR, acc(), 2));
                }
                default -> {
                    boolean dw = rnd.nextBoolean();
                    off = dw ? SCALARS + 8 * rnd.nextInt(8) : SCALARS + 4 * rnd.nextInt(16);
                    pc = atomic(10, off, dw ? Op.DW : Op.W, true);
                }
            }
            site(pc, moved(a.at(pc), rnd.nextBoolean() ? -520 : 1 - accessBytes(a.at(pc)) + 1 + rnd.nextInt(8)),
                    "stack access outside the frame", pc);
        }
        if (!inLoop) {
            scrub();
        }
    }

    /** An atomic on base + off with scratch operands; returns its pc. */
    private int atomic(int base, int off, int size, boolean fold) {
        int op = ATOMIC_OPS[rnd.nextInt(ATOMIC_OPS.length)];
        a.emit(I.movr(3, acc()));
        if (op == Op.CMPXCHG) {
            a.emit(rnd.nextBoolean() ? I.movr(0, acc()) : I.mov(0, imm()));
        }
        int pc = a.emit(I.atomic(size, base, 3, off, op));
        if (fold && (op & Op.FETCH) != 0) {
            a.emit(I.alu64r(Op.ADD, acc(), op == Op.CMPXCHG ? 0 : 3));
        }
        return pc;
    }

    /** Scalar spills and fills, the ctx pointer spilled and filled, a checked packet pointer kept in a slot. */
    private void spills() {
        int slot = SCALARS + 8 * rnd.nextInt(8);
        int from = acc();
        a.emit(I.stx(Op.DW, 10, from, slot));
        a.emit(I.ldx(Op.DW, 15 - from, 10, slot));
        a.emit(I.stx(Op.DW, 10, 6, CTX_SPILL));
        a.emit(I.ldx(Op.DW, 1, 10, CTX_SPILL));
        a.emit(I.ldx(Op.W, 2, 1, rnd.nextBoolean() ? 12 : 16));
        a.emit(I.alu64r(Op.ADD, acc(), 2));
        int skip = a.label();
        int n = 8 + rnd.nextInt(64);
        pointersFrom(1, 2, 3);
        a.emit(I.movr(4, 2));
        a.emit(I.alu64(Op.ADD, 4, n));
        a.jmpr(Op.JGT, 4, 3, skip);
        a.emit(I.stx(Op.DW, 10, 2, PKT_SPILL));
        a.emit(I.mov(2, 0));
        a.emit(I.ldx(Op.DW, 5, 10, PKT_SPILL));
        int size = SIZES[rnd.nextInt(4)];
        packetAccess(5, rnd.nextInt(n - Op.bytes(size) + 1), size, true);
        a.bind(skip);
        scrub();
    }

    /** An array element looked up, null-checked, then read, written and updated atomically. */
    private void arrayValue(boolean inLoop) {
        int skip = a.label();
        // a key the verifier knows to be inside the array makes the lookup's result non-null (kernel 6.13
        // on: the null check may go); a computed key may be a known constant on some path, so only a
        // constant key past the end makes dropping the check certainly wrong
        boolean nonNull = true;
        if (rnd.nextBoolean()) {
            int key = rnd.nextInt(ARRAY_ENTRIES + 2);
            nonNull = key < ARRAY_ENTRIES;
            a.emit(I.st(Op.W, 10, ARRAY_KEY, key));
        } else {
            a.emit(I.movr(2, acc()));
            a.emit(I.alu64(Op.AND, 2, 7));
            a.emit(I.stx(Op.W, 10, 2, ARRAY_KEY));
        }
        lookup(0, ARRAY_KEY);
        boolean spill = rnd.nextInt(3) == 0;
        if (spill) {
            // the null check must reach the spilled copy too (it shares r0's id)
            a.emit(I.stx(Op.DW, 10, 0, VALUE_SPILL));
        }
        int check = nullCheck(skip);
        valueOps(ARRAY_VALUE, nonNull ? -1 : check, inLoop, spill);
        a.bind(skip);
        scrub();
    }

    private void lookup(int map, int key) {
        a.emit(I.lddw(1, Op.PSEUDO_MAP_IDX, map, 0));
        a.emit(I.movr(2, 10));
        a.emit(I.alu64(Op.ADD, 2, key));
        a.emit(I.call(HelperIds.MAP_LOOKUP_ELEM));
    }

    /** r0 null → skip; returns the pc whose removal leaves r0 maybe null, or -1. */
    private int nullCheck(int skip) {
        if (rnd.nextInt(4) == 0) {
            int ok = a.label();
            a.jmp(Op.JNE, 0, 0, ok);
            a.jump(I.ja(0), skip);
            a.bind(ok);
            return -1;
        }
        return a.jmp(Op.JEQ, 0, 0, skip);
    }

    /** Accesses of a map value in r0 (or its spilled copy) through r1. */
    private void valueOps(int valueSize, int check, boolean inLoop, boolean spilled) {
        a.emit(spilled ? I.ldx(Op.DW, 1, 10, VALUE_SPILL) : I.movr(1, 0));
        int n = 1 + rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
            int size = SIZES[rnd.nextInt(4)];
            int bytes = Op.bytes(size);
            int pc;
            int base = 1;
            switch (rnd.nextInt(inLoop ? 3 : 5)) {
                case 0 -> pc = a.emit(I.stx(size, 1, acc(), rnd.nextInt(valueSize - bytes + 1)));
                case 1 -> {
                    boolean dw = rnd.nextBoolean();
                    pc = atomic(1, dw ? 8 * rnd.nextInt(valueSize / 8) : 4 * rnd.nextInt(valueSize / 4), dw ? Op.DW : Op.W,
                            !inLoop);
                }
                case 2 -> pc = a.emit(I.st(size, 1, rnd.nextInt(valueSize - bytes + 1), imm()));
                case 3 -> {
                    pc = a.emit(rnd.nextBoolean() ? I.ldx(size, 2, 1, rnd.nextInt(valueSize - bytes + 1))
                            : I.ldxsx(size == Op.DW ? Op.W : size, 2, 1, rnd.nextInt(valueSize - 3)));
                    a.emit(I.alu64r(Op.ADD, acc(), 2));
                }
                default -> {
                    // a variable offset: (acc & mask) keeps base + off + size within the value
                    a.emit(I.movr(4, 1));
                    a.emit(I.movr(3, acc()));
                    a.emit(I.alu64(Op.AND, 3, valueSize - 8));
                    a.emit(I.alu64r(Op.ADD, 4, 3));
                    base = 4;
                    pc = a.emit(rnd.nextBoolean() ? I.stx(Op.DW, 4, acc(), 0) : I.ldx(Op.DW, 2, 4, 0));
                    if (a.at(pc).cls() == Op.LDX) {
                        a.emit(I.alu64r(Op.XOR, acc(), 2));
                    }
                }
            }
            if (check >= 0) {
                site(check, I.ja(0), "map value used without its null check", pc);
            }
            if (base == 1) {
                site(pc, moved(a.at(pc), valueSize - accessBytes(a.at(pc)) + 1 + rnd.nextInt(8)),
                        "map value access past value_size", pc);
            }
        }
    }

    /** Hash map: lookup and use, update with each flag, delete; the return codes folded into r8. */
    private void hashOps() {
        int keyReg = 2;
        a.emit(I.movr(keyReg, acc()));
        a.emit(I.alu64(Op.AND, keyReg, 7));
        a.emit(I.stx(Op.DW, 10, keyReg, HASH_KEY));
        switch (rnd.nextInt(3)) {
            case 0 -> {
                int skip = a.label();
                lookup(1, HASH_KEY);
                int check = nullCheck(skip);
                valueOps(HASH_VALUE, check, false, false);
                a.bind(skip);
            }
            case 1 -> {
                a.emit(I.lddw(1, Op.PSEUDO_MAP_IDX, 1, 0));
                a.emit(I.movr(2, 10));
                a.emit(I.alu64(Op.ADD, 2, HASH_KEY));
                a.emit(I.movr(3, 10));
                a.emit(I.alu64(Op.ADD, 3, VALUE_BUF + 8 * rnd.nextInt(3)));
                a.emit(I.mov(4, rnd.nextInt(3)));
                a.emit(I.call(HelperIds.MAP_UPDATE_ELEM));
                a.emit(I.alu64r(Op.ADD, 8, 0));
            }
            default -> {
                a.emit(I.lddw(1, Op.PSEUDO_MAP_IDX, 1, 0));
                a.emit(I.movr(2, 10));
                a.emit(I.alu64(Op.ADD, 2, HASH_KEY));
                a.emit(I.call(HelperIds.MAP_DELETE_ELEM));
                a.emit(I.alu64r(Op.XOR, 8, 0));
            }
        }
        scrub();
    }

    /** Array update (BPF_EXIST and BPF_ANY succeed in range, BPF_NOEXIST never does) or delete (EINVAL). */
    private void arrayUpdate() {
        a.emit(I.st(Op.W, 10, ARRAY_KEY, rnd.nextInt(ARRAY_ENTRIES + 1)));
        a.emit(I.lddw(1, Op.PSEUDO_MAP_IDX, 0, 0));
        a.emit(I.movr(2, 10));
        a.emit(I.alu64(Op.ADD, 2, ARRAY_KEY));
        if (rnd.nextInt(4) == 0) {
            a.emit(I.call(HelperIds.MAP_DELETE_ELEM));
        } else {
            a.emit(I.movr(3, 10));
            a.emit(I.alu64(Op.ADD, 3, VALUE_BUF));
            a.emit(I.mov(4, rnd.nextInt(3)));
            a.emit(I.call(HelperIds.MAP_UPDATE_ELEM));
        }
        a.emit(I.alu64r(Op.ADD, 7, 0));
        scrub();
    }

    /** A bpf-to-bpf call; its result folded into an accumulator. */
    private void call() {
        int sub = rnd.nextInt(3);
        called[sub] = true;
        switch (sub) {
            case 0 -> {
                a.emit(I.stx(Op.DW, 10, acc(), SUB_ARGS));
                a.emit(I.movr(1, 10));
                a.emit(I.alu64(Op.ADD, 1, SUB_ARGS));
                a.emit(I.movr(2, acc()));
                a.callLocal(subArgs);
                a.emit(I.ldx(Op.DW, 2, 10, SUB_ARGS + 8));
                a.emit(I.alu64r(Op.XOR, 8, 2));
            }
            case 1 -> {
                a.emit(I.movr(1, 6));
                a.callLocal(subCtx);
            }
            default -> {
                a.emit(I.st(Op.W, 10, ARRAY_KEY, rnd.nextInt(ARRAY_ENTRIES + 1)));
                a.emit(I.movr(1, 10));
                a.emit(I.alu64(Op.ADD, 1, ARRAY_KEY));
                a.callLocal(subKey);
            }
        }
        a.emit(I.alu64r(Op.ADD, 7, 0));
        scrub();
    }

    /** adjust_head, adjust_tail or adjust_meta, then fresh pointers, a fresh check and an access. */
    private void adjust() {
        int which = rnd.nextInt(3);
        int helper;
        int delta;
        switch (which) {
            case 0 -> {
                helper = HelperIds.XDP_ADJUST_HEAD;
                delta = new int[] {-32, -16, -4, 0, 2, 8, 14, 20, 60}[rnd.nextInt(9)];
            }
            case 1 -> {
                helper = HelperIds.XDP_ADJUST_TAIL;
                delta = new int[] {-40, -8, -1, 0, 3, 16, 64}[rnd.nextInt(7)];
            }
            default -> {
                helper = HelperIds.XDP_ADJUST_META;
                delta = new int[] {-4, -8, -16, -32, -36, -2, 0, 4}[rnd.nextInt(8)];
            }
        }
        // a packet pointer parked across the call: stale afterwards
        a.emit(I.ldx(Op.W, 2, 6, 0));
        a.emit(I.stx(Op.DW, 10, 2, PKT_SPILL));
        a.emit(I.movr(1, 6));
        a.emit(I.mov(2, delta));
        a.emit(I.call(helper));
        a.emit(I.alu64r(Op.ADD, 8, 0));
        int skip = a.label();
        int n = 1 + rnd.nextInt(40);
        int size = SIZES[rnd.nextInt(4)];
        if (Op.bytes(size) > n) {
            size = Op.B;
        }
        int off = rnd.nextInt(n - Op.bytes(size) + 1);
        // data_meta + n <= data for the metadata, data + n <= data_end else
        int reload = a.emit(I.ldx(Op.W, 2, 6, which == 2 ? 8 : 0));
        a.emit(I.ldx(Op.W, 3, 6, which == 2 ? 0 : 4));
        a.emit(I.movr(4, 2));
        a.emit(I.alu64(Op.ADD, 4, n));
        a.jmpr(Op.JGT, 4, 3, skip);
        int pc = packetAccess(2, off, size, true);
        site(reload, I.ldx(Op.DW, 2, 10, PKT_SPILL), "stale packet pointer after " + HelperIds.name(helper), pc);
        a.bind(skip);
        scrub();
    }

    /** A loop with a constant trip count whose body changes only the accumulators, memory and scratch. */
    private void loop() {
        int top = a.label();
        int trips = 1 + rnd.nextInt(10);
        boolean up = rnd.nextBoolean();
        a.emit(I.mov(9, up ? 0 : trips));
        a.bind(top);
        int body = 1 + rnd.nextInt(2);
        for (int i = 0; i < body; i++) {
            block(true);
        }
        if (up) {
            a.emit(I.alu64(Op.ADD, 9, 1));
            a.jump(rnd.nextBoolean() ? I.jmp(Op.JLT, 9, trips, 0) : I.jmp32(Op.JSLT, 9, trips, 0), top);
        } else {
            a.emit(I.alu64(Op.SUB, 9, 1));
            a.jmp(Op.JNE, 9, 0, top);
        }
        scrub();
    }

    // ---- helpers

    /** r{data} = data, r{end} = data_end from the ctx in r6. */
    private void loadPointers(int data, int end) {
        pointersFrom(6, data, end);
    }

    private void pointersFrom(int ctx, int data, int end) {
        a.emit(I.ldx(Op.W, data, ctx, 0));
        a.emit(I.ldx(Op.W, end, ctx, 4));
    }

    /** Scratch registers zeroed: the paths that meet here agree on them (the verifier prunes sooner). */
    private void scrub() {
        for (int r = 0; r <= 5; r++) {
            a.emit(I.mov(r, 0));
        }
    }

    private int acc() {
        return rnd.nextBoolean() ? 7 : 8;
    }

    private int imm() {
        return switch (rnd.nextInt(5)) {
            case 0 -> 0;
            case 1 -> rnd.nextInt(70) - 3;
            case 2 -> -1;
            case 3 -> Integer.MIN_VALUE + rnd.nextInt(2);
            default -> rnd.nextInt();
        };
    }

    private int nonZero() {
        int k = imm();
        return k == 0 ? 1 + rnd.nextInt(9) : k;
    }

    private static Insn moved(Insn in, int off) {
        return new Insn(in.opcode(), in.dst(), in.src(), off, in.imm());
    }

    private static int accessBytes(Insn in) {
        return Op.bytes(Op.size(in.opcode()));
    }

    private void site(int pc, Insn replacement, String what, int witness) {
        sites.add(new Site(pc, replacement, what, witness < 0 ? pc : witness));
    }

    /** Instructions with forward (and loop) jumps to labels, resolved once every label is bound. */
    static final class Asm {
        private final List<Insn> insns = new ArrayList<>();
        private final List<int[]> fixes = new ArrayList<>();   // {pc, label}
        private final List<Integer> labels = new ArrayList<>();

        int label() {
            labels.add(-1);
            return labels.size() - 1;
        }

        void bind(int label) {
            labels.set(label, insns.size());
        }

        /** Appends one instruction (or both halves of an lddw); returns the pc of the first. */
        int emit(Insn... is) {
            int pc = insns.size();
            insns.addAll(List.of(is));
            return pc;
        }

        Insn at(int pc) {
            return insns.get(pc);
        }

        int size() {
            return insns.size();
        }

        int jump(Insn in, int label) {
            int pc = emit(in);
            fixes.add(new int[] {pc, label});
            return pc;
        }

        int jmp(int op, int dst, int imm, int label) {
            return jump(I.jmp(op, dst, imm, 0), label);
        }

        int jmpr(int op, int dst, int src, int label) {
            return jump(I.jmpr(op, dst, src, 0), label);
        }

        int callLocal(int label) {
            return jump(I.callLocal(0), label);
        }

        Insn[] resolve() {
            for (int[] f : fixes) {
                Insn in = insns.get(f[0]);
                int rel = labels.get(f[1]) - f[0] - 1;
                insns.set(f[0], Op.op(in.opcode()) == Op.CALL ? in.withImm(rel)
                        : new Insn(in.opcode(), in.dst(), in.src(), rel, in.imm()));
            }
            return insns.toArray(Insn[]::new);
        }
    }
}
