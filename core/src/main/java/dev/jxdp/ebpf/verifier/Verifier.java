package dev.jxdp.ebpf.verifier;

import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.isa.Disasm;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.maps.MapSpec;
import dev.jxdp.ebpf.runtime.BpfProgram;

import java.util.List;

/**
 * Proves an XDP program safe the way the kernel's verifier does (kernel/bpf/verifier.c, bpf_check()),
 * or says why not in the kernel's words.
 */
public final class Verifier {
    private Verifier() {}

    /** How far the proof goes. */
    public enum Mode {
        /**
         * The structural passes only ({@link CfgCheck}): control flow, encodings, helper ids, call depth.
         * The default until the abstract interpreter accepts every program the kernel accepts.
         */
        CFG_ONLY,
        /** The structural passes, then abstract interpretation of every path ({@link AbstractInterp}). */
        FULL
    }

    /**
     * What verifying every XDP program of a collection gave: the facts of each (for the JIT), or the
     * first program the verifier rejected and its verdict.
     *
     * @param facts     per accepted program; complete only when nothing was rejected
     * @param rejected  the first program rejected, or null
     * @param rejection its verdict, or null
     */
    public record Verdicts(java.util.Map<ProgramSpec, VerifierFacts> facts, BpfProgram rejected, VerifierResult rejection) {}

    /**
     * Verifies every program of the collection jxdp runs (XDP, nothing jxdp lacks) in order, as the kernel's
     * load does before anything runs, stopping at the first rejection.
     */
    public static Verdicts verifyAll(dev.jxdp.ebpf.runtime.BpfCollection collection) {
        java.util.Map<ProgramSpec, VerifierFacts> facts = new java.util.IdentityHashMap<>();
        for (BpfProgram p : collection.programs()) {
            if (!p.runnable()) {
                continue;  // jxdp runs and verifies XDP programs only; one it cannot load is not loaded
            }
            VerifierResult r = verify(p, Mode.FULL, false);
            if (!r.accepted()) {
                return new Verdicts(facts, p, r);
            }
            facts.put(p.spec(), r.facts());
        }
        return new Verdicts(facts, null, null);
    }

    /** Verifies a loaded program, under its object's license. */
    public static VerifierResult verify(BpfProgram prog, Mode mode, boolean log) {
        ObjectSpec o = prog.collection().spec();
        VerifierResult r = verify(prog.spec(), o.maps(), o.license(), mode, log);
        if (r.accepted() && r.facts() != null) {
            prog.inlinedLoops(r.facts().inlinedLoopCalls());  // the kernel's rewrite at acceptance
        }
        return r;
    }

    /** Verifies a program as part of a GPL-compatible object (what test programs are). */
    public static VerifierResult verify(ProgramSpec spec, List<MapSpec> maps, Mode mode, boolean log) {
        return verify(spec, maps, "GPL", mode, log);
    }

    /**
     * license_is_gpl_compatible(): the licenses whose programs may call gpl_only helpers
     * (bpf_trace_printk among jxdp's).
     */
    public static boolean gplCompatible(String license) {
        return switch (license) {
            case "GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL" -> true;
            default -> false;
        };
    }

    /**
     * Verifies a program of an object whose license section says {@code license} ("" when it has none,
     * which the kernel takes for a license that is not GPL-compatible).
     */
    public static VerifierResult verify(ProgramSpec spec, List<MapSpec> maps, String license, Mode mode, boolean log) {
        Insn[] insns = spec.insns();
        StringBuilder sb = log ? new StringBuilder() : null;
        int[] processed = {0};
        VerifierFacts facts = null;
        try {
            // the full proof bounds the call chain as the kernel does, while and after it walks the paths
            int[] subprogs = CfgCheck.check(insns, mode == Mode.CFG_ONLY);
            if (mode == Mode.FULL && !spec.isXdp()) {
                throw new Rejection(-1, "jxdp verifies XDP programs only; section " + spec.section() + " is not one");
            }
            if (mode == Mode.FULL) {
                facts = AbstractInterp.run(spec, maps, gplCompatible(license), subprogs, sb, processed);
            }
        } catch (Rejection r) {
            return new VerifierResult(false, r.insn, r.getMessage(), context(spec, maps, r.insn),
                    sb == null ? "" : sb.toString(), processed[0], null);
        }
        return VerifierResult.ok(sb == null ? "" : sb.toString(), processed[0], facts);
    }

    /** The rejected instruction as the kernel's log prints it, after its C source line. */
    static String context(ProgramSpec spec, List<MapSpec> maps, int insn) {
        Insn[] insns = spec.insns();
        if (insn < 0 || insn >= insns.length) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        ProgramSpec.Line line = spec.lineOf(insn);
        if (line != null) {
            sb.append(line).append('\n');
        }
        sb.append(insnLine(insns, maps, insn));
        return sb.toString();
    }

    static String insnLine(Insn[] insns, List<MapSpec> maps, int insn) {
        return String.format("%d: (%02x) %s", insn, insns[insn].opcode(), Disasm.insn(insns, insn,
                idx -> idx >= 0 && idx < maps.size() ? maps.get(idx).name() : null));
    }
}
