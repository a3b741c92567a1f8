package dev.jxdp.io.pcap;

import dev.jxdp.ebpf.runtime.XdpBuff;
import dev.jxdp.io.Rss;
import dev.jxdp.xdp.FrameMeta;
import dev.jxdp.xdp.PagePool;
import dev.jxdp.xdp.RxDriver;

/**
 * A capture file as an RX queue: each receive copies the next packets into fresh pages from the worker's
 * pool cache, until the end of the file. A packet longer than a page can hold after the headroom and
 * tailroom ({@link XdpBuff#MAX_DATA}) is dropped and counted as {@link #oversize()}, as a NIC counts
 * rx_length_errors for frames over its MTU; a packet with no free page is counted as {@link #noBuffers()}.
 *
 * <p>One of several RX queues ({@code queues} > 1): the driver takes only the packets whose RSS hash
 * ({@link Rss}: the IPv4/IPv6 and TCP/UDP 4-tuple, non-IP to queue 0) the indirection table gives its
 * queue, and counts its misses and oversize packets among those only. Each queue reads the file through
 * its own {@link PcapReader} (a mapping of the same file, shared in the page cache): a queue looks at
 * every record's headers but copies only its own packets, and the queues never wait for each other.
 */
public final class PcapRxDriver implements RxDriver {

    private final PcapReader reader;
    private final PagePool pool;
    private final PagePool.Cache cache;
    private final FrameMeta meta;
    private final int ifindex;
    private final int queue;
    private final int queues;
    /** Records of the file to read, or -1 for all. */
    private final long limit;
    private boolean done;
    private long oversize;
    private long noBuffers;

    /** The only RX queue: every packet of the capture. */
    public PcapRxDriver(PcapReader reader, PagePool pool, PagePool.Cache cache, int ifindex, int queue) {
        this(reader, pool, cache, ifindex, queue, 1, -1);
    }

    /**
     * RX queue {@code queue} of {@code queues}: its share, by RSS, of the capture's first {@code limit}
     * packets (-1: all of them); {@code reader} is this queue's own.
     */
    public PcapRxDriver(PcapReader reader, PagePool pool, PagePool.Cache cache, int ifindex, int queue, int queues,
                        long limit) {
        Rss.checkQueues(queues);
        java.util.Objects.checkIndex(queue, queues);
        this.reader = reader;
        this.pool = pool;
        this.cache = cache;
        this.meta = pool.meta();
        this.ifindex = ifindex;
        this.queue = queue;
        this.queues = queues;
        this.limit = limit;
    }

    @Override
    public int receive(int[] ids, int from, int max) {
        int n = 0;
        while (n < max && !done) {
            if (limit >= 0 && reader.index() + 1 >= limit || !reader.next()) {
                done = true;
                break;
            }
            int len = reader.capturedLength();
            if (queues > 1 && Rss.queueOf(reader.dataAddress(), len, queues) != queue) {
                continue;  // another queue's packet
            }
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

    /** Whether the file (or its first {@code limit} packets) has no more packets for this queue. */
    @Override
    public boolean done() { return done; }

    public long oversize() { return oversize; }

    public long noBuffers() { return noBuffers; }
}
