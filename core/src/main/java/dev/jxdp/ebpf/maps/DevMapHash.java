package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.mem.Region;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * BPF_MAP_TYPE_DEVMAP_HASH (kernel/bpf/devmap.c): DEVMAP values keyed by any u32 (usually the ifindex),
 * in {@code roundup_pow_of_two(max_entries)} buckets chosen by the key's low bits, new entries at the head
 * of their chain, as the kernel's. The same no-device and no-program-fd limits as {@link DevMap}.
 */
public final class DevMapHash extends BaseMap {

    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);

    private final int mask;
    private final int[] heads;
    private final int[] next;
    private final int[] keyOf;
    private final int[] free;
    private int freeTop;
    private int items;
    private final long values;

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
        // mirrors __dev_map_hash_update_elem(): BPF_EXIST on a missing key inserts, as the kernel does
        long ifindex = Mem.getU32(valueAddr);
        if (flags < 0 || flags > MapFlags.BPF_EXIST || ifindex == 0) {
            return -Errno.EINVAL;
        }
        int key = Mem.getI32(keyAddr);
        int old = find(key);
        if (old >= 0 && (flags & MapFlags.BPF_NOEXIST) != 0) {
            return -Errno.EEXIST;
        }
        if (valueSize() >= 8 && Mem.getI32(valueAddr + 4) > 0) {
            return -Errno.EINVAL; // no program fds in jxdp
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
        Mem.putU32(valueAddress(old) + 4, 0);
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
