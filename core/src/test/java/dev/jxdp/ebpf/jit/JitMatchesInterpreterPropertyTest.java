package dev.jxdp.ebpf.jit;

import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.interp.I;
import dev.jxdp.ebpf.isa.HelperIds;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;
import dev.jxdp.ebpf.maps.MapType;
import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.runtime.BpfFault;
import dev.jxdp.ebpf.testrun.MapJson;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random verifier-valid programs (ALU mixes, forward jumps, bounded loops, stack and packet accesses,
 * atomics, array-map lookups and updates, bpf-to-bpf calls, and now and then an access outside the frame)
 * run by the interpreter and by the JIT: r0, every register, the stack frame, the packet, the map and
 * the fault message must be the same. {@code -Djxdp.jit.props=N} runs N programs instead of 3000,
 * {@code -Djxdp.props.seed=S} starts from another seed.
 */
class JitMatchesInterpreterPropertyTest {

    private static final int[] DATA_REGS = {0, 2, 3, 4, 5, 6, 7, 8};
    private static final int[] ALU_OPS = {Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.OR, Op.AND, Op.LSH, Op.RSH, Op.NEG,
            Op.MOD, Op.XOR, Op.MOV, Op.ARSH};
    private static final int[] JMP_OPS = {Op.JEQ, Op.JGT, Op.JGE, Op.JSET, Op.JNE, Op.JSGT, Op.JSGE, Op.JLT, Op.JLE,
            Op.JSLT, Op.JSLE};
    private static final int[] SIZES = {Op.B, Op.H, Op.W, Op.DW};
    private static final int[] ATOMIC_OPS = {Op.ADD, Op.ADD | Op.FETCH, Op.OR, Op.OR | Op.FETCH, Op.AND,
            Op.AND | Op.FETCH, Op.XOR, Op.XOR | Op.FETCH, Op.XCHG, Op.CMPXCHG};

    /** A run of instructions; at most one jump or call in it, patched once every chunk has its place. */
    private static final class Chunk {
        final List<Insn> insns = new ArrayList<>();
        int fixAt = -1;
        int target;       // chunk index for a jump, -1 for the subprogram
        boolean isCall;

        Chunk add(Insn... is) {
            insns.addAll(List.of(is));
            return this;
        }
    }

    @Test
    void randomProgramsAgree() {
        int count = Integer.getInteger("jxdp.jit.props", 3000);
        long seed = Long.getLong("jxdp.props.seed", 20261123L);
        Random rnd = new Random(seed);
        int faults = 0;
        int mapHits = 0;
        for (int n = 0; n < count; n++) {
            Insn[] prog = generate(rnd);
            byte[] packet = new byte[64];
            rnd.nextBytes(packet);
            Outcome a = run(prog, packet, false);
            Outcome b = run(prog, packet, true);
            String where = "seed " + seed + ", program " + n + ":\n" + dump(prog);
            assertEquals(a.fault, b.fault, where);
            assertEquals(a.r0, b.r0, where);
            assertTrue(Arrays.equals(a.stack, b.stack), where + "\nstack differs");
            assertTrue(Arrays.equals(a.packet, b.packet), where + "\npacket differs");
            assertEquals(a.maps, b.maps, where);
            faults += a.fault != null ? 1 : 0;
            mapHits += a.maps.contains("\"value\"") ? 1 : 0;
        }
        assertTrue(faults > 0 && faults < count / 2, "faults: " + faults + " of " + count);
        assertTrue(mapHits > 0, "no program changed the map");
    }

    private record Outcome(String fault, long r0, byte[] stack, byte[] packet, String maps) {}

    private static Outcome run(Insn[] prog, byte[] packet, boolean jit) {
        try (Harness h = new Harness(List.of(Harness.spec("vals", MapType.ARRAY, 4, 8, 4)), prog)) {
            h.buff.load(packet);
            h.st.begin(h.buff);
            String fault = null;
            long r0 = 0;
            try {
                r0 = jit ? JitCompiler.compile(h.prog(0)).run(h.st) : h.interp.run(h.prog(0), h.st);
            } catch (BpfFault f) {
                fault = f.getMessage();
            }
            long top = h.st.stackTop();
            // the outermost frame less its top slot, where the program parked the (engine-specific) ctx pointer
            byte[] stack = Mem.read(top - 512, 504);
            return new Outcome(fault, r0, stack, h.buff.bytesFromMeta(), MapJson.dump(h.coll).toString());
        }
    }

