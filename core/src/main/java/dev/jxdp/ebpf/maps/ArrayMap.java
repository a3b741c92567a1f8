package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.mem.Region;

import java.lang.foreign.MemorySegment;

/**
 * BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY (kernel/bpf/arraymap.c): {@code max_entries} values,
 * all preallocated and zeroed, keyed by a u32 index; nothing can be deleted. Element {@code i} of CPU
 * {@code c} sits at {@code values + (i * copies + c) * stride}, {@code stride = round_up(value_size, 8)},
 * so one index's per-CPU values are contiguous, the layout the syscall hands out.
 *
 * <p>A global-data map ({@code .data}, {@code .rodata}, {@code .bss}) is an ARRAY of one element whose
 * initial value is the section's bytes. {@code .rodata} ({@code spec.readOnly()} or BPF_F_RDONLY_PROG)
 * makes the value region read-only for programs; the user side may still write it, as the kernel allows
 * until libbpf freezes the map after loading.
 */
public final class ArrayMap extends BaseMap {

    static final int CREATE_FLAGS = MapFlags.BPF_F_NUMA_NODE | MapFlags.BPF_F_MMAPABLE | MapFlags.BPF_F_ACCESS_MASK
            | MapFlags.BPF_F_PRESERVE_ELEMS | MapFlags.BPF_F_INNER_MAP;

    private final boolean perCpu;
    private final int copies;
    private final int stride;
    private final long max;
    private final long values;
    /** One u32 per CPU: the index bpf_for_each_map_elem hands its callback as the key. */
    private final long iterKeys;

