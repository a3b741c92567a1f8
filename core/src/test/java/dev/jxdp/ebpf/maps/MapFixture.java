package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.mem.Mem;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/** Specs and off-heap scratch for map tests: keys and values a "program" passes by address. */
final class MapFixture implements AutoCloseable {

    final Arena arena = Arena.ofConfined();

    static MapSpec spec(String name, MapType type, int keySize, int valueSize, int maxEntries, int flags) {
        return new MapSpec(name, type.id(), keySize, valueSize, maxEntries, flags, null, false, List.of(), ".maps");
    }

    /** A u32 at a fresh address. */
    long u32(long v) {
        MemorySegment s = arena.allocate(8, 8);
        Mem.putU32(s.address(), v);
        return s.address();
    }

    /** A u64 at a fresh address. */
    long u64(long v) {
        MemorySegment s = arena.allocate(8, 8);
        Mem.putU64(s.address(), v);
        return s.address();
    }

    /** Bytes at a fresh address. */
    long bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return bytes(b);
    }

    /** Bytes at a fresh address. */
    long bytes(byte[] b) {
        MemorySegment s = arena.allocate(Math.max(b.length, 8), 8);
        Mem.write(s.address(), b);
        return s.address();
    }

    static byte[] le32(long v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    static byte[] le64(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    static long readLe(byte[] b, int off, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }

    @Override
    public void close() {
        arena.close();
    }
}
