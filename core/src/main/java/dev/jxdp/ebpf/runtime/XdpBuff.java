package dev.jxdp.ebpf.runtime;

import dev.jxdp.ebpf.mem.Region;
import dev.jxdp.ebpf.mem.Sandbox;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * struct xdp_buff: one frame of off-heap memory and the pointers into it that the program moves. The
 * geometry is the kernel's: a 4096-byte frame, XDP_PACKET_HEADROOM (256) in front of the data and room
 * for struct skb_shared_info (320) at the end, so at most 3520 bytes of packet data. Fields are
 * addresses; objects are reused frame after frame, never allocated per packet.
 */
public final class XdpBuff {

    public static final int FRAME_SIZE = 4096;
    /** XDP_PACKET_HEADROOM. */
    public static final int HEADROOM = 256;
    /** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64. */
    public static final int TAILROOM = 320;
    /** The largest linear frame: what BPF_PROG_TEST_RUN accepts for a program without frags. */
    public static final int MAX_DATA = FRAME_SIZE - HEADROOM - TAILROOM;
    /** ETH_HLEN: the smallest frame BPF_PROG_TEST_RUN accepts. */
    public static final int ETH_HLEN = 14;

    private final MemorySegment frame;
    private final Region region;

    public long dataHardStart;
    public long data;
    public long dataEnd;
    public long dataMeta;
    public int frameSize;
    public int ingressIfindex;
    public int rxQueueIndex;
    public int egressIfindex;
    // the memory this buff may be attached to, as plain fields: attach() runs once per received frame
    private final long memoryBase;
    private final long memoryEnd;

    /**
     * A buff over a frame the caller owns (a page pool slot, a UMEM chunk), which must lie in the
     * {@link Sandbox}: verified code reaches the packet only there.
     */
    public XdpBuff(MemorySegment frame) {
        if (!Sandbox.contains(frame)) {
            throw new IllegalArgumentException("xdp_buff: frame at 0x" + Long.toHexString(frame.address())
                    + " (" + frame.byteSize() + " bytes) is not in the sandbox: allocate it with Sandbox.allocate");
        }
        this.frame = frame;
        this.memoryBase = frame.address();
        this.memoryEnd = memoryBase + frame.byteSize();
        this.region = new Region("packet", Region.Kind.PACKET, frame, true, this);
        this.dataHardStart = frame.address();
        this.frameSize = (int) frame.byteSize();
    }

    /**
     * A buff for a datapath worker over a page pool's memory: {@link #attach} points it at one page after
     * another (the pool's pages are {@link #FRAME_SIZE} bytes each), as a driver's NAPI loop fills one
     * xdp_buff per received frame; the packet region spans the pool so run-time checks accept any page.
     */
    public static XdpBuff overPool(MemorySegment poolMemory) {
        return new XdpBuff(poolMemory);
    }

    /**
     * Points this buff at the page starting at {@code pageAddr} (inside the memory it was made over) with
     * {@code length} bytes of packet data at {@code dataOffset} from the page start, preceded by
     * {@code metaLength} bytes of metadata (xdp_init_buff() then xdp_prepare_buff()).
     */
    public void attach(long pageAddr, int dataOffset, int length, int metaLength) {
        if (pageAddr < memoryBase || pageAddr + FRAME_SIZE > memoryEnd || dataOffset < metaLength
                || length < 0 || dataOffset + length > FRAME_SIZE - TAILROOM) {
            throw new IllegalArgumentException("xdp_buff: page 0x" + Long.toHexString(pageAddr) + " data at "
                    + dataOffset + " length " + length + " meta " + metaLength + " is not inside this buff's memory");
        }
        dataHardStart = pageAddr;
        frameSize = FRAME_SIZE;
        data = pageAddr + dataOffset;
        dataEnd = data + length;
        dataMeta = data - metaLength;
    }

    /** A buff with a frame of its own in the sandbox, alive as long as the arena. */
    public static XdpBuff allocate(Arena arena) {
        return new XdpBuff(Sandbox.allocate(arena, FRAME_SIZE, 64));
    }

    public MemorySegment frame() { return frame; }

    /** The whole frame; only [dataMeta, dataEnd) of it is the program's to touch. */
    public Region region() { return region; }

    /**
     * Places {@code len} bytes of packet data after the headroom, metadata empty, as xdp_prepare_buff()
     * with meta_valid does for test runs and drivers.
     */
    public void prepare(int len) {
        data = dataHardStart + HEADROOM;
        dataEnd = data + len;
        dataMeta = data;
    }

    /** Copies a packet in after the headroom and prepares the pointers for it. */
    public void load(byte[] packet) {
        MemorySegment.copy(packet, 0, frame, java.lang.foreign.ValueLayout.JAVA_BYTE, HEADROOM, packet.length);
        prepare(packet.length);
    }

    public int length() { return (int) (dataEnd - data); }

    public int metaLength() { return (int) (dataMeta - data) == 0 ? 0 : (int) (data - dataMeta); }

    /** The bytes from data_meta to data_end (what BPF_PROG_TEST_RUN copies out). */
    public byte[] bytesFromMeta() {
        return frame.asSlice(dataMeta - frame.address(), dataEnd - dataMeta).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    /** Whether [addr, addr + bytes) lies within the program's view of the packet: data_meta to data_end. */
    public boolean inPacket(long addr, long bytes) {
        return addr >= dataMeta && bytes >= 0 && addr <= dataEnd - bytes;
    }

    /** End of the area data may grow into: the frame less the tailroom (xdp_data_hard_end()). */
    public long dataHardEnd() {
        return dataHardStart + frameSize - TAILROOM;
    }
}
