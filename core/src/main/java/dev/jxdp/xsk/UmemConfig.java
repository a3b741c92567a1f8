package dev.jxdp.xsk;

/**
 * What a UMEM is made of, the fields of {@code struct xdp_umem_reg} jxdp lets a user choose:
 * {@code frames} chunks of {@code chunkSize} bytes, {@code headroom} bytes the kernel leaves free before
 * each received frame (on top of XDP_PACKET_HEADROOM), and whether chunks are aligned.
 *
 * @param frames    how many chunks (libxdp's default: 4096)
 * @param chunkSize bytes per chunk, 2048 to 4096 (a power of two in aligned mode)
 * @param headroom  user headroom per chunk, at most {@link #maxHeadroom(int)}
 * @param unaligned XDP_UMEM_UNALIGNED_CHUNK_FLAG: chunks start anywhere, addresses carry an offset
 */
public record UmemConfig(int frames, int chunkSize, int headroom, boolean unaligned) {

    /** XDP_UMEM_MIN_CHUNK_SIZE (net/xdp/xdp_umem.c). */
    public static final int MIN_CHUNK_SIZE = 2048;
    /** The largest chunk: PAGE_SIZE, as the kernel's check allows no more. */
    public static final int MAX_CHUNK_SIZE = 4096;
    /** XSK_UMEM__DEFAULT_NUM_FRAMES. */
    public static final int DEFAULT_FRAMES = 4096;
    /** XSK_UMEM__DEFAULT_FRAME_SIZE. */
    public static final int DEFAULT_CHUNK_SIZE = 4096;

    /**
     * SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on a 64-bit kernel with 64-byte cache lines: the tailroom
     * a chunk keeps for the skb copy mode builds around it.
     */
    public static final int SKB_SHARED_INFO_SIZE = 320;
    /** Bytes of packet room xdp_umem_reg() insists on besides headroom and tailroom. */
    public static final int MIN_PACKET_ROOM = 128;

    /**
     * The largest headroom the kernel takes for a chunk: chunk - XDP_PACKET_HEADROOM - skb_shared_info - 128,
     * 3392 for 4096-byte chunks, 1344 for 2048, as 6.18 has it. Older kernels allowed up to chunk - 257;
     * XskKernelTest checks the running kernel's answer.
     */
    public static int maxHeadroom(int chunkSize) {
        return chunkSize - IfXdp.XDP_PACKET_HEADROOM - SKB_SHARED_INFO_SIZE - MIN_PACKET_ROOM;
    }

    /** 4096 aligned chunks of 4096 bytes, no user headroom: libxdp's defaults. */
    public static final UmemConfig DEFAULT = new UmemConfig(DEFAULT_FRAMES, DEFAULT_CHUNK_SIZE, 0, false);

    public UmemConfig withFrames(int n) { return new UmemConfig(n, chunkSize, headroom, unaligned); }

    public UmemConfig withChunkSize(int n) { return new UmemConfig(frames, n, headroom, unaligned); }

    public UmemConfig withHeadroom(int n) { return new UmemConfig(frames, chunkSize, n, unaligned); }

    public UmemConfig withUnaligned(boolean u) { return new UmemConfig(frames, chunkSize, headroom, u); }

    /** Bytes of the region: what xdp_umem_reg.len says. */
    public long size() {
        return (long) frames * chunkSize;
    }

    /**
     * Why the kernel's {@code xdp_umem_reg()} would refuse this UMEM with EINVAL, in its order of checks,
     * or null when it would take it. jxdp's region is always page-aligned and its length a whole number of
     * chunks, so the checks on those never fail here.
     */
    public String problem() {
        if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
            return "chunk size " + chunkSize + ": want " + MIN_CHUNK_SIZE + " to " + MAX_CHUNK_SIZE + " (PAGE_SIZE)";
        }
        if (!unaligned && Integer.bitCount(chunkSize) != 1) {
            return "chunk size " + chunkSize + ": want a power of two in aligned mode";
        }
        if (frames <= 0) {
            return "frames " + frames + ": want at least one chunk";
        }
        // the kernel counts pages and chunks in u32; jxdp's int frames stay far below either limit
        if (headroom < 0 || headroom > maxHeadroom(chunkSize)) {
            return "headroom " + Integer.toUnsignedString(headroom) + ": want at most " + maxHeadroom(chunkSize)
                    + " for chunk size " + chunkSize + " (XDP_PACKET_HEADROOM, skb_shared_info and "
                    + MIN_PACKET_ROOM + " bytes of packet must fit)";
        }
        return null;
    }
}