    static Insn[] generate(Random rnd) {
        List<Chunk> chunks = new ArrayList<>();
        Chunk pro = new Chunk().add(I.stx(Op.DW, 10, 1, -8));
        for (int r : DATA_REGS) {
            pro.add(I.lddw(r, rnd.nextLong()));
        }
        chunks.add(pro);
        int body = 3 + rnd.nextInt(30);
        for (int i = 0; i < body; i++) {
            chunks.add(chunk(rnd, i, body));
        }
        // epilogue: every data register to the stack, the ctx pointer cleared, exit
        Chunk epi = new Chunk();
        for (int i = 0; i < DATA_REGS.length; i++) {
            epi.add(I.stx(Op.DW, 10, DATA_REGS[i], -160 + 8 * i));
        }
        epi.add(I.stx(Op.DW, 10, 9, -168), I.exit());
        chunks.add(epi);
        // the subprogram: its own frame, r6 callee-saved
        Chunk sub = new Chunk().add(I.movr(0, 1), I.alu64(Op.MUL, 0, 7), I.stx(Op.DW, 10, 0, -8),
                I.ldx(Op.DW, 2, 10, -8), I.alu64r(Op.ADD, 0, 2), I.mov(6, 3), I.alu64r(Op.XOR, 0, 6), I.exit());
        chunks.add(sub);
        // place and patch
        int[] start = new int[chunks.size()];
        int pos = 0;
        for (int i = 0; i < chunks.size(); i++) {
            start[i] = pos;
            pos += chunks.get(i).insns.size();
        }
        List<Insn> out = new ArrayList<>();
        for (int i = 0; i < chunks.size(); i++) {
            Chunk c = chunks.get(i);
            for (int j = 0; j < c.insns.size(); j++) {
                Insn in = c.insns.get(j);
                if (j == c.fixAt) {
                    int at = start[i] + j;
                    if (c.isCall) {
                        in = in.withImm(start[chunks.size() - 1] - at - 1);
                    } else {
                        int t = start[1 + c.target];
                        in = new Insn(in.opcode(), in.dst(), in.src(), t - at - 1, in.imm());
                    }
                }
                out.add(in);
            }
        }
        return out.toArray(Insn[]::new);
    }

    private static int reg(Random rnd) {
        return DATA_REGS[rnd.nextInt(DATA_REGS.length)];
    }

    private static int imm(Random rnd) {
        return switch (rnd.nextInt(5)) {
            case 0 -> 0;
            case 1 -> rnd.nextInt(70) - 3;
            case 2 -> -1;
            case 3 -> Integer.MIN_VALUE + rnd.nextInt(2);
            default -> rnd.nextInt();
        };
    }

    private static Insn alu(Random rnd) {
        int op = ALU_OPS[rnd.nextInt(ALU_OPS.length)];
        boolean is64 = rnd.nextBoolean();
        boolean x = op != Op.NEG && rnd.nextBoolean();
        int off = 0;
        if ((op == Op.DIV || op == Op.MOD) && rnd.nextBoolean()) {
            off = 1;
        }
        if (op == Op.MOV && x && rnd.nextInt(3) == 0) {
            off = is64 ? new int[] {8, 16, 32}[rnd.nextInt(3)] : new int[] {8, 16}[rnd.nextInt(2)];
        }
        if (rnd.nextInt(12) == 0) {
            // byte swaps: le/be on ALU, bswap on ALU64
            int bits = new int[] {16, 32, 64}[rnd.nextInt(3)];
            return is64 ? new Insn(Op.ALU64 | Op.END, reg(rnd), 0, 0, bits)
                    : new Insn(Op.ALU | (rnd.nextBoolean() ? Op.TO_BE : Op.TO_LE) | Op.END, reg(rnd), 0, 0, bits);
        }
        return new Insn((is64 ? Op.ALU64 : Op.ALU) | (x ? Op.X : Op.K) | op, reg(rnd), x ? reg(rnd) : 0, off,
                x ? 0 : imm(rnd));
    }

