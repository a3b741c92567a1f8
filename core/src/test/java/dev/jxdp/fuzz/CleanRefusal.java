package dev.jxdp.fuzz;

import dev.jxdp.ebpf.BpfException;

import java.nio.BufferUnderflowException;

/**
 * What the fuzz targets accept as a clean refusal of bad input: a {@link BpfException} the CLI can print
 * as its one line {@code jxdp: FILE: what is wrong} (exit status 2). A message that is empty or spans lines
 * breaks that contract; so does one that only the loader's last-resort catch produced, since that catch
 * turns an unchecked read of the file into "truncated or corrupt object file (Index 9 out of bounds for
 * length 8)", which names nothing the user can act on: the read should have been checked where it happens.
 */
final class CleanRefusal {
    private CleanRefusal() {}

    static void check(BpfException e) {
        String m = e.getMessage();
        if (m == null || m.isBlank() || m.indexOf('\n') >= 0 || m.indexOf('\r') >= 0) {
            throw new AssertionError("refusal is not one line for 'jxdp: FILE: ...': " + m, e);
        }
        Throwable cause = e.getCause();
        if (cause instanceof IndexOutOfBoundsException || cause instanceof BufferUnderflowException) {
            throw new AssertionError("an unchecked read reached the last-resort catch: " + m, e);
        }
    }
}
