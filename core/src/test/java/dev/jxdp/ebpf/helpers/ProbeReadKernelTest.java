package dev.jxdp.ebpf.helpers;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * bpf_probe_read_kernel against the kernel: helper_probe_read.c reads into a buffer prefilled with
 * 0x1122334455667788; read i's return is res[2i] and the buffer after it res[2i + 1]. The expected values
 * are what Linux 6.18 (x86-64) stored (test-run --engine kernel; recorded in oracle/helper_probe_read.json).
 */
class ProbeReadKernelTest {

    private static final long ERANGE = -34;
    private static final long EFAULT = -14;
    private static final long UNTOUCHED = 0x1122334455667788L;

    private static ObjectRun ran() {
        ObjectRun o = new ObjectRun("helper_probe_read.o");
        byte[] frame = new byte[64];
        for (int i = 0; i < frame.length; i++) {
            frame[i] = (byte) (0xa0 + i);
        }
        assertEquals(2, o.run(frame));
        return o;
    }

    private static void expect(ObjectRun o, int i, long ret, long buf, String what) {
        assertEquals(ret, o.s64("res", 2 * i), "read " + i + " " + what + ": return");
        assertEquals(buf, o.s64("res", 2 * i + 1), "read " + i + " " + what + ": buffer");
    }

    @Test
    void readsMemoryTheProgramOwns() {
        try (ObjectRun o = ran()) {
            expect(o, 4, 0, 0x0102030405060708L, "the stack");
            expect(o, 5, 0, 0x7766554433221100L, "a map value");
            expect(o, 6, 0, 0xa7a6a5a4a3a2a1a0L, "the packet");
            expect(o, 7, 0, 0x11223344a7a6a5a4L, "4 bytes of the packet");
            expect(o, 15, 0, UNTOUCHED, "0 bytes of the stack");
        }
    }

    @Test
    void userAndNonCanonicalAddressesAreErangeAndZeroFill() {
        try (ObjectRun o = ran()) {
            expect(o, 8, ERANGE, 0, "NULL");
            expect(o, 9, ERANGE, UNTOUCHED, "0 bytes at NULL");
            expect(o, 10, ERANGE, 0, "0x1000");
            expect(o, 11, ERANGE, 0, "non-canonical 0xffff000000000000");
            expect(o, 12, ERANGE, 0, "the vsyscall page");
        }
    }

    @Test
    void unmappedKernelAddressesAreEfaultAndZeroFill() {
        try (ObjectRun o = ran()) {
            expect(o, 13, EFAULT, 0, "0xffff800000000000");
            expect(o, 14, EFAULT, 0, "0xffffffffffff0000");
        }
    }

    @Test
    void addressClassesAreX86s() {
        assertEquals(true, ProbeRead.refused(0));
        assertEquals(true, ProbeRead.refused(0x7fff_ffff_ffffL));
        assertEquals(true, ProbeRead.refused(0x8000_0000_0000L), "non-canonical");
        assertEquals(true, ProbeRead.refused(0xffff_7fff_ffff_ffffL), "non-canonical");
        assertEquals(false, ProbeRead.refused(0xffff_8000_0000_0000L));
        assertEquals(true, ProbeRead.refused(0xffff_ffff_ff60_0010L), "vsyscall page");
        assertEquals(false, ProbeRead.refused(0xffff_ffff_ff60_1000L));
    }
}
