package dev.jxdp.ebpf.helpers;

import dev.jxdp.ebpf.maps.Errno;
import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.runtime.ExecState;

/**
 * bpf_strtol and bpf_strtoul: an integer parsed from a buffer that need not end in a NUL, as the kernel's
 * __bpf_strtoull() parses it. Leading white space (the kernel's isspace(), which counts 0xa0 too), one
 * '-' (no '+'), then at most 63 characters go to the kernel's integer parser: base 0 picks 16 for "0x"
 * followed by a hex digit, 8 for a leading '0', else 10; base 16 skips a "0x". The result is the number
 * of bytes consumed, or -EINVAL (bad flags, nothing to parse, no digit, a negative number for strtoul)
 * or -ERANGE (the value overflows 64 bits, or the signed range for strtol); the output is 0 on any error.
 */
final class StrToL {
    private StrToL() {}

    /** BPF_STRTOX_BASE_MASK: the flags' base bits. */
    static final long BASE_MASK = 0x1f;
    /** sizeof(str) - 1 in __bpf_strtoull(): the most characters after the sign the parser sees. */
    static final int MAX_DIGITS = 63;
    /** KSTRTOX_OVERFLOW: the parser's overflow bit in its count. */
    private static final int OVERFLOW = 1 << 31;

    static long strtol(ExecState st, long buf, long len, long flags, long res) {
        st.checkArg(buf, len, false, "bpf_strtol", "buf");
        st.checkArg(res, 8, true, "bpf_strtol", "res");
        long r = parse(buf, len, flags, res);
        if (r < 0) {
            return r;
        }
        long magnitude = Mem.getU64(res);
        long v = (r & NEGATIVE) != 0 ? -magnitude : magnitude;
        // the magnitude must fit: -2^63 does, 2^63 does not
        if ((r & NEGATIVE) != 0 ? v > 0 : v < 0) {
            Mem.putU64(res, 0);
            return -Errno.ERANGE;
        }
        Mem.putU64(res, v);
        return r & ~NEGATIVE;
    }

    static long strtoul(ExecState st, long buf, long len, long flags, long res) {
        st.checkArg(buf, len, false, "bpf_strtoul", "buf");
        st.checkArg(res, 8, true, "bpf_strtoul", "res");
        long r = parse(buf, len, flags, res);
        if (r < 0) {
            return r;
        }
        if ((r & NEGATIVE) != 0) {
            Mem.putU64(res, 0);
            return -Errno.EINVAL;
        }
        return r;
    }

    /** parse()'s flag for a leading '-', above any count of bytes consumed. */
    private static final long NEGATIVE = 1L << 32;

    /**
     * Mirrors __bpf_strtoull() with _parse_integer_fixup_radix() and _parse_integer_limit(): writes the
     * magnitude to {@code res} (0 on an error) and returns the bytes consumed, with {@link #NEGATIVE} set
     * for a leading '-', or a negative errno.
     */
    private static long parse(long buf, long len, long flags, long res) {
        Mem.putU64(res, 0);
        long base = flags & BASE_MASK;
        if (len == 0 || base != 0 && base != 8 && base != 10 && base != 16 || (flags & ~BASE_MASK) != 0) {
            return -Errno.EINVAL;
        }
        int i = 0;
        while (i < len && isSpace(Mem.getU8(buf + i))) {
            i++;
        }
        boolean negative = i < len && Mem.getU8(buf + i) == '-';
        if (negative) {
            i++;
        }
        if (i == len) {
            return -Errno.EINVAL;
        }
        // the kernel copies what follows into a NUL-terminated 64-byte buffer: a NUL past the end
        long start = buf + i;
        int n = (int) Math.min(len - i, MAX_DIGITS);
        int at = 0;
        if (base == 0) {
            if (charAt(start, n, 0) == '0') {
                base = (charAt(start, n, 1) | 0x20) == 'x' && isXDigit(charAt(start, n, 2)) ? 16 : 8;
            } else {
                base = 10;
            }
        }
        if (base == 16 && charAt(start, n, 0) == '0' && (charAt(start, n, 1) | 0x20) == 'x') {
            at = 2;
        }
        long value = 0;
        int count = 0;
        for (; at < n; at++) {
            int c = Mem.getU8(start + at);
            int lc = c | 0x20;
            int val;
            if (c >= '0' && c <= '9') {
                val = c - '0';
            } else if (lc >= 'a' && lc <= 'f') {
                val = lc - 'a' + 10;
            } else {
                break;
            }
            if (val >= base) {
                break;
            }
            // checked only near the top, as the kernel does: value * base + val must stay below 2^64
            if ((value & (~0L << 60)) != 0 && Long.compareUnsigned(value, Long.divideUnsigned(-1L - val, base)) > 0) {
                count |= OVERFLOW;
            }
            value = value * base + val;
            count++;
        }
        if ((count & OVERFLOW) != 0) {
            return -Errno.ERANGE;
        }
        if (count == 0) {
            return -Errno.EINVAL;
        }
        Mem.putU64(res, value);
        return (i + at) | (negative ? NEGATIVE : 0);
    }

    private static int charAt(long start, int n, int k) {
        return k < n ? Mem.getU8(start + k) : 0;
    }

    /** The kernel's isspace(): \t \n \v \f \r, space, and 0xa0 (its ctype table is Latin-1). */
    static boolean isSpace(int c) {
        return c == ' ' || c >= '\t' && c <= '\r' || c == 0xa0;
    }

    private static boolean isXDigit(int c) {
        int lc = c | 0x20;
        return c >= '0' && c <= '9' || lc >= 'a' && lc <= 'f';
    }
}
