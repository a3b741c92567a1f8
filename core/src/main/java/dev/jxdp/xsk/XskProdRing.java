package dev.jxdp.xsk;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The producing end of a ring, libxdp's {@code xsk_ring_prod}: user space on the fill and TX rings, the
 * kernel's side on RX and completion. {@link #reserve} entries, write them by index, {@link #submit}.
 *
 * <pre>{@code
 * int n = fill.reserve(64);                       // 64 or 0, as xsk_ring_prod__reserve()
 * int idx = fill.firstIndex();
 * for (int i = 0; i < n; i++) fill.setAddr(idx + i, umem.frameAddr(frame++));
 * fill.submit(n);
 * }</pre>
 *
 * <p>Ordering, after the comment at the top of net/xdp/xsk_queue.h: the producer reads the consumer index
 * (A) before overwriting entries the consumer has released, and publishes new entries with a release
 * store of the producer index (B). (A) pairs with the consumer's release of its index (D), (B) with the
 * consumer's acquire load of the producer index (C). The kernel makes (A) a READ_ONCE with a control
 * dependency; Java promises nothing for control dependencies, so (A) is an acquire load here, as in libxdp.
 *
 * <p>Confined to one thread at a time; nothing here allocates.
 */
public final class XskProdRing {

    private final MemorySegment ring;
    private final XskRingType type;
    private final int size;
    private final int mask;
    private final long producerOff;
    private final long consumerOff;
    private final long flagsOff;
    private final long descOff;
    private final int entryShift;

    /** Our next index to hand out: the shared producer plus what is reserved and not yet submitted. */
    private int cachedProd;
    /**
     * The consumer index as last read, plus {@code size}, so that {@code cachedCons - cachedProd} is the free
     * count with no addition on the common path (libxdp keeps cached_cons the same way).
     */
    private int cachedCons;
    /** The first index of the last successful reserve: libxdp's {@code *idx} out-parameter. */
    private int first;

    XskProdRing(XskRing r) {
        this.ring = r.memory();
        this.type = r.type();
        this.size = r.size();
        this.mask = r.size() - 1;
        this.producerOff = r.offsets().producer();
        this.consumerOff = r.offsets().consumer();
        this.flagsOff = r.offsets().flags();
        this.descOff = r.offsets().desc();
        this.entryShift = Integer.numberOfTrailingZeros(type.entrySize());
        this.cachedProd = XskRing.lpWord(ring, producerOff);
        this.cachedCons = XskRing.lvWord(ring, consumerOff) + size;
        this.first = cachedProd;
    }

    /**
     * How many entries are free, reading the shared consumer index only when the cached view shows fewer
     * than {@code wanted}: {@code xsk_prod_nb_free()}.
     */
    public int freeEntries(int wanted) {
        int free = cachedCons - cachedProd;
        if (Integer.compareUnsigned(free, wanted) >= 0) {
            return free;
        }
        return refreshConsumer();
    }

    // (A): pairs with the consumer's store-release of its index (D), so that entries it has released are
    // read by it before we overwrite them
    private int refreshConsumer() {
        cachedCons = XskRing.lvWord(ring, consumerOff) + size;
        return cachedCons - cachedProd;
    }

    /**
     * Reserves {@code n} entries, all or none, as {@code xsk_ring_prod__reserve()}: returns {@code n} with
     * the first index in {@link #firstIndex()}, or 0 when fewer than {@code n} are free.
     */
    public int reserve(int n) {
        if (Integer.compareUnsigned(freeEntries(n), n) < 0) {
            return 0;
        }
        first = cachedProd;
        cachedProd += n;
        return n;
    }

    /**
     * Reserves as many of {@code n} entries as are free, the batch form the kernel uses when it fills the
     * completion ring for a batch of TX descriptors (xsk_tx_peek_release_desc_batch() asks
     * xskq_prod_nb_free() for up to its batch): returns how many, first index in {@link #firstIndex()}.
     */
    public int reserveUpTo(int n) {
        int free = freeEntries(n);
        int got = Integer.compareUnsigned(free, n) < 0 ? free : n;
        first = cachedProd;
        cachedProd += got;
        return got;
    }

    /** The first index the last reserve gave. */
    public int firstIndex() {
        return first;
    }

    /**
     * Publishes the next {@code n} reserved entries to the consumer: (B), a store-release of the producer
     * index that pairs with the consumer's load-acquire (C), so the entries are written before the consumer
     * can see the index that covers them.
     */
    public void submit(int n) {
        XskRing.soWord(ring, producerOff, XskRing.lpWord(ring, producerOff) + n);
    }

    /** Gives back the last {@code n} reserved and unsubmitted entries: {@code xsk_ring_prod__cancel()}. */
    public void cancel(int n) {
        cachedProd -= n;
    }

    // ---------------------------------------------------------------------------------------- entries

    private long entry(int idx) {
        return descOff + ((long) (idx & mask) << entryShift);
    }

    /** Writes the address of entry {@code idx}: the whole entry on fill/completion, desc.addr on RX/TX. */
    public void setAddr(int idx, long addr) {
        ring.set(ValueLayout.JAVA_LONG, entry(idx) + XdpDescLayout.ADDR, addr);
    }

    /** Writes desc.len of entry {@code idx}, on RX and TX. */
    public void setLen(int idx, int len) {
        requireDescs();
        ring.set(ValueLayout.JAVA_INT, entry(idx) + XdpDescLayout.LEN, len);
    }

    /** Writes desc.options of entry {@code idx}, on RX and TX. */
    public void setOptions(int idx, int options) {
        requireDescs();
        ring.set(ValueLayout.JAVA_INT, entry(idx) + XdpDescLayout.OPTIONS, options);
    }

    /** Writes the whole struct xdp_desc of entry {@code idx}, on RX and TX. */
    public void setDesc(int idx, long addr, int len, int options) {
        requireDescs();
        long e = entry(idx);
        ring.set(ValueLayout.JAVA_LONG, e + XdpDescLayout.ADDR, addr);
        ring.set(ValueLayout.JAVA_INT, e + XdpDescLayout.LEN, len);
        ring.set(ValueLayout.JAVA_INT, e + XdpDescLayout.OPTIONS, options);
    }

    /** Reads back the address of entry {@code idx}. */
    public long addr(int idx) {
        return ring.get(ValueLayout.JAVA_LONG, entry(idx) + XdpDescLayout.ADDR);
    }

    private void requireDescs() {
        if (entryShift != 4) {
            notDescs();
        }
    }

    private void notDescs() {
        throw new IllegalStateException(type + " ring: entries are addresses, not struct xdp_desc");
    }

    // ---------------------------------------------------------------------------------------- flags

    /**
     * Whether the consumer asked for a wakeup ({@code xsk_ring_prod__needs_wakeup()}): a READ_ONCE of the
     * flags word, no ordering, as in libxdp; the syscall the flag asks for is what synchronises.
     */
    public boolean needsWakeup() {
        return (XskRing.loWord(ring, flagsOff) & IfXdp.XDP_RING_NEED_WAKEUP) != 0;
    }

    // ---------------------------------------------------------------------------------------- views

    public XskRingType type() { return type; }

    public int size() { return size; }

    /** The cached producer: the next index reserve() hands out. */
    public int cachedProducer() { return cachedProd; }

    /** The shared producer index, as the consumer sees it (load-acquire). */
    public int producer() { return XskRing.lvWord(ring, producerOff); }

    /** The shared consumer index (load-acquire). */
    public int consumer() { return XskRing.lvWord(ring, consumerOff); }
}
