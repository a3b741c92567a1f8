package dev.jxdp.ebpf.helpers;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The clocks behind the time helpers the JDK has no accessor for: CLOCK_MONOTONIC_COARSE
 * (bpf_ktime_get_coarse_ns, the kernel's ktime_get_coarse_ns()), CLOCK_TAI (bpf_ktime_get_tai_ns,
 * ktime_get_tai_fast_ns()), read with clock_gettime() through the vDSO, and jiffies (bpf_jiffies64).
 * Each thread reads into its own timespec, so a call allocates nothing.
 */
final class Clocks {
    private Clocks() {}

    static final int CLOCK_MONOTONIC_COARSE = 6;
    static final int CLOCK_TAI = 11;

    /**
     * The kernel's HZ, which no interface tells user space: 250 unless {@code -Djxdp.hz} says otherwise
     * (the common distribution setting, and the kernel jxdp is compared with here).
     */
    static final long HZ = Long.getLong("jxdp.hz", 250);
    /** TICK_NSEC: nanoseconds a jiffy. */
    static final long TICK_NSEC = 1_000_000_000L / HZ;
    /**
     * INITIAL_JIFFIES on a 64-bit kernel: jiffies start 300 s before wrapping 32 bits, an unsigned int
     * widened, so jiffies_64 begins just below 2^32.
     */
    static final long INITIAL_JIFFIES = (-300 * HZ) & 0xffffffffL;

    private static final MethodHandle CLOCK_GETTIME = clockGettime();
    private static final ThreadLocal<MemorySegment> TIMESPEC =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(16, 8));

    private static MethodHandle clockGettime() {
        Linker linker = Linker.nativeLinker();
        return linker.defaultLookup().find("clock_gettime")
                .map(fn -> linker.downcallHandle(fn, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS), Linker.Option.critical(false)))
                .orElse(null);
    }

    /** clock_gettime(clock) in nanoseconds; CLOCK_MONOTONIC (System.nanoTime) where libc has none. */
    static long nanos(int clock) {
        if (CLOCK_GETTIME == null) {
            return System.nanoTime();
        }
        MemorySegment ts = TIMESPEC.get();
        try {
            if ((int) CLOCK_GETTIME.invokeExact(clock, ts) != 0) {
                return System.nanoTime();
            }
        } catch (Throwable t) {
            return System.nanoTime();
        }
        return ts.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + ts.get(ValueLayout.JAVA_LONG, 8);
    }

    /**
     * get_jiffies_64(): the kernel's tick and its coarse monotonic clock advance together, so jiffies are
     * that clock in ticks from an origin: the one /proc/timer_list shows (its "now at" and "jiffies"
     * lines, readable by root), else INITIAL_JIFFIES, which leads the kernel's count by the fraction of a
     * second it booted before counting jiffies.
     */
    static long jiffies64() {
        return JiffiesOrigin.AT_ZERO + nanos(CLOCK_MONOTONIC_COARSE) / TICK_NSEC;
    }

    /** Jiffies at CLOCK_MONOTONIC zero, read once, on the first bpf_jiffies64. */
    private static final class JiffiesOrigin {
        static final long AT_ZERO = read();

        private static long read() {
            long now = -1;
            long jiffies = -1;
            try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/timer_list"))) {
                for (String line : (Iterable<String>) lines::iterator) {
                    if (now < 0 && line.startsWith("now at ") && line.endsWith(" nsecs")) {
                        now = Long.parseLong(line.substring(7, line.length() - 6));
                    } else if (line.startsWith("jiffies: ")) {
                        jiffies = Long.parseLong(line.substring(9).trim());
                        break;
                    }
                }
            } catch (java.io.IOException | RuntimeException e) {
                return INITIAL_JIFFIES;
            }
            return now < 0 || jiffies < 0 ? INITIAL_JIFFIES : jiffies - now / TICK_NSEC;
        }
    }
}
