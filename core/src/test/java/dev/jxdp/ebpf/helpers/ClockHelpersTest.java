package dev.jxdp.ebpf.helpers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The clock helpers and bpf_get_numa_node_id. Their values change from run to run, so helper_clock.c
 * is run in jxdp and in the kernel (kernel-oracle, as root) one after the other and the two compared by
 * what must hold between them: the same clocks (CLOCK_MONOTONIC for both ktime_get_ns, the coarse one,
 * CLOCK_TAI), jiffies counted at the same rate from the same origin, node 0.
 */
class ClockHelpersTest {

    /** The values helper_clock.c stores: jiffies, coarse, mono, boot, tai, numa node. */
    private record Reading(long jiffies, long coarse, long mono, long boot, long tai, long node) {}

    private static Reading jxdp() {
        try (ObjectRun o = new ObjectRun("helper_clock.o")) {
            assertEquals(2, o.run(new byte[64]));
            return new Reading(o.s64("res", 0), o.s64("res", 1), o.s64("res", 2), o.s64("res", 3), o.s64("res", 4),
                    o.s64("res", 5));
        }
    }

    @Test
    void clocksAreOrderedAsTheKernelReadsThem() {
        Reading c = jxdp();
        assertTrue(c.coarse() <= c.mono(), "coarse, read first, is not after the fine clock");
        assertTrue(c.mono() - c.coarse() < 1_000_000_000L / hz() * 2, "coarse lags by under two ticks");
        assertTrue(c.boot() >= c.mono(), "boot time, read after, includes everything monotonic does");
        assertEquals(0, c.node(), "jxdp's CPUs are one NUMA node");
    }

    @Test
    void agreesWithTheKernel() throws Exception {
        Path oracle = oracle();
        Reading before = jxdp();
        Reading k = kernel(oracle);
        Reading after = jxdp();
        assertEquals(0, k.node(), "the kernel's node");
        // the kernel's reading lies between jxdp's two, on every clock both read
        assertTrue(before.mono() <= k.mono() && k.mono() <= after.mono(), "CLOCK_MONOTONIC");
        assertTrue(before.coarse() <= k.coarse() && k.coarse() <= after.coarse(), "CLOCK_MONOTONIC_COARSE");
        long taiSlack = 1_000_000L; // two reads of CLOCK_TAI in jxdp bracket the kernel's within 1 ms of drift
        assertTrue(before.tai() - taiSlack <= k.tai() && k.tai() <= after.tai() + taiSlack, "CLOCK_TAI");
        // jiffies follow the coarse clock from jxdp's origin (read from /proc/timer_list): the kernel's
        // count at its coarse reading is jxdp's, within two ticks (the origin is read to a tick, and the
        // kernel moves jiffies and the coarse clock one after the other in its tick)
        long tick = 1_000_000_000L / hz();
        long origin = before.jiffies() - before.coarse() / tick;
        long expected = origin + k.coarse() / tick;
        assertTrue(Math.abs(k.jiffies() - expected) <= 2,
                "jiffies: kernel " + k.jiffies() + ", jxdp's count at that time " + expected);
    }

    private static long hz() {
        return Clocks.HZ;
    }

    private static Reading kernel(Path oracle) throws IOException, InterruptedException {
        Path frame = Files.createTempFile("clock", ".bin");
        try {
            Files.write(frame, new byte[64]);
            Path obj = ObjectRun.BPF_DIR.resolve("helper_clock.o");
            Process p = new ProcessBuilder(List.of(oracle.toString(), "--obj", obj.toString(), "--data-in",
                    frame.toString(), "--json")).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                fail("kernel-oracle failed on helper_clock.o");
            }
            JsonNode res = new ObjectMapper().readTree(out).path("maps").path("res");
            long[] v = new long[6];
            for (int i = 0; i < 6; i++) {
                v[i] = Long.parseUnsignedLong(reverseHex(res.get(i).path("value").asText()), 16);
            }
            return new Reading(v[0], v[1], v[2], v[3], v[4], v[5]);
        } finally {
            Files.deleteIfExists(frame);
        }
    }

    private static String reverseHex(String le) {
        StringBuilder s = new StringBuilder();
        for (int i = le.length() - 2; i >= 0; i -= 2) {
            s.append(le, i, i + 2);
        }
        return s.toString();
    }

    // kernel-oracle where it can run (root, bpftool); required under CI=true, as the other kernel tests
    private static Path oracle() throws IOException, InterruptedException {
        Path beside = Path.of(System.getProperty("jxdp.repo", ".")).resolve("../shared/tools/kernel-oracle").normalize();
        Path tool = Files.isExecutable(beside) ? beside : Path.of("/work/shared/tools/kernel-oracle");
        boolean ci = "true".equals(System.getenv("CI"));
        boolean live = ci || !"false".equals(System.getProperty("jxdp.oracle.live"));
        Process id = new ProcessBuilder("id", "-u").start();
        boolean root = "0".equals(new String(id.getInputStream().readAllBytes()).strip()) && id.waitFor() == 0;
        String whyNot = !live ? "-Djxdp.oracle.live=false" : !Files.isExecutable(tool) ? "no kernel-oracle at " + tool
                : !root ? "not root" : null;
        if (whyNot != null) {
            if (ci) {
                fail("CI=true but the kernel cannot be asked: " + whyNot);
            }
            Assumptions.abort("the kernel cannot be asked here: " + whyNot);
        }
        return tool;
    }
}
