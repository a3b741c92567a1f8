package dev.jxdp.cli;

import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.maps.MapSpec;
import dev.jxdp.ebpf.maps.MapType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code jxdp disasm}: the object's programs in the kernel's verifier-log syntax, with their C source lines. */
@Command(name = "disasm", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Disassemble an object's programs in the kernel's verifier-log syntax.",
        description = {"As 'bpftool prog dump xlated' prints them, with the C source lines from BTF, after "
                + "linking: subprograms appended, map references named.", ""})
final class DisasmCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE.o", description = "eBPF object file")
    Path obj;

    @Option(names = "--prog", paramLabel = "NAME", description = "only this program")
    String prog;

    @Option(names = "--no-source", description = "leave out the C source lines")
    boolean noSource;

    @Override
    public void run() {
        ObjectSpec o = Inputs.object(obj);
        List<ProgramSpec> progs = new ArrayList<>();
        for (ProgramSpec p : o.programs()) {
            if (prog == null || p.name().equals(prog)) {
                progs.add(p);
            }
        }
        if (progs.isEmpty()) {
            List<String> names = new ArrayList<>();
            o.programs().forEach(p -> names.add(p.name()));
            throw new CliException(obj + ": " + (prog == null ? "has no programs" : "no program " + prog
                    + " (programs: " + (names.isEmpty() ? "none" : String.join(", ", names)) + ")"));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (prog == null && !o.maps().isEmpty()) {
            out.println("maps:");
            for (MapSpec m : o.maps()) {
                MapType t = m.mapType();
                out.printf("  %-24s %s key %d value %d max_entries %d%n", m.name(),
                        t == null ? "type " + m.type() : t.kernelName(), m.keySize(), m.valueSize(), m.maxEntries());
            }
            out.println();
        }
        for (ProgramSpec p : progs) {
            out.print(Listing.of(o, p, !noSource));
            out.println();
        }
        out.flush();
    }
}
