package dev.jxdp.xdp.chain;

import dev.jxdp.ebpf.BpfException;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One program of a chain: the object file it comes from and its name there. Within a chain the name
 * alone identifies it (the chain-call map's key, the command line's PROG).
 *
 * @param object the object file
 * @param name   the program's name (its function's symbol)
 */
public record ChainProgram(Path object, String name) {
    public ChainProgram {
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new BpfException(object + ": empty program name");
        }
    }

    @Override
    public String toString() {
        return object + ":" + name;
    }
}
