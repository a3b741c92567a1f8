package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.mem.Mem;

import java.util.function.IntPredicate;

/**
 * BPF_MAP_TYPE_DEVMAP (kernel/bpf/devmap.c): slots of {@code struct bpf_devmap_val} (ifindex u32, then a
 * program fd on the way in / program id on the way out), the targets of {@code bpf_redirect_map}. An
 * entry's program (SEC("xdp/devmap")) runs on each frame before it leaves through the entry's device.
 *
 * <p>The ifindex must name a device when a device check is set ({@link #setDeviceCheck}); without one
 * (test-run, which has no devices) any non-zero ifindex is kept. Programs come through
 * {@link #updateWithProgram}: a positive fd in a byte update names no program here and is refused with
 * -EINVAL, the kernel's answer for an fd that is not an XDP devmap program.
 */
public final class DevMap extends SlotMap implements EntryProgramMap {

    static final int CREATE_FLAGS = MapFlags.BPF_F_NUMA_NODE | MapFlags.BPF_F_RDONLY | MapFlags.BPF_F_WRONLY;

    private volatile IntPredicate deviceExists;

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
        SlotMap.requireSlots(spec);
    }

    /**
     * The datapath's devices, as dev_get_by_index() sees them: from now on an update naming an ifindex
     * for which {@code exists} is false fails with -EINVAL. Null accepts every ifindex (no devices).
     */
    public void setDeviceCheck(IntPredicate exists) {
        this.deviceExists = exists;
    }

    /** Whether an update may name this ifindex: true without a device check. */
    public boolean hasDevice(long ifindex) {
        IntPredicate exists = deviceExists;
        return exists == null || exists.test((int) ifindex);
    }

    /** The ifindex at this slot, or 0 when empty or out of range. */
    public int ifindex(long key) {
        return firstField(key);
    }

    /**
     * The slot's generation: changes with every update or delete at this key; one acquire load. A datapath
     * that keeps what it resolved from an entry (device, program) checks it is still current with this.
     */
    public int generation(long key) {
        return generationAt(key);
    }

    /** The egress program of the entry at this slot (dev->xdp_prog), or null. */
    @Override
    public ProgramRef entryProgram(long key) {
        return programAt(key);
    }

    @Override
    public AttachType entryAttachType() { return AttachType.XDP_DEVMAP; }

    // ---- program side (the verifier lets XDP programs only look up and redirect) ----

    @Override
    public synchronized int update(long keyAddr, long valueAddr, long flags, int cpu) {
        return update(Mem.getU32(keyAddr), Mem.getU32(valueAddr), progFd(valueAddr) > 0, null, flags);
    }

    @Override
    public synchronized int updateWithProgram(byte[] key, long first, ProgramRef prog, long flags) {
        return update(Mem.getU32(userKey(key)), first & 0xffffffffL, false, prog, flags);
    }

    // mirrors __dev_map_update_elem(); badFd: the value named a program fd, which jxdp cannot resolve
    private int update(long i, long ifindex, boolean badFd, ProgramRef prog, long flags) {
        int rc = checkUpdate(flags, i);
        if (rc != 0) {
            return rc;
        }
        if (ifindex == 0) {
            if (badFd || prog != null) {
                return -Errno.EINVAL; // no program without a device
            }
            clear(i);
            return 0;
        }
        rc = checkNode(deviceExists, ifindex, badFd, prog, valueSize());
        if (rc != 0) {
            return rc;
        }
        fill(i, ifindex, prog);
        return 0;
    }

    /**
     * __dev_map_alloc_node()'s checks, shared with DEVMAP_HASH: the device exists, and the program, if
     * any, is an XDP devmap program (and has a value field to be named in); 0 or -EINVAL.
     */
    static int checkNode(IntPredicate deviceExists, long ifindex, boolean badFd, ProgramRef prog, int valueSize) {
        if (deviceExists != null && !deviceExists.test((int) ifindex)) {
            return -Errno.EINVAL;
        }
        if (badFd || prog != null && (valueSize < 8 || prog.expectedAttachType() != AttachType.XDP_DEVMAP)) {
            return -Errno.EINVAL;
        }
        return 0;
    }
}
