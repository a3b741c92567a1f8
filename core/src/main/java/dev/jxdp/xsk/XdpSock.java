package dev.jxdp.xsk;

import dev.jxdp.ebpf.maps.Errno;
import dev.jxdp.ebpf.maps.XskSocketRef;
import dev.jxdp.ebpf.mem.Mem;

import java.lang.foreign.Arena;

/**
 * An AF_XDP socket as jxdp's datapath receives into it and sends from it (net/xdp/xsk.c): bound to one
 * device and RX queue, with its UMEM and its four rings. The datapath is the kernel here. In copy mode it
 * consumes the fill ring, copies each frame redirected to the socket into the chunk it took ({@link #rcv}),
 * and its worker sends what the TX ring holds by copying, completing each chunk at once. In zero-copy mode
 * the queue's page pool is the UMEM (PagePool.overUmem): the pool takes chunks off the fill ring
 * ({@link #xpAllocFill}), a redirected frame is already in its chunk ({@link #rcvZeroCopy}), and a TX
 * chunk is sent as it is and completes when the device gives it back. Either way the RX ring is published
 * at the end of the poll ({@link #flush()}, xsk_flush() at xdp_do_flush()). The application is the user
 * side: {@link #fill()} to give chunks, {@link #rx()} to take frames. Several sockets may share a UMEM
 * ({@link #shared}, XDP_SHARED_UMEM).
 *
 * <p>The kernel's side runs on the worker thread of the queue the socket is bound to; the user side on one
 * thread of the application's. Their only meeting points are the rings' indices, with the ordering
 * {@link XskRing} names.
 */
public final class XdpSock implements XskSocketRef, AutoCloseable {

    private final Umem umem;
    private final int ifindex;
    private final int queueId;
    // the kernel's ends, used by the queue's worker only
    private final XskConsRing fillCons;
    private final XskProdRing rxProd;
    private final XskConsRing txCons;
    private final XskProdRing compProd;
    // the user's ends
    private final XskProdRing fill;
    private final XskConsRing rx;
    private final XskProdRing tx;
    private final XskConsRing comp;
    // RX descriptors produced and not yet published, and fill entries consumed by copies and not yet
    // released (xsk_flush's job); zero-copy consumes the fill ring in the pool's refill, not here
    private int pending;
    private int pendingFill;
    // struct xdp_statistics' receive side, written by the worker, read racily (as per-CPU stats)
    private long rxPackets;
    private long rxDropped;
    private long rxRingFull;
    private long rxFillRingEmpty;
    private long rxInvalidFill;
    private long txPackets;
    private long txInvalidDescs;

    /**
     * A socket on RX queue {@code queueId} of device {@code ifindex} over {@code umem}, its rings of the
     * given sizes (powers of two; defaults {@link XskRing#DEFAULT_ENTRIES}).
     */
    public XdpSock(Umem umem, int ifindex, int queueId, int fillSize, int rxSize) {
        this(umem, ifindex, queueId, null, fillSize, rxSize);
    }

    // with {@code sharing}'s fill and completion rings (the same ends: one worker serves both sockets),
    // or rings of its own of fillSize entries when sharing is null
    private XdpSock(Umem umem, int ifindex, int queueId, XdpSock sharing, int fillSize, int rxSize) {
        this.umem = umem;
        this.ifindex = ifindex;
        this.queueId = queueId;
        // automatic: the rings outlive close() while a worker still holds the socket (xsk_release() waits
        // for an RCU grace period before freeing for the same reason), and go once nothing reaches them
        Arena arena = Arena.ofAuto();
        XskRing rxRing = XskRing.allocate(arena, XskRingType.RX, rxSize);
        XskRing txRing = XskRing.allocate(arena, XskRingType.TX, rxSize);
        if (sharing != null) {
            fillCons = sharing.fillCons;
            compProd = sharing.compProd;
            fill = sharing.fill;
            comp = sharing.comp;
        } else {
            XskRing fillRing = XskRing.allocate(arena, XskRingType.FILL, fillSize);
            XskRing compRing = XskRing.allocate(arena, XskRingType.COMPLETION, fillSize);
            fillCons = fillRing.consumer();
            compProd = compRing.producer();
            fill = fillRing.producer();
            comp = compRing.consumer();
        }
        rxProd = rxRing.producer();
        txCons = txRing.consumer();
        rx = rxRing.consumer();
        tx = txRing.producer();
    }

