package dev.jxdp.ebpf.isa;

import dev.jxdp.ebpf.BpfException;

/** Assembler input that does not parse: {@code line N: what is wrong}. */
public final class AsmException extends BpfException {
    private final int line;

    public AsmException(int line, String what) {
        super("line " + line + ": " + what);
        this.line = line;
    }

    /** The 1-based line of the text the error is on. */
    public int line() { return line; }
}
