package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.mem.Region;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * BPF_MAP_TYPE_HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH (kernel/bpf/hashtab.c), preallocated as
 * the kernel does by default: {@code max_entries} elements whose keys live in one off-heap slab (read-only
 * to programs) and whose values live in another, so a value pointer stays valid while the map lives.
 *
 * <p>The index is the kernel's: {@code roundup_pow_of_two(max_entries)} buckets of chains, here
 * {@code int} links on the heap. A chain ends in a "nulls" marker naming its bucket, so a lock-free
 * lookup that followed an element recycled into another bucket notices and restarts (hlist_nulls).
 * Updates and deletes take the map's lock (the kernel takes a bucket lock); lookups take none.
 *
 * <p>LRU maps evict the least recently used element when an update needs room. Program lookups mark an
 * element used with a stamp (no lock, like the kernel's reference bit); eviction walks from the list's
 * cold end and moves elements used since they were placed to their place by last use, so the victim is
 * the exact least recently used one. The kernel's LRU is approximate (bpf_lru_list.c): per-CPU local
 * free lists, active/inactive lists with reference bits, and a shrink that frees {@code target_free =
 * clamp(max_entries / ncpus / 2, 1, 128)} elements at once, so it evicts several elements when one is
 * needed, not always the oldest; with BPF_F_NO_COMMON_LRU each CPU owns {@code max_entries / ncpus}
 * elements and starts evicting once its share is used (core/src/test/bpf/maps_lru.c shows both).
 */
public final class HashTab extends BaseMap {

    static final int CREATE_FLAGS = MapFlags.BPF_F_NO_PREALLOC | MapFlags.BPF_F_NO_COMMON_LRU
            | MapFlags.BPF_F_NUMA_NODE | MapFlags.BPF_F_ACCESS_MASK | MapFlags.BPF_F_ZERO_SEED;

    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);

    private final boolean perCpu;
    private final boolean lru;
    private final int copies;
    private final int vstride;
    private final int elemValueBytes;
    private final int keyStride;
    private final int capacity;
    private final long keys;
    private final long values;

    private final int bucketMask;
    /** Per bucket: the first element, or the bucket's nulls marker {@code -(bucket + 1)}. */
    private final int[] heads;
    /** Per element: the next element of its chain, or a nulls marker. */
    private final int[] next;
    private final int[] hashes;
    private final int[] free;
    private int freeTop;
    private int count;

    // LRU: a list from hot (head) to cold (tail), ordered by stamp; lastUse > stamp means used since placed
    private final long[] stamp;
    private final long[] lastUse;
    private final int[] lruPrev;
    private final int[] lruNext;
    private int lruHead = -1;
    private int lruTail = -1;
    private long tick;

    HashTab(MapSpec spec) {
        check(spec);
        super(spec);
        MapType t = spec.mapType();
        perCpu = t == MapType.PERCPU_HASH || t == MapType.LRU_PERCPU_HASH;
        lru = t == MapType.LRU_HASH || t == MapType.LRU_PERCPU_HASH;
        copies = perCpu ? Cpus.possible() : 1;
        vstride = (int) MapMath.roundUp8(spec.valueSize());
        elemValueBytes = copies * vstride;
        keyStride = (int) MapMath.roundUp8(spec.keySize());
        capacity = spec.maxEntries();
        int nBuckets = MapMath.roundUpPow2(capacity);
        bucketMask = nBuckets - 1;
        heads = new int[nBuckets];
        for (int b = 0; b < nBuckets; b++) {
            heads[b] = -(b + 1);
        }
        next = new int[capacity];
        hashes = new int[capacity];
        free = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            free[i] = capacity - 1 - i; // element 0 is handed out first
        }
        freeTop = capacity;
        stamp = lru ? new long[capacity] : null;
        lastUse = lru ? new long[capacity] : null;
        lruPrev = lru ? new int[capacity] : null;
        lruNext = lru ? new int[capacity] : null;
        try {
            values = slab("", (long) capacity * elemValueBytes, Region.Kind.MAP_VALUE, progWritable()).address();
            keys = slab("keys", (long) capacity * keyStride, Region.Kind.MAP_VALUE, false).address();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Mirrors htab_map_alloc_check() and the size checks of htab_map_alloc(). */
    static void check(MapSpec spec) {
        MapType t = spec.mapType();
        boolean lru = t == MapType.LRU_HASH || t == MapType.LRU_PERCPU_HASH;
        boolean perCpu = t == MapType.PERCPU_HASH || t == MapType.LRU_PERCPU_HASH;
        MapMath.requireFlags(spec, CREATE_FLAGS);
        if (!lru && (spec.flags() & MapFlags.BPF_F_NO_COMMON_LRU) != 0) {
            throw MapMath.invalid(spec, "BPF_F_NO_COMMON_LRU is only for LRU maps");
        }
        if (lru && (spec.flags() & MapFlags.BPF_F_NO_PREALLOC) != 0) {
            throw MapMath.invalid(spec, "LRU maps cannot be BPF_F_NO_PREALLOC (ENOTSUPP)");
        }
        MapMath.requireEntries(spec);
        if (spec.keySize() <= 0) {
            throw MapMath.invalid(spec, "key size " + Integer.toUnsignedString(spec.keySize()) + ": want at least 1");
        }
        MapMath.requireValue(spec);
        if (spec.keySize() > MapMath.MAX_BPF_STACK) {
            throw MapMath.invalid(spec, "key size " + spec.keySize() + ": at most " + MapMath.MAX_BPF_STACK);
        }
        if ((long) spec.keySize() + spec.valueSize() >= MapMath.KMALLOC_MAX_SIZE - 64) {
            throw MapMath.invalid(spec, "key and value of " + ((long) spec.keySize() + spec.valueSize())
                    + " bytes: too large (E2BIG)");
        }
        if (perCpu && MapMath.roundUp8(spec.valueSize()) > MapMath.PCPU_MIN_UNIT_SIZE) {
            throw MapMath.invalid(spec, "value size " + spec.valueSize() + ": at most "
                    + MapMath.PCPU_MIN_UNIT_SIZE + " per CPU");
        }
        if (spec.maxEntries() > 1 << 30) {
            throw MapMath.invalid(spec, "max_entries " + spec.maxEntries() + ": too many buckets (E2BIG)");
        }
        MapMath.requireHeap(spec, 4L * MapMath.roundUpPow2(spec.maxEntries()) + (lru ? 36L : 12L) * spec.maxEntries());
        MapMath.requireMemory(spec, spec.maxEntries() * ((perCpu ? Cpus.possible() : 1) * MapMath.roundUp8(spec.valueSize())
                + MapMath.roundUp8(spec.keySize())));
    }

    private long keyAddress(int e) { return keys + (long) e * keyStride; }

    private long valueAddress(int e, int cpu) {
        return values + (long) e * elemValueBytes + (perCpu ? (long) cpu * vstride : 0);
    }

    /** The element holding the key at keyAddr, or -1; lock-free (htab_map_lookup_elem()'s walk). */
    private int find(long keyAddr, int hash) {
        return find(keyAddr, hash, keySize());
    }

    // keySize: the map's, passed so that a caller that knows it as a constant gets the compare unrolled
    private int find(long keyAddr, int hash, int keySize) {
        int b = hash & bucketMask;
        for (;;) {
            int e = (int) INTS.getAcquire(heads, b);
            while (e >= 0) {
                if (hashes[e] == hash && MapMath.keyEquals(keyAddr, keyAddress(e), keySize)) {
                    return e;
                }
                e = (int) INTS.getAcquire(next, e);
            }
            if (e == -(b + 1)) {
                return -1;
            }
            // ended in another bucket's marker: an element was recycled under us; walk again
        }
    }

    /** How many elements the map holds. */
    public int count() { return count; }

    // ---- program side ----

    @Override
    public long lookup(long keyAddr, int cpu) {
        return lookup(keyAddr, cpu, keySize());
    }

    /**
     * {@link #lookup(long, int)} for a caller that knows the key size as a constant of its code (the JIT,
     * which compiles a lookup of a map known at load): hash and compare unroll for that size, as the kernel's
     * jhash does for a key size it knows. A size that is not this map's takes the general path.
     */
    public long lookup(long keyAddr, int cpu, int keySize) {
        if (keySize != keySize()) {
            keySize = keySize();
        }
        int e = find(keyAddr, MapMath.hash(keyAddr, keySize), keySize);
        if (e < 0) {
            return 0;
        }
        if (lru) {
            lastUse[e] = ++tick; // bpf_lru_node_set_ref(): no lock on the lookup path
        }
        return valueAddress(e, cpu);
    }

    @Override
    public int update(long keyAddr, long valueAddr, long flags, int cpu) {
        // htab_map_update_elem() and friends: ANY, NOEXIST, EXIST, with BPF_F_LOCK when a spin lock is there
        if (!validFlags(flags)) {
            return -Errno.EINVAL;
        }
        return updateElem(keyAddr, valueAddr, (int) flags, cpu, false);
    }

    @Override
    public int delete(long keyAddr, int cpu) {
        return deleteElem(keyAddr);
    }

    private boolean validFlags(long flags) {
        return flags >= 0 && (flags & ~MapFlags.BPF_F_LOCK) <= MapFlags.BPF_EXIST
                && ((flags & MapFlags.BPF_F_LOCK) == 0 || spec.hasSpinLock());
    }

    private synchronized int updateElem(long keyAddr, long valueAddr, int flags, int cpu, boolean allCpus) {
        int hash = MapMath.hash(keyAddr, keySize());
        int e = find(keyAddr, hash);
        // mirrors check_flags()
        int kind = flags & ~(int) MapFlags.BPF_F_LOCK;
        if (e >= 0 && kind == MapFlags.BPF_NOEXIST) {
            return -Errno.EEXIST;
        }
        if (e < 0 && kind == MapFlags.BPF_EXIST) {
            return -Errno.ENOENT;
        }
        if (e >= 0 && (flags & MapFlags.BPF_F_LOCK) != 0) {
            // BPF_F_LOCK: the value is updated in place, holding its own lock (copy_map_value_locked())
            SpinLockWord.copyValueLocked(spec, valueAddr, valueAddress(e, 0));
            return 0;
        }
        if (e >= 0) {
            writeValue(e, valueAddr, cpu, allCpus, false);
            if (lru) {
                lruRemove(e);
                lruPushHead(e);
            }
            return 0;
        }
        if (freeTop == 0) {
            if (!lru) {
                return -Errno.E2BIG; // alloc_htab_elem(): the preallocated elements are all in use
            }
            evict();
        }
        e = free[--freeTop];
        Mem.copy(keyAddr, keyAddress(e), keySize());
        hashes[e] = hash;
        writeValue(e, valueAddr, cpu, allCpus, true);
        int b = hash & bucketMask;
        next[e] = heads[b];
        INTS.setRelease(heads, b, e); // publishes the key and value written above
        count++;
        if (lru) {
            lruPushHead(e);
        }
        return 0;
    }

    /**
     * Copies a value in. Per-CPU from a program: only this CPU's copy, and a new element's other copies
     * are zeroed (pcpu_init_value()); from the syscall: every CPU's copy.
     */
    private void writeValue(int e, long src, int cpu, boolean allCpus, boolean fresh) {
        if (!perCpu) {
            // copy_map_value(): the element's lock word stays as it is
            SpinLockWord.copyValue(spec, src, valueAddress(e, 0));
            return;
        }
        for (int c = 0; c < copies; c++) {
            long dst = valueAddress(e, c);
            if (allCpus) {
                Mem.copy(src + (long) c * vstride, dst, valueSize());
            } else if (c == cpu) {
                Mem.copy(src, dst, valueSize());
            } else if (fresh) {
                Mem.fill(dst, vstride, (byte) 0);
            }
        }
    }

    private synchronized int deleteElem(long keyAddr) {
        int e = find(keyAddr, MapMath.hash(keyAddr, keySize()));
        if (e < 0) {
            return -Errno.ENOENT;
        }
        remove(e);
        return 0;
    }

    /** Unlinks an element and frees it; its own link stays, so a lookup standing on it walks on. */
    private void remove(int e) {
        int b = hashes[e] & bucketMask;
        int p = heads[b];
        if (p == e) {
            INTS.setRelease(heads, b, next[e]);
        } else {
            while (next[p] != e) {
                p = next[p];
            }
            INTS.setRelease(next, p, next[e]);
        }
        if (lru) {
            lruRemove(e);
        }
        free[freeTop++] = e;
        count--;
    }

    // ---- LRU ----

    private void lruPushHead(int e) {
        long now = ++tick;
        stamp[e] = now;
        lastUse[e] = now;
        lruPrev[e] = -1;
        lruNext[e] = lruHead;
        if (lruHead >= 0) {
            lruPrev[lruHead] = e;
        } else {
            lruTail = e;
        }
        lruHead = e;
    }

    private void lruRemove(int e) {
        int p = lruPrev[e];
        int n = lruNext[e];
        if (p >= 0) {
            lruNext[p] = n;
        } else {
            lruHead = n;
        }
        if (n >= 0) {
            lruPrev[n] = p;
        } else {
            lruTail = p;
        }
    }

    /** Puts e back at the place its stamp gives it, counted from the hot end. */
    private void lruInsertByStamp(int e) {
        int before = -1;
        int at = lruHead;
        while (at >= 0 && stamp[at] > stamp[e]) {
            before = at;
            at = lruNext[at];
        }
        lruPrev[e] = before;
        lruNext[e] = at;
        if (before >= 0) {
            lruNext[before] = e;
        } else {
            lruHead = e;
        }
        if (at >= 0) {
            lruPrev[at] = e;
        } else {
            lruTail = e;
        }
    }

    /** Removes the least recently used element (the kernel's __bpf_lru_list_shrink(), made exact). */
    private void evict() {
        for (int moves = 0; moves < capacity; moves++) {
            int t = lruTail;
            long used = lastUse[t];
            if (used <= stamp[t]) {
                break;
            }
            lruRemove(t);
            stamp[t] = used;
            lruInsertByStamp(t);
        }
        remove(lruTail);
    }

    // ---- iteration ----

    @Override
    public long forEachElem(int cpu, ElemVisitor visitor) {
        // mirrors bpf_for_each_hash_elem(): bucket by bucket; the callback may delete the element it sees
        long n = 0;
        for (int b = 0; b <= bucketMask; b++) {
            int e = (int) INTS.getAcquire(heads, b);
            while (e >= 0) {
                int following = (int) INTS.getAcquire(next, e);
                n++;
                if (!visitor.visit(keyAddress(e), valueAddress(e, cpu))) {
                    return n;
                }
                e = following;
            }
        }
        return n;
    }

    /** The first element of the first non-empty bucket from {@code b}, or -1. */
    private int firstFrom(int b) {
        for (; b <= bucketMask; b++) {
            int e = heads[b];
            if (e >= 0) {
                return e;
            }
        }
        return -1;
    }

    // ---- user side ----

    @Override
    int userValueSize() { return perCpu ? elemValueBytes : valueSize(); }

    @Override
    public synchronized byte[] userLookup(byte[] key) {
        long k = userKey(key);
        int e = find(k, MapMath.hash(k, keySize())); // the syscall's lookup does not mark LRU elements
        if (e < 0) {
            return null;
        }
        return perCpu ? Mem.read(valueAddress(e, 0), elemValueBytes)
                : SpinLockWord.hideLock(spec, Mem.read(valueAddress(e, 0), valueSize()));
    }

    @Override
    public synchronized int userUpdate(byte[] key, byte[] value, long flags) {
        long k = userKey(key);
        long v = perCpu
                ? userValue(PerCpuValues.expand(this, value, copies, vstride), elemValueBytes)
                : userValue(value, valueSize());
        if (!validFlags(flags)) {
            return -Errno.EINVAL;
        }
        return updateElem(k, v, (int) flags, 0, true);
    }

    @Override
    public synchronized int userDelete(byte[] key) {
        return deleteElem(userKey(key));
    }

    @Override
    public synchronized byte[] userNextKey(byte[] key) {
        // mirrors htab_map_get_next_key(): next in the chain, else the next non-empty bucket; an unknown key
        // restarts from the first element
        int e = -1;
        if (key != null) {
            long k = userKey(key);
            int hash = MapMath.hash(k, keySize());
            int at = find(k, hash);
            if (at >= 0) {
                e = next[at] >= 0 ? next[at] : firstFrom((hash & bucketMask) + 1);
                return e < 0 ? null : Mem.read(keyAddress(e), keySize());
            }
        }
        e = firstFrom(0);
        return e < 0 ? null : Mem.read(keyAddress(e), keySize());
    }
}