    /**
     * A socket on {@code first}'s UMEM (bind with XDP_SHARED_UMEM, libxdp's xsk_socket__create_shared()),
     * with the kernel's rule for the fill and completion rings: bound to the same device and queue as
     * {@code first}, it shares first's two rings and must not bring its own ({@code fillSize} 0); bound to
     * another queue or device, it needs its own ({@code fillSize} entries), as one fill ring has one
     * consumer, the datapath of its queue. Its RX and TX rings are its own either way ({@code rxSize}). A
     * violation, or a closed {@code first}, is an {@link IllegalArgumentException} saying which.
     */
    public static XdpSock shared(XdpSock first, int ifindex, int queueId, int fillSize, int rxSize) {
        if (first.closed()) {
            throw new IllegalArgumentException("shared UMEM: the first socket is closed (EBADF)");
        }
        boolean sameQueue = first.ifindex == ifindex && first.queueId == queueId;
        if (sameQueue && fillSize != 0) {
            throw new IllegalArgumentException("shared UMEM: a socket on the first socket's queue (ifindex " + ifindex
                    + " queue " + queueId + ") shares its fill and completion rings and cannot have its own (EINVAL)");
        }
        if (!sameQueue && fillSize == 0) {
            throw new IllegalArgumentException("shared UMEM: a socket on ifindex " + ifindex + " queue " + queueId
                    + " (the first is on ifindex " + first.ifindex + " queue " + first.queueId
                    + ") needs its own fill and completion rings (EINVAL)");
        }
        return new XdpSock(first.umem, ifindex, queueId, sameQueue ? first : null, fillSize, rxSize);
    }

    /**
     * {@link #shared(XdpSock, int, int, int, int)} with the fill and completion rings the kernel's rule
     * asks for: first's on its queue, otherwise rings of their own as large as first's.
     */
    public static XdpSock shared(XdpSock first, int ifindex, int queueId, int rxSize) {
        boolean sameQueue = first.ifindex == ifindex && first.queueId == queueId;
        return shared(first, ifindex, queueId, sameQueue ? 0 : first.fill.size(), rxSize);
    }

    /** Whether this socket uses {@code other}'s fill and completion rings (or they this one's): same queue, one UMEM. */
    public boolean sharesRingsWith(XdpSock other) {
        return fillCons == other.fillCons;
    }

    /** A socket with the default ring sizes. */
    public XdpSock(Umem umem, int ifindex, int queueId) {
        this(umem, ifindex, queueId, XskRing.DEFAULT_ENTRIES, XskRing.DEFAULT_ENTRIES);
    }

    /** The device it is bound to. */
    public int ifindex() { return ifindex; }

    /** The RX queue it is bound to. */
    @Override
    public int queueId() { return queueId; }

    /** Its UMEM. */
    public Umem umem() { return umem; }

    /** The user's end of the fill ring: chunks the datapath may receive into. */
    public XskProdRing fill() { return fill; }

    /** The user's end of the RX ring: received frames. */
    public XskConsRing rx() { return rx; }

    /** The user's end of the TX ring: frames to send, descriptors into the UMEM. */
    public XskProdRing tx() { return tx; }

    /** The user's end of the completion ring: chunks whose frames were sent, the user's again. */
    public XskConsRing completion() { return comp; }

    /** The kernel's end of the TX ring, for the driver that sends (the bound queue's worker only). */
    public XskConsRing txKernelSide() { return txCons; }

    /** The kernel's end of the completion ring, for the driver that sends (the bound queue's worker only). */
    public XskProdRing completionKernelSide() { return compProd; }

    /** Counts a frame sent from the TX ring. */
    public void countTx() { txPackets++; }

    /** Counts a TX descriptor refused (tx_invalid_descs): outside the UMEM, across a chunk, too long. */
    public void countTxInvalid() { txInvalidDescs++; }

    /** Frames sent from the TX ring. */
    public long txPackets() { return txPackets; }

    /** TX descriptors refused, never read (struct xdp_statistics' tx_invalid_descs). */
    public long txInvalidDescs() { return txInvalidDescs; }

