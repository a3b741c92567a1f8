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

    private static final int POSSIBLE = detect();

    public static int possible() { return POSSIBLE; }

    private static int detect() {
        String forced = System.getProperty("jxdp.cpus");
        if (forced != null) {
            return Math.max(1, Integer.parseInt(forced));
        }
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
