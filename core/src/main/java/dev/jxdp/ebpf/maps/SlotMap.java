package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.mem.Region;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The shape DEVMAP, CPUMAP and XSKMAP share: {@code max_entries} slots keyed by a u32 index, each empty or
 * holding an 8-byte value (two u32: the device or queue field, then the program id) that programs may
 * read but not write (the kernel sets BPF_F_RDONLY_PROG on these maps), and the entry's program itself.
 * A slot's value is written before the slot is published, as the kernel's xchg() of the entry pointer.
 */
abstract class SlotMap extends BaseMap {

    static final int SLOT_BYTES = 8;
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);

    final long max;
    private final int[] present;
    private final long slots;
    /** The entry's program (DEVMAP, CPUMAP), or null; written before the slot is published. */
    private final ProgramRef[] progs;
    /**
     * Bumped whenever a slot's entry is replaced or removed: each update makes a new entry in the kernel
     * (a new bpf_cpu_map_entry with its own queue and kthread), which a datapath holding per-entry state
     * must see.
     */
    private final int[] generation;

    /** A slot's bookkeeping on the heap (present, program, generation) and off it must fit the limits. */
    static void requireSlots(MapSpec spec) {
        MapMath.requireHeap(spec, 16L * spec.maxEntries());
        MapMath.requireMemory(spec, (long) SLOT_BYTES * spec.maxEntries());
    }

    SlotMap(MapSpec spec) {
        super(spec);
        max = Integer.toUnsignedLong(spec.maxEntries());
        present = new int[spec.maxEntries()];
        progs = new ProgramRef[spec.maxEntries()];
        generation = new int[spec.maxEntries()];
        try {
            slots = slab("", max * SLOT_BYTES, Region.Kind.MAP_VALUE, false).address();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The address of a filled slot's value, or 0 (empty or out of range); the key is a u32. */
    final long slot(long key) {
        long i = key & 0xffffffffL;
        if (i >= max || (int) INTS.getAcquire(present, (int) i) == 0) {
            return 0;
        }
        return slots + i * SLOT_BYTES;
    }

    /** Puts a new entry in slot {@code i}: its first field and its program (null: none), whose id reads back. */
    final void fill(long i, long first, ProgramRef prog) {
        long a = slots + i * SLOT_BYTES;
        INTS.setRelease(present, (int) i, 0);
        Mem.putU32(a, first);
        Mem.putU32(a + 4, prog == null ? 0 : prog.id());
        progs[(int) i] = prog;
        INTS.setRelease(generation, (int) i, generation[(int) i] + 1);
        INTS.setRelease(present, (int) i, 1);
    }

    final void clear(long i) {
        INTS.setRelease(present, (int) i, 0);
        progs[(int) i] = null;
        INTS.setRelease(generation, (int) i, generation[(int) i] + 1);
    }

    /** The program of the entry at this slot, or null (none, empty, out of range); the key is a u32. */
    final ProgramRef programAt(long key) {
        long i = key & 0xffffffffL;
        if (i >= max || (int) INTS.getAcquire(present, (int) i) == 0) {
            return null;
        }
        return progs[(int) i];
    }

    /** The slot's generation: changes with every update or delete of its entry (0 for a slot never set). */
    final int generationAt(long key) {
        long i = key & 0xffffffffL;
        return i >= max ? 0 : (int) INTS.getAcquire(generation, (int) i);
    }

    @Override
    public final boolean hasRedirectTarget(long key) {
        return slot(key) != 0; // __xdp_map_lookup_elem() with the u64 index cut to the u32 key
    }

    /** The value as BPF_MAP_LOOKUP_ELEM copies it: {@code value_size} bytes of the stored struct. */
    final byte[] readSlot(long index) {
        long a = slot(index);
        return a == 0 ? null : Mem.read(a, valueSize());
    }

    @Override
    public synchronized byte[] userNextKey(byte[] key) {
        return ArrayKeys.next(this, key == null ? -1 : Mem.getU32(userKey(key)), max);
    }

    /** Program fd of an 8-byte value ({@code bpf_prog.fd}), 0 when the value has only its first field. */
    final int progFd(long valueAddr) {
        return valueSize() >= 8 ? Mem.getI32(valueAddr + 4) : 0;
    }

    // ---- shared by DEVMAP and CPUMAP (XSKMAP answers differently) ----

    /** dev_map_delete_elem() / cpu_map_delete_elem(): out of range is -EINVAL, an empty slot deletes fine. */
    @Override
    public synchronized int delete(long keyAddr, int cpu) {
        long i = Mem.getU32(keyAddr);
        if (i >= max) {
            return -Errno.EINVAL;
        }
        clear(i);
        return 0;
    }

    @Override
    public synchronized byte[] userLookup(byte[] key) {
        return readSlot(Mem.getU32(userKey(key)));
    }

    @Override
    public synchronized int userUpdate(byte[] key, byte[] value, long flags) {
        return update(userKey(key), userValue(value, valueSize()), flags, 0);
    }

    @Override
    public synchronized int userDelete(byte[] key) {
        return delete(userKey(key), 0);
    }

    /** The first u32 of the value at this slot (ifindex, qsize), or 0 when empty or out of range. */
    final int firstField(long key) {
        long a = slot(key);
        return a == 0 ? 0 : Mem.getI32(a);
    }

    /** The slot's value address, or 0: DEVMAP and CPUMAP lookups (XSKMAP answers differently). */
    @Override
    public long lookup(long keyAddr, int cpu) {
        return slot(Mem.getU32(keyAddr));
    }

    /**
     * The checks __dev_map_update_elem() and cpu_map_update_elem() make first, in their order: flags, then
     * the index, then BPF_NOEXIST (every slot counts as existing); 0 when the update may go on.
     */
    final int checkUpdate(long flags, long key) {
        if (flags < 0 || flags > MapFlags.BPF_EXIST) {
            return -Errno.EINVAL;
        }
        if (key >= max) {
            return -Errno.E2BIG;
        }
        return flags == MapFlags.BPF_NOEXIST ? -Errno.EEXIST : 0;
    }
}
