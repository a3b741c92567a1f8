package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.mem.Region;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.IntPredicate;

/**
 * BPF_MAP_TYPE_DEVMAP_HASH (kernel/bpf/devmap.c): DEVMAP values keyed by any u32 (usually the ifindex),
 * in {@code roundup_pow_of_two(max_entries)} buckets chosen by the key's low bits, new entries at the head
 * of their chain, as the kernel's. Entry programs and the device check as in {@link DevMap}.
 */
public final class DevMapHash extends BaseMap implements EntryProgramMap {

    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);

    private final int mask;
    private final int[] heads;
    private final int[] next;
    private final int[] keyOf;
    private final int[] free;
    private int freeTop;
    private int items;
    private final long values;
    /** Each element's egress program, or null; written before the element is published. */
    private final ProgramRef[] progs;
    private volatile IntPredicate deviceExists;

    DevMapHash(MapSpec spec) {
        check(spec);
        super(spec);
        int n = spec.maxEntries();
        int buckets = MapMath.roundUpPow2(n);
        mask = buckets - 1;
        heads = new int[buckets];
        for (int b = 0; b < buckets; b++) {
            heads[b] = -(b + 1);
        }
        next = new int[n];
        keyOf = new int[n];
        free = new int[n];
        for (int i = 0; i < n; i++) {
            free[i] = n - 1 - i;
        }
        freeTop = n;
        progs = new ProgramRef[n];
        try {
            values = slab("", (long) n * SlotMap.SLOT_BYTES, Region.Kind.MAP_VALUE, false).address();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Mirrors dev_map_alloc_check() for the hash type. */
    static void check(MapSpec spec) {
        DevMap.check(spec);
        if (spec.maxEntries() > 1 << 30) {
            throw MapMath.invalid(spec, "max_entries " + spec.maxEntries() + ": too many buckets");
        }
        MapMath.requireHeap(spec, 4L * MapMath.roundUpPow2(spec.maxEntries()) + 20L * spec.maxEntries());
    }

    /** __dev_map_hash_lookup_elem(): the element for a u32 key, or -1; lock-free (hlist_nulls restart). */
    private int find(int key) {
        int b = key & mask;
        for (;;) {
            int e = (int) INTS.getAcquire(heads, b);
            while (e >= 0) {
                if (keyOf[e] == key) {
                    return e;
                }
                e = (int) INTS.getAcquire(next, e);
            }
            if (e == -(b + 1)) {
                return -1;
            }
        }
    }

    private long valueAddress(int e) { return values + (long) e * SlotMap.SLOT_BYTES; }

    @Override
    public boolean hasRedirectTarget(long key) {
        return find((int) key) >= 0;
    }

    /** As {@link DevMap#setDeviceCheck}: updates naming an ifindex {@code exists} refuses fail with -EINVAL. */
    public void setDeviceCheck(IntPredicate exists) {
        this.deviceExists = exists;
    }

    /** Whether an update may name this ifindex: true without a device check. */
    public boolean hasDevice(long ifindex) {
        IntPredicate exists = deviceExists;
        return exists == null || exists.test((int) ifindex);
    }

    /** The egress program of the entry under this key (dev->xdp_prog), or null. */
    @Override
    public ProgramRef entryProgram(long key) {
        int e = find((int) key);
        return e < 0 ? null : progs[e];
    }

    @Override
    public AttachType entryAttachType() { return AttachType.XDP_DEVMAP; }

    /** The ifindex stored under this key, or 0. */
    public int ifindex(long key) {
        int e = find((int) key);
        return e < 0 ? 0 : Mem.getI32(valueAddress(e));
    }

    @Override
    public long lookup(long keyAddr, int cpu) {
        int e = find(Mem.getI32(keyAddr));
        return e < 0 ? 0 : valueAddress(e);
    }

    @Override
    public synchronized int update(long keyAddr, long valueAddr, long flags, int cpu) {
        boolean badFd = valueSize() >= 8 && Mem.getI32(valueAddr + 4) > 0; // no program fds in jxdp
        return update(Mem.getI32(keyAddr), Mem.getU32(valueAddr), badFd, null, flags);
    }

    @Override
    public synchronized int updateWithProgram(byte[] key, long first, ProgramRef prog, long flags) {
        return update(Mem.getI32(userKey(key)), first & 0xffffffffL, false, prog, flags);
    }

    // mirrors __dev_map_hash_update_elem(): BPF_EXIST on a missing key inserts, as the kernel does
    private int update(int key, long ifindex, boolean badFd, ProgramRef prog, long flags) {
        if (flags < 0 || flags > MapFlags.BPF_EXIST || ifindex == 0) {
            return -Errno.EINVAL;
        }
        int old = find(key);
        if (old >= 0 && (flags & MapFlags.BPF_NOEXIST) != 0) {
            return -Errno.EEXIST;
        }
        int rc = DevMap.checkNode(deviceExists, ifindex, badFd, prog, valueSize());
        if (rc != 0) {
            return rc;
        }
        if (old >= 0) {
            unlink(old);
        } else if (items >= maxEntries()) {
            return -Errno.E2BIG;
        } else {
            old = free[--freeTop];
            items++;
        }
        // the entry goes to its chain's head, as hlist_add_head_rcu() of the new entry
        keyOf[old] = key;
        Mem.putU32(valueAddress(old), ifindex);
        Mem.putU32(valueAddress(old) + 4, prog == null ? 0 : prog.id());
        progs[old] = prog;
        int b = key & mask;
        next[old] = heads[b];
        INTS.setRelease(heads, b, old);
        return 0;
    }

    private void unlink(int e) {
        int b = keyOf[e] & mask;
        int p = heads[b];
        if (p == e) {
            INTS.setRelease(heads, b, next[e]);
            return;
        }
        while (next[p] != e) {
            p = next[p];
        }
        INTS.setRelease(next, p, next[e]);
    }

    @Override
    public synchronized int delete(long keyAddr, int cpu) {
        int e = find(Mem.getI32(keyAddr));
        if (e < 0) {
            return -Errno.ENOENT;
        }
        unlink(e);
        progs[e] = null;
        free[freeTop++] = e;
        items--;
        return 0;
    }

    @Override
    public synchronized byte[] userLookup(byte[] key) {
        int e = find(Mem.getI32(userKey(key)));
        return e < 0 ? null : Mem.read(valueAddress(e), valueSize());
    }

    @Override
    public synchronized int userUpdate(byte[] key, byte[] value, long flags) {
        return update(userKey(key), userValue(value, valueSize()), flags, 0);
    }

    @Override
    public synchronized int userDelete(byte[] key) {
        return delete(userKey(key), 0);
    }

    @Override
    public synchronized byte[] userNextKey(byte[] key) {
        // mirrors dev_map_hash_get_next_key()
        int b = 0;
        if (key != null) {
            int k = Mem.getI32(userKey(key));
            int e = find(k);
            if (e >= 0) {
                if (next[e] >= 0) {
                    return ArrayKeys.u32(keyOf[next[e]]);
                }
                b = (k & mask) + 1;
            }
        }
        for (; b <= mask; b++) {
            if (heads[b] >= 0) {
                return ArrayKeys.u32(keyOf[heads[b]]);
            }
        }
        return null;
    }
}
