package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.mem.Mem;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.MutableCallSite;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * BPF_MAP_TYPE_PROG_ARRAY (kernel/bpf/arraymap.c, the fd_array part): slots of programs for bpf_tail_call.
 * The kernel's values are program fds on the way in and program ids on the way out; jxdp has no fds, so
 * the user side fills slots with {@link #set} and a byte update is refused. Programs cannot look up, update
 * or delete a PROG_ARRAY (the verifier allows it only with bpf_tail_call); those calls answer as a
 * refusal (0 or -EINVAL).
 *
 * <p>A JIT that calls a constant slot directly registers its call site here ({@link #track}), as the
 * kernel's JIT registers a poke descriptor (map_poke_track()): every change of the slot sends the site
 * back to its unlinked target, which links it again to the slot's new program on its next call
 * (the kernel's map_poke_run() patches the jump in place instead).
 */
public final class ProgArray extends BaseMap {

    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(ProgramRef[].class);

    private final ProgramRef[] slots;

    // direct tail-call sites, guarded by this: each changes with its slot (see track). Held weakly, as the
    // code that calls through a site holds it: compiled code that is gone untracks its sites (the kernel's
    // map_poke_untrack() when a program is freed)
    private final List<WeakReference<Site>> sites = new ArrayList<>();

    /**
     * A direct tail-call site of one slot (the kernel's poke descriptor): the JIT links it to the slot's
     * program, the array sends it back to {@link #unlinked()} whenever the slot changes.
     */
    public abstract static class Site extends MutableCallSite {
        private final int slot;

        protected Site(MethodType type, int slot) {
            super(type);
            this.slot = slot;
        }

        public final int slot() { return slot; }

        /** The target that links the site again, to the slot's program of the moment, on its next call. */
        protected abstract MethodHandle unlinked();
    }

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
    public synchronized void set(int slot, ProgramRef prog) {
        if (slot < 0 || slot >= slots.length) {
            throw new BpfException("map " + name() + ": slot " + Integer.toUnsignedString(slot)
                    + " out of range (max_entries " + slots.length + ")");
        }
        SLOTS.setRelease(slots, slot, prog);
        unlink(slot);
    }

    /**
     * Registers a direct tail-call site (the kernel's map_poke_track()): from now on each change of its slot
     * resets it to its unlinked target, which is to link it again through {@link #link}. The site is reset
     * now too, so that it cannot keep a target chosen before.
     */
    public synchronized void track(Site site) {
        sites.removeIf(r -> r.get() == null);
        sites.add(new WeakReference<>(site));
        site.setTarget(site.unlinked());
    }

    /**
     * Points a tracked site at {@code target}, chosen for {@code expected}, when its slot still holds it:
     * else (the slot changed meanwhile) does nothing and answers false, and the caller chooses again.
     * Holding the lock {@link #set} holds, a site never keeps a target chosen for a program already gone.
     */
    public synchronized boolean link(Site site, ProgramRef expected, MethodHandle target) {
        if (get(site.slot()) != expected) {
            return false;
        }
        site.setTarget(target);
        return true;
    }

    // the slot changed: its sites go back to their unlinked targets, and every thread is to see it before
    // the update returns (as map_poke_run() patches the jumps before the syscall returns)
    private void unlink(long slot) {
        List<MutableCallSite> reset = new ArrayList<>();
        for (Iterator<WeakReference<Site>> it = sites.iterator(); it.hasNext(); ) {
            Site s = it.next().get();
            if (s == null) {
                it.remove();
            } else if (s.slot() == slot) {
                s.setTarget(s.unlinked());
                reset.add(s);
            }
        }
        if (!reset.isEmpty()) {
            MutableCallSite.syncAll(reset.toArray(MutableCallSite[]::new));
        }
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
        if (old == null) {
            return -Errno.ENOENT;
        }
        unlink(index);
        return 0;
    }

    @Override
    public synchronized byte[] userNextKey(byte[] key) {
        return ArrayKeys.next(this, key == null ? -1 : Mem.getU32(userKey(key)), slots.length);
    }
}
