package dev.jxdp.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The parts of {@code union bpf_attr} (uapi/linux/bpf.h) jxdp fills, one small class of field offsets per
 * command, and the accessors that write them in the machine's byte order.
 */
final class BpfAttr {
    private BpfAttr() {}

    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    /** BPF_OBJ_NAME_LEN: map and program names, NUL included. */
    static final int OBJ_NAME_LEN = 16;

    /** BPF_MAP_CREATE. */
    static final class MapCreate {
        static final int MAP_TYPE = 0;             // u32 enum bpf_map_type
        static final int KEY_SIZE = 4;             // u32
        static final int VALUE_SIZE = 8;           // u32
        static final int MAX_ENTRIES = 12;         // u32
        static final int MAP_FLAGS = 16;           // u32
        static final int INNER_MAP_FD = 20;        // u32 template of a map-in-map's inner maps
        static final int MAP_NAME = 28;            // char[16]
        static final int BTF_FD = 48;              // u32
        static final int BTF_KEY_TYPE_ID = 52;     // u32
        static final int BTF_VALUE_TYPE_ID = 56;   // u32
        static final int SIZE = 80;
    }

    /** BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM, BPF_MAP_DELETE_ELEM, BPF_MAP_GET_NEXT_KEY, BPF_MAP_FREEZE. */
    static final class MapElem {
        static final int MAP_FD = 0;               // u32
        static final int KEY = 8;                  // u64 pointer
        static final int VALUE = 16;               // u64 pointer; next_key for GET_NEXT_KEY
        static final int FLAGS = 24;               // u64 BPF_ANY, BPF_NOEXIST, BPF_EXIST
        static final int SIZE = 32;
    }

    /** BPF_PROG_LOAD. */
    static final class ProgLoad {
        static final int PROG_TYPE = 0;            // u32 enum bpf_prog_type
        static final int INSN_CNT = 4;             // u32
        static final int INSNS = 8;                // u64 pointer
        static final int LICENSE = 16;             // u64 pointer to a C string
        static final int LOG_LEVEL = 24;           // u32
        static final int LOG_SIZE = 28;            // u32
        static final int LOG_BUF = 32;             // u64 pointer
        static final int PROG_FLAGS = 44;          // u32 BPF_F_XDP_HAS_FRAGS, ...
        static final int PROG_NAME = 48;           // char[16]
        static final int EXPECTED_ATTACH_TYPE = 68; // u32 enum bpf_attach_type
        static final int PROG_BTF_FD = 72;         // u32
        static final int FUNC_INFO_REC_SIZE = 76;  // u32
        static final int FUNC_INFO = 80;           // u64 pointer to bpf_func_info[]
        static final int FUNC_INFO_CNT = 88;       // u32
        static final int LINE_INFO_REC_SIZE = 92;  // u32
        static final int LINE_INFO = 96;           // u64 pointer to bpf_line_info[]
        static final int LINE_INFO_CNT = 104;      // u32
        static final int SIZE = 144;
    }

    /** BPF_PROG_TEST_RUN. */
    static final class TestRun {
        static final int PROG_FD = 0;              // u32
        static final int RETVAL = 4;               // u32 out
        static final int DATA_SIZE_IN = 8;         // u32
        static final int DATA_SIZE_OUT = 12;       // u32 in: buffer size, out: bytes written
        static final int DATA_IN = 16;             // u64 pointer
        static final int DATA_OUT = 24;            // u64 pointer
        static final int REPEAT = 32;              // u32
        static final int DURATION = 36;            // u32 out: average ns per run
        static final int CTX_SIZE_IN = 40;         // u32
        static final int CTX_IN = 48;              // u64 pointer to struct xdp_md
        static final int SIZE = 80;
    }

    /** BPF_BTF_LOAD. */
    static final class BtfLoad {
        static final int BTF = 0;                  // u64 pointer
        static final int BTF_LOG_BUF = 8;          // u64 pointer
        static final int BTF_SIZE = 16;            // u32
        static final int BTF_LOG_SIZE = 20;        // u32
        static final int BTF_LOG_LEVEL = 24;       // u32
        static final int SIZE = 40;
    }

    /** BPF_OBJ_GET_INFO_BY_FD. */
    static final class InfoByFd {
        static final int BPF_FD = 0;               // u32
        static final int INFO_LEN = 4;             // u32
        static final int INFO = 8;                 // u64 pointer to bpf_prog_info / bpf_map_info
        static final int SIZE = 16;
        /** bpf_prog_info.id and bpf_map_info.id: both at 4, after the type. */
        static final int INFO_ID = 4;
        /** bytes of bpf_prog_info / bpf_map_info asked for: enough for the id. */
        static final int INFO_ASKED = 8;
    }

    /** struct xdp_md as BPF_PROG_TEST_RUN's ctx_in takes it. */
    static final class XdpMd {
        static final int DATA = 0;                 // u32 metadata length before data
        static final int DATA_END = 4;             // u32 must equal data_size_in
        static final int INGRESS_IFINDEX = 12;     // u32
        static final int RX_QUEUE_INDEX = 16;      // u32
        static final int SIZE = 24;
    }

    static void u32(MemorySegment s, int off, int v) { s.set(U32, off, v); }

    static int u32(MemorySegment s, int off) { return s.get(U32, off); }

    static void u64(MemorySegment s, int off, long v) { s.set(U64, off, v); }

    static void ptr(MemorySegment s, int off, MemorySegment p) { s.set(U64, off, p.address()); }

    /** A name the kernel takes (bpf_obj_name_cpy(): alphanumerics, '_' and '.', at most 15 characters). */
    static void name(MemorySegment s, int off, String name) {
        byte[] b = kernelName(name).getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(b, 0, s, ValueLayout.JAVA_BYTE, off, b.length);
    }

    static String kernelName(String name) {
        StringBuilder sb = new StringBuilder(OBJ_NAME_LEN - 1);
        for (int i = 0; i < name.length() && sb.length() < OBJ_NAME_LEN - 1; i++) {
            char c = name.charAt(i);
            sb.append(c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '.') ? c : '_');
        }
        return sb.toString();
    }

    static MemorySegment bytes(SegmentAllocator a, byte[] b) {
        MemorySegment s = a.allocate(Math.max(1, b.length), 8);
        MemorySegment.copy(b, 0, s, ValueLayout.JAVA_BYTE, 0, b.length);
        return s;
    }
}
