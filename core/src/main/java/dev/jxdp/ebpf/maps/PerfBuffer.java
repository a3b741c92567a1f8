package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.mem.Mem;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The ring of one perf event opened on one CPU for BPF output (PERF_TYPE_SOFTWARE,
 * PERF_COUNT_SW_BPF_OUTPUT, sample_type PERF_SAMPLE_RAW): what a reader such as libbpf's perf_buffer
 * attaches to a slot of a BPF_MAP_TYPE_PERF_EVENT_ARRAY. It keeps the raw sample bodies as the kernel's
 * ring does: a {@code u32 size}, then {@code size} bytes (the record's bytes, zero-padded so that
 * {@code 4 + size} is a multiple of 8: perf_sample_save_raw_data()); so every sample starts 8-aligned and
 * its size word never wraps. A sample that does not fit the free space is lost and the writer gets
 * -ENOSPC, as perf_output_begin() answers.
 *
 * <p>Preallocated once, off-heap and outside the sandbox (programs never see it; the consumer acts on the
 * sizes it holds). Writers take the buffer's lock (a datapath worker and a CPUMAP consumer may share a
 * CPU number, as two contexts of one kernel CPU; uncontended it is one CAS); the one reader follows the
 * writers' head with acquire loads and publishes its tail with release stores.
 */
public final class PerfBuffer {

    /** Bytes of a buffer unless the reader asks otherwise: 64 pages, a common perf_buffer__new() size. */
    public static final int DEFAULT_BYTES = 64 * 4096;
    /** The u32 size before each raw sample's bytes. */
    static final int SIZE_WORD = 4;

    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle LOST;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(PerfBuffer.class, "head", long.class);
            TAIL = l.findVarHandle(PerfBuffer.class, "tail", long.class);
            LOST = l.findVarHandle(PerfBuffer.class, "lost", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int cpu;
    private final long base;
    private final long size;
    private final long mask;
    /** Writers' position: bytes ever written; stored with release after the sample's bytes. */
    private long head;
    /** Reader's position: bytes ever consumed; stored with release once a sample is copied out. */
    private long tail;
    /** Samples refused for want of room (the kernel's rb->lost, reported to readers as PERF_RECORD_LOST). */
    private long lost;
    /** The reader's copy of one sample, reused. */
    private final byte[] scratch;

    /** A buffer of {@code bytes} (a power of two, at least a page) for the event on {@code cpu}, in {@code arena}. */
    PerfBuffer(Arena arena, int cpu, int bytes) {
        if (bytes < 4096 || Integer.bitCount(bytes) != 1) {
            throw new IllegalArgumentException("perf buffer of " + bytes + " bytes: want a power of two of at least 4096");
        }
        this.cpu = cpu;
        this.size = bytes;
        this.mask = bytes - 1;
        this.base = arena.allocate(bytes, 64).address();
        this.scratch = new byte[bytes];
    }

    /** The CPU the event was opened on: only a program running there may write (event->oncpu). */
    public int cpu() { return cpu; }

    /** Samples lost so far because the buffer was full. */
    public long lost() { return (long) LOST.getOpaque(this); }

    /** Bytes written and not yet read. */
    public long pending() { return (long) HEAD.getAcquire(this) - (long) TAIL.getAcquire(this); }

    /**
     * One raw sample: {@code metaSize} bytes at {@code meta}, then {@code fragSize} bytes at {@code frag}
     * (bpf_event_output()'s two fragments), zero-padded; 0, or -ENOSPC when it does not fit now.
     */
    synchronized long output(long meta, long metaSize, long frag, long fragSize) {
        long raw = metaSize + fragSize;
        long total = (raw + SIZE_WORD + 7) & ~7L;
        long h = head;
        if (total > size - (h - (long) TAIL.getAcquire(this))) {
            LOST.setOpaque(this, lost + 1);
            return -Errno.ENOSPC;
        }
        Mem.putU32(base + (h & mask), total - SIZE_WORD);
        long at = h + SIZE_WORD;
        at = copyIn(at, meta, metaSize);
        at = copyIn(at, frag, fragSize);
        long pad = h + total - at;
        if (pad > 0) {
            zero(at, pad);
        }
        HEAD.setRelease(this, h + total);
        return 0;
    }

    // copies len bytes from src into the ring at position pos, wrapping at the end; returns the position after
    private long copyIn(long pos, long src, long len) {
        if (len == 0) {
            return pos;
        }
        long off = pos & mask;
        long first = Math.min(len, size - off);
        Mem.copy(src, base + off, first);
        if (first < len) {
            Mem.copy(src + first, base, len - first);
        }
        return pos + len;
    }

    private void zero(long pos, long len) {
        long off = pos & mask;
        long first = Math.min(len, size - off);
        Mem.fill(base + off, first, (byte) 0);
        if (first < len) {
            Mem.fill(base, len - first, (byte) 0);
        }
    }

    /** Receives samples as the reader takes them; {@code data} is reused after the call returns. */
    @FunctionalInterface
    public interface SampleHandler {
        void sample(int cpu, byte[] data, int length);
    }

    /**
     * The reader: hands every sample written so far to {@code handler}, in order, each its {@code size}
     * bytes (padding included, as perf_event_read_simple() hands them to libbpf's callback); returns how
     * many. One reader at a time.
     */
    public int poll(SampleHandler handler) {
        long t = tail;
        long h = (long) HEAD.getAcquire(this);
        int n = 0;
        while (t < h) {
            int len = (int) Mem.getU32(base + (t & mask));
            long off = (t + SIZE_WORD) & mask;
            int first = (int) Math.min(len, size - off);
            MemorySegment.copy(Mem.ALL, Mem.U8, base + off, scratch, 0, first);
            if (first < len) {
                MemorySegment.copy(Mem.ALL, Mem.U8, base, scratch, first, len - first);
            }
            t += SIZE_WORD + len;
            TAIL.setRelease(this, t);
            handler.sample(cpu, scratch, len);
            n++;
        }
        return n;
    }

    /** Every sample written so far, each a new array (for tests and test-run, not for a datapath). */
    public List<byte[]> drain() {
        List<byte[]> out = new ArrayList<>();
        poll((c, data, length) -> out.add(Arrays.copyOf(data, length)));
        return out;
    }
}
