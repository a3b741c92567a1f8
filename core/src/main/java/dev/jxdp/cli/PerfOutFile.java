package dev.jxdp.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code jxdp run --perf-out jsonl:FILE}: the user-space side of perf event output. A thread reads every
 * perf event reader while the datapath runs (as a perf_buffer__poll() loop) and writes one JSON object per
 * sample and line: {@code {"map": NAME, "cpu": N, "data": HEX}}, the data the raw sample's bytes (meta, the
 * frame bytes asked for, zero padding). The program side never waits for it: a full buffer loses the
 * sample (-ENOSPC to the program), counted in {@link PerfEvents#lost()}.
 */
final class PerfOutFile {

    private static final HexFormat HEX = HexFormat.of();

    private final PerfEvents readers;
    private final Path path;
    private final BufferedWriter out;
    private final Thread thread;
    private volatile boolean stop;
    private long written;
    private IOException failure;

    PerfOutFile(PerfEvents readers, Path path) {
        this.readers = readers;
        this.path = path;
        try {
            this.out = Files.newBufferedWriter(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException(path + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
        }
        this.thread = new Thread(this::run, "jxdp-perf-reader");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        int idle = 0;
        while (!stop && failure == null) {
            if (pollOnce() > 0) {
                idle = 0;
            } else if (++idle < 64) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(100_000);
            }
        }
    }

    private long pollOnce() {
        try {
            return readers.poll(this::write);
        } catch (UncheckedIOException e) {
            failure = e.getCause();
            return 0;
        }
    }

    private void write(String map, int cpu, byte[] data, int length) {
        try {
            out.write("{\"map\":\"");
            out.write(map);
            out.write("\",\"cpu\":");
            out.write(Integer.toString(cpu));
            out.write(",\"data\":\"");
            HEX.formatHex(out, data, 0, length);
            out.write("\"}\n");
            written++;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Stops the thread once the datapath has stopped, takes what is left and closes the file; returns the
     * samples written. A write error is one line naming the file.
     */
    long finish() {
        stop = true;
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure == null) {
            pollOnce();
        }
        try {
            out.close();
        } catch (IOException e) {
            failure = failure != null ? failure : e;
        }
        if (failure != null) {
            throw new CliException(path + ": " + failure.getMessage());
        }
        return written;
    }

    /** Closes the file after a failed run, quietly. */
    void abort() {
        stop = true;
        try {
            thread.join(1000);
            out.close();
        } catch (IOException | InterruptedException e) {
            // the run is failing already
        }
    }
}
