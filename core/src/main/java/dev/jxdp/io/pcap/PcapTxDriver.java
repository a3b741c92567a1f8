package dev.jxdp.io.pcap;

import dev.jxdp.xdp.FrameMeta;
import dev.jxdp.xdp.PagePool;
import dev.jxdp.xdp.TxDriver;

/**
 * Transmits into a capture file: each frame's bytes (data to data_end) become one record, then the page
 * goes back to its pool, as TX completion returns it. Never full. Confined to the writer's thread.
 */
public final class PcapTxDriver implements TxDriver {

    private final PcapWriter writer;
    private final PagePool pool;
    private final FrameMeta meta;

    public PcapTxDriver(PcapWriter writer, PagePool pool) {
        this.writer = writer;
        this.pool = pool;
        this.meta = pool.meta();
    }

    @Override
    public int transmit(int[] ids, int from, int n) {
        long now = System.currentTimeMillis() * 1_000_000L;
        for (int i = from; i < from + n; i++) {
            int id = ids[i];
            writer.write(pool.address(id) + meta.dataOffset(id), meta.length(id), now);
        }
        pool.returnBulk(ids, from, n);
        return n;
    }
}
