package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.mem.Mem;

/**
 * BPF_MAP_TYPE_CPUMAP (kernel/bpf/cpumap.c): one slot per CPU holding {@code struct bpf_cpumap_val}
 * (qsize u32, then a program fd on the way in / id on the way out), the targets of {@code bpf_redirect_map}
 * to another CPU. A qsize of 0 empties the slot. An entry's program (SEC("xdp/cpumap")) runs on the target
 * CPU before the frame goes up the stack. Programs come through {@link #updateWithProgram}; a positive fd
 * in a byte update names no program here, which fails the entry's allocation as in the kernel: -ENOMEM.
 *
 * <p>Each update makes a new entry (in the kernel a new bpf_cpu_map_entry with its own queue and kthread,
 * the old one drained and stopped); {@link #entry} gives a datapath the entry with a generation that
 * tells it when to rebuild its per-entry state.
 */
public final class CpuMap extends SlotMap implements EntryProgramMap {

    /** NR_CPUS of a distribution kernel: the most entries a cpumap may have. */
    static final int NR_CPUS = 8192;
    /** cpu_map_update_elem()'s sanity limit on qsize. */
    public static final int MAX_QSIZE = 16384;

    /**
     * One entry as a consumer needs it: its queue size (0: no entry), its program (null: none) and the slot's
     * generation when it was read, all from one update.
     */
    public record Entry(int qsize, ProgramRef program, int generation) {}

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

    /** The program of the entry at this CPU's slot (rcpu->prog), or null. */
    @Override
    public ProgramRef entryProgram(long key) {
        return programAt(key);
    }

    @Override
    public AttachType entryAttachType() { return AttachType.XDP_CPUMAP; }

    /** The slot's generation: changes with every update or delete at this key; one acquire load. */
    public int generation(long key) {
        return generationAt(key);
    }

    /**
     * The entry at this CPU's slot, read under the map's lock so its fields belong together; qsize 0 (and no
     * program) when the slot is empty or out of range.
     */
    public synchronized Entry entry(long key) {
        return new Entry(qsize(key), entryProgram(key), generation(key));
    }

    @Override
    public synchronized int update(long keyAddr, long valueAddr, long flags, int cpu) {
        return update(Mem.getU32(keyAddr), Mem.getU32(valueAddr), progFd(valueAddr) > 0, null, flags);
    }

    @Override
    public synchronized int updateWithProgram(byte[] key, long first, ProgramRef prog, long flags) {
        return update(Mem.getU32(userKey(key)), first & 0xffffffffL, false, prog, flags);
    }

    // mirrors cpu_map_update_elem(); badFd: the value named a program fd, which jxdp cannot resolve
    private int update(long key, long qsize, boolean badFd, ProgramRef prog, long flags) {
        int rc = checkUpdate(flags, key);
        if (rc != 0) {
            return rc;
        }
        if (qsize > MAX_QSIZE) {
            return -Errno.EOVERFLOW;
        }
        if (key >= Cpus.possible()) {
            return -Errno.ENODEV;
        }
        if (qsize == 0) {
            clear(key); // a delete: the program, if any, is never looked at
            return 0;
        }
        // __cpu_map_load_bpf_program() refuses the program, so __cpu_map_entry_alloc() fails as a whole
        if (badFd || prog != null && (valueSize() < 8 || prog.expectedAttachType() != AttachType.XDP_CPUMAP)) {
            return -Errno.ENOMEM;
        }
        fill(key, qsize, prog);
        return 0;
    }
}
