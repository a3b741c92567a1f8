package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.mem.Region;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A live map: off-heap storage with the kernel's semantics. Two faces, as in the kernel:
 * <ul>
 * <li>the program side (helpers): keys and values are native addresses the caller has already checked,
 *     lookups return the address of the value in place (so the program can write through it), results are
 *     the kernel's (0 or a negative errno);</li>
 * <li>the user side (the bpf syscall: test-run's --map-init and the JSON dump): byte arrays in and out;
 *     per-CPU values are {@code ncpus} values of {@code round_up(valueSize, 8)} bytes each, as
 *     BPF_MAP_LOOKUP_ELEM gives them.</li>
 * </ul>
 * Errors are negative errno values ({@link Errno}).
 */
public abstract class BpfMap implements UserMap {

    protected final MapSpec spec;
    protected final MapType type;

    private static final java.util.concurrent.atomic.AtomicInteger IDS = new java.util.concurrent.atomic.AtomicInteger();

    private final int id = IDS.incrementAndGet();

    protected BpfMap(MapSpec spec) {
        this.spec = spec;
        this.type = spec.mapType();
    }

    /**
     * The map's id, unique in this JVM: what the kernel's map ids are (a map-in-map lookup from user space
     * answers the inner map's id, as bpf_map_fd_sys_lookup_elem()); like them, it means nothing across runs.
     */
    public final int id() { return id; }

    public final MapSpec spec() { return spec; }
    public final String name() { return spec.name(); }
    public final MapType type() { return type; }
    public final int keySize() { return spec.keySize(); }
    public final int valueSize() { return spec.valueSize(); }
    public final int maxEntries() { return spec.maxEntries(); }

    private volatile boolean frozen;

    /**
     * bpf_map_freeze(): from now on the user side may not write the map (updates say EPERM); libbpf
     * freezes .rodata after filling it, which is what lets the verifier treat its contents as constants.
     */
    public final void freeze() { frozen = true; }

    public final boolean frozen() { return frozen; }

    /** The address that stands for this map in a register ({@code r1 = map[...]}): its "struct bpf_map". */
    public abstract long handle();

    /** Memory a program may reach through pointers this map hands out (value slabs), to register. */
    public abstract List<Region> regions();

    // ---- program side ----

    /** bpf_map_lookup_elem: the address of the value for the key at keyAddr on this CPU, or 0. */
    public abstract long lookup(long keyAddr, int cpu);

    /** bpf_map_update_elem from a program: 0 or -errno. */
    public abstract int update(long keyAddr, long valueAddr, long flags, int cpu);

    /** bpf_map_delete_elem from a program: 0 or -errno. */
    public abstract int delete(long keyAddr, int cpu);

    // a key of zeros for directValueAddr(): global data is the value at key 0
    private static final MemorySegment ZERO_KEY = Arena.global().allocate(8, 8);

    /**
     * The address of the value at key 0 on this CPU, or 0: what an {@code lddw PSEUDO_MAP_IDX_VALUE}
     * (global data, {@code .rodata} strings) resolves against, as the kernel's map_direct_value_addr().
     */
    public long directValueAddr(int cpu) {
        return keySize() <= 8 ? lookup(ZERO_KEY.address(), cpu) : 0;
    }

    // ---- user side ----

    /** BPF_MAP_LOOKUP_ELEM: the value bytes (all CPUs for per-CPU maps), or null if absent. */
    public abstract byte[] userLookup(byte[] key);

    /** jxdp's CPUs: worker threads, {@link Cpus#possible()} of them. */
    @Override
    public final int userCpus() { return Cpus.possible(); }

    /** BPF_MAP_UPDATE_ELEM: 0 or -errno. For per-CPU maps, value holds all CPUs' values. */
    public abstract int userUpdate(byte[] key, byte[] value, long flags);

    /** BPF_MAP_DELETE_ELEM: 0 or -errno. */
    public abstract int userDelete(byte[] key);

    /** BPF_MAP_GET_NEXT_KEY: the key after {@code key} (the first key when null), or null at the end. */
    public abstract byte[] userNextKey(byte[] key);

    // ---- iteration and redirect (helpers) ----

    /** Visits one element; returns false to stop (bpf_for_each_map_elem's callback returning 1). */
    @FunctionalInterface
    public interface ElemVisitor {
        boolean visit(long keyAddr, long valueAddr);
    }

    /**
     * bpf_for_each_map_elem: calls the visitor with the address of each element's key and of its value on
     * this CPU, in the map's own order; returns how many elements were visited. Types that the kernel
     * does not iterate return -EINVAL.
     */
    public long forEachElem(int cpu, ElemVisitor visitor) {
        return -Errno.EINVAL;
    }

    /**
     * For DEVMAP, DEVMAP_HASH, CPUMAP and XSKMAP: whether {@code bpf_redirect_map} finds a target at this
     * key (the kernel's __xdp_map_lookup_elem() returning non-NULL). Other types have no targets.
     */
    public boolean hasRedirectTarget(long key) {
        return false;
    }

    // ---- ring buffer (RINGBUF overrides these; the verifier keeps other map types away from them) ----

    /** bpf_ringbuf_reserve: the address of a new record of {@code size} bytes, or 0. */
    public long reserve(long size, long flags) {
        return 0;
    }

    /**
     * bpf_ringbuf_submit: commits the record at addr (from {@link #reserve}); false, and nothing changed,
     * when addr is not a record reserved and not yet committed.
     */
    public boolean submit(long addr, long flags) {
        throw new UnsupportedOperationException("map " + name() + " is not a ring buffer");
    }

    /** bpf_ringbuf_discard: drops the record at addr (from {@link #reserve}); false as {@link #submit}. */
    public boolean discard(long addr, long flags) {
        throw new UnsupportedOperationException("map " + name() + " is not a ring buffer");
    }

    /** bpf_ringbuf_output: copies {@code size} bytes at addr into a new record; 0 or -errno. */
    public long output(long addr, long size, long flags) {
        return -Errno.EINVAL;
    }

    /** bpf_ringbuf_query: BPF_RB_AVAIL_DATA, BPF_RB_RING_SIZE, BPF_RB_CONS_POS, BPF_RB_PROD_POS; else 0. */
    public long query(long flags) {
        return 0;
    }

    /** Frees the map's memory; the map is unusable afterwards. */
    public abstract void close();
}
