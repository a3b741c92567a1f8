package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.mem.Mem;

/** Sizes, key hashing and key comparison shared by the map types; nothing here allocates. */
final class MapMath {
    private MapMath() {}

    /** The kernel's KMALLOC_MAX_SIZE on x86-64 (order-10 pages): the cap on one element. */
    static final long KMALLOC_MAX_SIZE = 4L << 20;
    /** The kernel's PCPU_MIN_UNIT_SIZE: the cap on one per-CPU value. */
    static final int PCPU_MIN_UNIT_SIZE = 32 << 10;
    /** MAX_BPF_STACK: keys are built on the program stack, so none is larger. */
    static final int MAX_BPF_STACK = 512;

    static long roundUp8(long n) { return (n + 7) & ~7L; }

    static int roundUpPow2(int n) {
        return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }

    /** Hashes the key bytes read as little-endian longs, then the tail; a 64-bit mix folded to 32 bits. */
    static int hash(long addr, int size) {
        long h = 0x9E3779B97F4A7C15L * (size + 1);
        int i = 0;
        for (; i + 8 <= size; i += 8) {
            h = Long.rotateLeft(h ^ (Mem.getU64(addr + i) * 0xC2B2AE3D27D4EB4FL), 31) * 0x9E3779B97F4A7C15L;
        }
        long tail = 0;
        int shift = 0;
        if (i + 4 <= size) {
            tail = Mem.getU32(addr + i);
            shift = 32;
            i += 4;
        }
        if (i + 2 <= size) {
            tail |= (long) Mem.getU16(addr + i) << shift;
            shift += 16;
            i += 2;
        }
        if (i < size) {
            tail |= (long) Mem.getU8(addr + i) << shift;
        }
        h = Long.rotateLeft(h ^ (tail * 0xC2B2AE3D27D4EB4FL), 31) * 0x9E3779B97F4A7C15L;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return (int) h;
    }

    /**
     * True when the {@code size} bytes at a and b are equal: a long at a time, then the tail in one 4-, 2-
     * and 1-byte step each, so a size that is a constant of the caller's code unrolls to a few compares.
     */
    static boolean keyEquals(long a, long b, int size) {
        int i = 0;
        for (; i + 8 <= size; i += 8) {
            if (Mem.getU64(a + i) != Mem.getU64(b + i)) {
                return false;
            }
        }
        if (i + 4 <= size) {
            if (Mem.getU32(a + i) != Mem.getU32(b + i)) {
                return false;
            }
            i += 4;
        }
        if (i + 2 <= size) {
            if (Mem.getU16(a + i) != Mem.getU16(b + i)) {
                return false;
            }
            i += 2;
        }
        return i >= size || Mem.getU8(a + i) == Mem.getU8(b + i);
    }

    /**
     * The most off-heap memory one map may take for its values and keys: 1 GiB, far above what XDP programs
     * declare (a million-entry conntrack table is tens of MiB). The kernel charges map memory to the loader's
     * memory cgroup and says ENOMEM past its limit; jxdp has no such cgroup, and a max_entries of two billion
     * would have it zero gigabytes of memory for minutes before the first packet.
     */
    static final long MAX_MAP_BYTES = 1L << 30;

    /** Values and keys of {@code bytes} must stay within {@link #MAX_MAP_BYTES}; checked before anything is allocated. */
    static void requireMemory(MapSpec spec, long bytes) {
        if (bytes > MAX_MAP_BYTES) {
            throw invalid(spec, "max_entries " + Integer.toUnsignedString(spec.maxEntries()) + " needs " + bytes
                    + " bytes of values and keys, more than jxdp's limit of " + MAX_MAP_BYTES + " (1 GiB) per map");
        }
    }

    /** The on-heap index of a map must fit the JVM heap comfortably (the kernel's answer would be -ENOMEM). */
    static void requireHeap(MapSpec spec, long bytes) {
        long max = Runtime.getRuntime().maxMemory();
        if (bytes > max / 2) {
            throw invalid(spec, "max_entries " + Integer.toUnsignedString(spec.maxEntries()) + " needs " + bytes
                    + " bytes of index, more than half the JVM heap (" + max + "); raise -Xmx");
        }
    }

    static BpfException invalid(MapSpec spec, String what) {
        return new BpfException("map " + spec.name() + ": " + what);
    }

    static void requireKeySize(MapSpec spec, int want) {
        if (spec.keySize() != want) {
            throw invalid(spec, "key size " + spec.keySize() + ": want " + want);
        }
    }

    static void requireEntries(MapSpec spec) {
        if (spec.maxEntries() <= 0) {
            throw invalid(spec, "max_entries " + Integer.toUnsignedString(spec.maxEntries()) + ": want at least 1");
        }
    }

    static void requireValue(MapSpec spec) {
        if (spec.valueSize() <= 0) {
            throw invalid(spec, "value size " + Integer.toUnsignedString(spec.valueSize()) + ": want at least 1");
        }
    }

    /** Flags outside the type's mask, or both RDONLY_PROG and WRONLY_PROG (bpf_map_flags_access_ok()). */
    static void requireFlags(MapSpec spec, int allowed) {
        int extra = spec.flags() & ~allowed;
        if (extra != 0) {
            throw invalid(spec, "map_flags 0x" + Integer.toHexString(spec.flags()) + ": 0x"
                    + Integer.toHexString(extra) + " not valid for " + spec.mapType().kernelName());
        }
        int both = MapFlags.BPF_F_RDONLY_PROG | MapFlags.BPF_F_WRONLY_PROG;
        if ((spec.flags() & both) == both) {
            throw invalid(spec, "map_flags: BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG together");
        }
    }
}