    private static Chunk chunk(Random rnd, int index, int body) {
        Chunk c = new Chunk();
        switch (rnd.nextInt(14)) {
            case 0, 1, 2, 3 -> c.add(alu(rnd), alu(rnd));
            case 4 -> {
                // a forward jump to a later body chunk (or the epilogue)
                boolean is32 = rnd.nextBoolean();
                boolean x = rnd.nextBoolean();
                int op = JMP_OPS[rnd.nextInt(JMP_OPS.length)];
                int cls = is32 ? Op.JMP32 : Op.JMP;
                c.add(rnd.nextInt(6) == 0 ? I.ja(0)
                        : new Insn(cls | (x ? Op.X : Op.K) | op, reg(rnd), x ? reg(rnd) : 0, 0, x ? 0 : imm(rnd)));
                c.fixAt = 0;
                c.target = index + 1 + rnd.nextInt(body - index);
            }
            case 5 -> {
                // a bounded loop on r9
                c.add(I.mov(9, 1 + rnd.nextInt(20)), alu(rnd), I.alu64(Op.SUB, 9, 1), I.jmp(Op.JNE, 9, 0, -3));
            }
            case 6, 7 -> {
                int size = SIZES[rnd.nextInt(4)];
                int bytes = Op.bytes(size);
                int off = -64 + rnd.nextInt(33 - bytes);
                c.add(switch (rnd.nextInt(4)) {
                    case 0 -> I.st(size, 10, off, imm(rnd));
                    case 1 -> I.stx(size, 10, reg(rnd), off);
                    case 2 -> size == Op.DW ? I.ldx(size, reg(rnd), 10, off) : I.ldxsx(size, reg(rnd), 10, off);
                    default -> I.ldx(size, reg(rnd), 10, off);
                });
            }
            case 8 -> {
                boolean dw = rnd.nextBoolean();
                int off = dw ? -64 + 8 * rnd.nextInt(4) : -64 + 4 * rnd.nextInt(8);
                int src = new int[] {2, 3, 4, 5, 6, 7, 8}[rnd.nextInt(7)];
                c.add(I.atomic(dw ? Op.DW : Op.W, 10, src, off, ATOMIC_OPS[rnd.nextInt(ATOMIC_OPS.length)]));
            }
            case 9 -> {
                // lookup and bump an array element (key 0..4, 4 is out of range)
                c.add(I.st(Op.W, 10, -16, rnd.nextInt(5))).add(I.lddw(1, Op.PSEUDO_MAP_IDX, 0, 0))
                        .add(I.movr(2, 10), I.alu64(Op.ADD, 2, -16), I.call(HelperIds.MAP_LOOKUP_ELEM),
                                I.jmp(Op.JEQ, 0, 0, 3), I.ldx(Op.DW, 3, 0, 0), I.alu64r(Op.ADD, 3, 5 + rnd.nextInt(4)),
                                I.stx(Op.DW, 0, 3, 0), I.mov(0, imm(rnd)), I.mov(1, 0), I.mov(2, 0), I.mov(3, 0));
            }
            case 10 -> {
                c.add(I.st(Op.W, 10, -16, rnd.nextInt(5)), I.stx(Op.DW, 10, reg(rnd), -24))
                        .add(I.lddw(1, Op.PSEUDO_MAP_IDX, 0, 0))
                        .add(I.movr(2, 10), I.alu64(Op.ADD, 2, -16), I.movr(3, 10), I.alu64(Op.ADD, 3, -24),
                                I.mov(4, rnd.nextInt(3)), I.call(HelperIds.MAP_UPDATE_ELEM), I.mov(1, 0), I.mov(2, 0),
                                I.mov(3, 0));
            }
            case 11 -> {
                // a bounds-checked packet load or store, then the pointers scrubbed
                int size = SIZES[rnd.nextInt(4)];
                int off = rnd.nextInt(70);
                int data = new int[] {0, 5, 6, 7, 8}[rnd.nextInt(5)];
                c.add(I.ldx(Op.DW, 1, 10, -8), I.ldx(Op.W, 2, 1, 0), I.ldx(Op.W, 3, 1, 4), I.movr(4, 2),
                        I.alu64(Op.ADD, 4, off + Op.bytes(size)), I.jmpr(Op.JGT, 4, 3, 1),
                        rnd.nextBoolean() ? I.ldx(size, data, 2, off) : I.stx(size, 2, data, off),
                        I.mov(1, 0), I.mov(2, 0), I.mov(3, 0), I.mov(4, 0));
            }
            case 12 -> {
                c.add(I.movr(1, reg(rnd)), I.callLocal(0), I.mov(1, 0), I.mov(2, 0), I.mov(3, 0), I.mov(4, 0), I.mov(5, 0));
                c.fixAt = 1;
                c.isCall = true;
            }
            default -> {
                if (rnd.nextInt(8) == 0) {
                    // outside the frame: both engines must stop here with the same explanation
                    c.add(I.stx(Op.DW, 10, reg(rnd), rnd.nextBoolean() ? 8 : -520));
                } else {
                    c.add(alu(rnd));
                }
            }
        }
        return c;
    }

    private static String dump(Insn[] p) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < p.length; i++) {
            sb.append(i).append(": ").append(p[i]).append('\n');
        }
        return sb.toString();
    }
}
