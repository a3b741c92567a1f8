package dev.jxdp.ebpf.mem;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Raw little-endian access to native memory by address, the way eBPF code sees memory: a pointer is a
 * plain 64-bit address. Callers check an access against its {@link Region} first (the interpreter on
 * every access, the JIT where the verifier could not prove it), so these accessors never see an address
 * outside memory jxdp owns.
 */
public final class Mem {
    private Mem() {}

    /** Every address; an access through it is only as safe as the check made before it. */
    public static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    public static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    public static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfShort U16_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfInt U32_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /**
     * Whether the byte accessors below use sun.misc.Unsafe's absolute-address accessors instead of the
     * FFM path. Measured on JDK 25 (x86-64): code that mixes loads and stores, as packet rewriting does,
     * runs 2-2.5x faster through Unsafe, because each FFM access keeps a session check and bounds check
     * C2 cannot hoist past the stores. Opt-in, because JDK 25 warns on first use of these deprecated
     * methods unless started with --sun-misc-unsafe-memory-access=allow: the ./jxdp launcher, the tests
     * and the benchmarks pass both that and -Djxdp.mem=unsafe; an application embedding jxdp gets the FFM
     * path unless it does the same. Semantics are identical: both are unchecked raw accesses, reached only
     * after the interpreter's check or the verifier's proof. Needs a little-endian machine (eBPF's order).
     */
    public static final boolean RAW = "unsafe".equals(System.getProperty("jxdp.mem"))
            && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    @SuppressWarnings("removal")
    private static final sun.misc.Unsafe UNSAFE = RAW ? unsafe() : null;

    @SuppressWarnings("removal")
    private static sun.misc.Unsafe unsafe() {
        try {
            java.lang.reflect.Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("removal")
    public static int getU8(long addr) { return (RAW ? UNSAFE.getByte(addr) : ALL.get(U8, addr)) & 0xff; }
    @SuppressWarnings("removal")
    public static int getU16(long addr) { return (RAW ? UNSAFE.getShort(addr) : ALL.get(U16, addr)) & 0xffff; }
    @SuppressWarnings("removal")
    public static long getU32(long addr) { return (RAW ? UNSAFE.getInt(addr) : ALL.get(U32, addr)) & 0xffffffffL; }
    @SuppressWarnings("removal")
    public static int getI32(long addr) { return RAW ? UNSAFE.getInt(addr) : ALL.get(U32, addr); }
    @SuppressWarnings("removal")
    public static long getU64(long addr) { return RAW ? UNSAFE.getLong(addr) : ALL.get(U64, addr); }

    @SuppressWarnings("removal")
    public static void putU8(long addr, long v) {
        if (RAW) {
            UNSAFE.putByte(addr, (byte) v);
        } else {
            ALL.set(U8, addr, (byte) v);
        }
    }

    @SuppressWarnings("removal")
    public static void putU16(long addr, long v) {
        if (RAW) {
            UNSAFE.putShort(addr, (short) v);
        } else {
            ALL.set(U16, addr, (short) v);
        }
    }

    @SuppressWarnings("removal")
    public static void putU32(long addr, long v) {
        if (RAW) {
            UNSAFE.putInt(addr, (int) v);
        } else {
            ALL.set(U32, addr, (int) v);
        }
    }

    @SuppressWarnings("removal")
    public static void putU64(long addr, long v) {
        if (RAW) {
            UNSAFE.putLong(addr, v);
        } else {
            ALL.set(U64, addr, v);
        }
    }

    /** Loads {@code size} (1, 2, 4 or 8) bytes, zero-extended. */
    public static long load(long addr, int size) {
        return switch (size) {
            case 1 -> getU8(addr);
            case 2 -> getU16(addr);
            case 4 -> getU32(addr);
            default -> getU64(addr);
        };
    }

    /** Stores the low {@code size} (1, 2, 4 or 8) bytes of v. */
    public static void store(long addr, int size, long v) {
        switch (size) {
            case 1 -> putU8(addr, v);
            case 2 -> putU16(addr, v);
            case 4 -> putU32(addr, v);
            default -> putU64(addr, v);
        }
    }

    public static void copy(long src, long dst, long bytes) {
        if (bytes >= 0 && bytes <= 16) {
            copySmall(src, dst, (int) bytes);
            return;
        }
        MemorySegment.copy(ALL, src, ALL, dst, bytes);
    }

    /**
     * A copy of at most 16 bytes as two loads then two stores of the widest size that fits (they overlap
     * when the length is not a power of two), so overlapping ranges copy as memmove does. The helpers'
     * small copies (a 4-byte bpf_xdp_load_bytes, an 8-byte map value) went to the VM's copy stub, a call
     * whose byte stores the program's next loads of the copy then waited on.
     */
    private static void copySmall(long src, long dst, int n) {
        if (n >= 8) {
            long a = getU64(src);
            long b = getU64(src + n - 8);
            putU64(dst, a);
            putU64(dst + n - 8, b);
        } else if (n >= 4) {
            long a = getU32(src);
            long b = getU32(src + n - 4);
            putU32(dst, a);
            putU32(dst + n - 4, b);
        } else if (n >= 2) {
            int a = getU16(src);
            int b = getU16(src + n - 2);
            putU16(dst, a);
            putU16(dst + n - 2, b);
        } else if (n == 1) {
            putU8(dst, getU8(src));
        }
    }

    public static void fill(long addr, long bytes, byte value) {
        if (bytes >= 0 && bytes <= 16) {
            fillSmall(addr, (int) bytes, (value & 0xffL) * 0x0101010101010101L);
            return;
        }
        ALL.asSlice(addr, bytes).fill(value);
    }

    // as copySmall: at most 16 bytes as two overlapping stores of the widest size that fits, not a slice
    // and the VM's fill stub (a grown tail, a zeroed key)
    private static void fillSmall(long addr, int n, long pattern) {
        if (n >= 8) {
            putU64(addr, pattern);
            putU64(addr + n - 8, pattern);
        } else if (n >= 4) {
            putU32(addr, pattern);
            putU32(addr + n - 4, pattern);
        } else if (n >= 2) {
            putU16(addr, pattern);
            putU16(addr + n - 2, pattern);
        } else if (n == 1) {
            putU8(addr, pattern);
        }
    }

    public static byte[] read(long addr, int bytes) {
        byte[] out = new byte[bytes];
        MemorySegment.copy(ALL, U8, addr, out, 0, bytes);
        return out;
    }

    public static void write(long addr, byte[] src) {
        MemorySegment.copy(src, 0, ALL, U8, addr, src.length);
    }

    /** True when the {@code bytes} bytes at a and b are equal. */
    public static boolean equals(long a, long b, int bytes) {
        return MemorySegment.mismatch(ALL, a, a + bytes, ALL, b, b + bytes) < 0;
    }
}
