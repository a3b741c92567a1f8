package dev.jxdp.xdp;

/**
 * A network device frames can be redirected to: its ifindex, its name and the transmit half of its
 * driver (ndo_xdp_xmit). A device that is down refuses redirected frames, which are then counted as
 * redirect errors, as __xdp_enqueue() finds no running device.
 */
public final class NetDevice {

    private final int ifindex;
    private final String name;
    private final TxDriver tx;
    private volatile boolean up = true;

    public NetDevice(int ifindex, String name, TxDriver tx) {
        if (ifindex <= 0) {
            throw new IllegalArgumentException("device " + name + ": ifindex " + ifindex + ", want 1 or more");
        }
        this.ifindex = ifindex;
        this.name = name;
        this.tx = tx;
    }

    public int ifindex() { return ifindex; }

    public String name() { return name; }

    public TxDriver tx() { return tx; }

    public boolean isUp() { return up; }

    public void setUp(boolean up) { this.up = up; }

    @Override
    public String toString() {
        return name + " (ifindex " + ifindex + ")";
    }
}
