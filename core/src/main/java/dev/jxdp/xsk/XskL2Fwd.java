package dev.jxdp.xsk;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * xdpsock's l2fwd, the application side of one socket: each received frame gets its MAC addresses swapped
 * in place in its chunk and goes out on the TX ring as it is; the chunks the completion ring gives back go
 * to the fill ring. Every chunk is in exactly one place: fill, RX, this thread, TX or completion.
 */
public final class XskL2Fwd implements Runnable {

    private final XdpSock sock;
    private final int batch;
    private volatile boolean stop;
    private volatile long forwarded;

    /** l2fwd on {@code sock}, up to {@code batch} descriptors per step. */
    public XskL2Fwd(XdpSock sock, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch " + batch + ": want 1 or more");
        }
        this.sock = sock;
        this.batch = batch;
    }

    @Override
    public void run() {
        XskConsRing rx = sock.rx();
        XskProdRing tx = sock.tx();
        XskConsRing comp = sock.completion();
        XskProdRing fill = sock.fill();
        MemorySegment umem = sock.umem().region();
        Umem u = sock.umem();
        long n0 = 0;
        while (!stop) {
            boolean idle = true;
            // completions first: their chunks refill the fill ring (it has room: these chunks left it)
            int c = comp.peek(batch);
            if (c > 0) {
                idle = false;
                while (fill.reserve(c) == 0) {
                    Thread.onSpinWait();
                }
                int from = comp.firstIndex();
                int to = fill.firstIndex();
                for (int i = 0; i < c; i++) {
                    fill.setAddr(to + i, u.chunkBase(comp.addr(from + i)));
                }
                fill.submit(c);
                comp.release(c);
            }
            int n = rx.peek(batch);
            if (n > 0) {
                idle = false;
                if (tx.reserve(n) == 0) {
                    rx.cancel(n);  // TX full: the worker sends next poll; try again
                } else {
                    int from = rx.firstIndex();
                    int to = tx.firstIndex();
                    for (int i = 0; i < n; i++) {
                        long addr = rx.addr(from + i);
                        int len = rx.len(from + i);
                        swapMacs(umem, u.dataOffset(addr));
                        tx.setDesc(to + i, addr, len, 0);
                    }
                    tx.submit(n);
                    rx.release(n);
                    n0 += n;
                    forwarded = n0;
                }
            }
            if (idle) {
                Thread.onSpinWait();
            }
        }
    }

    // the destination and source MAC addresses exchanged, as xdpsock's swap_mac_addresses()
    private static void swapMacs(MemorySegment umem, long at) {
        long dst = umem.get(ValueLayout.JAVA_INT_UNALIGNED, at) & 0xffffffffL
                | (long) (umem.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + 4) & 0xffff) << 32;
        long src = umem.get(ValueLayout.JAVA_INT_UNALIGNED, at + 6) & 0xffffffffL
                | (long) (umem.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + 10) & 0xffff) << 32;
        umem.set(ValueLayout.JAVA_INT_UNALIGNED, at, (int) src);
        umem.set(ValueLayout.JAVA_SHORT_UNALIGNED, at + 4, (short) (src >>> 32));
        umem.set(ValueLayout.JAVA_INT_UNALIGNED, at + 6, (int) dst);
        umem.set(ValueLayout.JAVA_SHORT_UNALIGNED, at + 10, (short) (dst >>> 32));
    }

    /** Asks the loop to end. */
    public void stop() { stop = true; }

    /** Frames put on the TX ring so far. */
    public long forwarded() { return forwarded; }
}
