package dev.jxdp.ebpf.mem;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Mem.copy has memmove's meaning and Mem.fill memset's at every length, the short ones it does itself included. */
class MemCopyTest {

    @Test
    void everyLengthAndOverlapCopiesAsMemmove() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(64);
            for (int n = 0; n <= 24; n++) {
                for (int src = 0; src <= 20; src += 3) {
                    for (int dst = 0; dst <= 20; dst++) {
                        byte[] before = new byte[64];
                        for (int i = 0; i < before.length; i++) {
                            before[i] = (byte) (i * 37 + 11);
                        }
                        MemorySegment.copy(before, 0, seg, ValueLayout.JAVA_BYTE, 0, 64);
                        byte[] want = before.clone();
                        System.arraycopy(before, src, want, dst, n);  // memmove semantics for one array
                        Mem.copy(seg.address() + src, seg.address() + dst, n);
                        assertArrayEquals(want, seg.toArray(ValueLayout.JAVA_BYTE),
                                "copy of " + n + " bytes from " + src + " to " + dst);
                    }
                }
            }
        }
    }

    @Test
    void everyLengthFillsExactlyItsBytes() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(64);
            for (int n = 0; n <= 24; n++) {
                for (int at = 0; at <= 20; at++) {
                    for (byte value : new byte[] {0, (byte) 0xa5}) {
                        byte[] before = new byte[64];
                        for (int i = 0; i < before.length; i++) {
                            before[i] = (byte) (i * 37 + 11);
                        }
                        MemorySegment.copy(before, 0, seg, ValueLayout.JAVA_BYTE, 0, 64);
                        byte[] want = before.clone();
                        java.util.Arrays.fill(want, at, at + n, value);
                        Mem.fill(seg.address() + at, n, value);
                        assertArrayEquals(want, seg.toArray(ValueLayout.JAVA_BYTE), "fill of " + n + " bytes at " + at);
                    }
                }
            }
        }
    }
}
