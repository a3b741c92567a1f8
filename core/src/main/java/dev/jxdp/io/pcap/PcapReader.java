package dev.jxdp.io.pcap;

import dev.jxdp.ebpf.mem.Mem;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static dev.jxdp.io.pcap.PcapngLayout.*;

/**
 * Reads the packets of a capture file, classic pcap (both byte orders, micro- or nanosecond
 * timestamps) or pcapng (any number of sections and interfaces, Enhanced, Simple and obsolete Packet
 * Blocks; other blocks skipped), one at a time:
 *
 * <pre>{@code
 * try (PcapReader r = PcapReader.open(path)) {
 *     while (r.next()) {
 *         r.copyTo(frame, 3520);
 *     }
 * }
 * }</pre>
 *
 * <p>The file is mapped read-only once, so a packet is read in place: {@link #next()} only moves a
 * cursor and decodes a header, allocating nothing. {@link #dataAddress()} stays valid until {@link
 * #close()}. Only Ethernet captures are accepted for now, since that is the frame an XDP program sees.
 *
 * <p>Bad input throws {@link PcapException} with the file offset of the fault; packets in messages are
 * numbered from 1, as Wireshark and tcpdump number them ({@link #index()} counts from 0). The mapping
 * belongs to a shared arena, so the reader may be opened on one thread and read on another, but it is
 * not itself safe for concurrent use.
 */
public final class PcapReader implements AutoCloseable {
    // the file's byte order is per file (classic) or per section (pcapng): read little-endian, swap if not
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final Path path;
    private final Arena arena;
    private final MemorySegment file;
    private final long size;
    private final boolean pcapng;
    private final PcapngInterfaces interfaces = new PcapngInterfaces();

    private boolean swapped;
    private boolean nanosecondRecords; // classic only
    private long recordLimit;          // classic only: the largest captured length the header allows
    private long offset;               // of the next record or block
    private long count;                // packets returned so far
    private boolean closed;

    private long dataOffset;
    private int capturedLength;
    private int originalLength;
    private long timestampNanos;
    private int linkType;

    private PcapReader(Path path, Arena arena, MemorySegment file) {
        this.path = path;
        this.arena = arena;
        this.file = file;
        this.size = file.byteSize();
        if (size < 4) {
            throw error("too short for a capture file: " + size + " bytes");
        }
        int magic = file.get(U32, 0);
        if (magic == SHB_TYPE) {
            pcapng = true;
            return;
        }
        pcapng = false;
        if (magic == PcapLayout.MAGIC_MICROS || magic == PcapLayout.MAGIC_NANOS) {
            swapped = false;
        } else if (magic == Integer.reverseBytes(PcapLayout.MAGIC_MICROS)
                || magic == Integer.reverseBytes(PcapLayout.MAGIC_NANOS)) {
            swapped = true;
            magic = Integer.reverseBytes(magic);
        } else {
            // printed in file order, the way a hexdump of the file shows it
            throw error(String.format("unknown magic 0x%08x at offset 0: not a pcap or pcapng file",
                    Integer.reverseBytes(magic)));
        }
        nanosecondRecords = magic == PcapLayout.MAGIC_NANOS;
        readGlobalHeader();
    }

