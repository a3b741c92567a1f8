package dev.jxdp.io.pcap;

import dev.jxdp.ebpf.BpfException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static dev.jxdp.io.pcap.CaptureBytes.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every malformed capture gets one line saying where and what; never a wrong packet. */
class PcapBadInputTest {
    @TempDir
    Path dir;

    /** Opens the file and reads every packet, expecting the message. */
    private PcapException fails(byte[] bytes, String message) throws IOException {
        Path f = Files.write(dir.resolve("bad.pcap"), bytes);
        PcapException e = assertThrows(PcapException.class, () -> {
            try (PcapReader r = PcapReader.open(f)) {
                while (r.next()) {
                    r.capturedLength();
                }
            }
        });
        assertEquals(message, e.getMessage());
        assertEquals(f, e.path());
        return e;
    }

    private static CaptureBytes pcap() {
        return new CaptureBytes(ByteOrder.LITTLE_ENDIAN).pcapHeader(0xa1b2c3d4, 65535, 1);
    }

    private static CaptureBytes pcapng() {
        return new CaptureBytes(ByteOrder.LITTLE_ENDIAN).sectionHeader().interfaceDescription(1, 0, 9);
    }

    private static byte[] cut(CaptureBytes b, int drop) {
        byte[] all = b.toArray();
        return Arrays.copyOf(all, all.length - drop);
    }

    @Test
    void isABpfExceptionForTheCli() throws IOException {
        assertInstanceOf(BpfException.class, fails(new byte[0], "empty file"));
    }

    @Test
    void missingFile() {
        PcapException e = assertThrows(PcapException.class, () -> PcapReader.open(dir.resolve("nope.pcap")));
        assertEquals("no such file", e.getMessage());
    }

    @Test
    void tooShortForAMagic() throws IOException {
        fails(new byte[] {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2}, "too short for a capture file: 3 bytes");
    }

