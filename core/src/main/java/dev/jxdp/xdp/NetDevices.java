package dev.jxdp.xdp;

import java.util.Arrays;

/**
 * The devices of one datapath by ifindex (dev_get_by_index()): an array indexed by ifindex, replaced
 * whole when a device is added, so workers look devices up without a lock or a hash.
 */
public final class NetDevices {

    private volatile NetDevice[] byIndex = new NetDevice[16];

    /** Adds a device; its ifindex must be free. */
    public synchronized void add(NetDevice d) {
        NetDevice[] cur = byIndex;
        if (d.ifindex() < cur.length && cur[d.ifindex()] != null) {
            throw new IllegalArgumentException("ifindex " + d.ifindex() + " is taken by " + cur[d.ifindex()]);
        }
        NetDevice[] next = Arrays.copyOf(cur, Math.max(cur.length, Integer.highestOneBit(d.ifindex()) << 1));
        next[d.ifindex()] = d;
        byIndex = next;
    }

    /** The device with this ifindex, or null. */
    public NetDevice get(int ifindex) {
        NetDevice[] cur = byIndex;
        return ifindex > 0 && ifindex < cur.length ? cur[ifindex] : null;
    }

    /** One more than the largest ifindex a device may have now (array sizes for per-device state). */
    public int capacity() {
        return byIndex.length;
    }
}
