package dev.jxdp.io.pcap;

import dev.jxdp.ebpf.BpfException;

import java.nio.file.Path;

/**
 * A capture file jxdp cannot take, or cannot write. Like every {@link BpfException} the message is one
 * line without the file name ("truncated: packet 18 at offset 1234 needs 60 bytes, 20 left"); the CLI
 * puts the file in front ({@code jxdp: FILE: message}, exit status 2), and {@link #path()} says which
 * file it was for callers that no longer know.
 */
public final class PcapException extends BpfException {
    private final Path path;

    PcapException(Path path, String message) {
        super(message);
        this.path = path;
    }

    PcapException(Path path, String message, Throwable cause) {
        super(message, cause);
        this.path = path;
    }

    /** The capture file the error is about. */
    public Path path() { return path; }
}
