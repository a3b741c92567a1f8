package dev.jxdp.ebpf.elf;

import dev.jxdp.ebpf.BpfException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The {@code .BTF} section: every type (id 0 is void) and the string table, with the resolution helpers
 * libbpf's btf.c offers (size of a type, skipping modifiers and typedefs, lookup by name).
 */
public final class Btf {

    public static final int KIND_INT = 1;
    public static final int KIND_PTR = 2;
    public static final int KIND_ARRAY = 3;
    public static final int KIND_STRUCT = 4;
    public static final int KIND_UNION = 5;
    public static final int KIND_ENUM = 6;
    public static final int KIND_FWD = 7;
    public static final int KIND_TYPEDEF = 8;
    public static final int KIND_VOLATILE = 9;
    public static final int KIND_CONST = 10;
    public static final int KIND_RESTRICT = 11;
    public static final int KIND_FUNC = 12;
    public static final int KIND_FUNC_PROTO = 13;
    public static final int KIND_VAR = 14;
    public static final int KIND_DATASEC = 15;
    public static final int KIND_FLOAT = 16;
    public static final int KIND_DECL_TAG = 17;
    public static final int KIND_TYPE_TAG = 18;
    public static final int KIND_ENUM64 = 19;

    private static final String[] KIND_NAMES = {"UNKN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD",
        "TYPEDEF", "VOLATILE", "CONST", "RESTRICT", "FUNC", "FUNC_PROTO", "VAR", "DATASEC", "FLOAT", "DECL_TAG",
        "TYPE_TAG", "ENUM64"};

    private static final int MAGIC = 0xeb9f;
    private static final int HDR_MIN = 24;
    private static final int MAX_RESOLVE_DEPTH = 32;

    /**
     * One member-like entry: a struct/union member (value = bit offset, bitSize = bitfield size or 0), an
     * enum value (value), a function parameter (type), a DATASEC variable (type, value = offset, bitSize =
     * byte size).
     */
    public record Member(String name, int type, long value, int bitSize) {}

    /**
     * One BTF type.
     *
     * @param sizeOrType size for INT/STRUCT/UNION/ENUM/DATASEC/FLOAT, referenced type otherwise
     * @param extra      INT encoding, VAR linkage, DECL_TAG component index; for ARRAY the element count
     * @param indexType  ARRAY only: the index type (the element type is in {@code sizeOrType})
     */
    public record Type(int id, int kind, String name, int vlen, boolean kflag, int sizeOrType, int extra,
                       int indexType, List<Member> members) {
        public String kindName() { return kindName(kind); }

        public static String kindName(int kind) {
            return kind >= 0 && kind < KIND_NAMES.length ? KIND_NAMES[kind] : "kind " + kind;
        }

        /** "struct foo", "enum bar", "int" as C would name it, for messages. */
        public String describe() {
            return switch (kind) {
                case KIND_STRUCT -> "struct " + name;
                case KIND_UNION -> "union " + name;
                case KIND_ENUM, KIND_ENUM64 -> "enum " + name;
                case KIND_FWD -> (kflag ? "union " : "struct ") + name;
                default -> name.isEmpty() ? kindName().toLowerCase(java.util.Locale.ROOT) : name;
            };
        }
    }

    private final List<Type> types;
    private final byte[] strings;

    private Btf(List<Type> types, byte[] strings) {
        this.types = types;
        this.strings = strings;
    }

    /** Parses a {@code .BTF} section; a malformed one gives a BpfException starting with "BTF: ". */
    public static Btf parse(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        if (data.length < HDR_MIN) {
            throw bad("header truncated: " + data.length + " bytes");
        }
        int magic = b.getShort(0) & 0xffff;
        if (magic != MAGIC) {
            throw bad("magic 0x" + Integer.toHexString(magic) + ": want 0xeb9f (big-endian BTF is not supported)");
        }
        if (data[2] != 1) {
            throw bad("version " + data[2] + ": want 1");
        }
        long hdrLen = b.getInt(4) & 0xffffffffL;
        long typeOff = b.getInt(8) & 0xffffffffL;
        long typeLen = b.getInt(12) & 0xffffffffL;
        long strOff = b.getInt(16) & 0xffffffffL;
        long strLen = b.getInt(20) & 0xffffffffL;
        if (hdrLen < HDR_MIN || hdrLen > data.length) {
            throw bad("header length " + hdrLen + " out of range");
        }
        if (hdrLen + typeOff + typeLen > data.length || hdrLen + strOff + strLen > data.length) {
            throw bad("type or string section beyond the end of .BTF (" + data.length + " bytes)");
        }
        if (strLen == 0 || data[(int) (hdrLen + strOff + strLen - 1)] != 0) {
            throw bad("string section not NUL-terminated");
        }
        byte[] strings = new byte[(int) strLen];
        System.arraycopy(data, (int) (hdrLen + strOff), strings, 0, (int) strLen);
        Btf btf = new Btf(new ArrayList<>(), strings);
        btf.types.add(new Type(0, 0, "", 0, false, 0, 0, 0, List.of()));
        btf.readTypes(b, (int) (hdrLen + typeOff), (int) (hdrLen + typeOff + typeLen));
        btf.validateRefs();
        return btf;
    }

