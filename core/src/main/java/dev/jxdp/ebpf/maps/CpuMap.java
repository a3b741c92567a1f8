package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.mem.Mem;

/**
 * BPF_MAP_TYPE_CPUMAP (kernel/bpf/cpumap.c): one slot per CPU holding {@code struct bpf_cpumap_val}
 * (qsize u32, then a program fd on the way in / id on the way out), the targets of {@code bpf_redirect_map}
 * to another CPU. A qsize of 0 empties the slot. Program fds are not supported (a positive fd: -EINVAL;
 * the kernel fails the entry allocation instead), so the stored program id is always 0.
 */
public final class CpuMap extends SlotMap {

    /** NR_CPUS of a distribution kernel: the most entries a cpumap may have. */
    static final int NR_CPUS = 8192;
    /** cpu_map_update_elem()'s sanity limit on qsize. */
    static final int MAX_QSIZE = 16384;

    CpuMap(MapSpec spec) {
        check(spec);
        super(spec);
    }

    /** Mirrors cpu_map_alloc()'s checks. */
    static void check(MapSpec spec) {
        MapMath.requireEntries(spec);
        MapMath.requireKeySize(spec, 4);
        if (spec.valueSize() != 4 && spec.valueSize() != 8) {
            throw MapMath.invalid(spec, "value size " + spec.valueSize() + ": want 4 (qsize) or 8 (qsize, prog fd)");
        }
        MapMath.requireFlags(spec, MapFlags.BPF_F_NUMA_NODE);
        if (Integer.toUnsignedLong(spec.maxEntries()) > NR_CPUS) {
            throw MapMath.invalid(spec, "max_entries " + Integer.toUnsignedString(spec.maxEntries())
                    + ": at most " + NR_CPUS + " (NR_CPUS, E2BIG)");
        }
    }

    /** The queue size at this CPU's slot, or 0 when empty or out of range. */
    public int qsize(long key) {
        return firstField(key);
    }

    @Override
    public synchronized int update(long keyAddr, long valueAddr, long flags, int cpu) {
        // mirrors cpu_map_update_elem()
        long key = Mem.getU32(keyAddr);
        int rc = checkUpdate(flags, key);
        if (rc != 0) {
            return rc;
        }
        long qsize = Mem.getU32(valueAddr);
        if (qsize > MAX_QSIZE) {
            return -Errno.EOVERFLOW;
        }
        if (key >= Cpus.possible()) {
            return -Errno.ENODEV;
        }
        if (qsize == 0) {
            clear(key);
            return 0;
        }
        if (progFd(valueAddr) > 0) {
            return -Errno.EINVAL;
        }
        fill(key, qsize, 0);
        return 0;
    }

}
