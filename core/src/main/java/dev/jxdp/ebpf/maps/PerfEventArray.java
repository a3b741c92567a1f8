package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.mem.Mem;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY (kernel/bpf/arraymap.c, the perf_event fd_array part): slots of perf
 * events, the targets of {@code bpf_perf_event_output}. In the kernel a slot holds a perf event a reader
 * opened on one CPU and stored by fd; jxdp has no perf event fds, so a slot is empty or has a reader
 * attached through {@link #attach} (a {@link PerfBuffer} for that CPU), and a byte update is refused as
 * the kernel refuses an fd that is not a perf event (-EBADF). Nothing is attached unless a reader asks,
 * so by default a program's output finds no event (-ENOENT), exactly as BPF_PROG_TEST_RUN in a kernel
 * with no reader answers.
 *
 * <p>Programs may not look up, update or delete entries (the verifier allows the map only with the perf
 * event helpers); those calls answer as a refusal (0 or -EINVAL).
 */
public final class PerfEventArray extends BaseMap {

    /** BPF_F_INDEX_MASK: the low 32 bits of the flags, the slot. */
    public static final long BPF_F_INDEX_MASK = 0xffffffffL;
    /** BPF_F_CURRENT_CPU: the slot of the CPU the program runs on. */
    public static final long BPF_F_CURRENT_CPU = BPF_F_INDEX_MASK;
    /** BPF_F_CTXLEN_MASK: bits 32-51, how many bytes of the context (the frame) to append. */
    public static final long BPF_F_CTXLEN_MASK = 0xfffffL << 32;

    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(PerfBuffer[].class);

    private final PerfBuffer[] slots;

    PerfEventArray(MapSpec spec) {
        check(spec);
        super(spec);
        slots = new PerfBuffer[spec.maxEntries()];
    }

    /** Mirrors fd_array_map_alloc_check() over array_map_alloc_check() for this type. */
    static void check(MapSpec spec) {
        MapMath.requireEntries(spec);
        MapMath.requireKeySize(spec, 4);
        if (spec.valueSize() != 4) {
            throw MapMath.invalid(spec, "value size " + spec.valueSize() + ": want 4 (a perf event fd)");
        }
        MapMath.requireFlags(spec, ArrayMap.CREATE_FLAGS & ~(MapFlags.BPF_F_RDONLY_PROG | MapFlags.BPF_F_WRONLY_PROG
                | MapFlags.BPF_F_MMAPABLE | MapFlags.BPF_F_INNER_MAP));
        MapMath.requireHeap(spec, 8L * spec.maxEntries());  // a buffer reference per slot
    }

    // ---- the reader's side (what perf_event_open() and BPF_MAP_UPDATE_ELEM with its fd do) ----

    /**
     * Opens an event on {@code cpu} with a buffer of {@code bytes} and puts it in slot {@code index},
     * replacing what was there; returns the buffer to read.
     */
    public PerfBuffer attach(int index, int cpu, int bytes) {
        if (index < 0 || index >= slots.length) {
            throw MapMath.invalid(spec, "slot " + Integer.toUnsignedString(index) + " out of range (max_entries "
                    + slots.length + ")");
        }
        PerfBuffer b = new PerfBuffer(arena, cpu, bytes);
        SLOTS.setRelease(slots, index, b);
        return b;
    }

    /**
     * What libbpf's perf_buffer__new() does: an event per possible CPU, each in the slot of its CPU number
     * (up to max_entries); returns the buffers, slot order.
     */
    public List<PerfBuffer> attachPerCpu(int bytes) {
        List<PerfBuffer> out = new ArrayList<>();
        int n = Math.min(slots.length, Cpus.possible());
        for (int cpu = 0; cpu < n; cpu++) {
            out.add(attach(cpu, cpu, bytes));
        }
        return out;
    }

    /** The buffers attached now, slot order. */
    public List<PerfBuffer> buffers() {
        List<PerfBuffer> out = new ArrayList<>();
        for (int i = 0; i < slots.length; i++) {
            PerfBuffer b = (PerfBuffer) SLOTS.getAcquire(slots, i);
            if (b != null) {
                out.add(b);
            }
        }
        return out;
    }

    // ---- program side ----

    /**
     * __bpf_perf_event_output() for a raw sample of two fragments (meta, then frame bytes) from a program
     * on {@code cpu}; the caller has checked the flags' unknown bits and the frame length. -E2BIG past
     * max_entries, -ENOENT for an empty slot, -EOPNOTSUPP for an event on another CPU, -ENOSPC when its
     * buffer is full, else 0.
     */
    public long output(int cpu, long index, long meta, long metaSize, long frag, long fragSize) {
        long i = index == BPF_F_CURRENT_CPU ? cpu : index;
        if (i >= slots.length) {
            return -Errno.E2BIG;
        }
        PerfBuffer b = (PerfBuffer) SLOTS.getAcquire(slots, (int) i);
        if (b == null) {
            return -Errno.ENOENT;
        }
        if (b.cpu() != cpu) {
            return -Errno.EOPNOTSUPP;
        }
        return b.output(meta, metaSize, frag, fragSize);
    }

    @Override
    public long lookup(long keyAddr, int cpu) { return 0; }

    @Override
    public int update(long keyAddr, long valueAddr, long flags, int cpu) { return -Errno.EINVAL; }

    @Override
    public int delete(long keyAddr, int cpu) { return -Errno.EINVAL; }

    // ---- user side ----

    /** The syscall cannot read a perf event array (the kernel answers -EOPNOTSUPP): nothing to return. */
    @Override
    public synchronized byte[] userLookup(byte[] key) {
        userKey(key);
        return null;
    }

    /**
     * bpf_fd_array_map_update_elem(): flags other than BPF_ANY → -EINVAL, an index out of range → -E2BIG,
     * and then the value would be a perf event fd, which jxdp does not have: -EBADF (use {@link #attach}).
     */
    @Override
    public synchronized int userUpdate(byte[] key, byte[] value, long flags) {
        long index = Mem.getU32(userKey(key));
        checkLength("value", value, 4);
        return FdArrayUpdate.answer(index, slots.length, flags, -Errno.EBADF);
    }

    /** fd_array_map_delete_elem(): -E2BIG out of range, -ENOENT for an empty slot; the reader is detached. */
    @Override
    public synchronized int userDelete(byte[] key) {
        long index = Mem.getU32(userKey(key));
        if (index >= slots.length) {
            return -Errno.E2BIG;
        }
        Object old = SLOTS.getAndSet(slots, (int) index, (PerfBuffer) null);
        return old == null ? -Errno.ENOENT : 0;
    }

    @Override
    public synchronized byte[] userNextKey(byte[] key) {
        return ArrayKeys.next(this, key == null ? -1 : Mem.getU32(userKey(key)), slots.length);
    }
}
