package dev.jxdp.xsk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One ring's shared memory, laid out as the kernel's mmapped ring: {@code struct xdp_ring} (producer,
 * consumer and flags words at the {@link XdpRingOffsets} the kernel reports) followed by {@code size}
 * entries, {@code struct xdp_desc} for RX and TX, a u64 UMEM address for fill and completion.
 *
 * <p>The memory is either jxdp's own ({@link #allocate}) or a ring the kernel mmapped for a socket
 * ({@link #wrap}); both ends work the same on either. Each ring has one producer and one consumer, each
 * confined to one thread at a time: {@link #producer()} and {@link #consumer()} make them, once each.
 *
 * <p>Indices are u32 and run freely, wrapping at 2^32; an entry's slot is {@code index & (size - 1)}, which
 * is why sizes are powers of two (xsk_init_queue() refuses others).
 */
public final class XskRing {

    /** Largest ring jxdp builds: entries times 16 bytes stays well inside a segment, indices inside u32. */
    public static final int MAX_ENTRIES = 1 << 24;
    /** Default ring size (XSK_RING_CONS__DEFAULT_NUM_DESCS and XSK_RING_PROD__DEFAULT_NUM_DESCS). */
    public static final int DEFAULT_ENTRIES = 2048;

    private static final long PAGE = 4096;

    // u32 words of the ring header, in the machine's byte order as the kernel writes them; coordinates
    // (MemorySegment, long offset)
    private static final VarHandle WORD = ValueLayout.JAVA_INT.varHandle();

    private final MemorySegment memory;
    private final XskRingType type;
    private final int size;
    private final XdpRingOffsets offsets;
    private boolean producerMade;
    private boolean consumerMade;

    private XskRing(MemorySegment memory, XskRingType type, int size, XdpRingOffsets offsets) {
        this.memory = memory;
        this.type = type;
        this.size = size;
        this.offsets = offsets;
    }

    /**
     * A zeroed ring of {@code size} entries in page-aligned memory of {@code arena}, in the
     * {@link XdpRingOffsets#DEFAULT} layout.
     */
    public static XskRing allocate(Arena arena, XskRingType type, int size) {
        checkSize(type, size);
        long bytes = XdpRingOffsets.DEFAULT.ringBytes(size, type.entrySize());
        return new XskRing(arena.allocate(bytes, PAGE), type, size, XdpRingOffsets.DEFAULT);
    }

    /**
     * A ring over memory laid out by someone else, the kernel's mmapped ring of a socket: its words and
     * entries are where {@code offsets} says. The memory must cover {@code offsets.ringBytes(size, ...)}.
     */
    public static XskRing wrap(MemorySegment memory, XskRingType type, int size, XdpRingOffsets offsets) {
        checkSize(type, size);
        long need = offsets.ringBytes(size, type.entrySize());
        if (memory.byteSize() < need) {
            throw new IllegalArgumentException(type + " ring of " + size + " entries: " + memory.byteSize()
                    + " bytes of memory, want " + need);
        }
        long words = Math.max(Math.max(offsets.producer(), offsets.consumer()), offsets.flags()) + 4;
        if (words > offsets.desc()) {
            throw new IllegalArgumentException(type + " ring: index words overlap the entries at " + offsets.desc());
        }
        if (memory.address() % 8 != 0) {
            throw new IllegalArgumentException(type + " ring: memory at 0x" + Long.toHexString(memory.address())
                    + " is not 8-aligned");
        }
        return new XskRing(memory, type, size, offsets);
    }

    private static void checkSize(XskRingType type, int size) {
        if (size <= 0 || size > MAX_ENTRIES || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException(type + " ring of " + size + " entries: want a power of two from 1 to "
                    + MAX_ENTRIES);
        }
    }

    /** The producing end: user space on fill and TX, the kernel's side on RX and completion. Once per ring. */
    public synchronized XskProdRing producer() {
        if (producerMade) {
            throw new IllegalStateException(type + " ring already has its producer");
        }
        producerMade = true;
        return new XskProdRing(this);
    }

    /** The consuming end: user space on RX and completion, the kernel's side on fill and TX. Once per ring. */
    public synchronized XskConsRing consumer() {
        if (consumerMade) {
            throw new IllegalStateException(type + " ring already has its consumer");
        }
        consumerMade = true;
        return new XskConsRing(this);
    }

    public MemorySegment memory() { return memory; }

    public XskRingType type() { return type; }

    public int size() { return size; }

    public XdpRingOffsets offsets() { return offsets; }

    // ----------------------------------------------------------------- the shared words, order in the name

    /** Load-acquire of a u32 index: smp_load_acquire(). */
    static int lvWord(MemorySegment m, long off) {
        return (int) WORD.getAcquire(m, off);
    }

    /** Plain load of a u32 index, for the index this end alone writes. */
    static int lpWord(MemorySegment m, long off) {
        return (int) WORD.get(m, off);
    }

    /** Store-release of a u32 index: smp_store_release(). */
    static void soWord(MemorySegment m, long off, int v) {
        WORD.setRelease(m, off, v);
    }

    /** READ_ONCE() of the flags word. */
    static int loWord(MemorySegment m, long off) {
        return (int) WORD.getOpaque(m, off);
    }

    /** WRITE_ONCE() of the flags word. */
    static void stoWord(MemorySegment m, long off, int v) {
        WORD.setOpaque(m, off, v);
    }
}
