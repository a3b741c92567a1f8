package dev.jxdp.io.veth;

import dev.jxdp.xdp.PagePool;

/**
 * An in-memory veth pair (drivers/net/veth.c): two devices joined back to back, so what one end
 * transmits arrives on the other end's RX ring. Frames travel as ids of one shared {@link PagePool}
 * (the xdp_frame is handed over, not copied), which is why both ends take the same pool.
 *
 * <p>Register {@link Veth#device()} of either end with the datapath's {@code NetDevices} to make it a
 * target of XDP_REDIRECT; poll the other end's RX ring ({@link Veth#receive}) with a worker, or drop
 * what arrives with {@link Veth#dropReceived}.
 */
public final class VethPair {

    /** The kernel's VETH_RING_SIZE: frames each end's XDP RX ring holds. */
    public static final int DEFAULT_RING_FRAMES = 256;

    private final Veth a;
    private final Veth b;

    private VethPair(Veth a, Veth b) {
        this.a = a;
        this.b = b;
    }

    /** Two ends sharing a page pool; each end's RX ring holds {@code ringFrames} frame ids (power of two). */
    public static VethPair create(PagePool pool, String nameA, int ifindexA, String nameB, int ifindexB, int ringFrames) {
        if (ringFrames < 1 || Integer.bitCount(ringFrames) != 1) {
            throw new IllegalArgumentException("veth " + nameA + "/" + nameB + ": ring of " + ringFrames
                    + " frames: want a power of two");
        }
        if (ifindexA == ifindexB) {
            throw new IllegalArgumentException("veth " + nameA + "/" + nameB + ": both ends have ifindex " + ifindexA);
        }
        Veth a = new Veth(pool, nameA, ifindexA, ringFrames);
        Veth b = new Veth(pool, nameB, ifindexB, ringFrames);
        a.pair(b);
        b.pair(a);
        return new VethPair(a, b);
    }

    public Veth a() { return a; }

    public Veth b() { return b; }
}
