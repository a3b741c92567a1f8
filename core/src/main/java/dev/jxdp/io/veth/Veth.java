package dev.jxdp.io.veth;

import dev.jxdp.xdp.FrameMeta;
import dev.jxdp.xdp.FrameRing;
import dev.jxdp.xdp.NetDevice;
import dev.jxdp.xdp.PagePool;
import dev.jxdp.xdp.RxDriver;
import dev.jxdp.xdp.TxDriver;

import java.util.concurrent.atomic.LongAdder;

/**
 * One end of a {@link VethPair}: a device whose transmit (ndo_xdp_xmit) puts frames on the peer's RX ring
 * and whose receive takes them off its own, as veth_xdp_xmit() and veth_xdp_rcv() pass xdp_frames
 * through the peer's ptr_ring. The frame keeps its bounds and metadata ({@link FrameMeta}); on receive it
 * takes this end's ifindex and queue 0 as its RX queue, as the peer's xdp_rxq does.
 *
 * <p>Any number of threads may transmit into the same end at once (each worker's redirect flush) and
 * another may receive: the ring is lock-free MPMC and a bulk costs one claim. Neither side blocks or
 * allocates per packet. The packet counters cost nothing on the way: what this end transmitted is what
 * entered the peer's ring (its producer index), what it received is what left its own (its consumer
 * index), both read with acquire loads; only the rare refusals keep striped adders.
 *
 * <p>Transmit refuses, as the kernel does:
 * <ul>
 * <li>everything while either end is down: the kernel's veth_xdp_xmit() finds no NAPI on a peer that is
 *     down and returns -ENXIO, so the whole bulk is dropped by the caller (xdp_do_flush counts it); an end
 *     that is down itself is refused earlier, by xdp_ok_fwd_dev() (-ENETDOWN), which a direct caller of
 *     transmit meets here;
 * <li>from the first frame longer than the peer's MTU allows ({@link #MAX_FRAME_LEN}) on, and from the
 *     first frame that finds the peer's ring full on: the kernel stops the bulk there and the caller
 *     drops the rest.
 * </ul>
 */
public final class Veth implements RxDriver, TxDriver {

    /** The peer's default MTU (ETH_DATA_LEN). */
    public static final int MTU = 1500;
    /** veth_xdp_xmit()'s max_len: MTU + hard_header_len (ETH_HLEN) + VLAN_HLEN. */
    public static final int MAX_FRAME_LEN = MTU + 14 + 4;
    /** Retries of a bulk that met a slot a consumer had claimed but not yet released (not a full ring). */
    private static final int RELEASE_SPINS = 64;

    private final PagePool pool;
    private final FrameMeta meta;
    private final NetDevice device;
    /** This end's RX ring: what the peer transmits. */
    private final FrameRing ring;
    /** Set once by {@link VethPair#create}, before the pair is published. */
    private Veth peer;
    private final LongAdder txErrors = new LongAdder();
    private final LongAdder txRingFull = new LongAdder();

    Veth(PagePool pool, String name, int ifindex, int ringFrames) {
        this.pool = pool;
        this.meta = pool.meta();
        this.device = new NetDevice(ifindex, name, this);
        this.ring = new FrameRing(ringFrames);
    }

    void pair(Veth peer) {
        this.peer = peer;
    }

    /** The device: name, ifindex, {@code tx() == this}; what XDP_REDIRECT targets. */
    public NetDevice device() { return device; }

    public Veth peer() { return peer; }

    /**
     * Moves frames {@code ids[from..from+n)} onto the peer's RX ring in one bulk and returns how many it
     * took (the first ones); the caller drops and counts the rest. Never blocks.
     */
    @Override
    public int transmit(int[] ids, int from, int n) {
        Veth rcv = peer;
        if (!device.isUp() || !rcv.device.isUp()) {
            txErrors.add(n);
            return 0;
        }
        int fit = n;
        for (int i = 0; i < n; i++) {
            if (meta.length(ids[from + i]) > MAX_FRAME_LEN) {
                fit = i;
                break;
            }
        }
        FrameRing target = rcv.ring;
        int moved = target.offerBulk(ids, from, fit);
        if (moved < fit) {
            moved += retryRelease(target, ids, from + moved, fit - moved);
        }
        if (moved < n) {
            txRingFull.add(fit - moved);
            txErrors.add(n - moved);
        }
        return moved;
    }

    // a short move is a full ring, or an instant in which a receiver has claimed slots it has not released
    private static int retryRelease(FrameRing target, int[] ids, int from, int n) {
        int moved = 0;
        for (int spin = 0; moved < n && spin < RELEASE_SPINS && target.size() < target.capacity(); spin++) {
            Thread.onSpinWait();
            moved += target.offerBulk(ids, from + moved, n - moved);
        }
        return moved;
    }

    /** Takes up to {@code max} frames the peer transmitted off this end's RX ring, oldest first. */
    @Override
    public int receive(int[] ids, int from, int max) {
        int n = ring.pollBulk(ids, from, max);
        if (n > 0) {
            int ifindex = device.ifindex();
            for (int i = from; i < from + n; i++) {
                meta.arrived(ids[i], ifindex, 0);
            }
        }
        return n;
    }

    /**
     * Receives what is on this end's RX ring (up to {@code scratch.length} frames) and gives the frames back
     * to the pool, as a peer without an XDP program whose stack drops everything; returns how many.
     * Callable from any one thread at a time per scratch array.
     */
    public int dropReceived(int[] scratch) {
        // received as receive() does, but freed unread: no frame needs this end's ifindex written first
        int n = ring.pollBulk(scratch, 0, scratch.length);
        if (n > 0) {
            pool.returnBulk(scratch, 0, n);
        }
        return n;
    }

    /** Frames waiting on this end's RX ring now (an estimate while others move frames). */
    public int pending() { return ring.size(); }

    /** Frames this end handed to the peer. */
    public long txPackets() { return peer.ring.produced(); }

    /** Frames this end received from the peer. */
    public long rxPackets() { return ring.consumed(); }

    /** Frames refused because the peer's RX ring was full. */
    public long txRingFull() { return txRingFull.sum(); }

    /** Frames refused for any reason: an end down, longer than {@link #MAX_FRAME_LEN}, or a full ring. */
    public long txErrors() { return txErrors.sum(); }

    @Override
    public String toString() {
        return device.toString();
    }
}
