package dev.jxdp.ebpf.mem;

import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Best-fit allocation of offsets in {@code [first, limit)}: the sandbox's bookkeeping, kept apart from
 * the memory so it can be tested with any size. Free blocks are coalesced on free and indexed twice, by
 * start (to find neighbours) and by length (to find the smallest block that fits). Allocation happens
 * when maps, programs, page pools, stacks and test-run frames are created, never per packet, so a
 * synchronized tree is fast enough.
 */
final class BlockAllocator {

    private record Block(long start, long length) {}

    private final long first;
    private final long limit;
    private final TreeMap<Long, Long> byStart = new TreeMap<>();
    private final TreeSet<Block> byLength = new TreeSet<>((a, b) -> a.length != b.length
            ? Long.compare(a.length, b.length) : Long.compare(a.start, b.start));
    private long free;

    BlockAllocator(long first, long limit) {
        if (first < 0 || limit <= first) {
            throw new IllegalArgumentException("block allocator: [" + first + ", " + limit + ")");
        }
        this.first = first;
        this.limit = limit;
        add(first, limit - first);
    }

    /**
     * The start of {@code bytes} bytes aligned to {@code align} (a power of two), or -1 when no free block
     * holds them: the smallest block that fits, at its lowest aligned offset.
     */
    synchronized long allocate(long bytes, long align) {
        if (bytes <= 0 || Long.bitCount(align) != 1) {
            throw new IllegalArgumentException("block allocator: " + bytes + " bytes aligned " + align);
        }
        for (Block b : byLength.tailSet(new Block(-1, bytes))) {
            long at = (b.start + align - 1) & -align;
            if (at - b.start <= b.length - bytes) {
                remove(b);
                if (at > b.start) {
                    add(b.start, at - b.start);
                }
                long end = b.start + b.length;
                if (at + bytes < end) {
                    add(at + bytes, end - at - bytes);
                }
                return at;
            }
        }
        return -1;
    }

    /** Gives back {@code [start, start + bytes)}; a range not wholly allocated is a bug (double free). */
    synchronized void free(long start, long bytes) {
        if (start < first || bytes <= 0 || start > limit - bytes) {
            throw new IllegalStateException("block allocator: free of [" + start + ", +" + bytes + ") outside ["
                    + first + ", " + limit + ")");
        }
        long s = start;
        long len = bytes;
        Map.Entry<Long, Long> before = byStart.floorEntry(start);
        Map.Entry<Long, Long> after = byStart.ceilingEntry(start);
        if (before != null && before.getKey() + before.getValue() > start
                || after != null && after.getKey() < start + bytes) {
            throw new IllegalStateException("block allocator: [" + start + ", +" + bytes + ") is already free (in part)");
        }
        if (before != null && before.getKey() + before.getValue() == start) {
            remove(new Block(before.getKey(), before.getValue()));
            s = before.getKey();
            len += before.getValue();
        }
        if (after != null && after.getKey() == start + bytes) {
            remove(new Block(after.getKey(), after.getValue()));
            len += after.getValue();
        }
        add(s, len);
    }

    /** Bytes not allocated. */
    synchronized long free() { return free; }

    /** The longest run of free bytes (alignment aside). */
    synchronized long largestFree() { return byLength.isEmpty() ? 0 : byLength.last().length; }

    /** Bytes this allocator hands out at most. */
    long capacity() { return limit - first; }

    private void add(long start, long length) {
        byStart.put(start, length);
        byLength.add(new Block(start, length));
        free += length;
    }

    private void remove(Block b) {
        byStart.remove(b.start);
        byLength.remove(b);
        free -= b.length;
    }
}
