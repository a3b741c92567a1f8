package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.mem.Region;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * BPF_MAP_TYPE_RINGBUF (kernel/bpf/ringbuf.c): a multi-producer, single-consumer ring of variable-size
 * records, {@code max_entries} bytes of data. Each record is an 8-byte header ({@code u32 len} with the
 * BUSY bit while reserved and the DISCARD bit once discarded, {@code u32 pg_off}) and its data, the whole
 * rounded up to 8 bytes. Records are consumed in reservation order, so one reserved and not yet submitted
 * holds back every later one.
 *
 * <p>The kernel maps the data pages twice in a row so a record that runs past the end stays contiguous.
 * Here the data region is {@code 2 * max_entries} bytes: a record is always written contiguously (its tail
 * may lie in the second half), and committing it copies that tail to the start of the ring, so the first
 * half is the ring exactly as the kernel's memory shows it.
 */
public final class RingBufMap extends BaseMap {

    public static final int BUSY_BIT = 1 << 31;
    public static final int DISCARD_BIT = 1 << 30;
    public static final int HDR_SIZE = 8;
    /** RINGBUF_MAX_RECORD_SZ. */
    static final long MAX_RECORD = 0xffffffffL / 4;
    static final int PAGE_SIZE = 4096;
    /** Pages before the data in the kernel's struct bpf_ringbuf: the header page, then consumer and producer pages. */
    static final int DATA_PAGE_OFFSET = 3;

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final long size;
    private final long mask;
    private final MemorySegment ring;
    private final long data;
    private final Object consumerLock = new Object();
    private volatile long consumerPos;
    private volatile long producerPos;
    private long pendingPos;

