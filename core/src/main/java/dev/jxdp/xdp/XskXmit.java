package dev.jxdp.xdp;

import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.xsk.Umem;
import dev.jxdp.xsk.XdpSock;
import dev.jxdp.xsk.XskConsRing;
import dev.jxdp.xsk.XskDescCheck;
import dev.jxdp.xsk.XskProdRing;

/**
 * The driver's side of AF_XDP TX for one worker: each poll, what a bound socket's TX ring holds goes to
 * the worker's device and its chunks to the completion ring. Copy mode copies each frame into a page of
 * the pool (xsk_generic_xmit()); zero copy sends the chunk itself and completes it when the device gives
 * it back (xsk_tx_peek_desc(), xsk_tx_completed()). The worker's thread only.
 */
final class XskXmit {

    private final PagePool pool;
    private final PagePool.Cache cache;
    private final FrameMeta meta;
    private final TxDriver tx;
    private final int ifindex;
    private final int queue;
    private final int[] ids = new int[NapiWorker.BUDGET];

    XskXmit(PagePool pool, PagePool.Cache cache, TxDriver tx, int ifindex, int queue) {
        this.pool = pool;
        this.cache = cache;
        this.meta = pool.meta();
        this.tx = tx;
        this.ifindex = ifindex;
        this.queue = queue;
    }

    /**
     * Sends what {@code s}'s TX ring holds, a poll's budget at most; returns whether a descriptor was taken
     * or a completion published (work done with no frame received). Copy mode is xsk_generic_xmit(): each
     * descriptor checked (a bad one is counted and completed unread, as 6.18 does; one longer than a page
     * is completed unsent), copied into a page of the pool and handed to the device in one bulk, its chunk
     * completed at once since the data was copied. A full completion ring or an empty pool leaves the
     * descriptor for the next poll.
     */
    boolean xmit(XdpSock s) {
        if (s.umem() == pool.umem()) {
            return xmitZeroCopy(s);
        }
        XskConsRing txr = s.txKernelSide();
        XskProdRing cq = s.completionKernelSide();
        Umem umem = s.umem();
        int[] ids = this.ids;
        int n = 0;
        int completed = 0;
        while (n < NapiWorker.BUDGET && txr.peek(1) == 1) {
            int ti = txr.firstIndex();
            if (cq.reserve(1) == 0) {
                txr.cancel(1);
                break;
            }
            long addr = txr.addr(ti);
            int len = txr.len(ti);
            if (umem.checkDesc(addr, len, txr.options(ti)) != XskDescCheck.VALID) {
                s.countTxInvalid();
            } else if (len > PagePool.FRAME_SIZE - PagePool.HEADROOM) {
                // valid for the kernel (a 4096-byte chunk holds it) but past what a page of this device
                // carries: dropped as a driver drops a frame past its MTU, completed, not tx_invalid_descs
            } else {
                int id = cache.alloc();
                if (id < 0) {
                    cq.cancel(1);
                    txr.cancel(1);
                    break;
                }
                Mem.copy(umem.region().address() + umem.dataOffset(addr), pool.address(id) + PagePool.HEADROOM, len);
                meta.prepare(id, len, ifindex, queue);
                ids[n++] = id;
                s.countTx();
            }
            cq.setAddr(cq.firstIndex(), addr);
            completed++;
            txr.release(1);
        }
        if (completed > 0) {
            cq.submit(completed);
        }
        if (n > 0) {
            int took = tx.transmit(ids, 0, n);
            for (int i = took; i < n; i++) {
                cache.recycleDirect(ids[i]);  // the device's ring was full: the frame is lost, its chunk completed
            }
        }
        return completed > 0;
    }

    // zero copy, a poll's budget at most: each TX descriptor's chunk is the frame sent, no copy. Its
    // completion ring entry is reserved and written now and published once the device gives the frame back
    // to the pool (xsk_tx_peek_desc() then xsk_tx_completed()), in order, as drivers complete; a frame the
    // device refuses is lost and given back at once. A bad descriptor is counted and completed unread, as in
    // copy mode; so is one that crosses a page (unaligned mode), which no pool frame holds
    private boolean xmitZeroCopy(XdpSock s) {
        XskConsRing txr = s.txKernelSide();
        XskProdRing cq = s.completionKernelSide();
        Umem umem = s.umem();
        int[] ids = this.ids;
        int n = 0;
        int done = 0;
        while (n < NapiWorker.BUDGET && txr.peek(1) == 1) {
            int ti = txr.firstIndex();
            if (cq.reserve(1) == 0) {
                txr.cancel(1);
                break;
            }
            long addr = txr.addr(ti);
            int len = txr.len(ti);
            XskDescCheck check = umem.checkDesc(addr, len, txr.options(ti));
            txr.release(1);
            cq.setAddr(cq.firstIndex(), addr);
            long at = umem.dataOffset(addr);
            int off = (int) (at & (PagePool.FRAME_SIZE - 1));
            if (check != XskDescCheck.VALID || off + len > PagePool.FRAME_SIZE) {
                s.countTxInvalid();
                done++;
                continue;
            }
            int id = (int) (at >>> PagePool.FRAME_SHIFT);  // the chunk is the pool's frame of that number
            meta.prepare(id, 0, ifindex, queue);
            meta.bounds(id, off, len, 0);
            pool.xskTxOut(id);
            ids[n++] = id;
            s.countTx();
        }
        if (n > 0) {
            int took = tx.transmit(ids, 0, n);
            if (took < n) {
                pool.returnBulk(ids, took, n - took);  // lost on a full device ring: the chunk completes anyway
            }
        }
        done += pool.xskTxCompleted();
        if (done > 0) {
            cq.submit(done);
        }
        return n > 0 || done > 0;
    }
}
