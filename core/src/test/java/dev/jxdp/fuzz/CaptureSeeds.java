package dev.jxdp.fuzz;

import dev.jxdp.io.pcap.PcapWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Small valid capture files, the pcap reader's seeds: classic pcap as jxdp's own {@link PcapWriter} writes
 * it (micro- and nanoseconds), classic big-endian, and pcapng in both byte orders with every block the
 * reader decodes (interface options if_tsresol and if_tsoffset, Enhanced, Simple and obsolete Packet
 * Blocks, a block it skips, a second section).
 */
final class CaptureSeeds {
    private CaptureSeeds() {}

    private static final int ETHERNET = 1;
    private static final int SHB = 0x0a0d0d0a;

    static List<byte[]> all() {
        List<byte[]> out = new ArrayList<>();
        out.add(written(PcapWriter.Resolution.MICROSECONDS));
        out.add(written(PcapWriter.Resolution.NANOSECONDS));
        out.add(classicBigEndian());
        out.add(pcapng(ByteOrder.LITTLE_ENDIAN));
        out.add(pcapng(ByteOrder.BIG_ENDIAN));
        return out;
    }

    private static byte[] frame(int length, int fill) {
        byte[] f = new byte[length];
        Arrays.fill(f, (byte) fill);
        f[12] = 0x08;  // an IPv4 ethertype, so the bytes look like the frames the reader is for
        return f;
    }

    private static byte[] written(PcapWriter.Resolution resolution) {
        try {
            Path dir = Files.createTempDirectory("jxdp-seed");
            Path file = dir.resolve("seed.pcap");
            PcapWriter w = PcapWriter.open(file, resolution);
            try {
                w.write(frame(60, 0x11), 1_700_000_000_123_456_789L);
                w.write(frame(14, 0x22), 1_700_000_001_000_000_000L);
                w.write(frame(98, 0x33), 1_700_000_002_999_999_999L);
                w.close();
            } finally {
                w.abort();
            }
            byte[] bytes = Files.readAllBytes(file);
            Files.delete(file);
            Files.delete(dir);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] classicBigEndian() {
        ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.BIG_ENDIAN);
        b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(64).putInt(ETHERNET);
        for (int len : new int[] {60, 80}) {
            // the second record is cut to the snaplen of 64, keeping its original length
            int captured = Math.min(len, 64);
            b.putInt(1_700_000_000).putInt(999_999).putInt(captured).putInt(len).put(frame(captured, len));
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    private static byte[] pcapng(ByteOrder order) {
        ByteBuffer b = ByteBuffer.allocate(1024).order(order);
        section(b);
        // interface 0: nanosecond timestamps, 10 s offset; interface 1: defaults, snaplen 40
        block(b, 1, body -> {
            body.putShort((short) ETHERNET).putShort((short) 0).putInt(0);
            body.putShort((short) 9).putShort((short) 1).put((byte) 9).put(new byte[3]);
            body.putShort((short) 14).putShort((short) 8).putLong(10);
            body.putShort((short) 0).putShort((short) 0);
        });
        block(b, 1, body -> body.putShort((short) ETHERNET).putShort((short) 0).putInt(40));
        block(b, 6, body -> enhanced(body, 0, 60));
        block(b, 6, body -> enhanced(body, 1, 40));
        block(b, 3, body -> body.putInt(62).put(frame(62, 0x44)).put(new byte[2]));
        block(b, 2, body -> {
            body.putShort((short) 1).putShort((short) 0).putInt(0).putInt(5).putInt(20).putInt(20).put(frame(20, 0x55));
        });
        block(b, 0x00000bad, body -> body.putInt(0xbad));  // a custom block: skipped
        section(b);
        block(b, 1, body -> body.putShort((short) ETHERNET).putShort((short) 0).putInt(0));
        block(b, 6, body -> enhanced(body, 0, 16));
        return Arrays.copyOf(b.array(), b.position());
    }

    private static void section(ByteBuffer b) {
        block(b, SHB, body -> body.putInt(0x1a2b3c4d).putShort((short) 1).putShort((short) 0).putLong(-1));
    }

    private static void enhanced(ByteBuffer body, int iface, int length) {
        body.putInt(iface).putInt(0x00060000).putInt(0x12345678).putInt(length).putInt(length).put(frame(length, iface));
        while (body.position() % 4 != 0) {
            body.put((byte) 0);
        }
    }

    /** One block: type, total length, the body {@code fill} writes, the total length again. */
    private static void block(ByteBuffer b, int type, java.util.function.Consumer<ByteBuffer> fill) {
        int start = b.position();
        b.putInt(type).putInt(0);
        fill.accept(b);
        int length = b.position() - start + 4;
        b.putInt(length);
        b.putInt(start + 4, length);
    }
}
