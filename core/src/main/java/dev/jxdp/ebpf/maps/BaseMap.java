package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.mem.Region;
import dev.jxdp.ebpf.mem.Sandbox;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What every live map shares: its own shared arena, the small "struct bpf_map" object whose address is
 * the map's handle, preallocated slabs registered as regions, and the user side's scratch memory (the
 * syscall's copy of the caller's key and value, so the user side can reuse the program side's code).
 * The object and every slab lie in the {@link Sandbox}, where programs reach memory; the scratch, which
 * only the user side touches, lies outside it.
 */
abstract class BaseMap extends BpfMap {

    /** Bytes of the stand-in for struct bpf_map that r1 points to after {@code r1 = map[...]}. */
    static final int OBJECT_SIZE = 64;

    final Arena arena = Arena.ofShared();
    private final List<Region> regions = new ArrayList<>();
    private final long handle;
    /** User-side scratch: a key and a value, written by the user methods (synchronized) only. */
    private MemorySegment scratch;

    BaseMap(MapSpec spec) {
        super(spec);
        MemorySegment object = Sandbox.allocate(arena, OBJECT_SIZE, 64);
        handle = object.address();
        regions.add(new Region(spec.name(), Region.Kind.MAP_OBJECT, object, false, this));
    }

    @Override
    public final long handle() { return handle; }

    @Override
    public final List<Region> regions() { return Collections.unmodifiableList(regions); }

    /** A zeroed, 8-byte-aligned slab that lives as long as the map, registered as a region of this kind. */
    final MemorySegment slab(String what, long bytes, Region.Kind kind, boolean writable) {
        MemorySegment s = allocate(what.isEmpty() ? "values" : what, bytes);
        regions.add(new Region(name() + (what.isEmpty() ? "" : "." + what), kind, s, writable, this));
        return s;
    }

    /** Whether programs may write values: not for .rodata (frozen) nor BPF_F_RDONLY_PROG maps. */
    final boolean progWritable() {
        return !spec.readOnly() && (spec.flags() & MapFlags.BPF_F_RDONLY_PROG) == 0;
    }

    /**
     * Off-heap memory owned by the map but reachable by no program (no region). In the sandbox with the
     * rest, so a wrong proof can reach it: it may hold only data the map's code compares (LPM prefixes),
     * never an address or a length it acts on.
     */
    final MemorySegment privateSlab(long bytes) {
        return allocate("private data", bytes);
    }

    private MemorySegment allocate(String what, long bytes) {
        try {
            return Sandbox.allocate(arena, Math.max(bytes, 8), 64);
        } catch (OutOfMemoryError | IllegalArgumentException e) {
            throw new BpfException("map " + name() + ": cannot allocate " + bytes + " bytes of " + what);
        } catch (BpfException e) {
            throw new BpfException("map " + name() + ": cannot allocate " + bytes + " bytes of " + what + ": "
                    + e.getMessage(), e);
        }
    }

    /** The address of the user-side scratch key, filled with {@code key} (checked against the key size). */
    final long userKey(byte[] key) {
        checkLength("key", key, keySize());
        long a = scratch().address();
        Mem.write(a, key);
        return a;
    }

    /** The address of the user-side scratch value, after the key, filled with {@code value}. */
    final long userValue(byte[] value, int want) {
        checkLength("value", value, want);
        long a = scratch().address() + scratchKeyBytes();
        Mem.write(a, value);
        return a;
    }

    final void checkLength(String what, byte[] bytes, int want) {
        if (bytes == null || bytes.length != want) {
            throw new BpfException("map " + name() + ": " + what + " of " + (bytes == null ? 0 : bytes.length)
                    + " bytes: want " + want);
        }
    }

    private long scratchKeyBytes() { return MapMath.roundUp8(Math.max(keySize(), 8)); }

    private MemorySegment scratch() {
        if (scratch == null) {
            scratch = arena.allocate(scratchKeyBytes() + MapMath.roundUp8(Math.max(userValueSize(), 8)), 64);
        }
        return scratch;
    }

    /** The size of a value as the syscall sees it: all CPUs' values for per-CPU maps. */
    int userValueSize() { return valueSize(); }

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return type().kernelName() + " " + name();
    }
}