    private void readTypes(ByteBuffer b, int pos, int end) {
        while (pos < end) {
            int id = types.size();
            need(pos, 12, end, id);
            String name = string(b.getInt(pos));
            int info = b.getInt(pos + 4);
            int vlen = info & 0xffff;
            int kind = (info >>> 24) & 0x1f;
            boolean kflag = info < 0;
            int sizeOrType = b.getInt(pos + 8);
            pos += 12;
            int extra = 0;
            int indexType = 0;
            List<Member> members = List.of();
            switch (kind) {
                case KIND_INT, KIND_VAR, KIND_DECL_TAG -> {
                    need(pos, 4, end, id);
                    extra = b.getInt(pos);
                    pos += 4;
                }
                case KIND_ARRAY -> {
                    need(pos, 12, end, id);
                    sizeOrType = b.getInt(pos);
                    indexType = b.getInt(pos + 4);
                    extra = b.getInt(pos + 8);
                    pos += 12;
                }
                case KIND_STRUCT, KIND_UNION -> {
                    need(pos, 12L * vlen, end, id);
                    members = new ArrayList<>(vlen);
                    for (int i = 0; i < vlen; i++, pos += 12) {
                        int off = b.getInt(pos + 8);
                        long bitOff = kflag ? off & 0xffffff : off & 0xffffffffL;
                        int bitSize = kflag ? off >>> 24 : 0;
                        members.add(new Member(string(b.getInt(pos)), b.getInt(pos + 4), bitOff, bitSize));
                    }
                }
                case KIND_ENUM -> {
                    need(pos, 8L * vlen, end, id);
                    members = new ArrayList<>(vlen);
                    for (int i = 0; i < vlen; i++, pos += 8) {
                        int v = b.getInt(pos + 4);
                        members.add(new Member(string(b.getInt(pos)), 0, kflag ? v : v & 0xffffffffL, 0));
                    }
                }
                case KIND_ENUM64 -> {
                    need(pos, 12L * vlen, end, id);
                    members = new ArrayList<>(vlen);
                    for (int i = 0; i < vlen; i++, pos += 12) {
                        long v = (b.getInt(pos + 4) & 0xffffffffL) | (long) b.getInt(pos + 8) << 32;
                        members.add(new Member(string(b.getInt(pos)), 0, v, 0));
                    }
                }
                case KIND_FUNC_PROTO -> {
                    need(pos, 8L * vlen, end, id);
                    members = new ArrayList<>(vlen);
                    for (int i = 0; i < vlen; i++, pos += 8) {
                        members.add(new Member(string(b.getInt(pos)), b.getInt(pos + 4), 0, 0));
                    }
                }
                case KIND_DATASEC -> {
                    need(pos, 12L * vlen, end, id);
                    members = new ArrayList<>(vlen);
                    for (int i = 0; i < vlen; i++, pos += 12) {
                        members.add(new Member("", b.getInt(pos), b.getInt(pos + 4) & 0xffffffffL,
                                b.getInt(pos + 8)));
                    }
                }
                case KIND_PTR, KIND_FWD, KIND_TYPEDEF, KIND_VOLATILE, KIND_CONST, KIND_RESTRICT, KIND_FUNC,
                     KIND_FLOAT, KIND_TYPE_TAG -> { }
                default -> throw bad("type [" + id + "]: unknown kind " + kind);
            }
            types.add(new Type(id, kind, name, vlen, kflag, sizeOrType, extra, indexType,
                    Collections.unmodifiableList(members)));
        }
    }

