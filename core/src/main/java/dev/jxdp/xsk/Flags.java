package dev.jxdp.xsk;

import java.lang.foreign.MemorySegment;

/** The flags word of a ring, written by whichever end is the kernel's. */
final class Flags {
    private Flags() {}

    // the kernel's xsk_set_*_need_wakeup() is a plain read-modify-write under its own serialisation: only
    // the kernel's end writes this word, so no atomic update is needed, only WRITE_ONCE visibility
    static void set(MemorySegment ring, long off, boolean on) {
        int f = XskRing.loWord(ring, off);
        XskRing.stoWord(ring, off, on ? f | IfXdp.XDP_RING_NEED_WAKEUP : f & ~IfXdp.XDP_RING_NEED_WAKEUP);
    }
}
