package dev.jxdp.cli;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.runtime.ProgramLinker;
import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.verifier.Verifier;
import dev.jxdp.ebpf.verifier.VerifierResult;
import dev.jxdp.kernel.KernelObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code jxdp verify}: the verifier's verdict on an object's programs, in the kernel's verifier-log words. */
@Command(name = "verify", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Verify an object's XDP programs as the kernel's verifier does.",
        description = {"Prints the verdict: 'NAME: accepted', or the rejected instruction, its C source line and "
                + "the kernel's message as the last line. A program jxdp cannot load (a helper or kfunc it lacks) "
                + "is listed as 'NAME: not loaded: REASON' and the others are verified, as libbpf loads an object "
                + "program by program; a program that is not XDP is listed as 'NAME: not verified: ...'.", "",
                "With --engine kernel the running kernel verifies them instead (root): the object's maps are created and "
                + "each XDP program loaded in turn with the verifier's log, which is printed with its verdict.", "",
                "Exit status: 0 every program jxdp loads accepted, 1 a program rejected, 2 bad input "
                + "(also: the program --prog names cannot be loaded or is not XDP; --engine kernel without root).", ""})
final class VerifyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE.o", description = "eBPF object file")
    Path obj;

    @Option(names = "--prog", paramLabel = "NAME", description = "only this program (default: every program)")
    String prog;

    @Mixin
    LoadOptions type;

    @Option(names = "--log", description = "print each instruction processed and the register and stack state after it")
    boolean log;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "full",
            description = "full: control flow, then abstract interpretation of every path (default; XDP programs only); "
                    + "cfg: control flow, encodings, helper ids and call depth only")
    String mode;

    @Option(names = "--engine", paramLabel = "ENGINE", defaultValue = "jxdp",
            description = "whose verifier: jxdp (default) or kernel, the running kernel's own through BPF_PROG_LOAD (root): "
                    + "its verdict and log for each XDP program, the log at level 1 (the rejected path and the statistics; "
                    + "with --log, every instruction and the register state, as 'bpftool -d' asks)")
    String engine;

    @Option(names = "--json", description = "with --engine kernel: print {\"accepted\": bool, \"programs\": [{\"prog\", "
            + "\"accepted\", \"log\"}]} instead of the logs and verdicts")
    boolean json;

    @Override
    public Integer call() {
        if (engine.equals("kernel")) {
            return kernelVerdicts();
        }
        if (!engine.equals("jxdp")) {
            throw new CliException("--engine " + engine + ": want jxdp or kernel");
        }
        if (json) {
            throw new CliException("--json is for --engine kernel");
        }
        Verifier.Mode m = switch (mode) {
            case "cfg" -> Verifier.Mode.CFG_ONLY;
            case "full" -> Verifier.Mode.FULL;
            default -> throw new CliException("--mode " + mode + ": want cfg or full");
        };
        ObjectSpec o = Inputs.object(obj, type, spec.commandLine().getErr());
        List<ProgramSpec> progs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (ProgramSpec p : o.programs()) {
            names.add(p.name());
            if (prog == null || p.name().equals(prog)) {
                progs.add(p);
            }
        }
        if (progs.isEmpty()) {
            throw new CliException(obj + ": " + (prog == null ? "has no programs" : "no program " + prog
                    + " (programs: " + (names.isEmpty() ? "none" : String.join(", ", names)) + ")"));
        }
        PrintWriter out = spec.commandLine().getOut();
        try {
            for (ProgramSpec p : progs) {
                String unsupported = unsupported(o, p);
                if (unsupported != null || (m == Verifier.Mode.FULL && !p.isXdp())) {
                    String why = unsupported != null ? "not loaded: jxdp cannot load it: " + unsupported
                            : "not verified: section " + p.section() + " is not an XDP one (jxdp verifies XDP programs "
                            + "only; --type xdp loads every program as XDP)";
                    if (prog != null) {
                        throw new CliException(obj + ": program " + p.name() + ": " + why);
                    }
                    out.println(p.name() + ": " + why);
                    continue;
                }
                VerifierResult r = Verifier.verify(p, o.maps(), o.license(), m, log);
                if (!r.log().isEmpty()) {
                    out.print(r.log());
                }
                if (!r.accepted()) {
                    out.println(p.name() + ": rejected at insn " + r.insn());
                    out.println(r.describe());
                    return 1;
                }
                out.println(p.name() + ": accepted" + (r.processed() > 0 ? " (processed " + r.processed() + " insns)" : ""));
            }
            return 0;
        } finally {
            out.flush();
        }
    }

    /**
     * The kernel verifier's verdicts: the object's maps created, each XDP program loaded with its log, the
     * log and verdict printed, everything unloaded. Exit 1 when the kernel rejects a program.
     */
    private int kernelVerdicts() {
        if (!mode.equals("full")) {
            throw new CliException("--mode " + mode + ": the kernel's verifier has no other mode than full");
        }
        String why = KernelObject.unavailableReason();
        if (why != null) {
            throw new CliException("--engine kernel: the kernel cannot load programs here: " + why);
        }
        ObjectSpec o = Inputs.object(obj, type, spec.commandLine().getErr());
        if (prog != null && o.program(prog) == null) {
            List<String> names = new ArrayList<>();
            o.programs().forEach(p -> names.add(p.name()));
            throw new CliException(obj + ": no program " + prog + " (programs: "
                    + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
        }
        if (prog != null && !o.program(prog).isXdp()) {
            throw new CliException(obj + ": program " + prog + ": not verified: section " + o.program(prog).section()
                    + " is not an XDP one (--type xdp loads every program as XDP)");
        }
        List<KernelObject.Verdict> verdicts;
        try {
            verdicts = KernelObject.verify(o, prog, log ? 7 : 1);
        } catch (BpfException e) {
            throw new CliException(obj + ": " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean accepted = verdicts.stream().allMatch(KernelObject.Verdict::accepted);
        if (json) {
            com.fasterxml.jackson.databind.node.ObjectNode root = Inputs.JSON.createObjectNode();
            root.put("accepted", accepted);
            com.fasterxml.jackson.databind.node.ArrayNode arr = root.putArray("programs");
            for (KernelObject.Verdict v : verdicts) {
                arr.addObject().put("prog", v.program()).put("accepted", v.accepted()).put("log", v.log());
            }
            out.println(root.toString());
        } else {
            for (ProgramSpec p : o.programs()) {
                if (!p.isXdp() && (prog == null || prog.equals(p.name()))) {
                    out.println(p.name() + ": not verified: section " + p.section() + " is not an XDP one (--type xdp "
                            + "loads every program as XDP)");
                }
            }
            for (KernelObject.Verdict v : verdicts) {
                if (!v.log().isEmpty() && (log || !v.accepted())) {
                    out.print(v.log().endsWith("\n") ? v.log() : v.log() + "\n");
                }
                if (v.accepted()) {
                    java.util.regex.Matcher n = java.util.regex.Pattern.compile("processed (\\d+) insns").matcher(v.log());
                    out.println(v.program() + ": accepted by the kernel" + (n.find() ? " (processed " + n.group(1) + " insns)" : ""));
                } else {
                    out.println(v.program() + ": rejected by the kernel" + (v.insn() >= 0 ? " at insn " + v.insn() : ""));
                    out.println(v.message());
                }
            }
        }
        out.flush();
        return accepted ? 0 : 1;
    }

    /** What jxdp lacks to load {@code p}, or null; what no kernel loads is left for the verifier to reject. */
    private static String unsupported(ObjectSpec o, ProgramSpec p) {
        try {
            return ProgramLinker.unsupported(p, o.maps().size());
        } catch (BpfException e) {
            return null;
        }
    }
}
