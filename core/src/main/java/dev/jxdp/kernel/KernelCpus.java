package dev.jxdp.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The kernel's num_possible_cpus(): how many values a per-CPU map holds per key, whatever jxdp is told. */
final class KernelCpus {
    private KernelCpus() {}

    private static final int POSSIBLE = detect();

    static int possible() { return POSSIBLE; }

    // "0-7" or "0,2-3": the highest id + 1, as the kernel sizes per-CPU areas
    private static int detect() {
        try {
            String text = Files.readString(Path.of("/sys/devices/system/cpu/possible")).trim();
            int max = 0;
            for (String part : text.split(",")) {
                String[] ends = part.split("-");
                max = Math.max(max, Integer.parseInt(ends[ends.length - 1].trim()));
            }
            return max + 1;
        } catch (IOException | RuntimeException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }
}
