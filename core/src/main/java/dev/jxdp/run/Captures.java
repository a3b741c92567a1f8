package dev.jxdp.run;

import dev.jxdp.io.pcap.PcapWriter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The capture files one run writes (passed, sent, redirected frames): each is written whole when the run
 * ends well ({@link #closeAll()}) or not at all ({@link #abortAll()}, for a run that failed), so a failed
 * run leaves no half-written file behind.
 */
public final class Captures {
    private final List<PcapWriter> open = new ArrayList<>();

    /** A capture file to write, in nanosecond resolution; null when {@code file} is null. */
    public PcapWriter open(Path file) {
        if (file == null) {
            return null;
        }
        PcapWriter w = PcapWriter.open(file, PcapWriter.Resolution.NANOSECONDS);
        open.add(w);
        return w;
    }

    /** Every capture written into place. */
    public void closeAll() {
        while (!open.isEmpty()) {
            open.removeFirst().close();
        }
    }

    /** Every capture not yet closed dropped; nothing of them stays. */
    public void abortAll() {
        while (!open.isEmpty()) {
            open.removeFirst().abort();
        }
    }
}
