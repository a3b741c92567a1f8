package dev.jxdp.junit;

import dev.jxdp.Engine;
import dev.jxdp.JxdpException;
import dev.jxdp.ObjectSpec;
import dev.jxdp.XdpAction;
import dev.jxdp.XdpObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
     * Why this engine cannot run here, or null when it can. The kernel engine needs Linux and the capability to load
     * BPF programs (root, or CAP_BPF with CAP_NET_ADMIN, or CAP_SYS_ADMIN); with them, the answer is the engine's
     * own: whether it loads the smallest XDP program (once per JVM). Past that, a program the kernel refuses fails its
     * test rather than skipping it.
     */
    static String unavailableReason(Engine engine) {
        if (engine != Engine.KERNEL) {
            return null;
        }
        String why = kernelReason;
        if (why == null) {
            why = probeKernel();
            kernelReason = why;
        }
        return why.isEmpty() ? null : why;
    }

    private static volatile String kernelReason; // "" once the kernel engine loaded the probe

    private static String probeKernel() {
        if (!System.getProperty("os.name", "").equals("Linux")) {
            return "it needs Linux, and this is " + System.getProperty("os.name");
        }
        long caps = effectiveCapabilities();
        boolean bpf = (caps & (1L << CAP_BPF)) != 0 && (caps & (1L << CAP_NET_ADMIN)) != 0;
        if (!bpf && (caps & (1L << CAP_SYS_ADMIN)) == 0) {
            return "it needs root (CAP_BPF and CAP_NET_ADMIN, or CAP_SYS_ADMIN)";
        }
        try (XdpObject probe = ObjectSpec.fromResource(Engines.class, "probe.o").load(Engine.KERNEL)) {
            return probe.program().testRun(new byte[64]).action() == XdpAction.PASS ? "" : "the probe program misbehaved";
        } catch (JxdpException e) {
            return e.getMessage();
        }
    }

    private static final int CAP_NET_ADMIN = 12;
    private static final int CAP_SYS_ADMIN = 21;
    private static final int CAP_BPF = 39;

    /** The CapEff mask of /proc/self/status (0 when it cannot be read). */
    private static long effectiveCapabilities() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return Long.parseUnsignedLong(line.substring(7).strip(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