    /** Maps the file and reads its header; the file must stay unchanged while the reader is open. */
    public static PcapReader open(Path path) {
        if (Files.isDirectory(path)) {
            throw new PcapException(path, "is a directory");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) {
                throw new PcapException(path, "empty file");
            }
            Arena arena = Arena.ofShared();
            try {
                return new PcapReader(path, arena, ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena));
            } catch (RuntimeException | Error e) {
                arena.close();
                throw e;
            }
        } catch (NoSuchFileException e) {
            throw new PcapException(path, "no such file", e);
        } catch (AccessDeniedException e) {
            throw new PcapException(path, "permission denied", e);
        } catch (IOException e) {
            throw new PcapException(path, "cannot read: " + e.getMessage(), e);
        }
    }

    /** Moves to the next packet; false at the end of the file. */
    public boolean next() {
        if (closed) {
            throw new IllegalStateException("pcap reader of " + path + " is closed");
        }
        return pcapng ? nextBlock() : nextRecord();
    }

    /** The current packet's capture time, in nanoseconds since the epoch (0 for a Simple Packet Block). */
    public long timestampNanos() { return timestampNanos; }

    /** Bytes of the current packet stored in the file. */
    public int capturedLength() { return capturedLength; }

    /** Bytes the current packet had on the wire; more than {@link #capturedLength()} if it was cut. */
    public int originalLength() { return originalLength; }

    /** The absolute address of the current packet's captured bytes, valid until {@link #close()}. */
    public long dataAddress() { return file.address() + dataOffset; }

    /** The current packet's link type (its interface's, in pcapng); always {@link LinkType#ETHERNET} for now. */
    public int linkType() { return linkType; }

    /** The current packet's number, from 0. */
    public long index() { return count - 1; }

    /** The file being read. */
    public Path path() { return path; }

    /** Copies the first min(captured length, max) bytes of the current packet to dstAddr; returns that count. */
    public int copyTo(long dstAddr, int max) {
        if (max < 0) {
            throw new IllegalArgumentException("negative max " + max);
        }
        int n = Math.min(capturedLength, max);
        MemorySegment.copy(file, dataOffset, Mem.ALL, dstAddr, n);
        return n;
    }

    /** Unmaps the file; every address {@link #dataAddress()} gave becomes invalid. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    // ---- classic pcap

    private void readGlobalHeader() {
        if (size < PcapLayout.FILE_HEADER_BYTES) {
            throw error("truncated: global header needs " + PcapLayout.FILE_HEADER_BYTES + " bytes, " + size + " left");
        }
        int major = u16(PcapLayout.VERSION_MAJOR_AT);
        if (major != PcapLayout.VERSION_MAJOR) {
            throw error("offset " + PcapLayout.VERSION_MAJOR_AT + ": unsupported pcap version " + major + "."
                    + u16(PcapLayout.VERSION_MINOR_AT));
        }
        int link = i32(PcapLayout.LINKTYPE) & PcapLayout.LINKTYPE_MASK;
        if (link != LinkType.ETHERNET) {
            throw error("offset " + PcapLayout.LINKTYPE + ": " + unsupported(link));
        }
        long snaplen = u32(PcapLayout.SNAPLEN);
        // some writers leave the snaplen 0 or absurdly large; libpcap then falls back to its maximum too
        recordLimit = snaplen == 0 || snaplen > PcapLayout.MAX_SNAPLEN ? PcapLayout.MAX_SNAPLEN : snaplen;
        linkType = link;
        offset = PcapLayout.FILE_HEADER_BYTES;
    }

    private boolean nextRecord() {
        long at = offset;
        long left = size - at;
        if (left == 0) {
            return false;
        }
        if (left < PcapLayout.RECORD_HEADER_BYTES) {
            throw truncated(at, PcapLayout.RECORD_HEADER_BYTES, left);
        }
        long captured = u32(at + PcapLayout.CAPLEN);
        checkCaptured(at, captured, recordLimit);
        if (left - PcapLayout.RECORD_HEADER_BYTES < captured) {
            throw truncated(at, PcapLayout.RECORD_HEADER_BYTES + captured, left);
        }
        long fraction = u32(at + PcapLayout.TS_FRAC);
        long ts = u32(at + PcapLayout.TS_SEC) * NANOS_PER_SECOND + (nanosecondRecords ? fraction : fraction * 1000);
        offset = at + PcapLayout.RECORD_HEADER_BYTES + captured;
        return packet(at, at + PcapLayout.RECORD_HEADER_BYTES, captured, u32(at + PcapLayout.LEN), ts);
    }

    // ---- pcapng

    private boolean nextBlock() {
        while (true) {
            long at = offset;
            long left = size - at;
            if (left == 0) {
                return false;
            }
            if (left < MIN_BLOCK_BYTES) {
                throw error("truncated: block at offset " + at + " needs at least " + MIN_BLOCK_BYTES + " bytes, "
                        + left + " left");
            }
            int type = i32(at + TYPE);
            if (type == SHB_TYPE) {
                readSectionHeader(at, left);
                continue;
            }
            long length = blockLength(at, left, type);
            offset = at + length;
            switch (type) {
                case EPB_TYPE -> {
                    return readEnhancedPacket(at, length, u32(at + EPB_INTERFACE));
                }
                case PB_TYPE -> {
                    return readEnhancedPacket(at, length, u16(at + PB_INTERFACE));
                }
                case SPB_TYPE -> {
                    return readSimplePacket(at, length);
                }
                case IDB_TYPE -> readInterface(at, length);
                default -> { } // name resolution, statistics, custom...: nothing the datapath needs
            }
        }
    }

    private void readSectionHeader(long at, long left) {
        int bom = file.get(U32, at + SHB_BYTE_ORDER_MAGIC);
        if (bom == BYTE_ORDER_MAGIC) {
            swapped = false;
        } else if (bom == Integer.reverseBytes(BYTE_ORDER_MAGIC)) {
            swapped = true;
        } else {
            throw error(String.format("section header at offset %d: unknown byte-order magic 0x%08x", at,
                    Integer.reverseBytes(bom)));
        }
        long length = blockLength(at, left, SHB_TYPE);
        int major = u16(at + SHB_MAJOR);
        if (major != VERSION_MAJOR) {
            throw error("section header at offset " + at + ": unsupported pcapng version " + major + "."
                    + u16(at + SHB_MINOR));
        }
        interfaces.clear();
        offset = at + length;
    }

    private void readInterface(long at, long length) {
        int link = u16(at + IDB_LINKTYPE);
        long snaplen = u32(at + IDB_SNAPLEN);
        int tsresol = DEFAULT_TSRESOL;
        long tsOffset = 0;
        long end = at + length - TRAILER_BYTES;
        for (long p = at + IDB_OPTIONS; p + OPT_VALUE <= end; ) {
            int code = u16(p + OPT_CODE);
            int valueLength = u16(p + OPT_LENGTH);
            if (code == OPT_ENDOFOPT) {
                break;
            }
            long next = p + OPT_VALUE + ((valueLength + 3) & ~3);
            if (next > end) {
                throw error("interface " + interfaces.count() + " at offset " + at + ": option " + code
                        + " at offset " + p + " overruns the block");
            }
            if (code == OPT_IF_TSRESOL && valueLength == 1) {
                tsresol = file.get(ValueLayout.JAVA_BYTE, p + OPT_VALUE) & 0xff;
            } else if (code == OPT_IF_TSOFFSET && valueLength == 8) {
                long v = file.get(U64, p + OPT_VALUE);
                tsOffset = swapped ? Long.reverseBytes(v) : v;
            }
            p = next;
        }
        if (!PcapngInterfaces.supported(tsresol)) {
            throw error(String.format("interface %d at offset %d: if_tsresol 0x%02x is not supported",
                    interfaces.count(), at, tsresol));
        }
        interfaces.add(link, snaplen, tsresol, tsOffset);
    }

    private boolean readEnhancedPacket(long at, long length, long id) {
        checkInterface(at, id);
        int iface = (int) id;
        long captured = u32(at + EPB_CAPLEN);
        checkCaptured(at, captured, interfaces.snaplen(iface));
        long room = length - EPB_DATA - TRAILER_BYTES;
        if (captured > room) {
            throw error(packetAt(at) + ": captured length " + captured + " overruns its block (room for " + room + ")");
        }
        checkLinkType(at, iface);
        long units = u32(at + EPB_TS_HIGH) << 32 | u32(at + EPB_TS_LOW);
        return packet(at, at + EPB_DATA, captured, u32(at + EPB_LEN), interfaces.toNanos(iface, units));
    }

    private boolean readSimplePacket(long at, long length) {
        checkInterface(at, 0);
        long original = u32(at + SPB_LEN);
        // the block has no captured length: it is the original one cut to interface 0's snaplen
        long snaplen = interfaces.snaplen(0);
        long captured = snaplen != 0 ? Math.min(original, snaplen) : original;
        checkCaptured(at, captured, 0);
        long room = length - SPB_DATA - TRAILER_BYTES;
        if (captured > room) {
            throw error(packetAt(at) + ": packet length " + captured + " overruns its block (room for " + room + ")");
        }
        checkLinkType(at, 0);
        return packet(at, at + SPB_DATA, captured, original, 0);
    }

    /** The block's total length, checked against the file and its trailing copy. */
    private long blockLength(long at, long left, int type) {
        long length = u32(at + TOTAL_LENGTH);
        if (length % 4 != 0) {
            throw error(blockAt(at, type) + ": length " + length + " is not a multiple of 4");
        }
        long min = minimumLength(type);
        if (length < min) {
            throw error(blockAt(at, type) + ": length " + length + " is below the minimum " + min);
        }
        if (length > left) {
            throw error("truncated: " + blockAt(at, type) + " needs " + length + " bytes, " + left + " left");
        }
        long trailer = u32(at + length - TRAILER_BYTES);
        if (trailer != length) {
            throw error(blockAt(at, type) + ": length " + length + " but its trailing copy says " + trailer);
        }
        return length;
    }

    private static long minimumLength(int type) {
        return switch (type) {
            case SHB_TYPE -> SHB_MIN_BYTES;
            case IDB_TYPE -> IDB_MIN_BYTES;
            case EPB_TYPE, PB_TYPE -> EPB_MIN_BYTES;
            case SPB_TYPE -> SPB_MIN_BYTES;
            default -> MIN_BLOCK_BYTES;
        };
    }

    private void checkInterface(long at, long id) {
        if (id >= interfaces.count()) {
            int n = interfaces.count();
            throw error(packetAt(at) + ": interface " + id + " is not declared (the section declares " + n
                    + (n == 1 ? " interface)" : " interfaces)"));
        }
    }

    private void checkLinkType(long at, int iface) {
        int link = interfaces.linkType(iface);
        if (link != LinkType.ETHERNET) {
            throw error(packetAt(at) + ": interface " + iface + ": " + unsupported(link));
        }
        linkType = link;
    }

    // ---- both formats

    /** Rejects what libpcap rejects: records larger than the capture said it would keep. */
    private void checkCaptured(long at, long captured, long snaplen) {
        if (captured > PcapLayout.MAX_SNAPLEN) {
            throw error(packetAt(at) + ": captured length " + captured + " exceeds " + PcapLayout.MAX_SNAPLEN);
        }
        if (snaplen != 0 && captured > snaplen) {
            throw error(packetAt(at) + ": captured length " + captured + " exceeds the snaplen " + snaplen);
        }
    }

    private boolean packet(long at, long data, long captured, long original, long ts) {
        if (original > Integer.MAX_VALUE) {
            throw error(packetAt(at) + ": original length " + original + " is not plausible");
        }
        dataOffset = data;
        capturedLength = (int) captured;
        originalLength = (int) original;
        timestampNanos = ts;
        count++;
        return true;
    }

    private int u16(long at) {
        short v = file.get(U16, at);
        return (swapped ? Short.reverseBytes(v) : v) & 0xffff;
    }

    private int i32(long at) {
        int v = file.get(U32, at);
        return swapped ? Integer.reverseBytes(v) : v;
    }

    private long u32(long at) { return i32(at) & 0xffffffffL; }

    // ---- messages (cold)

    private String packetAt(long at) {
        return "packet " + (count + 1) + " at offset " + at;
    }

    private String blockAt(long at, int type) {
        return switch (type) {
            case EPB_TYPE, PB_TYPE, SPB_TYPE -> packetAt(at);
            case SHB_TYPE -> "section header at offset " + at;
            case IDB_TYPE -> "interface " + interfaces.count() + " at offset " + at;
            default -> String.format("block 0x%08x at offset %d", type, at);
        };
    }

    private PcapException truncated(long at, long needs, long left) {
        return error("truncated: " + packetAt(at) + " needs " + needs + " bytes, " + left + " left");
    }

    private static String unsupported(int link) {
        return "link type " + link + " (" + LinkType.name(link) + ") is not supported; only "
                + LinkType.ETHERNET + " (" + LinkType.name(LinkType.ETHERNET) + ") is";
    }

    private PcapException error(String message) {
        return new PcapException(path, message);
    }
}
