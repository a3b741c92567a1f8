package dev.jxdp.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.jxdp.ebpf.fib.Fib;
import dev.jxdp.ebpf.fib.FibJson;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfProgram;

import java.io.CharConversionException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.verifier.Verifier;
import dev.jxdp.ebpf.verifier.VerifierFacts;
import dev.jxdp.ebpf.verifier.VerifierResult;
import java.util.ArrayList;
import java.util.List;

/** Reading the CLI's input files and writing its output files, each failure one line naming the file. */
final class Inputs {
    private Inputs() {}

    static final ObjectMapper JSON = new ObjectMapper();

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CliException(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new CliException(file + ": permission denied");
        } catch (IOException e) {
            throw new CliException(file + ": cannot read: " + reason(e));
        }
    }

    static ObjectSpec object(Path file) {
        byte[] bytes = read(file);
        try {
            return ElfLoader.parse(bytes, file.toString());
        } catch (BpfException e) {
            throw new CliException(file + ": " + e.getMessage());
        }
    }

    /**
     * The datapath input of {@code --in KIND:ARG} already split: a capture file, or the generator (which the
     * caller closes); {@code kind} is pcap or pktgen, checked by the caller.
     */
    static dev.jxdp.run.DatapathRun.Input datapathInput(String kind, String arg) {
        if (kind.equals("pcap")) {
            return new dev.jxdp.run.DatapathRun.Pcap(Path.of(arg));
        }
        try {
            return new dev.jxdp.run.DatapathRun.Generated(new dev.jxdp.io.pktgen.PktGen(dev.jxdp.io.pktgen.PktGenSpec.parse(arg)));
        } catch (BpfException e) {
            throw new CliException("pktgen: " + e.getMessage());
        }
    }

    /**
     * The object with --const's globals set, every program typed XDP with {@code --type xdp}; otherwise typed
     * by section, with one note
     * on {@code err} naming the sections only libbpf 0.x's prefix rule makes XDP.
     */
    static ObjectSpec object(Path file, LoadOptions type, PrintWriter err) {
        ObjectSpec o = object(file);
        try {
            o = o.withConstants(type.constants);
        } catch (BpfException e) {
            throw new CliException(file + ": --const " + e.getMessage());
        }
        if (type.xdp()) {
            return o.asXdp();
        }
        List<String> legacy = o.legacyXdpSections();
        if (!legacy.isEmpty()) {
            err.println("jxdp: " + file + ": note: loading section" + (legacy.size() == 1 ? " " : "s ")
                    + String.join(", ", legacy) + " as XDP by libbpf 0.x's xdp* prefix rule; libbpf 1.x needs "
                    + "SEC(\"xdp\"), bpftool 'prog load ... type xdp' (jxdp: --type xdp)");
            err.flush();
        }
        return o;
    }

    static BpfCollection load(Path file, ObjectSpec spec) {
        try {
            return BpfCollection.load(spec);
        } catch (BpfException e) {
            throw new CliException(file + ": " + e.getMessage());
        }
    }

    /**
     * The program named; without a name the object's only XDP program (or its only program, whatever its
     * type). The choice never depends on what jxdp supports: a program jxdp cannot load is an error when it
     * is the one chosen, never skipped for another. A clear one-line error otherwise, listing the programs.
     */
    static BpfProgram program(Path file, BpfCollection c, String name) {
        List<String> names = new ArrayList<>();
        c.programs().forEach(p -> names.add(p.name()));
        BpfProgram p;
        if (name == null) {
            List<BpfProgram> xdp = c.programs().stream().filter(q -> q.spec().isXdp()).toList();
            List<BpfProgram> candidates = xdp.isEmpty() ? c.programs() : xdp;
            if (candidates.size() != 1) {
                List<String> listed = new ArrayList<>();
                candidates.forEach(q -> listed.add(q.name() + (q.unsupported() != null ? " [jxdp cannot load it]" : "")));
                throw new CliException(file + ": " + (candidates.isEmpty() ? "has no programs"
                        : "several " + (xdp.isEmpty() ? "programs" : "XDP programs") + " (" + String.join(", ", listed)
                        + "); choose one with --prog"));
            }
            p = candidates.getFirst();
        } else {
            p = c.program(name);
            if (p == null) {
                throw new CliException(file + ": no program " + name + " (programs: "
                        + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
            }
        }
        try {
            p.requireLoaded();
        } catch (BpfException e) {
            throw new CliException(file + ": " + e.getMessage());
        }
        return p;
    }

    /** Refuses a program that is not XDP (by section or --type), naming its section and how to load it anyway. */
    static void requireXdp(Path file, BpfProgram p, String command) {
        if (!p.spec().isXdp()) {
            throw new CliException(file + ": program " + p.name() + " is in section " + p.section() + ", not an XDP one: "
                    + command + " runs XDP programs only (--type xdp loads every program as XDP, as bpftool's "
                    + "'prog load ... type xdp')");
        }
    }

    /**
     * The FIB {@code --fib} names: null for {@link Fib#EMPTY}, {@code host} for this network namespace's
     * (rtnetlink), otherwise a JSON file ({@link FibJson}).
     */
    static Fib fib(String spec) {
        if (spec == null) {
            return Fib.EMPTY;
        }
        if (spec.equals("host")) {
            try {
                return dev.jxdp.io.netlink.HostFib.read();
            } catch (IOException | RuntimeException e) {
                throw new CliException("--fib host: cannot read this namespace's routing state: " + e.getMessage());
            }
        }
        Path file = Path.of(spec);
        JsonNode root = json(file);
        try {
            return FibJson.parse(root);
        } catch (BpfException e) {
            throw new CliException(file + ": " + e.getMessage());
        }
    }

    static JsonNode json(Path file) {
        byte[] bytes = read(file);
        try {
            return JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new CliException(file + ": not JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr());
        } catch (CharConversionException e) {
            // Jackson guesses UTF-8/16/32 from the first bytes; bytes that fit none are bad text, not a read error
            throw new CliException(file + ": not JSON: " + e.getMessage());
        } catch (IOException e) {
            throw new CliException(file + ": cannot read: " + reason(e));
        }
    }

    /** Writes through a temporary file renamed into place, so a failure leaves no half-written file. */
    static void writeAtomically(Path file, byte[] data) {
        try {
            dev.jxdp.io.AtomicFile.write(file, data);
        } catch (IOException e) {
            throw new CliException(file + ": cannot write: " + reason(e));
        }
    }

    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** The verifier's rejection of {@code p} as one line: program, instruction and the kernel's reason. */
    static String rejection(Path obj, BpfProgram p, VerifierResult r) {
        return obj + ": the verifier rejects program " + p.name() + (r.insn() >= 0 ? " at insn " + r.insn() : "")
                + ": " + r.message().replace("\n", "; ");
    }

    /**
     * Verifies every XDP program of the collection jxdp loads, as the kernel's load does: the facts per
     * program, or a one-line error naming the rejected program, instruction and reason.
     */
    static Map<ProgramSpec, VerifierFacts> verifyAll(Path obj, BpfCollection collection) {
        Verifier.Verdicts v = Verifier.verifyAll(collection);
        if (v.rejected() != null) {
            BpfProgram p = v.rejected();
            throw new CliException(rejection(obj, p, v.rejection()) + " (jxdp verify " + obj + " --prog " + p.name()
                    + " shows the context; --no-verify runs it anyway)");
        }
        return v.facts();
    }

}
