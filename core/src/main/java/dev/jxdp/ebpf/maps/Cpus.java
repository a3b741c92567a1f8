package dev.jxdp.ebpf.maps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How many CPUs per-CPU maps hold values for: the kernel's num_possible_cpus(). In jxdp a "CPU" is a
 * worker thread; test-run runs on CPU 0. Override with {@code -Djxdp.cpus=N}.
 */
public final class Cpus {
    private Cpus() {}

    private static final int KERNEL_POSSIBLE = kernelDetect();
    private static final int POSSIBLE = detect();

    public static int possible() { return POSSIBLE; }

    /**
     * The running kernel's num_possible_cpus(), whatever {@code -Djxdp.cpus} says: how many values a per-CPU
     * map of the kernel engine holds per key.
     */
    public static int kernelPossible() { return KERNEL_POSSIBLE; }

    private static int detect() {
        String forced = System.getProperty("jxdp.cpus");
        return forced != null ? Math.max(1, Integer.parseInt(forced)) : KERNEL_POSSIBLE;
    }

    private static int kernelDetect() {
        try {
            // "0-7" or "0,2-3": the highest id + 1, as the kernel sizes per-CPU areas
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
