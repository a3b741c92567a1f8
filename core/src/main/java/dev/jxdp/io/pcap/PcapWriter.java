package dev.jxdp.io.pcap;

import dev.jxdp.ebpf.mem.Mem;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a classic little-endian pcap file of Ethernet frames (snaplen {@value #SNAPLEN}), with
 * micro- or nanosecond timestamps, for tcpdump and Wireshark to read.
 *
 * <p>Records gather in one off-heap buffer written out in large writes, so a packet costs a header
 * and a copy, no allocation. The records go to a temporary file beside the target, renamed into place
 * by {@link #close()} (an atomic move), so the target is never half-written: it is the old file or the
 * whole new one; {@link #abort()} throws the temporary file away. A failure part-way should not
 * publish a partial capture, hence close on success and abort always ({@code abort} after {@code close}
 * does nothing):
 *
 * <pre>{@code
 * PcapWriter w = PcapWriter.open(path, PcapWriter.Resolution.NANOSECONDS);
 * try {
 *     ...w.write(addr, len, ts)...
 *     w.close();
 * } finally {
 *     w.abort();
 * }
 * }</pre>
 *
 * <p>The writer itself is thread-confined: the thread that opens it is the only one that may use its
 * {@code write} methods (their buffer belongs to a confined arena, which enforces this). Other threads
 * write through a {@link Lane} each ({@link #lane()}), for several NAPI workers passing frames into one
 * file: a lane is its own buffer, so a packet costs no lock, and a full lane goes out as one write under
 * the file's lock, so records never interleave. Records of different lanes therefore appear in blocks,
 * each lane's in order, not sorted by time across lanes (as a capture of several queues is; mergecap
 * sorts one if needed). {@link #close()} writes out every lane, so it must run after every lane's thread
 * has finished writing (joined).
 */
public final class PcapWriter implements AutoCloseable {
    /** The largest packet stored whole; longer ones are cut, keeping their original length. */
    public static final int SNAPLEN = PcapLayout.MAX_SNAPLEN;

    /** The unit of the record timestamps, chosen by the file's magic. */
    public enum Resolution {
        MICROSECONDS(PcapLayout.MAGIC_MICROS, 1000),
        NANOSECONDS(PcapLayout.MAGIC_NANOS, 1);

        private final int magic;
        private final int nanosPerUnit;

        Resolution(int magic, int nanosPerUnit) {
            this.magic = magic;
            this.nanosPerUnit = nanosPerUnit;
        }
    }

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** Four largest records: few enough system calls, small enough to stay out of the way. */
    private static final int BUFFER_BYTES = 4 * (PcapLayout.RECORD_HEADER_BYTES + SNAPLEN);

    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final int nanosPerUnit;
    /** The opener's buffer, in a confined arena. */
    private final Arena arena;
    private final Lane own;
    /** The other threads' lanes, in a shared arena made with the first. */
    private final List<Lane> lanes = new ArrayList<>();
    private Arena laneArena;
    private volatile boolean done;

    private PcapWriter(Path target, Path temp, FileChannel channel, Resolution resolution) {
        this.target = target;
        this.temp = temp;
        this.channel = channel;
        this.nanosPerUnit = resolution.nanosPerUnit;
        this.arena = Arena.ofConfined();
        this.own = new Lane(arena);
        // the file header goes out now, so that no lane's records can precede it
        MemorySegment buffer = own.buffer;
        buffer.set(U32, PcapLayout.MAGIC, resolution.magic);
        buffer.set(U16, PcapLayout.VERSION_MAJOR_AT, (short) PcapLayout.VERSION_MAJOR);
        buffer.set(U16, PcapLayout.VERSION_MINOR_AT, (short) PcapLayout.VERSION_MINOR);
        buffer.set(U32, PcapLayout.THISZONE, 0);
        buffer.set(U32, PcapLayout.SIGFIGS, 0);
        buffer.set(U32, PcapLayout.SNAPLEN, SNAPLEN);
        buffer.set(U32, PcapLayout.LINKTYPE, LinkType.ETHERNET);
        own.position = PcapLayout.FILE_HEADER_BYTES;
        try {
            own.flush();
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Starts a capture that {@link #close()} will move to {@code target}, replacing any file there. */
    public static PcapWriter open(Path target, Resolution resolution) {
        Objects.requireNonNull(resolution, "resolution");
        Path dir = target.toAbsolutePath().getParent();
        // a name of our own, not Files.createTempFile: that one makes the file 0600, and the rename
        // would hand the capture those permissions instead of the umask's
        Path temp = dir.resolve("." + target.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        FileChannel channel;
        try {
            channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw writeError(target, e);
        }
        try {
            return new PcapWriter(target, temp, channel, resolution);
        } catch (RuntimeException e) {
            try {
                channel.close();
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // the header's write error is the one to report
            }
            throw e;
        }
    }

    /**
     * Appends one packet of {@code length} bytes at {@code srcAddr}, captured at {@code timestampNanos}
     * (nanoseconds since the epoch, up to the year 2106, pcap's limit).
     */
    public void write(long srcAddr, int length, long timestampNanos) {
        own.write(srcAddr, length, timestampNanos);
    }

    /** Appends a packet from the heap (tests, small tools). */
    public void write(byte[] data, long timestampNanos) {
        own.write(data, timestampNanos);
    }

    /**
     * A new lane into this file for one other thread; call it from the opening thread, before the lane's
     * thread starts. {@link #close()} and {@link #abort()} end the lanes with the writer.
     */
    public synchronized Lane lane() {
        if (done) {
            throw closed();
        }
        if (laneArena == null) {
            laneArena = Arena.ofShared();  // written by the lane's thread, freed by the opener's close
        }
        Lane l = new Lane(laneArena);
        lanes.add(l);
        return l;
    }

    /** Packets written so far, through the writer and its lanes (exact once the lanes' threads are joined). */
    public synchronized long packets() {
        long n = own.packets;
        for (Lane l : lanes) {
            n += l.packets;
        }
        return n;
    }

    /** Writes out what is buffered, the lanes' too, and moves the file into place. */
    @Override
    public void close() {
        if (done) {
            return;
        }
        try {
            synchronized (this) {
                own.flush();
                for (Lane l : lanes) {
                    l.flush();
                }
            }
            done = true;
            // the data must be on disk before the rename makes it the target, or a crash could leave
            // a complete-looking but empty file
            channel.force(false);
            channel.close();
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            done = true;
            discard();
            throw writeError(target, e);
        } catch (RuntimeException e) {
            done = true;
            discard();
            throw e;
        } finally {
            freeBuffers();
        }
    }

    /** Throws the capture away: the target stays as it was. */
    public void abort() {
        if (done) {
            return;
        }
        done = true;
        discard();
        freeBuffers();
    }

    private void freeBuffers() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
        synchronized (this) {
            if (laneArena != null && laneArena.scope().isAlive()) {
                laneArena.close();
            }
        }
    }

    private void discard() {
        try {
            channel.close();
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // the error that led here is the one to report
        }
    }

    private IllegalStateException closed() {
        return new IllegalStateException("pcap writer of " + target + " is closed");
    }

    /**
     * One thread's way into the file: records gather in the lane's own buffer, and a full buffer is written
     * out whole under the file's lock. Not thread-safe itself: one thread per lane.
     */
    public final class Lane {
        private final MemorySegment buffer;
        private final ByteBuffer bufferView;
        private int position;
        private long packets;

        private Lane(Arena arena) {
            this.buffer = arena.allocate(BUFFER_BYTES, 64);
            this.bufferView = buffer.asByteBuffer();
        }

        /** As {@link PcapWriter#write(long, int, long)}. */
        public void write(long srcAddr, int length, long timestampNanos) {
            int captured = record(length, timestampNanos);
            MemorySegment.copy(Mem.ALL, srcAddr, buffer, position, captured);
            position += captured;
        }

        /** As {@link PcapWriter#write(byte[], long)}. */
        public void write(byte[] data, long timestampNanos) {
            int captured = record(data.length, timestampNanos);
            MemorySegment.copy(data, 0, buffer, ValueLayout.JAVA_BYTE, position, captured);
            position += captured;
        }

        /** Packets written through this lane. */
        public long packets() { return packets; }

        /** Writes the record header and makes room for the captured bytes; returns their count. */
        private int record(int length, long timestampNanos) {
            if (done) {
                throw closed();
            }
            if (length < 0) {
                throw new IllegalArgumentException("negative length " + length);
            }
            long seconds = timestampNanos / NANOS_PER_SECOND;
            if (timestampNanos < 0 || seconds > 0xffffffffL) {
                throw new IllegalArgumentException("timestamp " + timestampNanos + " ns is outside pcap's range");
            }
            int captured = Math.min(length, SNAPLEN);
            if (BUFFER_BYTES - position < PcapLayout.RECORD_HEADER_BYTES + captured) {
                flush();
            }
            int at = position;
            buffer.set(U32, at + PcapLayout.TS_SEC, (int) seconds);
            buffer.set(U32, at + PcapLayout.TS_FRAC, (int) ((timestampNanos - seconds * NANOS_PER_SECOND) / nanosPerUnit));
            buffer.set(U32, at + PcapLayout.CAPLEN, captured);
            buffer.set(U32, at + PcapLayout.LEN, length);
            position = at + PcapLayout.RECORD_HEADER_BYTES;
            packets++;
            return captured;
        }

        // the whole buffer in one go under the file's lock: another lane's records never land inside it
        private void flush() {
            if (position == 0) {
                return;
            }
            bufferView.clear().limit(position);
            try {
                synchronized (channel) {
                    while (bufferView.hasRemaining()) {
                        channel.write(bufferView);
                    }
                }
            } catch (IOException e) {
                throw writeError(target, e);
            }
            position = 0;
        }
    }

    private static PcapException writeError(Path target, IOException e) {
        String reason = e instanceof NoSuchFileException ? "no such file or directory"
                : e instanceof AccessDeniedException ? "permission denied"
                : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new PcapException(target, "cannot write: " + reason, e);
    }
}
