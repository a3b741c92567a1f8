package dev.jxdp.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jxdp.io.pcap.PcapException;
import dev.jxdp.io.pcap.PcapReader;
import dev.jxdp.xdp.PagePool;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The pcap and pcapng reader on mutated capture files, read as {@code jxdp run --in pcap:FILE} reads them:
 * opened (mapped), every packet walked and copied into a frame. Every input is read to its end or refused
 * with a clean one-line {@link PcapException}; anything else (an out-of-bounds read of the mapping, a
 * negative length, a loop that never ends) is a bug in the reader.
 *
 * <p>Seeds: {@link CaptureSeeds}. {@code bin/fuzz pcap} fuzzes; a plain test run replays the seeds and the
 * inputs under {@code PcapReaderFuzzTestInputs/readsOrRefuses}.
 */
class PcapReaderFuzzTest {

    /** One file rewritten per input: the reader maps files, so the bytes must be one. */
    private static final Path CAPTURE = scratchFile();
    private static final Arena ARENA = Arena.ofShared();
    private static final MemorySegment FRAME = ARENA.allocate(PagePool.FRAME_SIZE, 64);

    static Stream<byte[]> seedCaptures() {
        return CaptureSeeds.all().stream();
    }

    @MethodSource("seedCaptures")
    @FuzzTest
    void readsOrRefuses(byte[] capture) throws IOException {
        Files.write(CAPTURE, capture);
        try (PcapReader r = PcapReader.open(CAPTURE)) {
            long packets = 0;
            while (r.next()) {
                if (r.capturedLength() < 0 || r.originalLength() < 0) {
                    throw new AssertionError("packet " + r.index() + ": negative length " + r.capturedLength()
                            + "/" + r.originalLength());
                }
                // every record and block takes at least 12 bytes of the file: more packets means a loop
                if (++packets > capture.length / 12) {
                    throw new AssertionError(packets + " packets from " + capture.length + " bytes");
                }
                r.copyTo(FRAME.address(), (int) FRAME.byteSize());
            }
        } catch (PcapException e) {
            CleanRefusal.check(e);
        }
    }

    private static Path scratchFile() {
        try {
            Path shm = Path.of("/dev/shm");
            Path f = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempFile(shm, "jxdp-fuzz", ".pcap")
                    : Files.createTempFile("jxdp-fuzz", ".pcap");
            f.toFile().deleteOnExit();
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