    RingBufMap(MapSpec spec) {
        check(spec);
        super(spec);
        size = Integer.toUnsignedLong(spec.maxEntries());
        mask = size - 1;
        try {
            ring = slab("data", 2 * size, Region.Kind.RINGBUF, true);
            data = ring.address();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Mirrors ringbuf_map_alloc()'s checks. */
    static void check(MapSpec spec) {
        MapMath.requireFlags(spec, MapFlags.BPF_F_NUMA_NODE);
        if (spec.keySize() != 0 || spec.valueSize() != 0) {
            throw MapMath.invalid(spec, "key size " + spec.keySize() + ", value size " + spec.valueSize()
                    + ": a ring buffer has neither (want 0, 0)");
        }
        long n = Integer.toUnsignedLong(spec.maxEntries());
        if (n == 0 || Long.bitCount(n) != 1 || n % PAGE_SIZE != 0) {
            throw MapMath.invalid(spec, "max_entries " + n + ": want a power of 2 multiple of the page size ("
                    + PAGE_SIZE + ")");
        }
        MapMath.requireMemory(spec, 2 * n);  // the data area is mapped twice, as the kernel maps it
    }

    // ---- producer (program) side ----

    /**
     * bpf_ringbuf_reserve(): the address of {@code size} bytes for a new record, or 0 when flags are not 0,
     * the record could never fit, or there is no room now.
     */
    @Override
    public long reserve(long size, long flags) {
        if (flags != 0) {
            return 0;
        }
        return reserve(size);
    }

    /** __bpf_ringbuf_reserve(). */
    private synchronized long reserve(long size) {
        if (size < 0 || size > MAX_RECORD) {
            return 0;
        }
        long len = MapMath.roundUp8(size + HDR_SIZE);
        if (len > this.size) {
            return 0;
        }
        long cons = consumerPos;
        long prod = producerPos;
        long newProd = prod + len;
        long pend = pendingPos;
        while (pend < prod) {
            long hdr = data + (pend & mask);
            int hdrLen = (int) INT.getAcquire(Mem.ALL, hdr);
            if ((hdrLen & BUSY_BIT) != 0) {
                break;
            }
            pend += MapMath.roundUp8((hdrLen & ~DISCARD_BIT) + (long) HDR_SIZE);
        }
        pendingPos = pend;
        // neither the unconsumed data nor the span from the oldest uncommitted record may exceed the ring
        if (newProd - cons > mask || newProd - pend > mask) {
            return 0;
        }
        long off = prod & mask;
        long hdr = data + off;
        Mem.putU32(hdr, size | BUSY_BIT);
        Mem.putU32(hdr + 4, DATA_PAGE_OFFSET + (off >>> 12));
        producerPos = newProd;
        return hdr + HDR_SIZE;
    }

    /** bpf_ringbuf_submit(): the record becomes visible to the consumer. The flags only steer wake-ups. */
    @Override
    public boolean submit(long dataAddr, long flags) {
        return commit(dataAddr, false);
    }

    /** bpf_ringbuf_discard(): the record is skipped by the consumer. */
    @Override
    public boolean discard(long dataAddr, long flags) {
        return commit(dataAddr, true);
    }

    /**
     * bpf_ringbuf_commit(): clear BUSY (set DISCARD) with release order, after the data is in place. The
     * kernel's verifier guarantees a reserved record; here the header is checked first (inside the ring,
     * aligned, BUSY, its length within the data area), because a program can write the header and the
     * length drives a copy: a bad one is refused rather than copied past the ring.
     */
    private boolean commit(long dataAddr, boolean discard) {
        long hdr = dataAddr - HDR_SIZE;
        long off = hdr - data;
        if (off < 0 || off >= size || (off & 7) != 0) {
            return false;
        }
        int len = Mem.getI32(hdr);
        long end = off + HDR_SIZE + (len & ~(BUSY_BIT | DISCARD_BIT));
        if ((len & BUSY_BIT) == 0 || end > 2 * size) {
            return false;
        }
        if (end > size) {
            Mem.copy(data + size, data, end - size); // the second mapping's bytes, seen from the first
        }
        int newLen = (len ^ BUSY_BIT) | (discard ? DISCARD_BIT : 0);
        INT.setRelease(Mem.ALL, hdr, newLen);
        return true;
    }

    /** bpf_ringbuf_output(): reserve, copy, submit; -EINVAL for unknown flags, -EAGAIN when no room. */
    @Override
    public long output(long dataAddr, long size, long flags) {
        if ((flags & ~(MapFlags.BPF_RB_NO_WAKEUP | MapFlags.BPF_RB_FORCE_WAKEUP)) != 0) {
            return -Errno.EINVAL;
        }
        long rec = reserve(size);
        if (rec == 0) {
            return -Errno.EAGAIN;
        }
        Mem.copy(dataAddr, rec, size);
        commit(rec, false);  // rec is the record just reserved: always true
        return 0;
    }

    /** bpf_ringbuf_query(): available data, ring size, consumer or producer position; 0 for other flags. */
    @Override
    public long query(long flags) {
        if (flags == MapFlags.BPF_RB_AVAIL_DATA) {
            return producerPos - consumerPos;
        } else if (flags == MapFlags.BPF_RB_RING_SIZE) {
            return size;
        } else if (flags == MapFlags.BPF_RB_CONS_POS) {
            return consumerPos;
        } else if (flags == MapFlags.BPF_RB_PROD_POS) {
            return producerPos;
        }
        return 0;
    }

    // ---- consumer (Java) side ----

    /**
     * Takes every record submitted so far, in order, and advances the consumer position past them and past
     * discarded ones; stops at the first record still reserved (libbpf's ringbuf_process_ring()).
     */
    public List<byte[]> consume() {
        List<byte[]> out = new ArrayList<>();
        synchronized (consumerLock) {
            long cons = consumerPos;
            long prod = producerPos;
            while (cons < prod) {
                long hdr = data + (cons & mask);
                int len = (int) INT.getAcquire(Mem.ALL, hdr);
                if ((len & BUSY_BIT) != 0) {
                    break;
                }
                int bytes = len & ~DISCARD_BIT;
                if ((len & DISCARD_BIT) == 0) {
                    out.add(Mem.read(hdr + HDR_SIZE, bytes)); // contiguous thanks to the second half
                }
                cons += MapMath.roundUp8(bytes + (long) HDR_SIZE);
                consumerPos = cons;
                if (cons == prod) {
                    prod = producerPos;
                }
            }
        }
        return out;
    }

    public long consumerPosition() { return consumerPos; }

    public long producerPosition() { return producerPos; }

    /** The data area's size in bytes (max_entries). */
    public long ringSize() { return size; }

    // ---- the map API: a ring buffer has no elements (ringbuf_map_*_elem() answer -ENOTSUPP) ----

    @Override
    public long lookup(long keyAddr, int cpu) { return 0; }

    @Override
    public int update(long keyAddr, long valueAddr, long flags, int cpu) { return -Errno.ENOTSUPP; }

    @Override
    public int delete(long keyAddr, int cpu) { return -Errno.ENOTSUPP; }

    @Override
    public byte[] userLookup(byte[] key) { return null; }

    @Override
    public int userUpdate(byte[] key, byte[] value, long flags) { return -Errno.ENOTSUPP; }

    @Override
    public int userDelete(byte[] key) { return -Errno.ENOTSUPP; }

    @Override
    public byte[] userNextKey(byte[] key) { return null; }
}
