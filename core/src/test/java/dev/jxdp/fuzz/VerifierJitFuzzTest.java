package dev.jxdp.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.isa.Disasm;
import dev.jxdp.ebpf.isa.HelperIds;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.ebpf.jit.VerifiedProgramGenerator;
import dev.jxdp.ebpf.runtime.BpfFault;
import dev.jxdp.ebpf.testrun.MapJson;
import dev.jxdp.ebpf.verifier.Verifier;
import dev.jxdp.ebpf.verifier.VerifierFacts;
import dev.jxdp.ebpf.verifier.VerifierResult;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The verifier and the JIT on programs built from the fuzzer's input: {@link VerifiedProgramGenerator}'s
 * programs (which the verifier must accept) with every choice taken from the input ({@link FuzzedRandom}),
 * then up to {@value #MAX_MUTATIONS} raw changes ({@link InsnMutator}) that make most of them invalid or
 * unsafe. Oracles:
 * <ul>
 * <li>the verifier accepts or rejects; it never throws;</li>
 * <li>a program it accepts runs on {@value #FRAMES} frames of the input in the reference interpreter (every
 *     access checked) without a fault, and the JIT given the verifier's facts, run from the same state on
 *     the same addresses ({@link SameAddresses}), gives the same r0, the same packet from data_meta to
 *     data_end and the same maps after each frame (unless the program asks the clock or the random number
 *     generator);</li>
 * <li>a program it rejects runs in the interpreter and in the checked JIT (what {@code --no-verify} runs)
 *     to an end or a {@link BpfFault}, never another exception (and never a JVM crash);</li>
 * <li>a program the loader refuses (a map index out of range, an unknown helper) is refused with a clean
 *     {@link BpfException}.</li>
 * </ul>
 * {@code -Djxdp.fuzz.checkedJit=false} leaves rejected programs to the interpreter alone, which is faster;
 * {@code -Djxdp.fuzz.print=true} prints every input's program (what {@code bin/fuzz verifier-jit --replay FILE} does).
 */
class VerifierJitFuzzTest {

    static final int FRAMES = 2;
    static final int MAX_MUTATIONS = 4;
    private static final boolean CHECKED_JIT = !"false".equals(System.getProperty("jxdp.fuzz.checkedJit"));
    /** {@code -Djxdp.fuzz.print=true} (bin/fuzz --replay) prints each input's program and frames. */
    private static final boolean PRINT = Boolean.getBoolean("jxdp.fuzz.print");
    private static final Tally TALLY = new Tally();

    /** What a run gave; {@code fault} is the message (for reports), left out of {@link #equals}. */
    private record Outcome(boolean faulted, long r0, String packet, String maps, String fault) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Outcome x && faulted == x.faulted && r0 == x.r0 && packet.equals(x.packet) && maps.equals(x.maps);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(faulted, r0, packet, maps);
        }
    }

    @FuzzTest
    void verifiedJitMatchesInterpreter(FuzzedDataProvider data) {
        VerifiedProgramGenerator.Program generated = VerifiedProgramGenerator.generate(new FuzzedRandom(data));
        List<InsnMutator.Site> sites = new ArrayList<>();
        generated.sites().forEach(s -> sites.add(new InsnMutator.Site(s.pc(), s.replacement())));
        Insn[] insns = InsnMutator.mutate(generated.insns(), sites, data, MAX_MUTATIONS);
        byte[][] frames = new byte[FRAMES][];
        for (int f = 0; f < FRAMES; f++) {
            int length = data.consumeInt(14, 200);
            frames[f] = Arrays.copyOf(data.consumeBytes(length), length);
        }
        if (PRINT) {
            System.err.print("verifier-jit: program\n" + listing(insns) + "frames " + HexFormat.of().formatHex(frames[0])
                    + " " + HexFormat.of().formatHex(frames[1]) + "\n");
        }
        Harness h;
        try {
            h = new Harness(VerifiedProgramGenerator.maps(), insns);
        } catch (BpfException e) {
            CleanRefusal.check(e);
            TALLY.count(Tally.REFUSED);
            return;
        }
        try (h) {
            VerifierResult v;
            try {
                v = Verifier.verify(h.prog(0), Verifier.Mode.FULL, false);
            } catch (RuntimeException | StackOverflowError e) {
                throw new AssertionError("the verifier threw on\n" + listing(insns), e);
            }
            if (v.accepted()) {
                accepted(h, insns, v.facts(), frames);
                TALLY.count(Tally.ACCEPTED);
            } else {
                rejected(h, insns, frames[0]);
                TALLY.count(Tally.REJECTED);
            }
        }
    }

    /**
     * Interpreter and verified JIT frame after frame, each from the same maps, stack and buffer on the same
     * addresses ({@link SameAddresses}): the same r0, packet and maps every time.
     */
    private static void accepted(Harness h, Insn[] insns, VerifierFacts facts, byte[][] frames) {
        if (facts == null) {
            throw new AssertionError("accepted without facts\n" + listing(insns));
        }
        JitProgram jit;
        try {
            jit = compile(h, facts, insns);
        } catch (BpfException e) {
            CleanRefusal.check(e);  // too large for the JIT: a refusal
            return;
        }
        boolean deterministic = deterministic(insns);
        SameAddresses state = new SameAddresses(h);
        for (byte[] frame : frames) {
            state.save();
            state.restore(frame);
            Outcome interp = run(h, frame, () -> h.interp.run(h.prog(0), h.st), insns);
            if (interp.faulted) {
                throw new AssertionError("the verifier accepted a program the interpreter stops with a fault ("
                        + interp.fault + ")\n" + listing(insns) + "frame " + HexFormat.of().formatHex(frame));
            }
            state.restore(frame);
            Outcome compiled = run(h, frame, () -> jit.run(h.st), insns);
            if (deterministic && !interp.equals(compiled)) {
                throw new AssertionError("the JIT with the verifier's facts differs from the interpreter\n"
                        + "interpreter: " + interp + "\njit:         " + compiled + "\n" + listing(insns) + "frame "
                        + HexFormat.of().formatHex(frame));
            }
        }
    }

    /**
     * Whether two runs of the program on the same state must give the same answer: not when it calls a
     * helper whose answer changes from call to call (the clock, the per-CPU random numbers).
     */
    static boolean deterministic(Insn[] insns) {
        for (int i = 0; i < insns.length; i++) {
            Insn in = insns[i];
            if (in.opcode() == (Op.JMP | Op.CALL) && in.src() == Op.CALL_HELPER) {
                String name = HelperIds.name(in.imm());
                if (name != null && (name.contains("prandom") || name.contains("ktime") || name.contains("jiffies"))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Interpreter and checked JIT on a rejected program: an end or a fault, nothing else. */
    private static void rejected(Harness h, Insn[] insns, byte[] frame) {
        h.buff.load(frame);
        h.st.begin(h.buff);
        run(h, frame, () -> h.interp.run(h.prog(0), h.st), insns);
        if (!CHECKED_JIT) {
            return;
        }
        JitProgram jit;
        try {
            jit = compile(h, null, insns);
        } catch (BpfException e) {
            CleanRefusal.check(e);  // too large for the JIT: a refusal
            return;
        }
        h.buff.load(frame);
        h.st.begin(h.buff);
        run(h, frame, () -> jit.run(h.st), insns);
    }

    /** The program compiled with {@code facts} (null: every access checked); a failure names the program. */
    private static JitProgram compile(Harness h, VerifierFacts facts, Insn[] insns) {
        try {
            return facts == null ? JitCompiler.compile(h.prog(0)) : JitCompiler.compile(h.prog(0), facts);
        } catch (BpfException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            throw new AssertionError("the JIT failed to compile (" + (facts == null ? "checked" : "with the verifier's facts")
                    + ")\n" + listing(insns), e);
        }
    }

    private interface Engine {
        long run();
    }

    /** Runs one engine on the state {@code h} is in; the frame given is only for messages. */
    private static Outcome run(Harness h, byte[] frame, Engine engine, Insn[] insns) {
        String fault = null;
        long r0 = 0;
        try {
            r0 = engine.run();
        } catch (BpfFault e) {
            fault = e.getMessage();
        } catch (RuntimeException | StackOverflowError e) {
            throw new AssertionError("an engine threw something other than a fault on\n" + listing(insns)
                    + "frame " + HexFormat.of().formatHex(frame), e);
        }
        return new Outcome(fault != null, r0, HexFormat.of().formatHex(h.buff.bytesFromMeta()), MapJson.dump(h.coll).toString(),
                fault);
    }

    static String listing(Insn[] insns) {
        try {
            return Disasm.listing(insns, i -> i == 0 ? "arr" : i == 1 ? "hash" : null);
        } catch (RuntimeException e) {
            return Arrays.toString(insns) + "\n";
        }
    }

    /** Counts of what the inputs became, printed now and then while fuzzing (not in a plain test run). */
    private static final class Tally {
        static final int ACCEPTED = 0;
        static final int REJECTED = 1;
        static final int REFUSED = 2;
        private final long[] counts = new long[3];
        private final boolean fuzzing = System.getProperty("JAZZER_FUZZ") != null || System.getenv("JAZZER_FUZZ") != null;
        private long next = 1 << 14;

        void count(int kind) {
            counts[kind]++;
            long total = counts[0] + counts[1] + counts[2];
            if (fuzzing && total == next) {
                next = Math.min(next * 2, next + 200_000);
                System.err.printf("verifier-jit: %d programs: %d accepted (engines agree), %d rejected, %d refused by the"
                        + " loader%n", total, counts[ACCEPTED], counts[REJECTED], counts[REFUSED]);
            }
        }
    }
}
