package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.mem.Mem;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * BPF_MAP_TYPE_PROG_ARRAY (kernel/bpf/arraymap.c, the fd_array part): slots of programs for bpf_tail_call.
 * The kernel's values are program fds on the way in and program ids on the way out; jxdp has no fds, so
 * the user side fills slots with {@link #set} and a byte update is refused. Programs cannot look up, update
 * or delete a PROG_ARRAY (the verifier allows it only with bpf_tail_call); those calls answer as a
 * refusal (0 or -EINVAL).
 */
public final class ProgArray extends BaseMap {

    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(ProgramRef[].class);

    private final ProgramRef[] slots;

    ProgArray(MapSpec spec) {
        check(spec);
        super(spec);
        slots = new ProgramRef[spec.maxEntries()];
    }

    /** Mirrors fd_array_map_alloc_check() over array_map_alloc_check(). */
    static void check(MapSpec spec) {
        MapMath.requireEntries(spec);
        MapMath.requireKeySize(spec, 4);
        if (spec.valueSize() != 4) {
            throw MapMath.invalid(spec, "value size " + spec.valueSize() + ": want 4 (a program fd)");
        }
        MapMath.requireFlags(spec, ArrayMap.CREATE_FLAGS & ~(MapFlags.BPF_F_RDONLY_PROG | MapFlags.BPF_F_WRONLY_PROG
                | MapFlags.BPF_F_MMAPABLE | MapFlags.BPF_F_PRESERVE_ELEMS));
        MapMath.requireHeap(spec, 8L * spec.maxEntries());  // a program reference per slot
    }

    /** Puts a program in a slot (BPF_MAP_UPDATE_ELEM with a program fd); null empties it. */
    public void set(int slot, ProgramRef prog) {
        if (slot < 0 || slot >= slots.length) {
            throw new BpfException("map " + name() + ": slot " + Integer.toUnsignedString(slot)
                    + " out of range (max_entries " + slots.length + ")");
        }
        SLOTS.setRelease(slots, slot, prog);
    }

    /**
     * The program in a slot, or null when empty or out of range. The index is a u32, as bpf_tail_call()
     * reads it: the upper 32 bits of the register are ignored.
     */
    public ProgramRef get(long index) {
        long i = index & 0xffffffffL;
        if (i >= slots.length) {
            return null;
        }
        return (ProgramRef) SLOTS.getAcquire(slots, (int) i);
    }

    // ---- program side: refused (the verifier's check_map_func_compatibility()) ----

    @Override
    public long lookup(long keyAddr, int cpu) { return 0; }

    @Override
    public int update(long keyAddr, long valueAddr, long flags, int cpu) { return -Errno.EINVAL; }

    @Override
    public int delete(long keyAddr, int cpu) { return -Errno.EINVAL; }

    // ---- user side ----

    /** bpf_fd_array_map_lookup_elem(): the slot's program id, null (-ENOENT) when empty. */
    @Override
    public synchronized byte[] userLookup(byte[] key) {
        ProgramRef p = get(Mem.getU32(userKey(key)));
        return p == null ? null : ArrayKeys.u32(p.id());
    }

    /**
     * bpf_fd_array_map_update_elem(): flags other than BPF_ANY → -EINVAL, an index out of range → -E2BIG,
     * and then the value would be a program fd, which jxdp does not have: -EINVAL (use {@link #set}).
     */
    @Override
    public synchronized int userUpdate(byte[] key, byte[] value, long flags) {
        long index = Mem.getU32(userKey(key));
        checkLength("value", value, 4);
        return FdArrayUpdate.answer(index, slots.length, flags, -Errno.EINVAL);
    }

    /** fd_array_map_delete_elem(): -E2BIG out of range, -ENOENT for an empty slot. */
    @Override
    public synchronized int userDelete(byte[] key) {
        long index = Mem.getU32(userKey(key));
        if (index >= slots.length) {
            return -Errno.E2BIG;
        }
        Object old = SLOTS.getAndSet(slots, (int) index, (ProgramRef) null);
        return old == null ? -Errno.ENOENT : 0;
    }

    @Override
    public synchronized byte[] userNextKey(byte[] key) {
        return ArrayKeys.next(this, key == null ? -1 : Mem.getU32(userKey(key)), slots.length);
    }
}
