package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.mem.Mem;

/**
 * BPF_MAP_TYPE_DEVMAP (kernel/bpf/devmap.c): slots of {@code struct bpf_devmap_val} (ifindex u32, then a
 * program fd on the way in / program id on the way out), the targets of {@code bpf_redirect_map}.
 *
 * <p>jxdp has no live devices yet: any non-zero ifindex is kept, where the kernel first checks that the
 * device exists in the caller's namespace (-EINVAL if not). Program fds are not supported: a positive
 * fd is refused with -EINVAL (the kernel's answer for an fd that is not an XDP devmap program), so the
 * stored program id, which the user side reads back in the second u32, is always 0.
 */
public final class DevMap extends SlotMap {

    static final int CREATE_FLAGS = MapFlags.BPF_F_NUMA_NODE | MapFlags.BPF_F_RDONLY | MapFlags.BPF_F_WRONLY;

    DevMap(MapSpec spec) {
        check(spec);
        super(spec);
    }

    /** Mirrors dev_map_alloc_check(). */
    static void check(MapSpec spec) {
        MapMath.requireEntries(spec);
        MapMath.requireKeySize(spec, 4);
        if (spec.valueSize() != 4 && spec.valueSize() != 8) {
            throw MapMath.invalid(spec, "value size " + spec.valueSize() + ": want 4 (ifindex) or 8 (ifindex, prog fd)");
        }
        MapMath.requireFlags(spec, CREATE_FLAGS);
    }

    /** The ifindex at this slot, or 0 when empty or out of range. */
    public int ifindex(long key) {
        return firstField(key);
    }

    // ---- program side (the verifier lets XDP programs only look up and redirect) ----

    @Override
    public synchronized int update(long keyAddr, long valueAddr, long flags, int cpu) {
        // mirrors __dev_map_update_elem()
        long i = Mem.getU32(keyAddr);
        int rc = checkUpdate(flags, i);
        if (rc != 0) {
            return rc;
        }
        long ifindex = Mem.getU32(valueAddr);
        if (progFd(valueAddr) > 0) {
            return -Errno.EINVAL; // no program fds in jxdp; with ifindex 0 the kernel refuses an fd too
        }
        if (ifindex == 0) {
            clear(i);
        } else {
            fill(i, ifindex, 0);
        }
        return 0;
    }

}
