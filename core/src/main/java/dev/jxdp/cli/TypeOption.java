package dev.jxdp.cli;

import picocli.CommandLine.Option;

/** {@code --type xdp}, for the commands that load an object: bpftool's {@code prog load ... type xdp}. */
final class TypeOption {

    @Option(names = "--type", paramLabel = "TYPE", description = "load every program of the object as this type, "
            + "whatever its section says, as bpftool's 'prog load ... type xdp' does (only xdp; default: from the "
            + "section, as libbpf 1.x names it, plus libbpf 0.x's xdp* names such as SEC(\"xdp_pass\"), with a note)")
    String type;

    /** True when --type xdp was given; anything else is an error. */
    boolean xdp() {
        if (type == null) {
            return false;
        }
        if (!type.equals("xdp")) {
            throw new CliException("--type " + type + ": want xdp (jxdp runs XDP programs only)");
        }
        return true;
    }
}
