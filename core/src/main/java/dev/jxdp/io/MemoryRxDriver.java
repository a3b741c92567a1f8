package dev.jxdp.io;

import dev.jxdp.ebpf.runtime.XdpBuff;
import dev.jxdp.xdp.FrameMeta;
import dev.jxdp.xdp.PagePool;
import dev.jxdp.xdp.RxDriver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * Frames held in memory as an RX queue: each receive copies the next of them into fresh pages, until the
 * list ends. As {@code io.pcap.PcapRxDriver} does for a capture, one of several queues takes the frames
 * RSS gives it and a frame longer than {@link XdpBuff#MAX_DATA} is dropped and counted as
 * {@link #oversize()}; unlike a wire, a frame that finds no free page waits for the next poll, so every
 * frame of the list is seen.
 */
public final class MemoryRxDriver implements RxDriver {

    private final List<byte[]> frames;
    private final byte[] queueOf;
    private final PagePool pool;
    private final PagePool.Cache cache;
    private final FrameMeta meta;
    private final int ifindex;
    private final int queue;
    private int next;
    private long oversize;

    /**
     * RX queue {@code queue} of {@code queues} over {@code frames} (its first {@code limit}, -1 for all);
     * {@code queueOf} is {@link #queues(List, int)}'s answer, shared by the queues.
     */
    public MemoryRxDriver(List<byte[]> frames, byte[] queueOf, PagePool pool, PagePool.Cache cache, int ifindex,
                          int queue, long limit) {
        this.frames = limit >= 0 && limit < frames.size() ? frames.subList(0, (int) limit) : frames;
        this.queueOf = queueOf;
        this.pool = pool;
        this.cache = cache;
        this.meta = pool.meta();
        this.ifindex = ifindex;
        this.queue = queue;
    }

    /** The RX queue of each frame by RSS ({@link Rss}), computed once for all the queues. */
    public static byte[] queues(List<byte[]> frames, int queues) {
        Rss.checkQueues(queues);
        byte[] out = new byte[frames.size()];
        if (queues == 1) {
            return out;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment scratch = arena.allocate(XdpBuff.MAX_DATA + 64L);
            for (int i = 0; i < out.length; i++) {
                byte[] f = frames.get(i);
                int len = Math.min(f.length, XdpBuff.MAX_DATA);
                MemorySegment.copy(f, 0, scratch, ValueLayout.JAVA_BYTE, 0, len);
                out[i] = (byte) Rss.queueOf(scratch.address(), len, queues);
            }
        }
        return out;
    }

    @Override
    public int receive(int[] ids, int from, int max) {
        int n = 0;
        while (n < max && next < frames.size()) {
            int i = next;
            if (queueOf[i] != queue) {
                next++;
                continue;  // another queue's frame
            }
            byte[] f = frames.get(i);
            if (f.length > XdpBuff.MAX_DATA) {
                oversize++;
                next++;
                continue;
            }
            int id = cache.alloc();
            if (id < 0) {
                break;  // no free page now: the frame waits for the next poll (a list loses nothing)
            }
            next++;
            MemorySegment.copy(f, 0, pool.memory(), ValueLayout.JAVA_BYTE,
                    pool.address(id) - pool.memory().address() + PagePool.HEADROOM, f.length);
            meta.prepare(id, f.length, ifindex, queue);
            ids[from + n++] = id;
        }
        return n;
    }

    @Override
    public boolean done() { return next >= frames.size(); }

    /** Frames of this queue longer than a page holds, dropped. */
    public long oversize() { return oversize; }
}
