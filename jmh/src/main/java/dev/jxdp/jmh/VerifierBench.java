package dev.jxdp.jmh;

import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;
import dev.jxdp.ebpf.maps.MapSpec;
import dev.jxdp.ebpf.verifier.Verifier;
import dev.jxdp.ebpf.verifier.VerifierResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The verifier's time ({@link Verifier.Mode#FULL}: control flow, then abstract interpretation of every
 * path) on the largest test program, gotol_v4.o (36,033 instructions, one straight unrolled run with a
 * gotol over it), and on an assembled parser-like program of about 4,000 instructions with a branch
 * every eight. Setup prints the instruction count and the instructions the verifier processed.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 3, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Djxdp.mem=unsafe"})
public class VerifierBench {

    @Param({"gotol_v4", "asm4000"})
    public String program;

    private ProgramSpec spec;
    private List<MapSpec> maps;

    @Setup(Level.Trial)
    public void setup() {
        ObjectSpec obj = switch (program) {
            case "gotol_v4" -> ElfLoader.load(BenchPrograms.repo().resolve("core/src/test/bpf/gotol_v4.o"));
            case "asm4000" -> new ObjectSpec("asm4000", List.of(), List.of(new ProgramSpec("asm4000", "xdp",
                    parser(500), List.of(new ProgramSpec.Func(0, "asm4000")), List.of())), "GPL");
            default -> throw new IllegalArgumentException("no verifier benchmark program " + program);
        };
        spec = obj.programs().get(0);
        maps = obj.maps();
        VerifierResult r = Verifier.verify(spec, maps, Verifier.Mode.FULL, false);
        if (!r.accepted()) {
            throw new IllegalStateException(program + ": the verifier rejects it: " + r.message());
        }
        System.out.println("# " + program + ": " + spec.insns().length + " insns, processed " + r.processed());
    }

    @Benchmark
    public VerifierResult verify() {
        return Verifier.verify(spec, maps, Verifier.Mode.FULL, false);
    }

    /**
     * 8 * {@code blocks} + 10 instructions as a packet parser is shaped: the context's data and data_end,
     * one bounds check for 64 bytes, then blocks that each load a packet byte, fold it into r0, spill and
     * fill r0 through the stack and branch on one bit (JSET), so the verifier walks both sides and prunes
     * at every join.
     */
    static Insn[] parser(int blocks) {
        List<Insn> p = new ArrayList<>();
        p.add(new Insn(Op.LDX | Op.MEM | Op.W, 2, 1, 0, 0));        // r2 = ctx->data
        p.add(new Insn(Op.LDX | Op.MEM | Op.W, 3, 1, 4, 0));        // r3 = ctx->data_end
        p.add(new Insn(Op.ALU64 | Op.X | Op.MOV, 4, 2, 0, 0));      // r4 = r2
        p.add(new Insn(Op.ALU64 | Op.K | Op.ADD, 4, 0, 0, 64));     // r4 += 64
        p.add(new Insn(Op.JMP | Op.X | Op.JGT, 4, 3, 8 * blocks + 3, 0));  // if r4 > r3 goto drop
        p.add(new Insn(Op.ALU64 | Op.K | Op.MOV, 0, 0, 0, 0));      // r0 = 0
        for (int k = 0; k < blocks; k++) {
            int slot = -8 - 8 * (k % 8);
            p.add(new Insn(Op.LDX | Op.MEM | Op.B, 5, 2, k % 64, 0));        // r5 = *(u8 *)(r2 + k % 64)
            p.add(new Insn(Op.ALU64 | Op.X | Op.ADD, 0, 5, 0, 0));           // r0 += r5
            p.add(new Insn(Op.STX | Op.MEM | Op.DW, 10, 0, slot, 0));        // spill r0
            p.add(new Insn(Op.JMP | Op.K | Op.JSET, 5, 0, 2, 1 << (k % 8))); // if r5 & bit goto +2
            p.add(new Insn(Op.ALU64 | Op.K | Op.XOR, 0, 0, 0, 0x5a + k));    // r0 ^= k
            p.add(new Insn(Op.ALU64 | Op.K | Op.LSH, 0, 0, 0, 1));           // r0 <<= 1
            p.add(new Insn(Op.LDX | Op.MEM | Op.DW, 7, 10, slot, 0));        // fill r7
            p.add(new Insn(Op.ALU64 | Op.X | Op.ADD, 0, 7, 0, 0));           // r0 += r7
        }
        p.add(new Insn(Op.ALU64 | Op.K | Op.AND, 0, 0, 0, 3));      // r0 &= 3: an XDP action
        p.add(new Insn(Op.JMP | Op.EXIT, 0, 0, 0, 0));
        p.add(new Insn(Op.ALU64 | Op.K | Op.MOV, 0, 0, 0, 1));      // drop: r0 = XDP_DROP
        p.add(new Insn(Op.JMP | Op.EXIT, 0, 0, 0, 0));
        return p.toArray(new Insn[0]);
    }
}
