package dev.jxdp.xsk;

import dev.jxdp.ebpf.mem.Sandbox;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The packet buffer an XDP socket shares with the kernel: one off-heap, page-aligned region of
 * {@code frames} chunks, registered once and kept until {@link #close()}. Frames move between user space
 * and the datapath as UMEM addresses (byte offsets into the region) through the fill, RX, TX and
 * completion rings; in zero-copy mode a frame is a chunk end to end, in copy mode the datapath copies it
 * into a chunk.
 *
 * <p>Aligned mode: chunk {@code i} starts at {@code i * chunkSize}, and any address inside a chunk names
 * that chunk, the offset being its low bits. Unaligned mode (XDP_UMEM_UNALIGNED_CHUNK_FLAG): a chunk may
 * start at any address, and an address carries a base in its low 48 bits and an offset in its top 16.
 *
 * <pre>{@code
 * try (Umem umem = Umem.allocate(UmemConfig.DEFAULT)) {
 *     long addr = umem.frameAddr(0);                  // what the fill ring carries
 *     if (umem.checkDesc(addr, 60, 0) == XskDescCheck.VALID) { ... }
 * }
 * }</pre>
 */
public final class Umem implements AutoCloseable {

    /** PAGE_SIZE: the region's alignment, as xdp_umem_reg() requires. */
    public static final long PAGE_SIZE = 4096;

    private static final int VALID_OPTIONS = IfXdp.XDP_PKT_CONTD | IfXdp.XDP_TX_METADATA;

    private final UmemConfig config;
    private final MemorySegment region;
    private final long size;
    private final int chunkSize;
    private final long chunkMask;
    private final boolean unaligned;

    private Umem(UmemConfig config, MemorySegment region) {
        this.config = config;
        this.region = region;
        this.size = config.size();
        this.chunkSize = config.chunkSize();
        this.chunkMask = ~((long) config.chunkSize() - 1);
        this.unaligned = config.unaligned();
    }

    /**
     * A zeroed, page-aligned region for {@code config}, checked as xdp_umem_reg() checks it; a config the
     * kernel would refuse is a {@link dev.jxdp.JxdpException} naming the field.
     */
    public static Umem allocate(UmemConfig config) {
        String problem = config.problem();
        if (problem != null) {
            throw new dev.jxdp.JxdpException("umem: " + problem);
        }
        // automatic, not shared and closed by close(): a datapath worker may still be copying into the region
        // when the application lets go of it (the kernel keeps a refcount on the umem for the same reason);
        // the memory goes back once nothing reaches it, so no access can ever find it freed. In the sandbox:
        // in zero-copy mode the chunks are the datapath's frames, which programs access raw
        long bytes = (config.size() + PAGE_SIZE - 1) & -PAGE_SIZE;
        return new Umem(config, Sandbox.allocate(Arena.ofAuto(), bytes, PAGE_SIZE));
    }

    public UmemConfig config() { return config; }

    /** The whole region; a UMEM address is a byte offset into it (once resolved, see {@link #dataOffset}). */
    public MemorySegment region() { return region; }

    /** Bytes of the region that addresses may name: xdp_umem_reg.len, the pool's addrs_cnt. */
    public long size() { return size; }

    public int frames() { return config.frames(); }

    public int chunkSize() { return chunkSize; }

    public boolean unaligned() { return unaligned; }

    /**
     * Where the kernel puts a received frame's first byte in its chunk: the UMEM's headroom plus
     * XDP_PACKET_HEADROOM, as xp_alloc() lays out an xdp_buff in a chunk.
     */
    public int rxDataOffset() {
        return config.headroom() + IfXdp.XDP_PACKET_HEADROOM;
    }

    /** The address of chunk {@code frame} in aligned layout: what user space puts on the fill ring. */
    public long frameAddr(int frame) {
        return (long) frame * chunkSize;
    }

    /**
     * The chunk an address belongs to: aligned, its low bits cleared (xp_aligned_extract_addr());
     * unaligned, its low 48 bits (xp_unaligned_extract_addr()).
     */
    public long chunkBase(long addr) {
        return unaligned ? addr & IfXdp.XSK_UNALIGNED_BUF_ADDR_MASK : addr & chunkMask;
    }

    /** The offset of an address into its chunk: aligned, its low bits; unaligned, its top 16 bits. */
    public long chunkOffset(long addr) {
        return unaligned ? addr >>> IfXdp.XSK_UNALIGNED_BUF_OFFSET_SHIFT : addr & ~chunkMask;
    }

    /**
     * The address of the data {@code offset} bytes into the chunk at {@code base}, as an RX descriptor
     * carries it (xp_get_handle()): base plus offset aligned, the offset in the top 16 bits unaligned. The
     * inverse of {@link #chunkBase} and {@link #chunkOffset}.
     */
    public long descAddr(long base, long offset) {
        return unaligned ? base | offset << IfXdp.XSK_UNALIGNED_BUF_OFFSET_SHIFT : base + offset;
    }

    /**
     * The byte offset in {@link #region()} where the data an address names starts: the address itself
     * when aligned, base plus offset when unaligned (xp_unaligned_add_offset_to_addr()). Check the
     * address first ({@link #checkDesc}); this does no bounds check of its own.
     */
    public long dataOffset(long addr) {
        return unaligned ? (addr & IfXdp.XSK_UNALIGNED_BUF_ADDR_MASK) + (addr >>> IfXdp.XSK_UNALIGNED_BUF_OFFSET_SHIFT)
                : addr;
    }

    /**
     * What the kernel makes of a TX descriptor {@code {addr, len, options}}: {@code xp_validate_desc()},
     * aligned or unaligned, with no TX metadata length. Reads nothing from the region.
     */
    public XskDescCheck checkDesc(long addr, int len, int options) {
        if (len == 0) {
            return XskDescCheck.ZERO_LENGTH;
        }
        long n = Integer.toUnsignedLong(len);
        return unaligned ? checkUnaligned(addr, n, options) : checkAligned(addr, n, options);
    }

    // xp_aligned_validate_desc(): the frame stays in the chunk the address names, which is in the UMEM
    private XskDescCheck checkAligned(long addr, long len, int options) {
        if ((addr & ~chunkMask) + len > chunkSize) {
            return XskDescCheck.CROSSES_CHUNK;
        }
        if (Long.compareUnsigned(addr, size) >= 0) {
            return XskDescCheck.OUT_OF_UMEM;
        }
        return (options & ~VALID_OPTIONS) != 0 ? XskDescCheck.BAD_OPTIONS : XskDescCheck.VALID;
    }

    // xp_unaligned_validate_desc(): at most a chunk long, start and end inside the UMEM. The kernel also
    // refuses a frame that crosses into a page not physically contiguous with the last (a DMA limit of
    // zero-copy); jxdp's region is one contiguous mapping, as the kernel's copy mode treats it, so that
    // check never fails here.
    private XskDescCheck checkUnaligned(long addr, long len, int options) {
        if (len > chunkSize) {
            return XskDescCheck.TOO_LONG;
        }
        // base < 2^48 and offset < 2^16: the sum cannot overflow, nor can the end
        long start = dataOffset(addr);
        if (start >= size || start + len > size) {
            return XskDescCheck.OUT_OF_UMEM;
        }
        return (options & ~VALID_OPTIONS) != 0 ? XskDescCheck.BAD_OPTIONS : XskDescCheck.VALID;
    }

    /**
     * The chunk the kernel receives into for a fill ring entry, or -1 when it would drop the entry as
     * invalid (counted in the fill queue's invalid descriptors): aligned, the chunk of the address
     * (xp_check_aligned()); unaligned, the base in its low 48 bits, which must leave a whole chunk inside
     * the UMEM (xp_check_unaligned(), which drops the offset in the top 16 bits: a fill entry names where a
     * chunk starts, and the kernel places the frame in it itself).
     */
    public long checkFillAddr(long addr) {
        if (unaligned) {
            long base = addr & IfXdp.XSK_UNALIGNED_BUF_ADDR_MASK;
            return base >= size || base + chunkSize > size ? -1 : base;
        }
        long base = addr & chunkMask;
        return Long.compareUnsigned(base, size) >= 0 ? -1 : base;
    }

    private volatile boolean closed;

    /**
     * Lets go of the region: the application is done with it. The memory is freed once no socket or worker
     * reaches it any more (an automatic arena), so a worker still sending from a socket on it copies valid
     * memory; every ring entry naming it is meaningless to the application afterwards.
     */
    @Override
    public void close() {
        closed = true;
    }

    /** Whether {@link #close()} was called. */
    public boolean closed() { return closed; }
}
