package dev.jxdp.xsk;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The consuming end of a ring, libxdp's {@code xsk_ring_cons}: user space on the RX and completion rings,
 * the kernel's side on fill and TX. {@link #peek} entries, read them by index, {@link #release}.
 *
 * <pre>{@code
 * int n = rx.peek(64);                            // 0 to 64, as xsk_ring_cons__peek()
 * int idx = rx.firstIndex();
 * for (int i = 0; i < n; i++) handle(rx.addr(idx + i), rx.len(idx + i));
 * rx.release(n);
 * }</pre>
 *
 * <p>Ordering, after net/xdp/xsk_queue.h: the consumer reads the producer index with a load-acquire (C),
 * paired with the producer's store-release (B), so no entry is read before the index that covers it; and
 * it gives entries back with a store-release of the consumer index (D), paired with the producer's read
 * of that index (A), so its reads of the entries happen before the producer may overwrite them.
 *
 * <p>Confined to one thread at a time; nothing here allocates.
 */
public final class XskConsRing {

    private final MemorySegment ring;
    private final XskRingType type;
    private final int size;
    private final int mask;
    private final long producerOff;
    private final long consumerOff;
    private final long flagsOff;
    private final long descOff;
    private final int entryShift;

    /** The producer index as last read. */
    private int cachedProd;
    /** Our next index to read: the shared consumer plus what is peeked and not yet released. */
    private int cachedCons;
    /** The first index of the last peek: libxdp's {@code *idx} out-parameter. */
    private int first;

    XskConsRing(XskRing r) {
        this.ring = r.memory();
        this.type = r.type();
        this.size = r.size();
        this.mask = r.size() - 1;
        this.producerOff = r.offsets().producer();
        this.consumerOff = r.offsets().consumer();
        this.flagsOff = r.offsets().flags();
        this.descOff = r.offsets().desc();
        this.entryShift = Integer.numberOfTrailingZeros(type.entrySize());
        this.cachedCons = XskRing.lpWord(ring, consumerOff);
        this.cachedProd = XskRing.lvWord(ring, producerOff);
        this.first = cachedCons;
    }

    /**
     * How many entries are ready, at most {@code wanted}, reading the shared producer index only when the
     * cached view is empty: {@code xsk_cons_nb_avail()}.
     */
    public int available(int wanted) {
        int entries = cachedProd - cachedCons;
        if (entries == 0) {
            entries = refreshProducer();
        }
        return Integer.compareUnsigned(entries, wanted) > 0 ? wanted : entries;
    }

    // (C): pairs with the producer's store-release (B): entries up to the index read here are written
    private int refreshProducer() {
        cachedProd = XskRing.lvWord(ring, producerOff);
        return cachedProd - cachedCons;
    }

    /**
     * Takes up to {@code n} ready entries, as {@code xsk_ring_cons__peek()}: returns how many, the first
     * index in {@link #firstIndex()}. They stay the consumer's until {@link #release}.
     */
    public int peek(int n) {
        int got = available(n);
        first = cachedCons;
        cachedCons += got;
        return got;
    }

    /** The first index the last peek gave. */
    public int firstIndex() {
        return first;
    }

    /**
     * Gives the next {@code n} peeked entries back to the producer: (D), a store-release of the consumer
     * index, so that our reads of those entries are done before the producer, through (A), may reuse them.
     */
    public void release(int n) {
        XskRing.soWord(ring, consumerOff, XskRing.lpWord(ring, consumerOff) + n);
    }

    /** Un-peeks the last {@code n} peeked and unreleased entries: {@code xsk_ring_cons__cancel()}. */
    public void cancel(int n) {
        cachedCons -= n;
    }

    // ---------------------------------------------------------------------------------------- entries

    private long entry(int idx) {
        return descOff + ((long) (idx & mask) << entryShift);
    }

    /** The address of entry {@code idx}: the whole entry on fill/completion, desc.addr on RX/TX. */
    public long addr(int idx) {
        return ring.get(ValueLayout.JAVA_LONG, entry(idx) + XdpDescLayout.ADDR);
    }

    /** desc.len of entry {@code idx}, on RX and TX. */
    public int len(int idx) {
        requireDescs();
        return ring.get(ValueLayout.JAVA_INT, entry(idx) + XdpDescLayout.LEN);
    }

    /** desc.options of entry {@code idx}, on RX and TX. */
    public int options(int idx) {
        requireDescs();
        return ring.get(ValueLayout.JAVA_INT, entry(idx) + XdpDescLayout.OPTIONS);
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

    /** Whether this side has asked for a wakeup: XDP_RING_NEED_WAKEUP, a READ_ONCE of the flags word. */
    public boolean needsWakeup() {
        return (XskRing.loWord(ring, flagsOff) & IfXdp.XDP_RING_NEED_WAKEUP) != 0;
    }

    /**
     * Sets or clears XDP_RING_NEED_WAKEUP, as the kernel's consumer side of fill and TX does
     * (xsk_set_rx_need_wakeup(), xsk_set_tx_need_wakeup()) when it stops polling. The kernel does a plain
     * read-modify-write: only the consumer's side writes this word, so no atomic update is needed, only
     * WRITE_ONCE visibility to the producer.
     */
    public void setNeedsWakeup(boolean on) {
        int f = XskRing.loWord(ring, flagsOff);
        XskRing.stoWord(ring, flagsOff, on ? f | IfXdp.XDP_RING_NEED_WAKEUP : f & ~IfXdp.XDP_RING_NEED_WAKEUP);
    }

    // ---------------------------------------------------------------------------------------- views

    public XskRingType type() { return type; }

    public int size() { return size; }

    /** The cached consumer: the next index peek() hands out. */
    public int cachedConsumer() { return cachedCons; }

    /** The shared producer index (load-acquire). */
    public int producer() { return XskRing.lvWord(ring, producerOff); }

    /** The shared consumer index, as the producer sees it (load-acquire). */
    public int consumer() { return XskRing.lvWord(ring, consumerOff); }
}
