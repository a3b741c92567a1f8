package dev.jxdp.bench;

import dev.jxdp.xdp.PagePool;
import dev.jxdp.xdp.TxDriver;

/**
 * The benchmark device's transmit side: the wire takes every frame and its TX completion comes at once,
 * in the same NAPI context, recycling the page into the worker's cache as a driver's TX clean-up does for
 * XDP_TX frames of its own page pool. Never full. Called only from the worker's thread.
 */
final class WireTx implements TxDriver {

    private final PagePool.Cache cache;
    private long sent;

    WireTx(PagePool.Cache cache) {
        this.cache = cache;
    }

    @Override
    public int transmit(int[] ids, int from, int n) {
        for (int i = 0; i < n; i++) {
            cache.recycleDirect(ids[from + i]);
        }
        sent += n;
        return n;
    }

    long sent() { return sent; }
}
