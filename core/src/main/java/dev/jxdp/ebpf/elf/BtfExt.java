package dev.jxdp.ebpf.elf;

import dev.jxdp.ebpf.BpfException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code .BTF.ext} section: func_info, line_info and CO-RE relocation records, grouped by the ELF
 * section they describe. Instruction offsets stay in bytes from the section start, as clang writes them.
 */
final class BtfExt {

    record FuncInfo(int insnOff, int typeId) {}

    record LineInfo(int insnOff, int fileNameOff, int lineOff, int lineCol) {}

    record CoreRelo(int insnOff, int typeId, int accessStrOff, int kind) {}

    private static final int MAGIC = 0xeb9f;
    private static final int HDR_BASE = 24;
    private static final int HDR_CORE = 32;

    final Map<String, List<FuncInfo>> funcInfo = new LinkedHashMap<>();
    final Map<String, List<LineInfo>> lineInfo = new LinkedHashMap<>();
    final Map<String, List<CoreRelo>> coreRelos = new LinkedHashMap<>();

    private BtfExt() {}

    static BtfExt empty() { return new BtfExt(); }

    // mirrors btf_ext__new(): header, then each info block as rec_size followed by per-section records
    static BtfExt parse(byte[] data, Btf btf) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        if (data.length < HDR_BASE) {
            throw bad("header truncated: " + data.length + " bytes");
        }
        if ((b.getShort(0) & 0xffff) != MAGIC) {
            throw bad("magic 0x" + Integer.toHexString(b.getShort(0) & 0xffff) + ": want 0xeb9f");
        }
        int hdrLen = b.getInt(4);
        if (hdrLen < HDR_BASE || hdrLen > data.length) {
            throw bad("header length " + hdrLen + " out of range");
        }
        BtfExt ext = new BtfExt();
        ext.readBlock(b, hdrLen, b.getInt(8), b.getInt(12), 8, btf, "func_info", (sec, p) ->
                ext.funcInfo.computeIfAbsent(sec, k -> new ArrayList<>()).add(new FuncInfo(b.getInt(p), b.getInt(p + 4))));
        ext.readBlock(b, hdrLen, b.getInt(16), b.getInt(20), 16, btf, "line_info", (sec, p) ->
                ext.lineInfo.computeIfAbsent(sec, k -> new ArrayList<>()).add(
                        new LineInfo(b.getInt(p), b.getInt(p + 4), b.getInt(p + 8), b.getInt(p + 12))));
        if (hdrLen >= HDR_CORE) {
            ext.readBlock(b, hdrLen, b.getInt(24), b.getInt(28), 16, btf, "core_relo", (sec, p) ->
                    ext.coreRelos.computeIfAbsent(sec, k -> new ArrayList<>()).add(
                            new CoreRelo(b.getInt(p), b.getInt(p + 4), b.getInt(p + 8), b.getInt(p + 12))));
        }
        return ext;
    }

    private interface RecordSink {
        void accept(String section, int pos);
    }

    private void readBlock(ByteBuffer b, int hdrLen, int off, int len, int minRec, Btf btf, String what,
                           RecordSink sink) {
        if (len == 0) {
            return;
        }
        long start = (long) hdrLen + Integer.toUnsignedLong(off);
        long end = start + Integer.toUnsignedLong(len);
        if (end > b.capacity()) {
            throw bad(what + " beyond the end of .BTF.ext (" + b.capacity() + " bytes)");
        }
        if (len < 4) {
            throw bad(what + " truncated");
        }
        int pos = (int) start;
        int recSize = b.getInt(pos);
        if (recSize < minRec || (recSize & 3) != 0) {
            throw bad(what + " record size " + recSize + ": want at least " + minRec);
        }
        pos += 4;
        while (pos < end) {
            if (pos + 8 > end) {
                throw bad(what + " section header truncated");
            }
            String sec = btf.string(b.getInt(pos));
            long n = Integer.toUnsignedLong(b.getInt(pos + 4));
            pos += 8;
            if (n == 0 || pos + n * recSize > end) {
                throw bad(what + " of section " + sec + ": " + n + " records do not fit");
            }
            for (int i = 0; i < n; i++, pos += recSize) {
                sink.accept(sec, pos);
            }
        }
    }

    private static BpfException bad(String what) {
        return new BpfException("BTF.ext: " + what);
    }
}
