package dev.jxdp.ebpf.helpers;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * bpf_xdp_adjust_head / adjust_tail / adjust_meta against the kernel: helper_adjust.c run in the
 * kernel (Linux 6.18, test-run --engine kernel) on each case; the expected values below are what the kernel answered.
 */
class XdpAdjustTest {

    // op (0 head, 1 tail, 2 meta, 3 meta(-8) + head), offset, frame length,
    // kernel: retval, helper result, data_out length, first 8 and last 8 bytes of data_out
    static final long[][] KERNEL = {
            {0, -216, 60, 2, 0, 276, 0x0000000000000000L, 0x3435363738393a3bL},
            {0, -217, 60, 2, -22, 60, 0x0000000027ffffffL, 0x3435363738393a3bL},
            {0, 46, 60, 2, 0, 14, 0x2e2f303132333435L, 0x3435363738393a3bL},
            {0, 47, 60, 2, -22, 60, 0x000000002f000000L, 0x3435363738393a3bL},
            {0, -16, 60, 2, 0, 76, 0x0000000000000000L, 0x3435363738393a3bL},
            {0, 4, 60, 2, 0, 56, 0x0400000008090a0bL, 0x3435363738393a3bL},
            {1, 3460, 60, 2, 0, 3520, 0x01000000840d0000L, 0x0000000000000000L},
            {1, 3461, 60, 2, -22, 60, 0x01000000850d0000L, 0x3435363738393a3bL},
            {1, -46, 60, 2, 0, 14, 0x01000000d2ffffffL, 0xffff08090a0b0c0dL},
            {1, -47, 60, 2, -22, 60, 0x01000000d1ffffffL, 0x3435363738393a3bL},
            {1, 10, 60, 2, 0, 70, 0x010000000a000000L, 0x0000000000000000L},
            {1, -10, 60, 2, 0, 50, 0x01000000f6ffffffL, 0x2a2b2c2d2e2f3031L},
            {1, 3420, 100, 2, 0, 3520, 0x010000005c0d0000L, 0x0000000000000000L},
            {1, 3421, 100, 2, -22, 100, 0x010000005d0d0000L, 0x5c5d5e5f60616263L},
            {2, -4, 60, 2, 0, 64, 0x0000000002000000L, 0x3435363738393a3bL},
            {2, -2, 60, 2, -13, 60, 0x02000000feffffffL, 0x3435363738393a3bL},
            {2, -216, 60, 2, 0, 276, 0x0000000000000000L, 0x3435363738393a3bL},
            {2, -220, 60, 2, -22, 60, 0x0200000024ffffffL, 0x3435363738393a3bL},
            {2, 4, 60, 2, -22, 60, 0x0200000004000000L, 0x3435363738393a3bL},
            {2, -256, 60, 2, -22, 60, 0x0200000000ffffffL, 0x3435363738393a3bL},
            {2, 0, 60, 2, 0, 60, 0x0200000000000000L, 0x3435363738393a3bL},
            {2, -252, 100, 2, -22, 100, 0x0200000004ffffffL, 0x5c5d5e5f60616263L},
            {2, -6, 60, 2, -13, 60, 0x02000000faffffffL, 0x3435363738393a3bL},
            {3, -208, 60, 2, 0, 276, 0x8877665544332211L, 0x3435363738393a3bL},
            {3, -209, 60, 2, -22, 68, 0x8877665544332211L, 0x3435363738393a3bL},
            {3, 16, 60, 2, 0, 52, 0x8877665544332211L, 0x3435363738393a3bL},
            {3, 47, 60, 2, -22, 68, 0x8877665544332211L, 0x3435363738393a3bL},
    };

    @Test
    void everyCaseMatchesTheKernel() {
        for (long[] c : KERNEL) {
            try (ObjectRun o = new ObjectRun("helper_adjust.o")) {
                byte[] pkt = new byte[(int) c[2]];
                ByteBuffer.wrap(pkt).order(ByteOrder.LITTLE_ENDIAN).putInt((int) c[0]).putInt((int) c[1]);
                for (int i = 8; i < pkt.length; i++) {
                    pkt[i] = (byte) i;
                }
                String what = "op " + c[0] + " offset " + c[1] + " len " + c[2];
                assertEquals(c[3], o.run(pkt), what + ": retval");
                assertEquals(c[4], o.s64("res", 0), what + ": helper result");
                byte[] out = o.buff.bytesFromMeta();
                assertEquals(c[5], out.length, what + ": data_out length");
                ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.BIG_ENDIAN);
                assertEquals(c[6], b.getLong(0), what + ": first bytes");
                assertEquals(c[7], b.getLong(out.length - 8), what + ": last bytes");
            }
        }
    }

    @Test
    void growingTheTailZeroFillsEvenOverOldBytes() {
        try (ObjectRun o = new ObjectRun("helper_adjust.o")) {
            byte[] pkt = new byte[60];
            ByteBuffer.wrap(pkt).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(10);
            // dirty the tailroom first: the bytes after data_end must come back as zeros
            o.buff.load(new byte[80]);
            java.util.Arrays.fill(pkt, 8, 60, (byte) 0x5a);
            dev.jxdp.ebpf.mem.Mem.fill(o.buff.dataEnd, 20, (byte) 0x77);
            o.buff.load(pkt);
            dev.jxdp.ebpf.mem.Mem.fill(o.buff.dataEnd, 20, (byte) 0x77);
            o.st.begin(o.buff);
            o.interp.run(o.coll.programs().get(0), o.st);
            byte[] out = o.buff.bytesFromMeta();
            assertEquals(70, out.length);
            for (int i = 60; i < 70; i++) {
                assertEquals(0, out[i], "byte " + i);
            }
        }
    }
}