    @Test
    void unknownMagic() throws IOException {
        fails(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}, "unknown magic 0x7f454c46 at offset 0: not a pcap or pcapng file");
    }

    @Test
    void truncatedGlobalHeader() throws IOException {
        fails(Arrays.copyOf(pcap().toArray(), 10), "truncated: global header needs 24 bytes, 10 left");
    }

    @Test
    void unsupportedVersion() throws IOException {
        byte[] b = pcap().toArray();
        b[4] = 3;
        fails(b, "offset 4: unsupported pcap version 3.4");
    }

    @Test
    void linkTypeOtherThanEthernet() throws IOException {
        fails(new CaptureBytes(ByteOrder.BIG_ENDIAN).pcapHeader(0xa1b23c4d, 65535, 113).toArray(),
                "offset 20: link type 113 (LINUX_SLL) is not supported; only 1 (ETHERNET) is");
    }

    @Test
    void recordHeaderCutShort() throws IOException {
        // packet 1 is 16 + 60 bytes at offset 24; packet 2 has 5 of its 16 header bytes
        CaptureBytes b = pcap().record(1, 0, frame(1, 60), 60).record(2, 0, frame(2, 60), 60);
        fails(Arrays.copyOf(b.toArray(), 24 + 76 + 5), "truncated: packet 2 at offset 100 needs 16 bytes, 5 left");
    }

    @Test
    void packetDataCutShort() throws IOException {
        CaptureBytes b = pcap();
        for (int i = 0; i < 17; i++) {
            b.record(i, 0, frame(i, 44), 44); // 60 bytes each
        }
        int at = b.position();
        b.record(17, 0, frame(17, 44), 44);
        assertEquals(24 + 17 * 60, at);
        fails(cut(b, 40), "truncated: packet 18 at offset 1044 needs 60 bytes, 20 left");
    }

    @Test
    void capturedLengthOverTheSnaplen() throws IOException {
        CaptureBytes b = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).pcapHeader(0xa1b2c3d4, 96, 1)
                .record(1, 0, frame(1, 96), 96).record(2, 0, frame(2, 97), 97);
        fails(b.toArray(), "packet 2 at offset 136: captured length 97 exceeds the snaplen 96");
    }

    @Test
    void capturedLengthOverTheMaximum() throws IOException {
        // a header whose length field is corrupt: the data is not even there
        CaptureBytes b = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).pcapHeader(0xa1b2c3d4, 0, 1)
                .u32(1).u32(0).u32(300_000).u32(300_000).bytes(frame(1, 64));
        fails(b.toArray(), "packet 1 at offset 24: captured length 300000 exceeds 262144");
    }

    @Test
    void pcapngLengthNotAMultipleOfFour() throws IOException {
        // SHB 28 bytes, IDB 32 bytes (20 + if_tsresol 8 + endofopt 4): the EPB is at 60
        CaptureBytes b = pcapng();
        int at = b.position();
        b.u32(6).u32(34).bytes(new byte[26]);
        assertEquals(60, at);
        fails(b.toArray(), "packet 1 at offset 60: length 34 is not a multiple of 4");
    }

    @Test
    void pcapngTrailingCopyDisagrees() throws IOException {
        byte[] b = pcapng().enhancedPacket(0, 1, frame(1, 64), 64).toArray();
        b[b.length - 4] = 99; // the trailing copy of the EPB's 96
        fails(b, "packet 1 at offset 60: length 96 but its trailing copy says 99");
    }

    @Test
    void pcapngBlockCutShort() throws IOException {
        CaptureBytes b = pcapng().enhancedPacket(0, 1, frame(1, 64), 64).enhancedPacket(0, 2, frame(2, 64), 64);
        fails(cut(b, 30), "truncated: packet 2 at offset 156 needs 96 bytes, 66 left");
    }

    @Test
    void pcapngUndeclaredInterface() throws IOException {
        fails(pcapng().enhancedPacket(1, 1, frame(1, 64), 64).toArray(),
                "packet 1 at offset 60: interface 1 is not declared (the section declares 1 interface)");
    }

    @Test
    void pcapngInterfacesDoNotOutliveTheirSection() throws IOException {
        CaptureBytes b = pcapng().enhancedPacket(0, 1, frame(1, 64), 64);
        int at = b.position();
        b.sectionHeader().enhancedPacket(0, 2, frame(2, 64), 64);
        fails(b.toArray(), "packet 2 at offset " + (at + 28) + ": interface 0 is not declared (the section declares 0 interfaces)");
    }

    @Test
    void pcapngSimplePacketWithoutInterface() throws IOException {
        fails(new CaptureBytes(ByteOrder.BIG_ENDIAN).sectionHeader().simplePacket(64, frame(1, 64)).toArray(),
                "packet 1 at offset 28: interface 0 is not declared (the section declares 0 interfaces)");
    }

    @Test
    void pcapngCapturedLengthOverTheSnaplen() throws IOException {
        CaptureBytes b = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).sectionHeader()
                .interfaceDescription(1, 64, 9).enhancedPacket(0, 1, frame(1, 65), 65);
        fails(b.toArray(), "packet 1 at offset 60: captured length 65 exceeds the snaplen 64");
    }

    @Test
    void pcapngCapturedLengthOverrunsTheBlock() throws IOException {
        // an EPB claiming 200 captured bytes in a block with room for 64
        CaptureBytes b = pcapng().block(6, x -> x.u32(0).u32(0).u32(1).u32(200).u32(200).bytes(frame(1, 64)));
        fails(b.toArray(), "packet 1 at offset 60: captured length 200 overruns its block (room for 64)");
    }

    @Test
    void pcapngLinkTypeOtherThanEthernet() throws IOException {
        CaptureBytes b = pcapng().interfaceDescription(276, 0, 9)
                .enhancedPacket(0, 1, frame(1, 64), 64).enhancedPacket(1, 2, frame(2, 64), 64);
        fails(b.toArray(), "packet 2 at offset 188: interface 1: link type 276 (LINUX_SLL2) is not supported; only 1 (ETHERNET) is");
    }

    @Test
    void pcapngBadByteOrderMagic() throws IOException {
        byte[] b = pcapng().toArray();
        b[8] = 0;
        fails(b, "section header at offset 0: unknown byte-order magic 0x003c2b1a");
    }

    @Test
    void pcapngUnsupportedVersion() throws IOException {
        byte[] b = pcapng().toArray();
        b[12] = 2;
        fails(b, "section header at offset 0: unsupported pcapng version 2.0");
    }

    @Test
    void pcapngBlockShorterThanItsType() throws IOException {
        fails(pcapng().block(6, x -> x.u32(0).u32(0).u32(0)).toArray(),
                "packet 1 at offset 60: length 24 is below the minimum 32");
    }

    @Test
    void pcapngOptionOverrunsTheBlock() throws IOException {
        CaptureBytes b = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).sectionHeader()
                .block(1, x -> x.u16(1).u16(0).u32(0).u16(9).u16(40).u32(0));
        fails(b.toArray(), "interface 0 at offset 28: option 9 at offset 44 overruns the block");
    }

    @Test
    void pcapngTrailingBytes() throws IOException {
        byte[] b = pcapng().toArray();
        byte[] more = Arrays.copyOf(b, b.length + 6);
        PcapException e = fails(more, "truncated: block at offset 60 needs at least 12 bytes, 6 left");
        assertTrue(e.getMessage().startsWith("truncated"));
    }
}
