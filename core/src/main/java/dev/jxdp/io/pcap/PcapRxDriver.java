package dev.jxdp.io.pcap;

import dev.jxdp.ebpf.runtime.XdpBuff;
import dev.jxdp.xdp.FrameMeta;
import dev.jxdp.xdp.PagePool;
import dev.jxdp.xdp.RxDriver;

/**
 * A capture file as an RX queue: each receive copies the next packets into fresh pages from the worker's
 * pool cache, until the end of the file. A packet longer than a page can hold after the headroom and
 * tailroom ({@link XdpBuff#MAX_DATA}) is dropped and counted as {@link #oversize()}, as a NIC counts
 * rx_length_errors for frames over its MTU; a packet with no free page is counted as {@link #noBuffers()}.
 */
public final class PcapRxDriver implements RxDriver {

    private final PcapReader reader;
    private final PagePool pool;
    private final PagePool.Cache cache;
    private final FrameMeta meta;
    private final int ifindex;
    private final int queue;
    private boolean done;
    private long oversize;
    private long noBuffers;

    public PcapRxDriver(PcapReader reader, PagePool pool, PagePool.Cache cache, int ifindex, int queue) {
        this.reader = reader;
        this.pool = pool;
        this.cache = cache;
        this.meta = pool.meta();
        this.ifindex = ifindex;
        this.queue = queue;
    }

    @Override
    public int receive(int[] ids, int from, int max) {
        int n = 0;
        while (n < max && !done) {
            if (!reader.next()) {
                done = true;
                break;
            }
            int len = reader.capturedLength();
            if (len > XdpBuff.MAX_DATA) {
                oversize++;
                continue;
            }
            int id = cache.alloc();
            if (id < 0) {
                noBuffers++;
                break;
            }
            reader.copyTo(pool.address(id) + PagePool.HEADROOM, len);
            meta.prepare(id, len, ifindex, queue);
            ids[from + n++] = id;
        }
        return n;
    }

    /** Whether the file has no more packets. */
    public boolean done() { return done; }

    public long oversize() { return oversize; }

    public long noBuffers() { return noBuffers; }
}
