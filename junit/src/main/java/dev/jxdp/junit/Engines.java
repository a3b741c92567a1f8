package dev.jxdp.junit;

import dev.jxdp.Engine;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/** Engine names as {@code -Djxdp.engines} spells them, and whether an engine can run here. */
final class Engines {
    private Engines() {}

    static List<Engine> parse(String list) {
        List<Engine> out = new ArrayList<>();
        for (String s : list.split(",")) {
            String name = s.strip().toLowerCase(Locale.ROOT);
            Engine e = switch (name) {
                case "jit" -> Engine.JIT;
                case "interp", "interpreter" -> Engine.INTERPRETER;
                case "kernel" -> Engine.KERNEL;
                default -> throw new ExtensionConfigurationException(XdpExtension.ENGINES_PROPERTY + "=" + list
                        + ": unknown engine \"" + s.strip() + "\" (want jit, interp or kernel, comma-separated)");
            };
            if (!out.contains(e)) {
                out.add(e);
            }
        }
        return List.copyOf(out);
    }

    /**
     * Why this engine cannot run here, or null when it can: the engine's own answer (the kernel engine needs
     * Linux's bpf() and the right to load programs). Past that, a program the kernel refuses fails its test
     * rather than skipping it.
     */
    static String unavailableReason(Engine engine) {
        return engine.unavailableReason();
    }
}
