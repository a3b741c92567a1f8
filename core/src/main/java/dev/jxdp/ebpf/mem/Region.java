package dev.jxdp.ebpf.mem;

import java.lang.foreign.MemorySegment;

/**
 * A range of native memory an eBPF program may reach through a pointer: its stack, a map's values,
 * global data, a ring buffer's records. The packet and the context are regions too, but their valid
 * bounds move ({@code bpf_xdp_adjust_head} and friends), so their owner answers for them.
 */
public final class Region {

    /** What a region holds, in the verifier's words (its pointer types). */
    public enum Kind {
        CTX("ctx"), STACK("stack"), PACKET("packet"), MAP_VALUE("map_value"), MAP_OBJECT("map_ptr"),
        RINGBUF("ringbuf_mem"), CODE("func"), OTHER("mem");

        private final String verifierName;

        Kind(String verifierName) { this.verifierName = verifierName; }

        public String verifierName() { return verifierName; }
    }

    private final String name;
    private final Kind kind;
    private final MemorySegment segment;
    private final long base;
    private final boolean writable;
    private final Object owner;

    public Region(String name, Kind kind, MemorySegment segment, boolean writable, Object owner) {
        this.name = name;
        this.kind = kind;
        this.segment = segment;
        this.base = segment.address();
        this.writable = writable;
        this.owner = owner;
    }

    public String name() { return name; }
    public Kind kind() { return kind; }
    public MemorySegment segment() { return segment; }
    public long base() { return base; }
    public long size() { return segment.byteSize(); }
    public long end() { return base + segment.byteSize(); }
    public boolean writable() { return writable; }
    /** The map, program or buffer this region belongs to, or null. */
    public Object owner() { return owner; }

    public boolean contains(long addr, long bytes) {
        return addr >= base && bytes >= 0 && addr - base <= size() - bytes;
    }

    @Override
    public String toString() {
        return kind.verifierName() + " " + name + " [0x" + Long.toHexString(base) + ", +" + size() + ")";
    }
}
