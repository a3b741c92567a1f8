package dev.jxdp.ebpf.helpers;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * bpf_strtol and bpf_strtoul against the kernel: helper_strtol.c parses constant strings; case i's return
 * (bytes consumed or -errno) is res[2i] and the number it wrote res[2i + 1]. The expected values are what
 * Linux 6.18 stored (test-run --engine kernel; the same run is recorded in oracle/helper_strtol.json).
 */
class StrtolTest {

    private static final long EINVAL = -22;
    private static final long ERANGE = -34;

    private static ObjectRun ran() {
        ObjectRun o = new ObjectRun("helper_strtol.o");
        assertEquals(2, o.run(new byte[64]));
        return o;
    }

    private static void expect(ObjectRun o, int i, long ret, long value, String what) {
        assertEquals(ret, o.s64("res", 2 * i), "case " + i + " " + what + ": return");
        assertEquals(value, o.s64("res", 2 * i + 1), "case " + i + " " + what + ": value");
    }

    @Test
    void returnsTheBytesConsumedInEachBase() {
        try (ObjectRun o = ran()) {
            expect(o, 0, 3, 123, "\"123\" base 10");
            expect(o, 2, 4, 31, "\"0x1F\" base 0 is hex");
            expect(o, 3, 4, 31, "\"0x1F\" base 16 skips the 0x");
            expect(o, 4, 4, 511, "\"0777\" base 0 is octal");
            expect(o, 5, 3, 63, "\"0778\" base 8 stops at the 8");
            expect(o, 24, 4, 31, "\"0X1fz\" strtoul base 0, capital X, stops at z");
            expect(o, 27, 3, 0xabc, "\"abc\" base 16");
            expect(o, 30, 16, Long.MAX_VALUE, "\"7fff...\" base 16");
            expect(o, 31, 16, -1, "\"ffff...\" strtoul base 16");
        }
    }

    @Test
    void radixPrefixNeedsAHexDigitAfterIt() {
        try (ObjectRun o = ran()) {
            expect(o, 6, 1, 0, "\"0x\" base 0: octal 0, the x left");
            expect(o, 7, EINVAL, 0, "\"0x\" base 16: no digit after the prefix");
            expect(o, 26, 1, 0, "\"0xg\" base 0: octal 0");
        }
    }

    @Test
    void leadingSpaceAndOneMinusAreConsumed() {
        try (ObjectRun o = ran()) {
            expect(o, 1, 5, -42, "\"  -42xyz\" base 0");
            expect(o, 20, 7, 7, "\"\\t\\n\\v\\f\\r 7\"");
            expect(o, 21, 2, 5, "\"\\xa0 5\": the kernel's isspace() counts 0xa0");
            expect(o, 29, 2, 0, "strtol \"-0\"");
        }
    }

    @Test
    void refusesWhatHasNoNumber() {
        try (ObjectRun o = ran()) {
            expect(o, 8, EINVAL, 0, "\"+5\": no '+' sign");
            expect(o, 9, EINVAL, 0, "only spaces");
            expect(o, 10, EINVAL, 0, "a lone '-'");
            expect(o, 11, EINVAL, 0, "base 7");
            expect(o, 12, EINVAL, 0, "a flag beyond the base bits");
            expect(o, 19, EINVAL, 0, "strtoul \"-1\"");
            expect(o, 28, EINVAL, 0, "strtoul \"-0\"");
        }
    }

    @Test
    void overflowIsErange() {
        try (ObjectRun o = ran()) {
            expect(o, 13, 19, Long.MAX_VALUE, "LLONG_MAX");
            expect(o, 14, ERANGE, 0, "LLONG_MAX + 1");
            expect(o, 15, 20, Long.MIN_VALUE, "LLONG_MIN");
            expect(o, 16, ERANGE, 0, "LLONG_MIN - 1");
            expect(o, 17, 20, -1, "strtoul ULLONG_MAX");
            expect(o, 18, ERANGE, 0, "strtoul ULLONG_MAX + 1");
            expect(o, 25, ERANGE, 0, "17 hex digits");
        }
    }

    @Test
    void parsesAtMost63CharactersAndStopsAtNul() {
        try (ObjectRun o = ran()) {
            expect(o, 22, 63, 0, "70 zeros then 5: the parser sees 63");
            expect(o, 23, 2, 12, "\"12\\0 34\"");
        }
    }
}
