package dev.jxdp.xdp;

import java.util.Arrays;
import java.util.Objects;

/**
 * What the kernel's xdp_frame says about a frame, for every frame of one {@link PagePool}, as columns
 * indexed by frame id: no object per packet, and a vector of frames reads its lengths from one or two
 * cache lines.
 *
 * <p>Why not in the page's headroom, where the kernel keeps xdp_frame: the kernel has no other per-page
 * place and passes frames around by page pointer, while here a frame travels as an id within a known
 * pool, so columns cost nothing to find. They also keep the whole headroom for programs (the kernel must
 * keep {@code bpf_xdp_adjust_head} from growing into its xdp_frame), need no off-heap accessor for fields
 * Java code reads on every packet, and stay out of the packet's cache lines for a vector pass that only
 * looks at lengths and queues.
 *
 * <p>The fields are plain: a frame has one owner at a time, and handing the id to another thread through
 * a {@link FrameRing} or any other release/acquire hand-off publishes the writes made before it.
 */
public final class FrameMeta {

    private final int[] dataOffset;
    private final int[] length;
    private final int[] metaLength;
    private final int[] rxIfindex;
    private final int[] rxQueue;

    FrameMeta(int frames) {
        dataOffset = new int[frames];
        Arrays.fill(dataOffset, PagePool.HEADROOM);
        length = new int[frames];
        metaLength = new int[frames];
        rxIfindex = new int[frames];
        rxQueue = new int[frames];
    }

    /**
     * A freshly received packet of {@code length} bytes at the standard headroom, no metadata: mirrors a
     * driver's xdp_init_buff() + xdp_prepare_buff() for one RX descriptor.
     */
    public void prepare(int id, int length, int rxIfindex, int rxQueue) {
        Objects.checkFromIndexSize(PagePool.HEADROOM, length, PagePool.FRAME_SIZE);
        dataOffset[id] = PagePool.HEADROOM;
        this.length[id] = length;
        metaLength[id] = 0;
        this.rxIfindex[id] = rxIfindex;
        this.rxQueue[id] = rxQueue;
    }

    /**
     * The packet's bounds after a program moved them (adjust_head/tail/meta): data at {@code dataOffset}
     * from the page start, {@code metaLength} bytes of metadata just before it.
     */
    public void bounds(int id, int dataOffset, int length, int metaLength) {
        Objects.checkFromIndexSize(dataOffset - metaLength, metaLength + length, PagePool.FRAME_SIZE);
        if ((metaLength | length) < 0) {
            throw new IndexOutOfBoundsException("frame " + id + ": length " + length + ", metadata " + metaLength);
        }
        this.dataOffset[id] = dataOffset;
        this.length[id] = length;
        this.metaLength[id] = metaLength;
    }

    /**
     * The frame arrived on another device's RX queue with its bounds unchanged: an xdp_frame turned back
     * into an xdp_buff by the receiver (veth's xdp_convert_frame_to_buff() with the peer's rxq).
     */
    public void arrived(int id, int rxIfindex, int rxQueue) {
        this.rxIfindex[id] = rxIfindex;
        this.rxQueue[id] = rxQueue;
    }

    /** Offset of the packet's first byte from the page start (data - data_hard_start). */
    public int dataOffset(int id) { return dataOffset[id]; }

    /** Packet bytes (data_end - data). */
    public int length(int id) { return length[id]; }

    /** Metadata bytes before the packet (data - data_meta). */
    public int metaLength(int id) { return metaLength[id]; }

    public int rxIfindex(int id) { return rxIfindex[id]; }

    public int rxQueue(int id) { return rxQueue[id]; }
}
