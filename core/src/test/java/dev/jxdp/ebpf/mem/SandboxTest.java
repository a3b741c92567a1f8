package dev.jxdp.ebpf.mem;

import dev.jxdp.ebpf.BpfException;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sandbox's reservation, allocation and mask (the test JVM runs with the wall up, as ./jxdp does). */
class SandboxTest {

    @Test
    void allocationsLieInsideAlignedAndZeroed() {
        try (Arena a = Arena.ofConfined()) {
            for (long align : new long[] {1, 8, 64, 4096, 1 << 16}) {
                MemorySegment s = Sandbox.allocate(a, 3000, align);
                assertEquals(3000, s.byteSize());
                assertEquals(0, s.address() % align);
                assertTrue(Sandbox.contains(s));
                for (long i = 0; i < s.byteSize(); i++) {
                    assertEquals(0, s.get(ValueLayout.JAVA_BYTE, i));
                }
            }
            MemorySegment big = Sandbox.allocate(a, 1L << 30, 64);
            assertTrue(Sandbox.contains(big), "a gigabyte costs address space, not memory");
            assertEquals(0, big.address() % 4096, "page-sized and larger blocks are whole pages");
        }
    }

    @Test
    void theNullPageIsNeverHandedOut() {
        try (Arena a = Arena.ofConfined()) {
            for (int i = 0; i < 100; i++) {
                assertTrue(Sandbox.allocate(a, 64, 64).address() >= Sandbox.BASE + 4096);
            }
        }
    }

    @Test
    void closingTheArenaGivesTheBlockBackZeroed() {
        long before = Sandbox.inUse();
        long addr;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = Sandbox.allocate(a, 1 << 20, 4096);
            s.fill((byte) 0x5a);
            addr = s.address();
            assertTrue(Sandbox.inUse() >= before + (1 << 20));
        }
        // whatever was written there (by a program a wrong proof let loose, too) reads as zero once freed
        assertEquals(0, Mem.getU64(addr));
        assertEquals(0, Mem.getU64(addr + (1 << 19)));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment again = Sandbox.allocate(a, 100, 8);
            again.fill((byte) 1);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment again = Sandbox.allocate(a, 100, 8);
            for (long i = 0; i < 100; i++) {
                assertEquals(0, again.get(ValueLayout.JAVA_BYTE, i), "a reused small block comes zeroed");
            }
        }
    }

    @Test
    void exhaustionIsAClearError() {
        try (Arena a = Arena.ofConfined()) {
            BpfException e = assertThrows(BpfException.class, () -> Sandbox.allocate(a, Sandbox.SIZE, 64));
            assertTrue(e.getMessage().startsWith("the sandbox (the ") && e.getMessage().contains("-Djxdp.sandbox.size"),
                    e.getMessage());
        }
    }

    @Test
    void everyAddressMasksIntoTheSandbox() {
        Random rnd = new Random(1);
        long[] edges = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, Sandbox.BASE, Sandbox.BASE - 1,
                Sandbox.BASE + Sandbox.SIZE - 1, Sandbox.BASE + Sandbox.SIZE, Sandbox.BASE + Sandbox.SIZE + Sandbox.GUARD};
        for (int i = 0; i < 10_000 + edges.length; i++) {
            long addr = i < edges.length ? edges[i] : rnd.nextLong();
            long m = Sandbox.mask(addr);
            assertTrue(m >= Sandbox.BASE && m < Sandbox.BASE + Sandbox.SIZE, Long.toHexString(addr));
            if (Sandbox.contains(addr, 1)) {
                assertEquals(addr, m, "an address inside is its own");
            }
        }
    }

    @Test
    void maskedAccessesAtTheEdgesStayMapped() {
        // the last masked address plus the largest offset and an 8-byte access run into the upper guard,
        // the first one less the largest negative offset into the lower guard: both are mapped
        long last = Sandbox.BASE - 1;
        SandboxMem.putU64(last, 0, 0x0102030405060708L);
        assertEquals(0x0102030405060708L, SandboxMem.getU64(last, 0));
        assertEquals(0x0102030405060708L, SandboxMem.getU64(Sandbox.BASE + Sandbox.SIZE - 1, 0));
        assertEquals(8, SandboxMem.getU8(Sandbox.BASE + 2 * Sandbox.SIZE - 1, 0));
        SandboxMem.putU64(last, 0, 0);
        SandboxMem.putU64(last, Short.MAX_VALUE, -1);
        assertEquals(-1, Mem.getU64(Sandbox.BASE + Sandbox.SIZE - 1 + Short.MAX_VALUE));
        SandboxMem.putU64(last, Short.MAX_VALUE, 0);
        SandboxMem.putU16(Sandbox.BASE + 2 * Sandbox.SIZE, Short.MIN_VALUE, 0xbeef);
        assertEquals(0xbeef, Mem.getU16(Sandbox.BASE + Short.MIN_VALUE));
        SandboxMem.putU16(Sandbox.BASE, Short.MIN_VALUE, 0);
        assertEquals(0, SandboxMem.getAndAdd64(Sandbox.BASE + 2 * Sandbox.SIZE - 8, 5));
        assertEquals(5, SandboxMem.getAndXor64(-8, 5));
        // 32-bit atomics fold the same way, and touch only their word
        assertEquals(0, SandboxMem.getAndAdd32(Sandbox.BASE + 2 * Sandbox.SIZE - 4, -1));
        assertEquals(-1, SandboxMem.compareAndExchange32(-4, -1, 7));
        assertEquals(7, SandboxMem.getAndSet32(-4, 0));
        assertEquals(0, SandboxMem.getU64(-8, 0));
    }

    @Test
    void theOffsetIsAnInstructionsSixteenBits() {
        // whatever offset a caller passes, only its low 16 bits (signed) move the masked base
        SandboxMem.putU32(Sandbox.BASE, 0x10000 + 16, 0x12345678);
        assertEquals(0x12345678L, Mem.getU32(Sandbox.BASE + 16));
        assertEquals(0x12345678L, SandboxMem.getU32(Sandbox.BASE + 16, Integer.MIN_VALUE));
        SandboxMem.putU32(Sandbox.BASE, 16, 0);
    }

    @Test
    void containsChecksTheWholeRange() {
        assertTrue(Sandbox.contains(Sandbox.BASE, Sandbox.SIZE));
        assertFalse(Sandbox.contains(Sandbox.BASE, Sandbox.SIZE + 1));
        assertFalse(Sandbox.contains(Sandbox.BASE + Sandbox.SIZE - 4, 8));
        assertFalse(Sandbox.contains(Sandbox.BASE - 1, 1));
        assertFalse(Sandbox.contains(0, 8));
        assertFalse(Sandbox.contains(Sandbox.BASE, -1));
    }
}
