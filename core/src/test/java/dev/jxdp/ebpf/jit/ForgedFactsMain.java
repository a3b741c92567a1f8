package dev.jxdp.ebpf.jit;

import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.maps.MapSpec;
import dev.jxdp.ebpf.mem.Sandbox;
import dev.jxdp.ebpf.mem.SandboxMem;
import dev.jxdp.ebpf.runtime.BpfFault;
import dev.jxdp.ebpf.verifier.Verifier;
import dev.jxdp.ebpf.verifier.VerifierFacts;
import dev.jxdp.ebpf.verifier.VerifierResult;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * The forged-facts run, in a JVM of its own ({@link SandboxWallTest} starts it, so that a crash fails a
 * test instead of ending the test JVM): programs compiled by a JIT that trusts facts forged to be wrong
 * ({@link ForgedProof}) and, for the verifier's mutants, by a JIT given the facts of the program before the
 * mutation (the wrong proof a verifier bug would hand over). Asserts memory safety only: programs compute
 * garbage, fault or not, and the JVM must neither crash nor see memory outside the sandbox change.
 *
 * <p>Arguments: programs per generator, seed. Runs with {@code -Djxdp.sandbox.audit=true}; prints one
 * summary line (with {@code FORGED_DEBUG} set in the environment, the faults by message); exits 1 when a
 * canary outside the sandbox changed or an access escaped it. With
 * {@code -Djxdp.sandbox=off} it is the control experiment: the same programs without the wall, which crash
 * the JVM.
 */
public final class ForgedFactsMain {
    private ForgedFactsMain() {}

    private static final TreeMap<String, Integer> OUTCOMES = new TreeMap<>();
    private static int runs;

    public static void main(String[] args) {
        int count = Integer.parseInt(args[0]);
        long seed = Long.parseLong(args[1]);
        if (Sandbox.ON && !SandboxMem.AUDIT) {
            System.out.println("forged: needs -Djxdp.sandbox.audit=true");
            System.exit(2);
        }
        // canaries: native memory outside the sandbox and a heap array, each a known pattern
        Arena outside = Arena.ofShared();
        MemorySegment nativeCanary = outside.allocate(1 << 20, 4096);
        long[] heapCanary = new long[1 << 16];
        fill(nativeCanary, heapCanary);
        if (Sandbox.ON && Sandbox.contains(nativeCanary)) {
            throw new AssertionError("the native canary should lie outside the sandbox");
        }
        Random rnd = new Random(seed);
        int verified = 0;
        int mutants = 0;
        for (int n = 0; n < count; n++) {
            VerifiedProgramGenerator.Program p = VerifiedProgramGenerator.generate(rnd);
            List<MapSpec> maps = VerifiedProgramGenerator.maps();
            run(maps, p.insns(), rnd, "verified program, forged facts", null);
            if (!p.sites().isEmpty()) {
                VerifiedProgramGenerator.Site s = p.sites().get(rnd.nextInt(p.sites().size()));
                Insn[] broken = p.insns().clone();
                broken[s.pc()] = s.replacement();
                run(maps, broken, rnd, "mutant, forged facts", null);
                VerifierFacts original = verify(maps, p.insns());
                if (original != null) {
                    verified++;
                    run(maps, broken, rnd, "mutant, the original's facts", original);
                }
                mutants++;
            }
            run(List.of(Harness.spec("vals", dev.jxdp.ebpf.maps.MapType.ARRAY, 4, 8, 4)),
                    JitMatchesInterpreterPropertyTest.generate(rnd), rnd, "random program, forged facts", null);
            run(WildProgramGenerator.maps(), WildProgramGenerator.generate(rnd), rnd, "wild program, forged facts", null);
        }
        boolean intact = intact(nativeCanary, heapCanary);
        System.out.printf("forged: seed %d, %d programs per generator, %d mutants (%d also with the original's facts),"
                        + " %d runs; audited %d accesses, %d redirected into the sandbox, %d escaped; canaries %s;"
                        + " outcomes %s%n", seed, count, mutants, verified, runs, SandboxMem.audited(), SandboxMem.redirected(),
                SandboxMem.escaped(), intact ? "intact" : "CHANGED", OUTCOMES);
        outside.close();
        System.exit(intact && SandboxMem.escaped() == 0 ? 0 : 1);
    }

    private static VerifierFacts verify(List<MapSpec> maps, Insn[] insns) {
        try (Harness h = new Harness(maps, insns)) {
            VerifierResult v = Verifier.verify(h.prog(0), Verifier.Mode.FULL, false);
            return v.accepted() ? v.facts() : null;
        }
    }

    // one run on a random frame; the outcome counted by kind (fine, or which fault)
    private static void run(List<MapSpec> maps, Insn[] insns, Random rnd, String what, VerifierFacts facts) {
        byte[] frame = new byte[64 + rnd.nextInt(137)];
        rnd.nextBytes(frame);
        String outcome;
        try (Harness h = new Harness(maps, insns)) {
            JitProgram jit = facts == null ? ForgedProof.compiler().program(h.prog(0)) : JitCompiler.compile(h.prog(0), facts);
            h.buff.load(frame);
            h.st.begin(h.buff);
            runs++;
            try {
                jit.run(h.st);
                outcome = "ran";
            } catch (BpfFault f) {
                String m = f.getMessage();
                outcome = m.contains("outside the memory programs can reach") ? "sandbox check"
                        : m.contains("internal error") ? "internal error " + m.replaceFirst("(?s).*internal error: ([^: ]*).*", "$1")
                        : System.getenv("FORGED_DEBUG") != null ? "fault " + m.replaceAll("0x[0-9a-f]+|\\d+", "N").replaceFirst("(?s)^.*\n", "")
                        : "fault";
            }
        }
        OUTCOMES.merge(what + ": " + outcome, 1, Integer::sum);
    }

    private static final long PATTERN = 0x5a17_c0de_cafe_f00dL;

    private static void fill(MemorySegment nativeCanary, long[] heapCanary) {
        for (long i = 0; i < nativeCanary.byteSize(); i += 8) {
            nativeCanary.set(ValueLayout.JAVA_LONG, i, PATTERN ^ i);
        }
        for (int i = 0; i < heapCanary.length; i++) {
            heapCanary[i] = PATTERN ^ i;
        }
    }

    private static boolean intact(MemorySegment nativeCanary, long[] heapCanary) {
        for (long i = 0; i < nativeCanary.byteSize(); i += 8) {
            if (nativeCanary.get(ValueLayout.JAVA_LONG, i) != (PATTERN ^ i)) {
                return false;
            }
        }
        long[] want = new long[heapCanary.length];
        Arrays.setAll(want, i -> PATTERN ^ i);
        return Arrays.equals(want, heapCanary);
    }
}
