package dev.jxdp.ebpf.helpers;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The smaller helpers against the kernel: helper_misc.c on a 64-byte frame (bytes 0..63) run by
 * the kernel (Linux 6.18, test-run --engine kernel); res[i] below is what the kernel stored.
 */
class MiscHelpersTest {

    static byte[] frame() {
        byte[] f = new byte[64];
        for (int i = 0; i < 64; i++) {
            f[i] = (byte) i;
        }
        return f;
    }

    static ObjectRun ran() {
        ObjectRun o = new ObjectRun("helper_misc.o");
        assertEquals(2, o.run(frame()));
        return o;
    }

    static void expect(ObjectRun o, int key, long kernel, String what) {
        assertEquals(kernel, o.s64("res", key), "res[" + key + "] " + what);
    }

    @Test
    void tracePrintkReturnsBytesWrittenOrEinval() {
        try (ObjectRun o = ran()) {
            expect(o, 0, 6, "hello\\n");
            expect(o, 1, 17, "%d %u %x");
            expect(o, 2, 32, "%lld %llx %lu");
            expect(o, 3, 20, "[%5d|%-5d|%05d]");
            expect(o, 4, 9, "%s=%c %%");
            expect(o, 5, -22, "unknown conversion %q");
            expect(o, 6, -22, "four conversions");
            expect(o, 7, 21, "%X %ld %i");
        }
    }

    @Test
    void tracePrintkLinesGoToTheTrace() {
        try (ObjectRun o = ran()) {
            assertEquals(List.of("hello", "-5 4294967291 ff", "-1 ffffffffffffffff 12345678901", "[   42|-7   |-0042]",
                    "jxdp=x %", "ABCDEF -3000000000 1"), o.trace);
        }
    }

    @Test
    void redirectAndRedirectMapFlags() {
        try (ObjectRun o = ran()) {
            expect(o, 10, 4, "redirect(5, 0)");
            expect(o, 11, 0, "redirect(5, 1): any flag aborts");
            expect(o, 12, 2, "devmap miss, XDP_PASS");
            expect(o, 13, 1, "devmap miss, XDP_DROP");
            expect(o, 14, 0, "devmap, unknown flag 0x20");
            expect(o, 15, 4, "devmap miss with BPF_F_BROADCAST");
            expect(o, 16, 4, "devmap miss with BROADCAST | EXCLUDE_INGRESS");
            expect(o, 17, 3, "cpumap miss, XDP_TX");
            expect(o, 18, 0, "cpumap with BPF_F_BROADCAST");
            expect(o, 19, 0, "flags 7: bit 2 is not an action bit");
        }
    }

    @Test
    void bpfLoopCountsAndLimits() {
        try (ObjectRun o = ran()) {
            expect(o, 20, 5, "5 loops");
            expect(o, 21, 10, "0+1+2+3+4");
            expect(o, 22, 3, "stopped by the callback at index 2");
            expect(o, 23, -22, "flags 1");
            expect(o, 24, 0xfffffff9L, "(1 << 23) + 1 loops: -E2BIG as the inlined loop returns it");
            expect(o, 25, 0, "0 loops");
        }
    }

    @Test
    void xdpLoadAndStoreBytesBounds() {
        try (ObjectRun o = ran()) {
            expect(o, 26, 64, "xdp_get_buff_len");
            expect(o, 27, 0, "load 0+4");
            expect(o, 28, -22, "load 61+4");
            expect(o, 29, -14, "load at 0x10000");
            expect(o, 30, 0, "load 60+4");
            expect(o, 31, 0, "store 8+4");
            expect(o, 32, -22, "store 62+4");
            expect(o, 33, 1061043516, "bytes 60..63 loaded");
            byte[] out = o.buff.bytesFromMeta();
            assertEquals(0x3c, out[8]);
            assertEquals(0x3f, out[11]);
            assertEquals(12, out[12]);
        }
    }

    @Test
    void forEachMapElemCountsTheStoppingElement() {
        try (ObjectRun o = ran()) {
            expect(o, 34, 5, "all 5 visited");
            expect(o, 35, 2, "stopped at key 1, counted");
            expect(o, 36, -22, "flags 1");
            assertEquals(40, o.s64("walk", 4));
        }
    }
}
