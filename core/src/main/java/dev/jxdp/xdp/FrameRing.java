package dev.jxdp.xdp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * A bounded lock-free multi-producer multi-consumer ring of frame ids: the page pool's ptr_ring. Several
 * threads return frames at once (TX completion, cpumap consumers, other workers' redirects) and any worker
 * may refill from it, so both ends take concurrent callers.
 *
 * <p>Dmitry Vyukov's bounded queue: each slot carries a sequence number that says whose turn the slot is
 * (free for position p when it equals p, holding position p's id when it equals p + 1). A caller claims a
 * whole run of ready slots with one CAS on its index, so a bulk of 64 costs one contended operation, not 64.
 * The ids themselves are plain writes, published by the release store of each slot's sequence.
 *
 * <p>A slot claimed by another caller but not yet released (a consumer still copying out, a producer still
 * writing) ends a run early: {@link #offerBulk} and {@link #pollBulk} may move fewer than they could and
 * even 0 for that instant. Callers that must not lose a frame retry; see {@link PagePool}.
 *
 * <p>Nothing allocates after construction.
 */
public final class FrameRing extends FrameRingPad2 {

    private static final VarHandle SEQUENCE = MethodHandles.arrayElementVarHandle(long[].class);

    private final int capacity;
    private final int mask;
    private final int[] ids;
    private final long[] sequence;

    /** A ring of {@code capacity} slots, a power of two. */
    public FrameRing(int capacity) {
        if (capacity < 1 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("frame ring: capacity " + capacity + ": want a power of two");
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.ids = new int[capacity];
        this.sequence = new long[capacity];
        for (int i = 0; i < capacity; i++) {
            sequence[i] = i;
        }
        // the constructor's writes reach other threads through however the ring is published (a final field)
    }

    public int capacity() { return capacity; }

    /**
     * Moves up to {@code n} ids from {@code src[from..]} into the ring, in order; returns how many moved
     * (fewer when the ring is full, or for an instant when a consumer has not yet released a slot).
     */
    public int offerBulk(int[] src, int from, int n) {
        Objects.checkFromIndexSize(from, n, src.length);
        long tail;
        int run;
        do {
            tail = lvProducerIndex();
            run = 0;
            while (run < n) {
                long pos = tail + run;
                long dif = lvSequence((int) pos & mask) - pos;
                if (dif != 0) {
                    if (dif > 0 && run == 0) {
                        run = -1;   // another producer claimed pos: our tail is stale, read it again
                    }
                    break;
                }
                run++;
            }
            if (run == 0) {
                return 0;
            }
        } while (run < 0 || !casProducerIndex(tail, tail + run));
        for (int i = 0; i < run; i++) {
            long pos = tail + i;
            int slot = (int) pos & mask;
            ids[slot] = src[from + i];
            soSequence(slot, pos + 1);
        }
        return run;
    }

    /**
     * Moves up to {@code max} ids from the ring into {@code dst[from..]}, oldest first; returns how many
     * moved (fewer when the ring holds fewer, or for an instant when a producer has not yet published).
     */
    public int pollBulk(int[] dst, int from, int max) {
        Objects.checkFromIndexSize(from, max, dst.length);
        long head;
        int run;
        do {
            head = lvConsumerIndex();
            run = 0;
            while (run < max) {
                long pos = head + run;
                long dif = lvSequence((int) pos & mask) - (pos + 1);
                if (dif != 0) {
                    if (dif > 0 && run == 0) {
                        run = -1;   // another consumer took pos: our head is stale, read it again
                    }
                    break;
                }
                run++;
            }
            if (run == 0) {
                return 0;
            }
        } while (run < 0 || !casConsumerIndex(head, head + run));
        for (int i = 0; i < run; i++) {
            long pos = head + i;
            int slot = (int) pos & mask;
            dst[from + i] = ids[slot];
            soSequence(slot, pos + capacity);   // the slot is free for the producer one lap later
        }
        return run;
    }

    /**
     * Ids in the ring, counting slots claimed by producers and not counting slots claimed by consumers:
     * exact when no call is in flight, an estimate within the in-flight bulks otherwise.
     */
    public int size() {
        long head = lvConsumerIndex();   // head first: tail can only grow past it meanwhile
        long tail = lvProducerIndex();
        long size = tail - head;
        return (int) Math.max(0, Math.min(capacity, size));
    }

    /**
     * Ids ever moved in: the producer index, one acquire load. The ring's own count of what its producers
     * delivered, so a device that counts its transmits needs no counter (and no atomic) of its own.
     */
    public long produced() { return lvProducerIndex(); }

    /** Ids ever moved out: the consumer index, one acquire load. */
    public long consumed() { return lvConsumerIndex(); }

    private long lvSequence(int slot) { return (long) SEQUENCE.getAcquire(sequence, slot); }

    private void soSequence(int slot, long value) { SEQUENCE.setRelease(sequence, slot, value); }
}

/*
 * The two indices live in a chain of superclasses because HotSpot lays out a superclass's fields before
 * its subclass's: 128 bytes of padding (two cache lines, for the adjacent-line prefetcher) go between the
 * object header, the producer index, the consumer index and the ring's read-mostly fields (capacity,
 * mask, the two arrays), so producers and consumers on different cores do not invalidate each other's
 * line on every claim, and neither invalidates the line of the fields both only read. (The JVM may put a
 * small subclass field into the 4-byte hole after the header; that is still 128 bytes from an index.)
 */

abstract class FrameRingPad0 {
    // separates the object header (and the heap neighbour before it) from producerIndex
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

abstract class FrameRingProducerIndex extends FrameRingPad0 {
    private static final VarHandle PRODUCER_INDEX;

    static {
        try {
            PRODUCER_INDEX = MethodHandles.lookup()
                    .findVarHandle(FrameRingProducerIndex.class, "producerIndex", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The next position a producer claims; only ever grows. */
    private volatile long producerIndex;

    final long lvProducerIndex() { return (long) PRODUCER_INDEX.getAcquire(this); }

    final boolean casProducerIndex(long expect, long update) {
        return PRODUCER_INDEX.compareAndSet(this, expect, update);
    }
}

abstract class FrameRingPad1 extends FrameRingProducerIndex {
    // separates producerIndex from consumerIndex
    long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;
}

abstract class FrameRingConsumerIndex extends FrameRingPad1 {
    private static final VarHandle CONSUMER_INDEX;

    static {
        try {
            CONSUMER_INDEX = MethodHandles.lookup()
                    .findVarHandle(FrameRingConsumerIndex.class, "consumerIndex", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The next position a consumer claims; only ever grows, never past producerIndex. */
    private volatile long consumerIndex;

    final long lvConsumerIndex() { return (long) CONSUMER_INDEX.getAcquire(this); }

    final boolean casConsumerIndex(long expect, long update) {
        return CONSUMER_INDEX.compareAndSet(this, expect, update);
    }
}

abstract class FrameRingPad2 extends FrameRingConsumerIndex {
    // separates consumerIndex from the ring's read-mostly fields and the heap neighbour after the ring
    long r00, r01, r02, r03, r04, r05, r06, r07, r08, r09, r10, r11, r12, r13, r14, r15;
}
