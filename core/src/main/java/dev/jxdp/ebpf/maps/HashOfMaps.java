package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.mem.Mem;

import java.util.HashMap;
import java.util.Map;

/**
 * BPF_MAP_TYPE_HASH_OF_MAPS (kernel/bpf/hashtab.c, htab_of_maps): a hash table keyed as declared whose
 * values are inner maps. The table is a {@link HashTab} whose 8-byte values hold the inner map's handle
 * (the kernel's element holds the map pointer), so a program's lookup hashes the key as any hash map's
 * and answers that handle, or 0.
 */
public final class HashOfMaps extends OuterMap {

    private final HashTab table;
    /** handle → inner map, for the user side (several keys may hold the same map) */
    private final Map<Long, BpfMap> byHandle = new HashMap<>();

    HashOfMaps(MapSpec spec) {
        check(spec);
        super(spec);
        try {
            table = new HashTab(new MapSpec(spec.name(), MapType.HASH.id(), spec.keySize(), 8, spec.maxEntries(),
                    spec.flags(), null, false, java.util.List.of(), spec.section()));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Mirrors htab_map_alloc_check() for a hash of maps: value size 4, no per-CPU or LRU flags. */
    static void check(MapSpec spec) {
        MapMath.requireFlags(spec, HashTab.CREATE_FLAGS & ~(MapFlags.BPF_F_NO_COMMON_LRU | MapFlags.BPF_F_RDONLY_PROG
                | MapFlags.BPF_F_WRONLY_PROG));
        if (spec.keySize() <= 0 || spec.keySize() > MapMath.MAX_BPF_STACK) {
            throw MapMath.invalid(spec, "key size " + Integer.toUnsignedString(spec.keySize()) + ": want 1 to "
                    + MapMath.MAX_BPF_STACK);
        }
        checkOuter(spec);
    }

    @Override
    public long lookup(long keyAddr, int cpu) {
        long v = table.lookup(keyAddr, cpu);
        return v == 0 ? 0 : Mem.getU64(v);
    }

    /** htab_map_update_elem() with the inner map's pointer as value: BPF_NOEXIST, BPF_EXIST, E2BIG when full. */
    @Override
    public synchronized int put(byte[] key, BpfMap inner, long flags) {
        userKey(key);
        if (inner == null || mismatch(inner) != null) {
            return -Errno.EINVAL;
        }
        byte[] v = new byte[8];
        long h = inner.handle();
        for (int b = 0; b < 8; b++) {
            v[b] = (byte) (h >>> (8 * b));
        }
        int rc = table.userUpdate(key, v, flags);
        if (rc == 0) {
            byHandle.put(h, inner);
        }
        return rc;
    }

    @Override
    public synchronized BpfMap innerAt(byte[] key) {
        userKey(key);
        byte[] v = table.userLookup(key);
        if (v == null) {
            return null;
        }
        long h = 0;
        for (int b = 7; b >= 0; b--) {
            h = h << 8 | (v[b] & 0xff);
        }
        return byHandle.get(h);
    }

    @Override
    public synchronized int userDelete(byte[] key) {
        userKey(key);
        return table.userDelete(key);
    }

    @Override
    public synchronized byte[] userNextKey(byte[] key) {
        if (key != null) {
            userKey(key);
        }
        return table.userNextKey(key);
    }

    @Override
    public void close() {
        if (table != null) {
            table.close();
        }
        super.close();
    }
}
