package dev.jxdp.ebpf;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Messages stay one line: found by ElfLoaderFuzzTest, whose mutated objects named sections, symbols and
 * BTF members with newlines and terminal escapes that the loader's messages quoted verbatim, so that
 * {@code jxdp: FILE: ...} spread over several lines.
 */
class BpfExceptionTest {

    @Test
    void aNewlineInAQuotedNameIsEscaped() {
        assertEquals("map devs: unknown field 'k\\ne'", new BpfException("map devs: unknown field 'k\ne'").getMessage());
    }

    @Test
    void otherControlCharactersAreEscapedByCode() {
        assertEquals("section \\x1b[2J\\t\\r\\x00: bad", new BpfException("section \u001b[2J\t\r\0: bad").getMessage());
        assertEquals("a\\u2028b", new BpfException("a\u2028b").getMessage());
    }

    @Test
    void plainMessagesAreKeptAsTheyAre() {
        String m = "program xdp_prog: instruction 17: invalid helper 999 ('ünïcode' names too)";
        assertEquals(m, new BpfException(m, new RuntimeException()).getMessage());
        assertNull(new BpfException(null).getMessage());
    }
}