    /**
     * xsk_rcv() in copy mode: a chunk from the fill ring, the frame copied to it at the UMEM's headroom
     * plus XDP_PACKET_HEADROOM, an RX descriptor reserved for it (published by {@link #flush()}). Returns
     * 0, or a negative errno with the frame not taken (the caller frees it and counts an error, as
     * xdp_do_redirect() fails): -ENOBUFS for an empty fill ring or a full RX ring. A fill address outside
     * the UMEM is consumed and skipped for the next one, as xp_alloc() does. From the bound queue's worker
     * only.
     */
    public int rcv(long data, int len) {
        if (len > umem.chunkSize() - umem.rxDataOffset()) {
            rxDropped++;
            return -Errno.ENOSPC;
        }
        long base;
        for (;;) {
            if (fillCons.peek(1) == 0) {
                rxFillRingEmpty++;
                rxDropped++;
                return -Errno.ENOBUFS;
            }
            base = umem.checkFillAddr(fillCons.addr(fillCons.firstIndex()));
            if (base >= 0) {
                break;
            }
            skipInvalidFill();
        }
        if (rxProd.reserve(1) == 0) {
            fillCons.cancel(1);  // the chunk stays on the fill ring for the next frame
            rxRingFull++;  // xs->rx_queue_full: not part of rx_dropped in struct xdp_statistics since v2
            return -Errno.ENOBUFS;
        }
        int off = umem.rxDataOffset();
        Mem.copy(data, umem.region().address() + base + off, len);
        rxProd.setDesc(rxProd.firstIndex(), umem.descAddr(base, off), len, 0);
        pending++;
        pendingFill++;  // released with the RX descriptors at the flush, not one by one
        rxPackets++;
        return 0;
    }

    /**
     * The batched xsk_rcv() of seed 002: frames {@code from .. from + n - 1} of {@code data}/{@code lens}
     * (addresses and lengths) into this socket with one peek of the fill ring and one reservation of the RX
     * ring for all of them, instead of one of each per frame. Returns how many it took, in order; the
     * first one not taken (when fewer than {@code n}) is for {@link #rcv} to refuse and count, one frame at
     * a time, as the kernel's batch falls back to its scalar path. From the bound queue's worker only.
     */
    public int rcvBatch(long[] data, int[] lens, int from, int n) {
        int got = fillCons.peek(n);
        if (got == 0) {
            return 0;
        }
        int taken = rxProd.reserveUpTo(got);
        if (taken < got) {
            fillCons.cancel(got - taken);
        }
        int fi = fillCons.firstIndex();
        int ri = rxProd.firstIndex();
        int off = umem.rxDataOffset();
        int room = umem.chunkSize() - off;
        long region = umem.region().address();
        for (int i = 0; i < taken; i++) {
            int len = lens[from + i];
            long base = umem.checkFillAddr(fillCons.addr(fi + i));
            if (len > room || base < 0) {
                // this frame needs the scalar path's refusal and counters: give back what is left
                fillCons.cancel(taken - i);
                rxProd.cancel(taken - i);
                taken = i;
                break;
            }
            Mem.copy(data[from + i], region + base + off, len);
            rxProd.setDesc(ri + i, umem.descAddr(base, off), len, 0);
        }
        pending += taken;
        pendingFill += taken;  // their fill entries, released at the flush with the descriptors
        rxPackets += taken;
        return taken;
    }

    // __xp_alloc(): an entry outside the UMEM is consumed (its chunk lost to the application), counted in the
    // fill queue's invalid_descs, and the next entry is tried; the frame is not dropped for it
    private void skipInvalidFill() {
        fillCons.release(1);
        rxInvalidFill++;
    }

    /**
     * xsk_rcv_zc(): the frame is already in a chunk of this socket's UMEM (zero-copy mode, the datapath's
     * page pool is the UMEM), so only an RX descriptor is reserved for it, {@code dataOffset} bytes into the
     * chunk at {@code chunkAddr}, published by {@link #flush()}. Returns 0 (the chunk is the application's
     * now), or -ENOBUFS for a full RX ring (counted rx_ring_full; the caller frees the frame back to its
     * pool, as xsk_buff_free() does). From the bound queue's worker only.
     */
    public int rcvZeroCopy(long chunkAddr, int dataOffset, int len) {
        if (rxProd.reserve(1) == 0) {
            rxRingFull++;  // not part of rx_dropped (struct xdp_statistics v2), as rcv()
            return -Errno.ENOBUFS;
        }
        rxProd.setDesc(rxProd.firstIndex(), umem.descAddr(chunkAddr, dataOffset), len, 0);
        pending++;
        rxPackets++;
        return 0;
    }

