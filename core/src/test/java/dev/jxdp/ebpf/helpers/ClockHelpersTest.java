package dev.jxdp.ebpf.helpers;

import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.kernel.KernelMap;
import dev.jxdp.kernel.KernelObject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The clock helpers and bpf_get_numa_node_id. Their values change from run to run, so helper_clock.c
 * is run in jxdp and in the kernel (the kernel engine, in-process, as root) one after the other and the two compared by
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
    void agreesWithTheKernel() {
        requireKernel();
        Reading before = jxdp();
        Reading k = kernel();
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

    private static Reading kernel() {
        try (KernelObject k = KernelObject.load(ElfLoader.load(ObjectRun.BPF_DIR.resolve("helper_clock.o")))) {
            assertEquals(2, k.program("clocks").testRun(new byte[64], 1, 0, 0).retval(), "the kernel's action");
            KernelMap res = k.map("res");
            long[] v = new long[6];
            for (int i = 0; i < 6; i++) {
                byte[] value = res.userLookup(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(i).array());
                v[i] = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getLong();
            }
            return new Reading(v[0], v[1], v[2], v[3], v[4], v[5]);
        }
    }

    // the kernel engine where it can run (root); required under CI=true, as the other kernel tests
    private static void requireKernel() {
        boolean ci = "true".equals(System.getenv("CI"));
        boolean live = ci || !"false".equals(System.getProperty("jxdp.oracle.live"));
        String whyNot = live ? KernelObject.unavailableReason() : "-Djxdp.oracle.live=false";
        if (whyNot != null) {
            if (ci) {
                fail("CI=true but the kernel cannot be asked: " + whyNot);
            }
            Assumptions.abort("the kernel cannot be asked here: " + whyNot);
        }
    }
}
