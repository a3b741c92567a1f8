package dev.jxdp.io.pktgen;

import dev.jxdp.xdp.FrameMeta;
import dev.jxdp.xdp.PagePool;
import dev.jxdp.xdp.RxDriver;

/**
 * pktgen as an RX queue: each receive fills fresh pages from the worker's pool cache with the generator's
 * next packets (the way a NIC writes into pages its driver took from the page pool). Stops after the
 * packets of sequence numbers {@code 0..count-1} (or never, with -1). When the pool is exhausted it
 * receives what it could and counts the rest as {@link #noBuffers()} (rx_missed: the NIC had nowhere to
 * put them).
 *
 * <p>One of several RX queues ({@code queues} > 1): the generator's single stream is spread by RSS, and
 * this driver generates exactly the packets whose flow's indirection-table entry is its queue, in stream
 * order, with the same bytes the one-queue stream has at those sequence numbers. It walks its own
 * positions of the flow sequence ({@link PktGen#positionsOnQueue}) period after period, so a packet for
 * another queue is never built or even skipped over.
 */
public final class PktGenDriver implements RxDriver {

    private final PktGen gen;
    private final PagePool pool;
    private final PagePool.Cache cache;
    private final FrameMeta meta;
    private final int ifindex;
    private final int queue;
    /** This queue's positions in the flow sequence, increasing, or null when it has them all (seq = generated). */
    private final int[] own;
    private final int period;
    /** This queue's share of the stream's packets, or -1 for no end. */
    private final long limit;
    private long generated;
    /** Where the queue is in the stream: the next packet is seq = round + own[next]; round steps by the period. */
    private long round;
    private int next;
    private long noBuffers;

    /** The only RX queue: every packet of the stream, sequence numbers {@code 0..count-1} (-1: no end). */
    public PktGenDriver(PktGen gen, PagePool pool, PagePool.Cache cache, int ifindex, int queue, long count) {
        this(gen, pool, cache, ifindex, queue, 1, count);
    }

    /**
     * RX queue {@code queue} of {@code queues}: the packets of the stream's first {@code count} (-1: no end)
     * whose flow RSS puts on this queue.
     */
    public PktGenDriver(PktGen gen, PagePool pool, PagePool.Cache cache, int ifindex, int queue, int queues, long count) {
        if (gen.maxFrameLen() > PagePool.FRAME_SIZE - PagePool.HEADROOM) {
            throw new IllegalArgumentException("pktgen: frames of " + gen.maxFrameLen() + " bytes do not fit a page");
        }
        this.gen = gen;
        this.pool = pool;
        this.cache = cache;
        this.meta = pool.meta();
        this.ifindex = ifindex;
        this.queue = queue;
        this.period = gen.period();
        if (queues == 1) {
            this.own = null;
            this.limit = count;
        } else {
            int[] mine = gen.positionsOnQueue(queue, queues);
            this.own = mine.length == period ? null : mine;
            this.limit = count < 0 ? (mine.length == 0 ? 0 : -1) : gen.packetsOnQueue(count, queue, queues);
        }
    }

    @Override
    public int receive(int[] ids, int from, int max) {
        int n = 0;
        while (n < max && (limit < 0 || generated < limit)) {
            long seq = nextSeq();
            int id = cache.alloc();
            if (id < 0) {
                noBuffers++;  // this packet found no page: missed, and the queue is dry for this poll
                break;
            }
            long page = pool.address(id);
            int len = gen.fill(page + PagePool.HEADROOM, PagePool.FRAME_SIZE - PagePool.HEADROOM, seq);
            meta.prepare(id, len, ifindex, queue);
            ids[from + n++] = id;
        }
        return n;
    }

    // the stream position of this queue's next packet, and the step past it
    private long nextSeq() {
        generated++;
        if (own == null) {
            return generated - 1;
        }
        long seq = round + own[next];
        if (++next == own.length) {
            next = 0;
            round += period;
        }
        return seq;
    }

    /** Whether this queue has generated all its packets (never, without a count). */
    @Override
    public boolean done() {
        return limit >= 0 && generated >= limit;
    }

    /** Packets this queue generated so far (received or missed). */
    public long generated() { return generated; }

    /** This queue's share of the stream's count: how many packets it generates in all (-1: no end). */
    public long limit() { return limit; }

    /** Packets the pool had no page for. */
    public long noBuffers() { return noBuffers; }
}