    private void validateRefs() {
        int n = types.size();
        for (Type t : types) {
            boolean refs = switch (t.kind) {
                case KIND_PTR, KIND_TYPEDEF, KIND_VOLATILE, KIND_CONST, KIND_RESTRICT, KIND_FUNC, KIND_FUNC_PROTO,
                     KIND_VAR, KIND_DECL_TAG, KIND_TYPE_TAG, KIND_ARRAY -> true;
                default -> false;
            };
            if (refs && Integer.toUnsignedLong(t.sizeOrType) >= n) {
                throw bad("type [" + t.id + "] " + t.kindName() + ": references missing type [" 
                        + Integer.toUnsignedString(t.sizeOrType) + "]");
            }
            for (Member m : t.members) {
                if (Integer.toUnsignedLong(m.type) >= n) {
                    throw bad("type [" + t.id + "] " + t.kindName() + ": member references missing type ["
                            + Integer.toUnsignedString(m.type) + "]");
                }
            }
        }
    }

    private static void need(int pos, long len, int end, int id) {
        if (pos + len > end) {
            throw bad("type [" + id + "] truncated");
        }
    }

    private static BpfException bad(String what) {
        return new BpfException("BTF: " + what);
    }

    /** The string at {@code off} in the BTF string table. */
    public String string(int off) {
        if (off < 0 || off >= strings.length) {
            throw bad("string offset " + Integer.toUnsignedString(off) + " beyond string section ("
                    + strings.length + " bytes)");
        }
        int end = off;
        while (strings[end] != 0) {
            end++;
        }
        return new String(strings, off, end - off, StandardCharsets.UTF_8);
    }

    /** Number of types including void (id 0), as btf__type_cnt(). */
    public int typeCount() { return types.size(); }

    public List<Type> types() { return Collections.unmodifiableList(types); }

    public Type type(int id) {
        if (id < 0 || id >= types.size()) {
            throw bad("type id " + id + " out of range (" + types.size() + " types)");
        }
        return types.get(id);
    }

    /** Follows typedefs and modifiers (const, volatile, restrict, type tags), as skip_mods_and_typedefs(). */
    public Type skipModsAndTypedefs(int id) {
        Type t = type(id);
        for (int depth = 0; isModOrTypedef(t.kind); depth++) {
            if (depth > MAX_RESOLVE_DEPTH) {
                throw bad("type [" + id + "]: reference loop");
            }
            t = type(t.sizeOrType);
        }
        return t;
    }

    private static boolean isModOrTypedef(int kind) {
        return kind == KIND_TYPEDEF || kind == KIND_VOLATILE || kind == KIND_CONST || kind == KIND_RESTRICT
                || kind == KIND_TYPE_TAG;
    }

    /** The size in bytes of a type, as btf__resolve_size(); -1 when it has none (void, func, fwd). */
    public long resolveSize(int id) {
        long nelems = 1;
        Type t = type(id);
        for (int depth = 0; depth <= MAX_RESOLVE_DEPTH; depth++) {
            switch (t.kind) {
                case KIND_INT, KIND_STRUCT, KIND_UNION, KIND_ENUM, KIND_ENUM64, KIND_DATASEC, KIND_FLOAT -> {
                    return nelems * Integer.toUnsignedLong(t.sizeOrType);
                }
                case KIND_PTR -> {
                    return nelems * 8;
                }
                case KIND_TYPEDEF, KIND_VOLATILE, KIND_CONST, KIND_RESTRICT, KIND_VAR, KIND_DECL_TAG,
                     KIND_TYPE_TAG -> t = type(t.sizeOrType);
                case KIND_ARRAY -> {
                    nelems *= Integer.toUnsignedLong(t.extra);
                    t = type(t.sizeOrType);
                }
                default -> {
                    return -1;
                }
            }
        }
        throw bad("type [" + id + "]: reference loop");
    }

    /** The first type with this name and kind, or -1 (btf__find_by_name_kind()). */
    public int findByName(String name, int kind) {
        for (Type t : types) {
            if (t.kind == kind && t.name.equals(name)) {
                return t.id;
            }
        }
        return -1;
    }

    /** Replaces a DATASEC's size and variable offsets (see ElfLoader's fixup, mirroring btf_fixup_datasec()). */
    void fixDatasec(int id, int size, List<Member> vars) {
        Type t = type(id);
        types.set(id, new Type(t.id, t.kind, t.name, t.vlen, t.kflag, size, t.extra, t.indexType,
                Collections.unmodifiableList(vars)));
    }

    /** The DATASEC describing ELF section {@code name}, or null. */
    public Type datasec(String name) {
        int id = findByName(name, KIND_DATASEC);
        return id < 0 ? null : types.get(id);
    }
}
