package dev.jxdp.io.pktgen;

import dev.jxdp.xdp.FrameMeta;
import dev.jxdp.xdp.PagePool;
import dev.jxdp.xdp.RxDriver;

/**
 * pktgen as an RX queue: each receive fills fresh pages from the worker's pool cache with the generator's
 * next packets (the way a NIC writes into pages its driver took from the page pool). Stops after
 * {@code count} packets (or never, with -1). When the pool is exhausted it receives what it could and
 * counts the rest as {@link #noBuffers()} (rx_missed: the NIC had nowhere to put them).
 */
public final class PktGenDriver implements RxDriver {

    private final PktGen gen;
    private final PagePool pool;
    private final PagePool.Cache cache;
    private final FrameMeta meta;
    private final int ifindex;
    private final int queue;
    private final long count;
    private long seq;
    private long noBuffers;

    public PktGenDriver(PktGen gen, PagePool pool, PagePool.Cache cache, int ifindex, int queue, long count) {
        if (gen.maxFrameLen() > PagePool.FRAME_SIZE - PagePool.HEADROOM) {
            throw new IllegalArgumentException("pktgen: frames of " + gen.maxFrameLen() + " bytes do not fit a page");
        }
        this.gen = gen;
        this.pool = pool;
        this.cache = cache;
        this.meta = pool.meta();
        this.ifindex = ifindex;
        this.queue = queue;
        this.count = count;
    }

    @Override
    public int receive(int[] ids, int from, int max) {
        int n = 0;
        while (n < max && (count < 0 || seq < count)) {
            int id = cache.alloc();
            if (id < 0) {
                noBuffers++;  // this packet found no page: missed, and the queue is dry for this poll
                seq++;
                break;
            }
            long page = pool.address(id);
            int len = gen.fill(page + PagePool.HEADROOM, PagePool.FRAME_SIZE - PagePool.HEADROOM, seq++);
            meta.prepare(id, len, ifindex, queue);
            ids[from + n++] = id;
        }
        return n;
    }

    /** Packets generated so far (received or missed). */
    public long generated() { return seq; }

    /** Packets the pool had no page for. */
    public long noBuffers() { return noBuffers; }
}
