package dev.jxdp.ebpf.mem;

import dev.jxdp.ebpf.BpfException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The one range of virtual memory that holds everything an eBPF program can reach: packet frames (page
 * pools, test-run buffers), stacks and contexts, map values, ring buffers, global data, the stand-ins for
 * map objects and program code. It is the second wall behind the verifier: where the JIT trusts a proof
 * and accesses memory raw, it first folds the address into this range ({@link #mask}, what
 * {@link SandboxMem} does), so even a wrong proof reaches only memory programs were given, never the
 * JVM's heap, its code or other native memory, and never an unmapped page.
 *
 * <p>The range is {@link #SIZE} bytes (a power of two, 64 GiB unless {@code -Djxdp.sandbox.size} says
 * otherwise) aligned to its size, reserved once per process with {@code mmap(MAP_NORESERVE)}: untouched
 * pages cost nothing, and every byte is mapped readable and writable, so a masked access never faults.
 * {@code BASE | (addr & (SIZE - 1))} is two instructions with {@code BASE} and {@code SIZE} static final
 * constants C2 folds. The JIT masks an access's base register and adds the instruction's 16-bit offset
 * after the mask, as WebAssembly engines add a static offset: one mask serves every access through the
 * same register (a packet parser's dozens of loads off {@code data}), and C2 folds the offset into the
 * x86 addressing mode. So {@link #GUARD} bytes before and after the range (more than the largest offset
 * plus the widest access) are mapped too and never handed out. The first page of the range is never
 * handed out either, so the null pointer and small integers a wrong proof lets a program dereference land
 * on memory that holds nothing.
 *
 * <p>Allocation ({@link #allocate}) is best-fit over the range, for memory with the lifetime of an
 * {@link Arena} the caller owns: closing the arena (or, for an automatic one, losing it) gives the block
 * back and its pages to the OS ({@code madvise(MADV_DONTNEED)}). Blocks come zeroed, as
 * {@link Arena#allocate} does. Every page of a block, and the pages either side of it, are kept mapped
 * in the page tables ({@code MADV_POPULATE_READ}: untouched, they all map the kernel's one zero page, so
 * this costs no memory): a page never touched has no page-table entry, and hot data next to one is slow.
 * Speculative loads near the edge of a block (a stack's top, measured: five times slower runs of a
 * program whose stack ended on such a page) each walk the page tables for a translation that never gets
 * cached; {@link Arena#allocate}'s memory never showed it because malloc's neighbours are always mapped.
 *
 * <p>{@code -Djxdp.sandbox=off} turns the wall off: memory then comes from the caller's arena and
 * {@link #mask} is the identity (the figures in docs/benchmarks.md compare the two).
 */
public final class Sandbox {
    private Sandbox() {}

    /** Whether the wall is up: true unless {@code -Djxdp.sandbox=off}. */
    public static final boolean ON = !"off".equals(System.getProperty("jxdp.sandbox"));

    /** Bytes the sandbox asks for by default: room for very large maps and pools, in virtual memory only. */
    public static final long DEFAULT_SIZE = 64L << 30;
    /** The smallest reservation tried when the OS refuses a larger one (vm.overcommit_memory=2, ulimit -v). */
    static final long MIN_SIZE = 256L << 20;
    /**
     * Mapped bytes before and after the range, never handed out: more than an instruction's offset (a
     * signed 16 bits) plus the widest access (8 bytes) either side of a masked address.
     */
    public static final long GUARD = 1 << 16;
    /** Allocations are rounded up to this many bytes (a cache line), and aligned to it at least. */
    static final long GRANULE = 64;

    private static final Reservation R = ON ? reserve() : Reservation.NONE;

    /** The first byte of the range (0 when the wall is off). */
    public static final long BASE = R.base;
    /** The range's size in bytes, a power of two (0 when the wall is off). */
    public static final long SIZE = R.size;
    /** {@code SIZE - 1}; -1 when the wall is off, which makes {@link #mask} the identity. */
    public static final long MASK = ON ? SIZE - 1 : -1L;
    /** The range and its guard as one segment of the global arena (every address when the wall is off). */
    public static final MemorySegment SEGMENT = ON ? MemorySegment.ofAddress(BASE).reinterpret(SIZE + GUARD) : Mem.ALL;

    private static final long PAGE = ON ? R.page : 4096;
    private static final BlockAllocator BLOCKS = ON ? new BlockAllocator(PAGE, SIZE) : null;

    /**
     * The address inside the sandbox that a raw access to {@code addr} touches: {@code addr} itself for
     * every address inside it, some address inside it for every other one. An OR, not an add (the same,
     * the range being aligned to its size): C2 would fold an add's constant into the offset added after
     * it, and give up sharing one mask between accesses at different offsets.
     */
    public static long mask(long addr) {
        return BASE | (addr & MASK);
    }

    /** Whether {@code [addr, addr + bytes)} lies in the sandbox (always, when the wall is off). */
    public static boolean contains(long addr, long bytes) {
        return !ON || bytes >= 0 && bytes <= SIZE && Long.compareUnsigned(addr - BASE, SIZE - bytes) <= 0;
    }

    /** Whether the segment's memory lies in the sandbox (always, when the wall is off). */
    public static boolean contains(MemorySegment s) {
        return contains(s.address(), s.byteSize());
    }

    /**
     * {@code bytes} zeroed bytes aligned to {@code align}, inside the sandbox, alive as long as
     * {@code lifetime} (given back when it closes); from {@code lifetime} itself when the wall is off.
     * Throws {@link BpfException} when the sandbox has no room left, saying how much it holds.
     */
    public static MemorySegment allocate(Arena lifetime, long bytes, long align) {
        if (!ON) {
            return lifetime.allocate(bytes, align);
        }
        if (bytes < 0 || Long.bitCount(align) != 1) {
            throw new IllegalArgumentException("sandbox: " + bytes + " bytes aligned " + align);
        }
        long block = Math.max(GRANULE, (bytes + GRANULE - 1) & -GRANULE);
        long alignment = Math.max(align, GRANULE);
        if (block >= PAGE) {
            // whole pages, so freeing returns every page of the block to the OS
            block = (block + PAGE - 1) & -PAGE;
            alignment = Math.max(alignment, PAGE);
        }
        long off = block > SIZE ? -1 : BLOCKS.allocate(block, alignment);
        if (off < 0) {
            throw new BpfException("the sandbox (the " + gib(SIZE) + " of memory programs can reach"
                    + R.note + ") has no room for " + bytes + " bytes: " + gib(SIZE - PAGE - BLOCKS.free())
                    + " in use, the largest free block " + gib(BLOCKS.largestFree())
                    + "; -Djxdp.sandbox.size=SIZE reserves more");
        }
        long addr = BASE + off;
        long size = block;
        zero(addr, size);
        // the block and a page either side, from the page below the first (the null page at worst) to the
        // page above the last (the upper guard at worst)
        populate((addr & -PAGE) - PAGE, ((addr + size + PAGE - 1) & -PAGE) + PAGE);
        return MemorySegment.ofAddress(addr).reinterpret(bytes, lifetime, s -> release(addr, size));
    }

    /** Bytes handed out and not yet given back (0 when the wall is off). */
    public static long inUse() {
        return ON ? SIZE - PAGE - BLOCKS.free() : 0;
    }

    // a block comes back: its pages go back to the OS (and map the zero page again), the range to the allocator
    private static void release(long addr, long size) {
        long from = (addr + PAGE - 1) & -PAGE;
        long to = (addr + size) & -PAGE;
        if (to > from) {
            madvise(from, to - from, MADV_DONTNEED);
            populate(from, to);
        }
        BLOCKS.free(addr - BASE, size);
    }

    // page-table entries for [from, to) (page-aligned): the zero page wherever nothing was written
    private static void populate(long from, long to) {
        if (populateRead && madvise(from, to - from, MADV_POPULATE_READ) == 0) {
            return;
        }
        populateRead = false;  // before Linux 5.14: a read of each page does the same
        int sum = 0;
        for (long p = from; p < to; p += PAGE) {
            sum += Mem.getU8(p);
        }
        touched = sum;
    }

    private static volatile boolean populateRead = true;
    // where the fallback's reads go, so that no compiler drops them
    private static volatile int touched;

    // whole pages through the OS (a fresh zero page on next touch, whatever a wild program wrote to
    // free memory), the ragged ends by hand
    private static void zero(long addr, long size) {
        long from = (addr + PAGE - 1) & -PAGE;
        long to = (addr + size) & -PAGE;
        if (to > from) {
            madvise(from, to - from, MADV_DONTNEED);
            SEGMENT.asSlice(addr - BASE, from - addr).fill((byte) 0);
            SEGMENT.asSlice(to - BASE, addr + size - to).fill((byte) 0);
        } else {
            SEGMENT.asSlice(addr - BASE, size).fill((byte) 0);
        }
    }

    private static String gib(long bytes) {
        return bytes >= 1L << 30 ? String.format("%.1f GiB", bytes / (double) (1L << 30))
                : String.format("%.1f MiB", bytes / (double) (1L << 20));
    }

    // ---- the reservation: mmap, madvise and munmap through the FFM linker ----

    private record Reservation(long base, long size, long page, String note) {
        static final Reservation NONE = new Reservation(0, 0, 4096, "");
    }

    // Linux's values on x86-64 and arm64
    private static final int PROT_NONE = 0;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_FIXED = 0x10;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MAP_NORESERVE = 0x4000;
    private static final int MADV_DONTNEED = 4;
    private static final int MADV_POPULATE_READ = 22;
    private static final long MAP_FAILED = -1;

    private static final class Libc {
        static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        static final MethodHandle MMAP = handle("mmap", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
        static final MethodHandle MUNMAP = handle("munmap",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
        static final MethodHandle MADVISE = handle("madvise",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        static final MethodHandle GETPAGESIZE = handle("getpagesize", FunctionDescriptor.of(ValueLayout.JAVA_INT));

        private static MethodHandle handle(String name, FunctionDescriptor fd) {
            Linker linker = Linker.nativeLinker();
            MemorySegment fn = linker.defaultLookup().find(name).orElseThrow(() -> new IllegalStateException(
                    "jxdp sandbox: libc has no " + name + " (only Linux is supported; -Djxdp.sandbox=off runs without the sandbox)"));
            return name.equals("getpagesize") ? linker.downcallHandle(fn, fd)
                    : linker.downcallHandle(fn, fd, Linker.Option.captureCallState("errno"));
        }
    }

    /**
     * Reserves the range: the size asked for, halved while the OS refuses it (down to {@link #MIN_SIZE});
     * first an inaccessible span twice as large (never charged to the commit limit), then the aligned
     * window inside it and its guards mapped readable and writable without a reservation of swap, then the
     * rest unmapped.
     */
    private static Reservation reserve() {
        long want = requestedSize();
        long page;
        try {
            page = (int) Libc.GETPAGESIZE.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("jxdp sandbox: getpagesize: " + t, t);
        }
        String refused = "";
        for (long size = want; size >= MIN_SIZE; size >>>= 1) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment errno = a.allocate(Libc.CAPTURE);
                long span = 2 * size + 2 * GUARD;
                long any = (long) Libc.MMAP.invokeExact(errno, 0L, span, PROT_NONE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L);
                if (any == MAP_FAILED) {
                    refused = "mmap of " + gib(span) + " refused (errno " + (int) Libc.ERRNO.get(errno, 0L) + ")";
                    continue;
                }
                long base = (any + GUARD + size - 1) & -size;
                long start = base - GUARD;
                long end = base + size + GUARD;
                long got = (long) Libc.MMAP.invokeExact(errno, start, end - start, PROT_READ_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0L);
                if (got != start) {
                    refused = "mmap of " + gib(size) + " read-write refused (errno " + (int) Libc.ERRNO.get(errno, 0L) + ")";
                    int ignored = (int) Libc.MUNMAP.invokeExact(errno, any, span);
                    continue;
                }
                if (start > any) {
                    int ignored = (int) Libc.MUNMAP.invokeExact(errno, any, start - any);
                }
                if (any + span > end) {
                    int ignored = (int) Libc.MUNMAP.invokeExact(errno, end, any + span - end);
                }
                String note = size == want ? "" : ", less than the " + gib(want) + " asked for: " + refused;
                return new Reservation(base, size, page, note);
            } catch (Throwable t) {
                throw new IllegalStateException("jxdp sandbox: " + t, t);
            }
        }
        throw new IllegalStateException("jxdp sandbox: cannot reserve even " + gib(MIN_SIZE) + " of address space ("
                + refused + "); check ulimit -v and vm.overcommit_memory, or run with -Djxdp.sandbox=off");
    }

    // -Djxdp.sandbox.size=N[k|m|g], rounded up to a power of two
    private static long requestedSize() {
        String s = System.getProperty("jxdp.sandbox.size");
        if (s == null || s.isBlank()) {
            return DEFAULT_SIZE;
        }
        String t = s.strip().toLowerCase(java.util.Locale.ROOT);
        int shift = switch (t.charAt(t.length() - 1)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            case 't' -> 40;
            default -> 0;
        };
        long n;
        try {
            n = Long.parseLong(shift == 0 ? t : t.substring(0, t.length() - 1)) << shift;
        } catch (NumberFormatException e) {
            throw new IllegalStateException("jxdp sandbox: -Djxdp.sandbox.size=" + s + ": want a size such as 64g");
        }
        if (n < MIN_SIZE || n > 1L << 44) {
            throw new IllegalStateException("jxdp sandbox: -Djxdp.sandbox.size=" + s + ": want " + gib(MIN_SIZE) + " to 16 TiB");
        }
        return Long.highestOneBit(n - 1) << 1;
    }

    // 0, or the errno of a refused MADV_POPULATE_READ (older kernels); any other failure is a bug
    private static int madvise(long addr, long bytes, int advice) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(Libc.CAPTURE);
            int r = (int) Libc.MADVISE.invokeExact(errno, addr, bytes, advice);
            int e = (int) Libc.ERRNO.get(errno, 0L);
            if (r != 0 && advice == MADV_POPULATE_READ) {
                return e;
            }
            if (r != 0) {
                throw new IllegalStateException("jxdp sandbox: madvise(0x" + Long.toHexString(addr) + ", " + bytes
                        + ", " + advice + "): errno " + e);
            }
            return 0;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("jxdp sandbox: madvise: " + t, t);
        }
    }
}
