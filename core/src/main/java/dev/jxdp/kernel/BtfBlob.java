package dev.jxdp.kernel;

import dev.jxdp.ebpf.elf.Btf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An object's BTF as BPF_BTF_LOAD takes it, encoded again from jxdp's parsed types (which already carry
 * the DATASEC sizes and variable offsets the ELF loader fixed up, as libbpf's btf_fixup_datasec() does)
 * with the sanitising libbpf does before the kernel sees them: DATASEC variables sorted by offset, extern
 * variables and functions (linkage the kernel refuses) made global and static. The string table holds
 * every name plus the strings line_info points at, whose offsets {@link #stringOffset} gives.
 */
final class BtfBlob {

    private static final int MAGIC = 0xeb9f;
    private static final int VERSION = 1;
    private static final int HDR_LEN = 24;
    private static final int VAR_GLOBAL_ALLOCATED = 1;
    private static final int VAR_GLOBAL_EXTERN = 2;
    private static final int FUNC_STATIC = 0;
    private static final int FUNC_EXTERN = 2;

    private final byte[] bytes;
    private final Map<String, Integer> strings;

    private BtfBlob(byte[] bytes, Map<String, Integer> strings) {
        this.bytes = bytes;
        this.strings = strings;
    }

    byte[] bytes() { return bytes; }

    /** Where {@code s} is in the string table, or -1 when it was not put there. */
    int stringOffset(String s) {
        Integer off = strings.get(s);
        return off == null ? -1 : off;
    }

    /** Encodes {@code btf}; {@code extraStrings} (source file names and lines) join its string table. */
    static BtfBlob encode(Btf btf, Collection<String> extraStrings) {
        StringTable st = new StringTable();
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (Btf.Type t : btf.types()) {
            if (t.id() == 0) {
                continue;
            }
            b = ensure(b, 16 + 16L * t.members().size());
            writeType(b, st, t);
        }
        extraStrings.forEach(st::offset);
        byte[] types = new byte[b.position()];
        b.flip().get(types);
        byte[] strs = st.out.toByteArray();
        ByteBuffer out = ByteBuffer.allocate(HDR_LEN + types.length + strs.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putShort((short) MAGIC).put((byte) VERSION).put((byte) 0).putInt(HDR_LEN);
        out.putInt(0).putInt(types.length).putInt(types.length).putInt(strs.length);
        out.put(types).put(strs);
        return new BtfBlob(out.array(), st.offsets);
    }

    private static void writeType(ByteBuffer b, StringTable st, Btf.Type t) {
        int vlen = t.vlen();
        int kind = t.kind();
        if (kind == Btf.KIND_FUNC && vlen == FUNC_EXTERN) {
            vlen = FUNC_STATIC;  // the kernel's btf_func_check_meta() refuses extern linkage
        }
        b.putInt(st.offset(t.name()));
        b.putInt((t.kflag() ? 1 << 31 : 0) | kind << 24 | (vlen & 0xffff));
        b.putInt(t.sizeOrType());
        switch (kind) {
            case Btf.KIND_INT, Btf.KIND_DECL_TAG -> b.putInt(t.extra());
            case Btf.KIND_VAR -> b.putInt(t.extra() == VAR_GLOBAL_EXTERN ? VAR_GLOBAL_ALLOCATED : t.extra());
            case Btf.KIND_ARRAY -> b.putInt(t.sizeOrType()).putInt(t.indexType()).putInt(t.extra());
            case Btf.KIND_STRUCT, Btf.KIND_UNION -> {
                for (Btf.Member m : t.members()) {
                    b.putInt(st.offset(m.name())).putInt(m.type());
                    b.putInt(t.kflag() ? m.bitSize() << 24 | (int) m.value() : (int) m.value());
                }
            }
            case Btf.KIND_ENUM -> {
                for (Btf.Member m : t.members()) {
                    b.putInt(st.offset(m.name())).putInt((int) m.value());
                }
            }
            case Btf.KIND_ENUM64 -> {
                for (Btf.Member m : t.members()) {
                    b.putInt(st.offset(m.name())).putInt((int) m.value()).putInt((int) (m.value() >>> 32));
                }
            }
            case Btf.KIND_FUNC_PROTO -> {
                for (Btf.Member m : t.members()) {
                    b.putInt(st.offset(m.name())).putInt(m.type());
                }
            }
            case Btf.KIND_DATASEC -> {
                // btf_datasec_resolve() wants the variables in offset order, as libbpf sorts them
                List<Btf.Member> vars = new ArrayList<>(t.members());
                vars.sort(Comparator.comparingLong(Btf.Member::value));
                for (Btf.Member m : vars) {
                    b.putInt(m.type()).putInt((int) m.value()).putInt(m.bitSize());
                }
            }
            default -> { }
        }
        // ARRAY's element type went into the array record: its common header's size_or_type is 0
        if (kind == Btf.KIND_ARRAY) {
            b.putInt(b.position() - 16, 0);
        }
    }

    private static ByteBuffer ensure(ByteBuffer b, long more) {
        if (b.remaining() >= more) {
            return b;
        }
        ByteBuffer bigger = ByteBuffer.allocate((int) Math.max(b.capacity() * 2L, b.position() + more))
                .order(ByteOrder.LITTLE_ENDIAN);
        b.flip();
        bigger.put(b);
        return bigger;
    }

    /** The string section: "" at 0, each string once. */
    private static final class StringTable {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final Map<String, Integer> offsets = new HashMap<>();

        StringTable() {
            offset("");
        }

        int offset(String s) {
            Integer off = offsets.get(s);
            if (off != null) {
                return off;
            }
            int at = out.size();
            out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            out.write(0);
            offsets.put(s, at);
            return at;
        }
    }
}
