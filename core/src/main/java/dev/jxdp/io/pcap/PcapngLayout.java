package dev.jxdp.io.pcap;

/**
 * The pcapng file (draft-ietf-opsawg-pcapng): a sequence of blocks, each {@code type, total length,
 * body, total length again}, padded to 4 bytes. A Section Header Block opens each section and fixes its
 * byte order; Interface Description Blocks declare the section's interfaces, numbered from 0 in order;
 * packet blocks refer to them. Offsets below are from the start of the block.
 */
final class PcapngLayout {
    private PcapngLayout() {}

    static final int TYPE = 0;            // u32
    static final int TOTAL_LENGTH = 4;    // u32, whole block, repeated in its last 4 bytes
    static final int BODY = 8;
    static final int TRAILER_BYTES = 4;
    static final int MIN_BLOCK_BYTES = 12;

    /** A palindrome, so it reads the same before the byte order is known; also the file's magic. */
    static final int SHB_TYPE = 0x0a0d0d0a;
    static final int SHB_BYTE_ORDER_MAGIC = 8; // u32
    static final int SHB_MAJOR = 12;           // u16
    static final int SHB_MINOR = 14;           // u16
    static final int SHB_SECTION_LENGTH = 16;  // i64, -1 when unknown; not needed to walk blocks
    static final int SHB_MIN_BYTES = 28;
    static final int BYTE_ORDER_MAGIC = 0x1a2b3c4d;
    static final int VERSION_MAJOR = 1;

    static final int IDB_TYPE = 1;
    static final int IDB_LINKTYPE = 8;         // u16
    static final int IDB_SNAPLEN = 12;         // u32, 0: no limit
    static final int IDB_OPTIONS = 16;
    static final int IDB_MIN_BYTES = 20;

    /** The obsolete Packet Block: the Enhanced Packet Block's layout with a 16-bit interface id. */
    static final int PB_TYPE = 2;
    static final int PB_INTERFACE = 8;         // u16 (then u16 drops count)

    static final int SPB_TYPE = 3;
    static final int SPB_LEN = 8;              // u32, original length
    static final int SPB_DATA = 12;
    static final int SPB_MIN_BYTES = 16;

    static final int EPB_TYPE = 6;
    static final int EPB_INTERFACE = 8;        // u32
    static final int EPB_TS_HIGH = 12;         // u32, upper half of the 64-bit timestamp
    static final int EPB_TS_LOW = 16;          // u32
    static final int EPB_CAPLEN = 20;          // u32
    static final int EPB_LEN = 24;             // u32
    static final int EPB_DATA = 28;
    static final int EPB_MIN_BYTES = 32;

    static final int OPT_CODE = 0;             // u16
    static final int OPT_LENGTH = 2;           // u16, value bytes before padding to 4
    static final int OPT_VALUE = 4;
    static final int OPT_ENDOFOPT = 0;
    /** u8: 10^-v seconds per unit, or 2^-(v & 0x7f) when the top bit is set; 10^-6 when absent. */
    static final int OPT_IF_TSRESOL = 9;
    /** i64: seconds to add to every timestamp of the interface. */
    static final int OPT_IF_TSOFFSET = 14;
    static final int DEFAULT_TSRESOL = 6;
}
