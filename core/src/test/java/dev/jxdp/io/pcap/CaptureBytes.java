package dev.jxdp.io.pcap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Builds capture files byte by byte for the tests, independently of {@link PcapWriter}: classic pcap
 * headers and records, pcapng blocks with their lengths filled in, in either byte order.
 */
final class CaptureBytes {
    private final ByteBuffer buf;

    CaptureBytes(ByteOrder order) {
        this(order, 1 << 20);
    }

    CaptureBytes(ByteOrder order, int capacity) {
        buf = ByteBuffer.allocate(capacity).order(order);
    }

    /** Switches the byte order, as a new pcapng section may. */
    CaptureBytes order(ByteOrder order) {
        buf.order(order);
        return this;
    }

    CaptureBytes u8(int v) { buf.put((byte) v); return this; }
    CaptureBytes u16(int v) { buf.putShort((short) v); return this; }
    CaptureBytes u32(long v) { buf.putInt((int) v); return this; }
    CaptureBytes u64(long v) { buf.putLong(v); return this; }
    CaptureBytes bytes(byte[] b) { buf.put(b); return this; }

    CaptureBytes pad4() {
        while (buf.position() % 4 != 0) {
            buf.put((byte) 0);
        }
        return this;
    }

    int position() { return buf.position(); }

    // ---- classic pcap

    CaptureBytes pcapHeader(int magic, long snaplen, long linkType) {
        return u32(magic).u16(2).u16(4).u32(0).u32(0).u32(snaplen).u32(linkType);
    }

    CaptureBytes record(long seconds, long fraction, byte[] data, long originalLength) {
        return u32(seconds).u32(fraction).u32(data.length).u32(originalLength).bytes(data);
    }

    // ---- pcapng

    /** A block: type, total length, body padded to 4, total length again. */
    CaptureBytes block(int type, Consumer<CaptureBytes> body) {
        int start = buf.position();
        u32(type).u32(0);
        body.accept(this);
        pad4();
        int length = buf.position() - start + 4;
        buf.putInt(start + 4, length);
        return u32(length);
    }

    CaptureBytes sectionHeader() {
        return block(0x0a0d0d0a, b -> b.u32(0x1a2b3c4d).u16(1).u16(0).u64(-1));
    }

    /** An IDB, with an if_tsresol option unless tsresol is negative. */
    CaptureBytes interfaceDescription(int linkType, long snaplen, int tsresol) {
        return block(1, b -> {
            b.u16(linkType).u16(0).u32(snaplen);
            if (tsresol >= 0) {
                b.u16(9).u16(1).u8(tsresol).pad4().u16(0).u16(0);
            }
        });
    }

    CaptureBytes enhancedPacket(int iface, long units, byte[] data, long originalLength) {
        return block(6, b -> b.u32(iface).u32(units >>> 32).u32(units).u32(data.length).u32(originalLength).bytes(data));
    }

    CaptureBytes simplePacket(long originalLength, byte[] data) {
        return block(3, b -> b.u32(originalLength).bytes(data));
    }

    byte[] toArray() { return Arrays.copyOf(buf.array(), buf.position()); }

    Path write(Path file) throws IOException {
        return Files.write(file, toArray());
    }

    /** A recognisable frame: byte j of packet seed is (seed * 31 + j). */
    static byte[] frame(int seed, int length) {
        byte[] b = new byte[length];
        for (int j = 0; j < length; j++) {
            b[j] = (byte) (seed * 31 + j);
        }
        return b;
    }
}
