package dev.jxdp.io.pktgen;

/**
 * The Toeplitz hash NICs use for receive-side scaling: each set bit of the input, taken from the most
 * significant bit of the first byte on, XORs into the result the 32 key bits that start at the same bit
 * position. Mirrors the kernel's software version ({@code __toeplitz_hash()}) and DPDK's
 * {@code rte_softrss()}.
 */
public final class Toeplitz {
    private Toeplitz() {}

    /**
     * The 40-byte key of Microsoft's RSS verification suite, which Intel's datasheets and DPDK
     * ({@code rss_intel_key}) use as the default. Linux fills a random key at boot
     * ({@code netdev_rss_key_fill()}); a fixed one keeps pktgen's queue spread repeatable.
     */
    private static final byte[] DEFAULT_KEY = {
        0x6d, 0x5a, 0x56, (byte) 0xda, 0x25, 0x5b, 0x0e, (byte) 0xc2,
        0x41, 0x67, 0x25, 0x3d, 0x43, (byte) 0xa3, (byte) 0x8f, (byte) 0xb0,
        (byte) 0xd0, (byte) 0xca, 0x2b, (byte) 0xcb, (byte) 0xae, 0x7b, 0x30, (byte) 0xb4,
        0x77, (byte) 0xcb, 0x2d, (byte) 0xa3, (byte) 0x80, 0x30, (byte) 0xf2, 0x0c,
        0x6a, 0x42, (byte) 0xb7, 0x3b, (byte) 0xbe, (byte) 0xac, 0x01, (byte) 0xfa,
    };

    /** A copy of the default key. */
    public static byte[] defaultKey() {
        return DEFAULT_KEY.clone();
    }

    /** The hash of {@code input} under the default key. */
    public static int hash(byte[] input) {
        return hash(DEFAULT_KEY, input);
    }

    /** The hash of {@code input}; the key needs four bytes more than the input. */
    public static int hash(byte[] key, byte[] input) {
        if (key.length < input.length + 4) {
            throw new IllegalArgumentException("Toeplitz key of " + key.length + " bytes is too short for "
                    + input.length + " input bytes: want at least " + (input.length + 4));
        }
        int result = 0;
        for (int i = 0; i < input.length; i++) {
            // the 40 key bits from byte i hold every 32-bit window that starts inside byte i
            long window = (key[i] & 0xffL) << 32 | (key[i + 1] & 0xffL) << 24 | (key[i + 2] & 0xffL) << 16
                    | (key[i + 3] & 0xffL) << 8 | key[i + 4] & 0xffL;
            int b = input[i] & 0xff;
            for (int bit = 0; bit < 8; bit++) {
                if ((b & 0x80 >>> bit) != 0) {
                    result ^= (int) (window >>> (8 - bit));
                }
            }
        }
        return result;
    }
}
