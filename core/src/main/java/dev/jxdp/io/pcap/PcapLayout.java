package dev.jxdp.io.pcap;

/**
 * The classic pcap file (libpcap's savefile format, draft-ietf-opsawg-pcap): a 24-byte file header,
 * then per packet a 16-byte record header and the captured bytes. Every field is in the byte order the
 * magic number reveals.
 */
final class PcapLayout {
    private PcapLayout() {}

    /** The magic of files whose record timestamps carry microseconds. */
    static final int MAGIC_MICROS = 0xa1b2c3d4;
    /** The magic of files whose record timestamps carry nanoseconds. */
    static final int MAGIC_NANOS = 0xa1b23c4d;
    /** The only major version; libpcap still writes 2.4. */
    static final int VERSION_MAJOR = 2;
    static final int VERSION_MINOR = 4;

    static final int FILE_HEADER_BYTES = 24;
    static final int MAGIC = 0;           // u32
    static final int VERSION_MAJOR_AT = 4; // u16
    static final int VERSION_MINOR_AT = 6; // u16
    static final int THISZONE = 8;        // i32, always 0 in practice
    static final int SIGFIGS = 12;        // u32, always 0 in practice
    static final int SNAPLEN = 16;        // u32, the largest captured length of any record
    static final int LINKTYPE = 20;       // u32, link type in the low 26 bits (libpcap's LT_LINKTYPE)

    /** libpcap's LT_LINKTYPE(): the bits above hold the FCS length flags, not the link type. */
    static final int LINKTYPE_MASK = 0x03ffffff;

    static final int RECORD_HEADER_BYTES = 16;
    static final int TS_SEC = 0;          // u32, seconds since the epoch
    static final int TS_FRAC = 4;         // u32, micro- or nanoseconds, by the magic
    static final int CAPLEN = 8;          // u32, bytes stored in the file
    static final int LEN = 12;            // u32, bytes the packet had on the wire

    /** libpcap's MAXIMUM_SNAPLEN: larger records are corrupt files, not big packets. */
    static final int MAX_SNAPLEN = 262144;
}
