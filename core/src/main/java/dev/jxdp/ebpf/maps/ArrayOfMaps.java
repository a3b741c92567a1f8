package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.mem.Mem;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * BPF_MAP_TYPE_ARRAY_OF_MAPS (kernel/bpf/arraymap.c, the fd array with inner maps): {@code max_entries}
 * slots keyed by a u32 index, each empty or holding an inner map. A program's lookup is the inner map's
 * handle (array_of_map_lookup_elem()), 0 for an empty slot or an index out of range.
 */
public final class ArrayOfMaps extends OuterMap {

    private static final VarHandle MAPS = MethodHandles.arrayElementVarHandle(BpfMap[].class);
    private static final VarHandle HANDLES = MethodHandles.arrayElementVarHandle(long[].class);

    private final BpfMap[] maps;
    /** The handle of each slot's map, 0 when empty: what a lookup answers, without touching the map. */
    private final long[] handles;

    ArrayOfMaps(MapSpec spec) {
        check(spec);
        super(spec);
        maps = new BpfMap[spec.maxEntries()];
        handles = new long[spec.maxEntries()];
    }

    /** Mirrors fd_array_map_alloc_check() over array_map_alloc_check(), then the template's checks. */
    static void check(MapSpec spec) {
        MapMath.requireKeySize(spec, 4);
        MapMath.requireFlags(spec, ArrayMap.CREATE_FLAGS & ~(MapFlags.BPF_F_RDONLY_PROG | MapFlags.BPF_F_WRONLY_PROG
                | MapFlags.BPF_F_MMAPABLE | MapFlags.BPF_F_INNER_MAP));
        checkOuter(spec);
        MapMath.requireHeap(spec, 16L * spec.maxEntries());
    }

    @Override
    public long lookup(long keyAddr, int cpu) {
        long i = Mem.getU32(keyAddr);
        return i >= handles.length ? 0 : (long) HANDLES.getAcquire(handles, (int) i);
    }

    /** bpf_fd_array_map_update_elem(): flags other than BPF_ANY -EINVAL, out of range -E2BIG. */
    @Override
    public synchronized int put(byte[] key, BpfMap inner, long flags) {
        long i = Mem.getU32(userKey(key));
        if (flags != MapFlags.BPF_ANY) {
            return -Errno.EINVAL;
        }
        if (i >= maps.length) {
            return -Errno.E2BIG;
        }
        if (inner == null || mismatch(inner) != null) {
            return -Errno.EINVAL;
        }
        MAPS.setRelease(maps, (int) i, inner);
        HANDLES.setRelease(handles, (int) i, inner.handle());
        return 0;
    }

    @Override
    public synchronized BpfMap innerAt(byte[] key) {
        long i = Mem.getU32(userKey(key));
        return i >= maps.length ? null : (BpfMap) MAPS.getAcquire(maps, (int) i);
    }

    /** fd_array_map_delete_elem(): -E2BIG out of range, -ENOENT for an empty slot. */
    @Override
    public synchronized int userDelete(byte[] key) {
        long i = Mem.getU32(userKey(key));
        if (i >= maps.length) {
            return -Errno.E2BIG;
        }
        HANDLES.setRelease(handles, (int) i, 0L);
        Object old = MAPS.getAndSet(maps, (int) i, (BpfMap) null);
        return old == null ? -Errno.ENOENT : 0;
    }

    @Override
    public synchronized byte[] userNextKey(byte[] key) {
        return ArrayKeys.next(this, key == null ? -1 : Mem.getU32(userKey(key)), maps.length);
    }
}