    ArrayMap(MapSpec spec) {
        check(spec);
        super(spec);
        perCpu = spec.mapType() == MapType.PERCPU_ARRAY;
        copies = perCpu ? Cpus.possible() : 1;
        stride = (int) MapMath.roundUp8(spec.valueSize());
        max = Integer.toUnsignedLong(spec.maxEntries());
        try {
            MemorySegment v = slab("", max * copies * stride, Region.Kind.MAP_VALUE, progWritable());
            values = v.address();
            iterKeys = slab("keys", 8L * Cpus.possible(), Region.Kind.MAP_VALUE, false).address();
            byte[] init = spec.initialData();
            if (init != null && !perCpu) {
                MemorySegment.copy(init, 0, v, Mem.U8, 0, Math.min(init.length, spec.valueSize()));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Mirrors array_map_alloc_check(). */
    static void check(MapSpec spec) {
        boolean perCpu = spec.mapType() == MapType.PERCPU_ARRAY;
        MapMath.requireEntries(spec);
        MapMath.requireKeySize(spec, 4);
        MapMath.requireValue(spec);
        MapMath.requireFlags(spec, CREATE_FLAGS);
        if (perCpu && (spec.flags() & MapFlags.BPF_F_MMAPABLE) != 0) {
            throw MapMath.invalid(spec, "BPF_F_MMAPABLE is not valid for a per-CPU array");
        }
        if ((spec.flags() & MapFlags.BPF_F_PRESERVE_ELEMS) != 0) {
            throw MapMath.invalid(spec, "BPF_F_PRESERVE_ELEMS is only for perf event arrays");
        }
        long limit = perCpu ? MapMath.PCPU_MIN_UNIT_SIZE : MapMath.KMALLOC_MAX_SIZE;
        if (Integer.toUnsignedLong(spec.valueSize()) > limit) {
            throw MapMath.invalid(spec, "value size " + spec.valueSize() + ": at most " + limit);
        }
        MapMath.requireMemory(spec, Integer.toUnsignedLong(spec.maxEntries()) * (perCpu ? Cpus.possible() : 1)
                * MapMath.roundUp8(spec.valueSize()));
    }

    /** The address of index {@code index}'s value on {@code cpu}, or 0 out of range. */
    public long valueAddress(long index, int cpu) {
        if (Long.compareUnsigned(index, max) >= 0) {
            return 0;
        }
        return values + (index * copies + (perCpu ? cpu : 0)) * stride;
    }

    /**
     * Where the values are, for a JIT that computes {@link #lookup}'s address inline (the kernel's
     * array_map_gen_lookup()): {@code [values, max_entries, bytes per index, bytes per CPU, key words]},
     * so that index {@code i}'s value on CPU {@code c} is {@code values + i * perIndex + c * perCpu} for
     * {@code i < max_entries}; the key words (8 bytes per CPU) hold the key a bpf_for_each_map_elem
     * callback is shown, as {@link #forEachElem} does. Fixed for the map's life.
     */
    public long[] lookupLayout() {
        return new long[] {values, max, (long) copies * stride, perCpu ? stride : 0, iterKeys};
    }

    /** Whether {@link #lookupLayout()}'s per-CPU term matters (BPF_MAP_TYPE_PERCPU_ARRAY). */
    public boolean perCpu() { return perCpu; }

    // ---- program side ----

    @Override
    public long lookup(long keyAddr, int cpu) {
        return valueAddress(Mem.getU32(keyAddr), cpu);
    }

    @Override
    public int update(long keyAddr, long valueAddr, long flags, int cpu) {
        // mirrors array_map_update_elem(): the flag range first, then the index, then the flag meaning
        if ((flags & ~MapFlags.BPF_F_LOCK) > MapFlags.BPF_EXIST || flags < 0) {
            return -Errno.EINVAL;
        }
        long index = Mem.getU32(keyAddr);
        if (index >= max) {
            return -Errno.E2BIG;
        }
        if ((flags & MapFlags.BPF_NOEXIST) != 0) {
            return -Errno.EEXIST;
        }
        if ((flags & MapFlags.BPF_F_LOCK) != 0 && !spec.hasSpinLock()) {
            return -Errno.EINVAL; // BPF_F_LOCK wants a bpf_spin_lock in the value
        }
        if (!progWritable()) {
            return -Errno.EPERM; // the kernel's verifier refuses the program; this keeps .rodata intact
        }
        writeValue(valueAddr, valueAddress(index, cpu), flags);
        return 0;
    }

    // copy_map_value() / copy_map_value_locked(): the value's own lock word is never overwritten
    private void writeValue(long src, long dst, long flags) {
        if ((flags & MapFlags.BPF_F_LOCK) != 0) {
            SpinLockWord.copyValueLocked(spec, src, dst);
        } else {
            SpinLockWord.copyValue(spec, src, dst);
        }
    }

    @Override
    public int delete(long keyAddr, int cpu) {
        return -Errno.EINVAL; // array_map_delete_elem(): elements cannot go away
    }

    @Override
    public long forEachElem(int cpu, ElemVisitor visitor) {
        // mirrors bpf_for_each_array_elem(): every index in order, the callback's 1 stops after counting it
        long key = iterKeys + 8L * cpu;
        long n = 0;
        for (long i = 0; i < max; i++) {
            Mem.putU32(key, i);
            n++;
            if (!visitor.visit(key, valueAddress(i, cpu))) {
                break;
            }
        }
        return n;
    }

    // ---- user side ----

    @Override
    int userValueSize() { return perCpu ? copies * stride : valueSize(); }

    @Override
    public synchronized byte[] userLookup(byte[] key) {
        long index = Mem.getU32(userKey(key));
        if (index >= max) {
            return null;
        }
        if (!perCpu) {
            return SpinLockWord.hideLock(spec, Mem.read(valueAddress(index, 0), valueSize()));
        }
        // bpf_percpu_array_copy(): each CPU's value padded to 8 bytes
        return Mem.read(valueAddress(index, 0), copies * stride);
    }

    @Override
    public synchronized int userUpdate(byte[] key, byte[] value, long flags) {
        if (frozen()) {
            return -Errno.EPERM;
        }
        if ((flags & MapFlags.BPF_F_LOCK) != 0 && !spec.hasSpinLock()
                || flags < 0 || (flags & ~MapFlags.BPF_F_LOCK) > MapFlags.BPF_EXIST) {
            return -Errno.EINVAL; // map_update_elem() refuses BPF_F_LOCK without a spin lock in the value
        }
        long index = Mem.getU32(userKey(key));
        if (!perCpu) {
            long v = userValue(value, valueSize());
            if (index >= max) {
                return -Errno.E2BIG;
            }
            if ((flags & ~MapFlags.BPF_F_LOCK) == MapFlags.BPF_NOEXIST) {
                return -Errno.EEXIST;
            }
            writeValue(v, valueAddress(index, 0), flags);
            return 0;
        }
        if (index >= max) {
            return -Errno.E2BIG;
        }
        if (flags == MapFlags.BPF_NOEXIST) {
            return -Errno.EEXIST;
        }
        long v = userValue(PerCpuValues.expand(this, value, copies, stride), copies * stride);
        for (int c = 0; c < copies; c++) {
            Mem.copy(v + (long) c * stride, valueAddress(index, c), valueSize());
        }
        return 0;
    }

    @Override
    public synchronized int userDelete(byte[] key) {
        userKey(key);
        return -Errno.EINVAL;
    }

    @Override
    public synchronized byte[] userNextKey(byte[] key) {
        return ArrayKeys.next(this, key == null ? -1 : Mem.getU32(userKey(key)), max);
    }
}
