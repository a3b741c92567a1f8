package dev.jxdp.xsk;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * xdpsock's txonly, the application side of one socket: the same 64-byte UDP frame (60 bytes without the
 * FCS) written once into every chunk, then sent over and over: chunks go out on the TX ring in batches
 * and come back on the completion ring. Nothing is received.
 */
public final class XskTxOnly implements Runnable {

    /** The frame's length on the wire without the FCS, as pktgen's 64-byte frames. */
    public static final int FRAME_LEN = 60;

    private final XdpSock sock;
    private final int batch;
    private final long[] free;
    private int freeCount;
    private volatile boolean stop;
    private volatile long completed;

    /** txonly on {@code sock}, up to {@code batch} descriptors per step; writes the frame into every chunk. */
    public XskTxOnly(XdpSock sock, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch " + batch + ": want 1 or more");
        }
        this.sock = sock;
        this.batch = batch;
        Umem u = sock.umem();
        this.free = new long[u.frames()];
        byte[] frame = udpFrame();
        MemorySegment m = u.region();
        for (int i = 0; i < u.frames(); i++) {
            long at = u.frameAddr(i);
            MemorySegment.copy(frame, 0, m, ValueLayout.JAVA_BYTE, at, frame.length);
            free[freeCount++] = at;
        }
    }

    @Override
    public void run() {
        XskProdRing tx = sock.tx();
        XskConsRing comp = sock.completion();
        long[] f = free;
        long done = 0;
        while (!stop) {
            int c = comp.peek(batch);
            if (c > 0) {
                int from = comp.firstIndex();
                for (int i = 0; i < c; i++) {
                    f[freeCount++] = comp.addr(from + i);
                }
                comp.release(c);
                done += c;
                completed = done;
            }
            int want = Math.min(batch, freeCount);
            int n = want == 0 ? 0 : tx.reserveUpTo(want);
            if (n > 0) {
                int to = tx.firstIndex();
                for (int i = 0; i < n; i++) {
                    tx.setDesc(to + i, f[--freeCount], FRAME_LEN, 0);
                }
                tx.submit(n);
            } else if (c == 0) {
                Thread.onSpinWait();
            }
        }
    }

    /** Asks the loop to end. */
    public void stop() { stop = true; }

    /** Frames the completion ring gave back: sent. */
    public long completed() { return completed; }

    // Ethernet (02:00:00:00:00:02 from 02:00:00:00:00:01), IPv4 10.0.0.1 -> 10.0.0.2 with its checksum, UDP
    // port 9 (discard) from 1234, 18 bytes of payload: 60 bytes
    static byte[] udpFrame() {
        byte[] b = new byte[FRAME_LEN];
        byte[] head = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00,
            0x45, 0, 0, 46, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
            0x04, (byte) 0xd2, 0, 9, 0, 26, 0, 0};
        System.arraycopy(head, 0, b, 0, head.length);
        int sum = 0;
        for (int i = 14; i < 34; i += 2) {
            sum += (b[i] & 0xff) << 8 | b[i + 1] & 0xff;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        int check = ~sum & 0xffff;
        b[24] = (byte) (check >>> 8);
        b[25] = (byte) check;
        return b;
    }
}
