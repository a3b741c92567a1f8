package dev.jxdp.xsk;

/**
 * xdpsock's rxdrop, the application side of one socket: takes received frames off the RX ring in batches
 * and gives their chunks straight back to the fill ring, touching nothing else. Runs on a thread of its
 * own (the user-space process), against the datapath's worker (the kernel side) through the rings only.
 */
public final class XskRxDrop implements Runnable {

    private final XdpSock sock;
    private final int batch;
    private volatile boolean stop;
    // written by this thread, read racily by whoever prints stats
    private volatile long received;
    private long taken;

    /** rxdrop on {@code sock}, up to {@code batch} descriptors per peek (xdpsock's --batch-size). */
    public XskRxDrop(XdpSock sock, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch " + batch + ": want 1 or more");
        }
        this.sock = sock;
        this.batch = batch;
    }

    /**
     * Gives the socket's fill ring as many chunks as it holds, or as the UMEM has (xdpsock's
     * xsk_populate_fill_ring()): chunk i at {@link Umem#frameAddr(int)}. Call once, before traffic.
     */
    public static int populateFillRing(XdpSock sock) {
        XskProdRing fill = sock.fill();
        int n = Math.min(sock.umem().frames(), fill.freeEntries(sock.umem().frames()));
        int got = fill.reserve(n);
        int first = fill.firstIndex();
        for (int i = 0; i < got; i++) {
            fill.setAddr(first + i, sock.umem().frameAddr(i));
        }
        fill.submit(got);
        return got;
    }

    @Override
    public void run() {
        while (!stop) {
            if (step() == 0) {
                Thread.onSpinWait();
            }
        }
    }

    /**
     * One batch: up to {@code batch} frames off the RX ring, their chunks back on the fill ring; returns
     * how many (0: none ready). What {@link #run()} loops on, and what a busy-polling application calls
     * between the datapath's polls on the same thread (xdpsock -B, the seed's setup).
     */
    public int step() {
        XskConsRing rx = sock.rx();
        int n = rx.peek(batch);
        if (n == 0) {
            return 0;
        }
        XskProdRing fill = sock.fill();
        // every chunk this socket owns is on the fill ring or in the RX ring: room for the n we hold. Were a
        // chunk ever counted twice there would never be room; stop() still ends the wait, the frames left
        // on the RX ring, so the run ends and its accounting shows the fault instead of hanging
        while (fill.reserve(n) == 0) {
            if (stop) {
                rx.cancel(n);
                return 0;
            }
            Thread.onSpinWait();
        }
        int from = rx.firstIndex();
        int to = fill.firstIndex();
        Umem umem = sock.umem();
        for (int i = 0; i < n; i++) {
            fill.setAddr(to + i, umem.chunkBase(rx.addr(from + i)));
        }
        fill.submit(n);
        rx.release(n);
        taken += n;
        received = taken;
        return n;
    }

    /** Asks the loop to end (it ends after its current batch). */
    public void stop() { stop = true; }

    /** Frames taken off the RX ring so far. */
    public long received() { return received; }

    /** The socket. */
    public XdpSock sock() { return sock; }
}
