package dev.jxdp.io.pcap;

import dev.jxdp.xdp.FrameMeta;
import dev.jxdp.xdp.PagePool;
import dev.jxdp.xdp.TxDriver;

/**
 * Transmits into a capture file: each frame's bytes (data to data_end) become one record, then the page
 * goes back to its pool, as TX completion returns it. Never full.
 *
 * <p>Over the writer itself it is confined to the writer's thread; over a {@link PcapWriter.Lane} to the
 * lane's thread (one TX queue per worker, as XDP_TX uses). {@link #shared} makes one that any thread may
 * call, a lock per bulk: a device every worker may redirect to.
 */
public final class PcapTxDriver implements TxDriver {

    private final PcapWriter writer;
    private final PcapWriter.Lane lane;
    private final PagePool pool;
    private final FrameMeta meta;

    public PcapTxDriver(PcapWriter writer, PagePool pool) {
        this(writer, null, pool);
    }

    /** Transmits through {@code lane}: callable from the lane's thread only. */
    public PcapTxDriver(PcapWriter.Lane lane, PagePool pool) {
        this(null, lane, pool);
    }

    private PcapTxDriver(PcapWriter writer, PcapWriter.Lane lane, PagePool pool) {
        this.writer = writer;
        this.lane = lane;
        this.pool = pool;
        this.meta = pool.meta();
    }

    /**
     * A driver any thread may transmit through: one lane of {@code writer}, taken under a lock per bulk
     * (the kernel's ndo_xdp_xmit on a device with fewer TX queues than CPUs takes the queue's lock likewise).
     */
    public static TxDriver shared(PcapWriter writer, PagePool pool) {
        PcapTxDriver d = new PcapTxDriver(writer.lane(), pool);
        return (ids, from, n) -> {
            synchronized (d) {
                return d.transmit(ids, from, n);
            }
        };
    }

    @Override
    public int transmit(int[] ids, int from, int n) {
        long now = System.currentTimeMillis() * 1_000_000L;
        for (int i = from; i < from + n; i++) {
            int id = ids[i];
            if (lane != null) {
                lane.write(pool.address(id) + meta.dataOffset(id), meta.length(id), now);
            } else {
                writer.write(pool.address(id) + meta.dataOffset(id), meta.length(id), now);
            }
        }
        pool.returnBulk(ids, from, n);
        return n;
    }
}