    /**
     * The batched xsk_rcv_zc(): frames {@code from .. from + n - 1}, already in chunks of this socket's UMEM
     * at {@code chunkAddrs} plus {@code dataOffsets}, {@code lens} long, into RX descriptors reserved in one
     * go. Returns how many it took, in order; a frame not taken (the RX ring full) is for
     * {@link #rcvZeroCopy} to refuse and count. From the bound queue's worker only.
     */
    public int rcvZeroCopyBatch(long[] chunkAddrs, int[] dataOffsets, int[] lens, int from, int n) {
        int taken = rxProd.reserveUpTo(n);
        int ri = rxProd.firstIndex();
        for (int i = 0; i < taken; i++) {
            rxProd.setDesc(ri + i, umem.descAddr(chunkAddrs[from + i], dataOffsets[from + i]), lens[from + i], 0);
        }
        pending += taken;
        rxPackets += taken;
        return taken;
    }

    /**
     * The fill-ring half of xp_alloc() for a page pool over this socket's UMEM: up to {@code max} chunks
     * off the fill ring, as chunk numbers (frame ids) into {@code ids[from..)}, their entries released at
     * once. An entry outside the UMEM is consumed and counted ({@link #rxInvalidFill()}), as
     * xp_check_aligned()/xp_check_unaligned() refuse it; in unaligned mode so is one not on a chunk
     * boundary, since a pool frame is a whole page. An empty fill ring counts rx_fill_ring_empty_descs (the
     * driver finds no buffer). From the bound queue's worker only; chunks must be page-sized.
     */
    public int xpAllocFill(int[] ids, int from, int max) {
        int n = fillCons.peek(max);
        if (n == 0) {
            rxFillRingEmpty++;
            return 0;
        }
        int first = fillCons.firstIndex();
        int shift = Integer.numberOfTrailingZeros(umem.chunkSize());
        long misaligned = umem.chunkSize() - 1;
        int got = 0;
        for (int i = 0; i < n; i++) {
            long base = umem.checkFillAddr(fillCons.addr(first + i));
            if (base < 0 || (base & misaligned) != 0) {
                rxInvalidFill++;
            } else {
                ids[from + got++] = (int) (base >>> shift);
            }
        }
        fillCons.release(n);
        return got;
    }

    /** Whether descriptors wait for {@link #flush()}. */
    public boolean pending() { return pending != 0; }

    /**
     * How many RX descriptors wait for {@link #flush()}: frames in flight, each in a chunk taken from the fill
     * ring (the first {@code pendingDescs()} entries past its shared consumer index) and not yet on the RX
     * ring for the application. Read by tests at a quiescent point; from the worker only otherwise.
     */
    public int pendingDescs() { return pending; }

    /**
     * xsk_flush(): publishes the RX descriptors produced since the last flush, and gives the fill ring the
     * entries they came from. One store of each index per poll instead of one per frame: the application
     * reads both, and each store moves that cache line between the two CPUs (the kernel's
     * xskq_cons_release() likewise only moves its cached index, publishing it in batches). From the
     * worker only.
     */
    public void flush() {
        if (pending != 0) {
            rxProd.submit(pending);
            pending = 0;
            if (pendingFill != 0) {
                fillCons.release(pendingFill);
                pendingFill = 0;
            }
        }
    }

    /** Frames received into the RX ring (published or about to be). */
    public long rxPackets() { return rxPackets; }

    /**
     * Frames redirected to the socket and not received for want of a chunk (an empty fill ring) or for being
     * longer than one: struct xdp_statistics' rx_dropped as the current kernel reports it (the struct's
     * second version, with {@link #rxRingFull()} beside it, not in it).
     */
    public long rxDropped() { return rxDropped; }

    /** Frames redirected to the socket and not received for a full RX ring (rx_ring_full). */
    public long rxRingFull() { return rxRingFull; }

    /** Of {@link #rxDropped()}, those for an empty fill ring (rx_fill_ring_empty_descs). */
    public long rxFillRingEmpty() { return rxFillRingEmpty; }

    /**
     * Fill ring entries refused as outside the UMEM (the fill queue's invalid_descs): each consumed and lost,
     * as the kernel's, and skipped for the next entry (copy mode) or by the pool (zero-copy), so not a
     * dropped frame and not part of {@link #rxDropped()}.
     */
    public long rxInvalidFill() { return rxInvalidFill; }

    private volatile boolean closed;

    /**
     * xsk_release(): the socket is gone for the datapath. A worker that meets it again (in an XSKMAP slot
     * not yet emptied, or in its list of sockets to send from) drops the frame as a redirect error, or
     * stops sending from it; the rings' memory is freed once nothing reaches the socket. Safe while
     * traffic flows. The UMEM is the caller's.
     */
    @Override
    public void close() {
        closed = true;
    }

    /** Whether {@link #close()} was called. */
    public boolean closed() { return closed; }
}
