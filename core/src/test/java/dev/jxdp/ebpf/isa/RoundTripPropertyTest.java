package dev.jxdp.ebpf.isa;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every valid encoding, with random operands, disassembles and assembles back to the same bits; and
 * the set of opcodes that can be valid is exactly RFC 9669's (plus may_goto and callx).
 */
class RoundTripPropertyTest {

    private static final int TRIALS_PER_OPCODE = 600;
    private static final int[] SPECIAL_OFF = {0, 1, 8, 16, 32, -1};
    private static final int[] SPECIAL_IMM = {
        0, 1, 16, 32, 64, -1, 1 << 16,
        Op.ADD, Op.OR, Op.AND, Op.XOR, Op.ADD | Op.FETCH, Op.OR | Op.FETCH, Op.AND | Op.FETCH,
        Op.XOR | Op.FETCH, Op.XCHG, Op.CMPXCHG, Integer.MIN_VALUE, Integer.MAX_VALUE,
    };

    /** RFC 9669's opcodes by conformance group, written out independently of InsnCheck. */
    private static TreeSet<Integer> expectedOpcodes() {
        TreeSet<Integer> s = new TreeSet<>();
        int[] aluOps = {0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xb0, 0xc0};
        for (int cls : new int[] {Op.ALU, Op.ALU64}) {
            for (int op : aluOps) {
                s.add(cls | op | Op.K);
                s.add(cls | op | Op.X);
            }
            s.add(cls | Op.NEG);
        }
        s.addAll(Arrays.asList(0xd4, 0xdc, 0xd7)); // le, be, bswap
        s.addAll(Arrays.asList(0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91)); // ldx, ldsx
        s.addAll(Arrays.asList(0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b)); // st, stx
        s.addAll(Arrays.asList(0xc3, 0xdb)); // atomics
        s.addAll(Arrays.asList(0x18, 0x20, 0x28, 0x30, 0x40, 0x48, 0x50)); // lddw, abs, ind
        int[] condOps = {0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0};
        for (int cls : new int[] {Op.JMP, Op.JMP32}) {
            for (int op : condOps) {
                s.add(cls | op | Op.K);
                s.add(cls | op | Op.X);
            }
        }
        s.addAll(Arrays.asList(0x05, 0x06, 0x85, 0x8d, 0x95, 0xe5)); // ja, gotol, call, callx, exit, may_goto
        return s;
    }

    @Test
    void everyValidInstructionRoundTrips() {
        Random rnd = new Random(0x9669);
        TreeSet<Integer> seenValid = new TreeSet<>();
        String[] names = {"counters", ".rodata", "xsks", "rb"};
        int checked = 0;
        for (int code = 0; code < 256; code++) {
            for (int t = 0; t < TRIALS_PER_OPCODE; t++) {
                Insn in = new Insn(code, reg(rnd), rnd.nextInt(3) == 0 ? reg(rnd) : rnd.nextInt(3),
                        field(rnd, SPECIAL_OFF, (short) rnd.nextInt()), field(rnd, SPECIAL_IMM, rnd.nextInt()));
                if (!InsnCheck.isValid(in)) {
                    continue;
                }
                seenValid.add(code);
                Insn[] prog = in.isLddw()
                        ? new Insn[] {in, new Insn(0, 0, 0, 0, lddwHi(in, rnd))}
                        : new Insn[] {in};
                roundTrip(prog, null);
                if (in.isLddw() && (in.src() == Op.PSEUDO_MAP_IDX || in.src() == Op.PSEUDO_MAP_IDX_VALUE)) {
                    Insn[] named = {in.withImm(rnd.nextInt(names.length)), prog[1]};
                    roundTrip(named, names);
                }
                checked++;
            }
        }
        assertEquals(set(expectedOpcodes()), set(seenValid));
        if (checked < 20_000) {
            throw new AssertionError("only " + checked + " valid instructions generated");
        }
    }

    @Test
    void listingOfAProgramAssemblesBack() {
        Insn[] prog = Asm.assemble("""
                r6 = r1
                r2 = *(u32 *)(r6 +0)
                r3 = *(u32 *)(r6 +4)
                r1 = r2
                r1 += 14
                if r1 > r3 goto drop
                r1 = map[idx:0] ll
                r2 = r10
                r2 += -4
                *(u32 *)(r10 -4) = 0
                call bpf_map_lookup_elem
                if r0 == 0 goto drop
                r1 = 1
                lock *(u64 *)(r0 +0) += r1
                r0 = 2
                exit
                drop:
                r0 = 1
                exit
                """);
        assertEquals(Arrays.asList(prog), Arrays.asList(Asm.assemble(Disasm.listing(prog))));
    }

    private static void roundTrip(Insn[] prog, String[] names) {
        String text = names == null ? Disasm.insn(prog, 0) : Disasm.insn(prog, 0, i -> names[i]);
        Insn[] back;
        try {
            back = names == null ? Asm.assemble(text)
                    : Asm.assemble(text, n -> Arrays.asList(names).indexOf(n));
        } catch (AsmException e) {
            throw new AssertionError(prog[0] + " as '" + text + "': " + e.getMessage() + " " + raw(prog[0]), e);
        }
        assertEquals(Arrays.asList(prog), Arrays.asList(back), () -> "'" + text + "' " + raw(prog[0]));
        // the kernel log's line form, with index and opcode prefix, reads back too
        String line = "  42: (" + String.format("%02x", prog[0].opcode()) + ") " + text;
        assertEquals(Arrays.asList(prog), Arrays.asList(names == null ? Asm.assemble(line)
                : Asm.assemble(line, n -> Arrays.asList(names).indexOf(n))), line);
    }

    private static int lddwHi(Insn lo, Random rnd) {
        return lo.src() == Op.PSEUDO_MAP_FD || lo.src() == Op.PSEUDO_MAP_IDX || lo.src() == Op.PSEUDO_FUNC ? 0
                : rnd.nextBoolean() ? 0 : rnd.nextInt();
    }

    /** Zero half the time (reserved fields), else a value that means something, else anything. */
    private static int field(Random rnd, int[] special, int any) {
        int pick = rnd.nextInt(10);
        return pick < 5 ? 0 : pick < 8 ? special[rnd.nextInt(special.length)] : any;
    }

    private static int reg(Random rnd) {
        return rnd.nextInt(8) == 0 ? 0 : rnd.nextInt(11);
    }

    private static String raw(Insn in) {
        return String.format("[%02x dst=%d src=%d off=%d imm=%d]", in.opcode(), in.dst(), in.src(), in.off(), in.imm());
    }

    private static String set(TreeSet<Integer> s) {
        return s.stream().map(i -> String.format("%02x", i)).collect(Collectors.joining(" "));
    }
}
