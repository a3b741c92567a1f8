package dev.jxdp.cli;

import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the commands that load an object load it: {@code --type xdp} (bpftool's {@code prog load ... type
 * xdp}) and {@code --const NAME=VALUE} (a libbpf skeleton's {@code rodata->NAME = VALUE} before load).
 */
final class LoadOptions {

    @Option(names = "--type", paramLabel = "TYPE", description = "load every program of the object as this type, "
            + "whatever its section says, as bpftool's 'prog load ... type xdp' does (only xdp; default: from the "
            + "section, as libbpf 1.x names it, plus libbpf 0.x's xdp* names such as SEC(\"xdp_pass\"), with a note)")
    String type;

    @Option(names = "--const", paramLabel = "NAME=VALUE", mapFallbackValue = "",
            description = "set a const volatile global (.rodata) before load, as a libbpf skeleton's "
                    + "rodata->NAME = VALUE does: an integer (decimal or 0x hex, may be negative), an enum's value or "
                    + "true/false; the verifier then sees the new value as the constant it is (repeatable)")
    Map<String, String> constants = new LinkedHashMap<>();

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
