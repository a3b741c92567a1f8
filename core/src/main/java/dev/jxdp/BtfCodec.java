package dev.jxdp;

import dev.jxdp.ebpf.elf.Btf;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Map keys and values to and from Java objects through the object's BTF, little-endian as the machine's:
 * <ul>
 * <li>integers: {@link Integer} when every value of the C type fits one (8- and 16-bit, signed 32-bit),
 *     else {@link Long} (unsigned 32-bit, 64-bit; a {@code __u64} keeps its 64 bits, read it with
 *     {@link Long#toUnsignedString(long)}); {@code _Bool} as {@link Boolean}; 128-bit as {@link BigInteger};
 *     bitfields as their type;</li>
 * <li>enums: the enumerator's name when the value has one, else the number;</li>
 * <li>structs and unions: {@code LinkedHashMap<String, Object>} in member order (an anonymous member's
 *     members inline, as C reaches them; a union shows every member's view of its bytes);</li>
 * <li>arrays: {@code List}; pointers: {@code Long}; floats: {@code Float}/{@code Double};</li>
 * <li>a global-data section (DATASEC): {@code LinkedHashMap} of its variables by name;</li>
 * <li>without BTF: 1, 2 bytes as {@code Integer}, 4 and 8 as {@code Long} (unsigned), other sizes {@code byte[]}.</li>
 * </ul>
 * Encoding takes the same shapes, and more loosely: any {@link Number} for an integer (it must fit the
 * type's size as a signed or an unsigned number), an enumerator's name, a {@code byte[]} or a
 * {@code String} (UTF-8, NUL-padded) for an array of bytes. A struct's members not given are zero, as in a
 * C initializer; a DATASEC's variables not given keep the bytes already there.
 */
final class BtfCodec {

    private static final int INT_SIGNED = 1;
    private static final int INT_BOOL = 4;
    private static final int MAX_DEPTH = 32;

    private final Btf btf;
    private final String what;

    /** A codec over {@code btf} (null: the object has none); {@code what} starts error messages. */
    BtfCodec(Btf btf, String what) {
        this.btf = btf;
        this.what = what;
    }

    /** A type as C would write it ({@code struct conn}, {@code __u32}, {@code __u8[6]}), null for none. */
    static String typeName(Btf btf, int id) {
        if (btf == null || id <= 0 || id >= btf.typeCount()) {
            return null;
        }
        return name(btf, id, 0);
    }

    private static String name(Btf btf, int id, int depth) {
        Btf.Type t = btf.type(id);
        if (depth > MAX_DEPTH) {
            return "?";
        }
        return switch (t.kind()) {
            case Btf.KIND_CONST, Btf.KIND_VOLATILE, Btf.KIND_RESTRICT, Btf.KIND_TYPE_TAG, Btf.KIND_VAR ->
                    name(btf, t.sizeOrType(), depth + 1);
            case Btf.KIND_ARRAY -> name(btf, t.sizeOrType(), depth + 1) + "[" + Integer.toUnsignedString(t.extra()) + "]";
            case Btf.KIND_PTR -> name(btf, t.sizeOrType(), depth + 1) + " *";
            case Btf.KIND_STRUCT, Btf.KIND_UNION, Btf.KIND_ENUM, Btf.KIND_ENUM64 ->
                    t.name().isEmpty() ? t.describe() + "{...}" : t.describe();
            default -> t.id() == 0 ? "void" : t.name().isEmpty() ? t.kindName().toLowerCase(java.util.Locale.ROOT) : t.name();
        };
    }

    // ---- decoding ----

    /** The object {@code size} bytes at {@code off} of {@code b} stand for, as type {@code id} (0: none). */
    Object decode(int id, byte[] b, int off, int size) {
        if (btf == null || id <= 0) {
            return untyped(b, off, size);
        }
        return decodeType(id, b, off, 0);
    }

    private static Object untyped(byte[] b, int off, int size) {
        return switch (size) {
            case 1, 2 -> (int) le(b, off, size);
            case 4, 8 -> le(b, off, size);
            default -> java.util.Arrays.copyOfRange(b, off, off + size);
        };
    }

    private Object decodeType(int id, byte[] b, int off, int depth) {
        if (depth > MAX_DEPTH) {
            throw new JxdpException(what + ": BTF type [" + id + "] nests too deep");
        }
        Btf.Type t = btf.type(id);
        return switch (t.kind()) {
            case Btf.KIND_TYPEDEF, Btf.KIND_CONST, Btf.KIND_VOLATILE, Btf.KIND_RESTRICT, Btf.KIND_TYPE_TAG, Btf.KIND_VAR ->
                    decodeType(t.sizeOrType(), b, off, depth + 1);
            case Btf.KIND_INT -> integer(t, b, off);
            case Btf.KIND_ENUM, Btf.KIND_ENUM64 -> enumValue(t, b, off);
            case Btf.KIND_PTR -> le(b, off, 8);
            case Btf.KIND_FLOAT -> t.sizeOrType() == 4 ? (Object) Float.intBitsToFloat((int) le(b, off, 4))
                    : t.sizeOrType() == 8 ? (Object) Double.longBitsToDouble(le(b, off, 8))
                    : java.util.Arrays.copyOfRange(b, off, off + t.sizeOrType());
            case Btf.KIND_ARRAY -> {
                int n = t.extra();
                int elem = (int) btf.resolveSize(t.sizeOrType());
                List<Object> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    out.add(decodeType(t.sizeOrType(), b, off + i * elem, depth + 1));
                }
                yield Collections.unmodifiableList(out);
            }
            case Btf.KIND_STRUCT, Btf.KIND_UNION -> {
                Map<String, Object> out = new LinkedHashMap<>();
                members(t, b, off, out, depth);
                yield out;
            }
            case Btf.KIND_DATASEC -> {
                Map<String, Object> out = new LinkedHashMap<>();
                for (Btf.Member v : t.members()) {
                    out.put(btf.type(v.type()).name(), decodeType(v.type(), b, off + (int) v.value(), depth + 1));
                }
                yield out;
            }
            default -> throw new JxdpException(what + ": cannot decode a " + t.kindName() + " (BTF type [" + id + "])");
        };
    }

    private void members(Btf.Type t, byte[] b, int off, Map<String, Object> out, int depth) {
        for (Btf.Member m : t.members()) {
            int bitOff = (int) m.value();
            Btf.Type mt = btf.skipModsAndTypedefs(m.type());
            int bits = t.kflag() ? m.bitSize() : 0;
            if (m.name().isEmpty() && (mt.kind() == Btf.KIND_STRUCT || mt.kind() == Btf.KIND_UNION)) {
                members(mt, b, off + bitOff / 8, out, depth + 1);  // an anonymous member: its members are the parent's
                continue;
            }
            if (bits != 0 || mt.kind() == Btf.KIND_INT && intBits(mt) != mt.sizeOrType() * 8) {
                out.put(m.name(), bitfield(mt, b, off, bitOff, bits));
            } else {
                out.put(m.name(), decodeType(m.type(), b, off + bitOff / 8, depth + 1));
            }
        }
    }

    private static int intBits(Btf.Type t) { return t.extra() & 0xff; }
    private static int intOffset(Btf.Type t) { return (t.extra() >>> 16) & 0xff; }
    private static int intEncoding(Btf.Type t) { return (t.extra() >>> 24) & 0xf; }

    // a bitfield: kflag's bit size, or an INT whose encoding narrows it (BTF without kflag)
    private Object bitfield(Btf.Type mt, byte[] b, int off, int bitOff, int bits) {
        if (mt.kind() == Btf.KIND_INT && bits == 0) {
            bitOff += intOffset(mt);
            bits = intBits(mt);
        }
        long raw = 0;
        for (int i = 0; i < bits; i++) {
            int bit = bitOff + i;
            raw |= (long) ((b[off + bit / 8] >>> (bit % 8)) & 1) << i;
        }
        boolean signed = mt.kind() == Btf.KIND_INT ? (intEncoding(mt) & INT_SIGNED) != 0 : mt.kflag();
        if (signed && bits < 64 && (raw >>> (bits - 1) & 1) != 0) {
            raw |= -1L << bits;
        }
        if (mt.kind() == Btf.KIND_ENUM || mt.kind() == Btf.KIND_ENUM64) {
            return enumName(mt, raw);
        }
        return box(mt, raw);
    }

    private Object integer(Btf.Type t, byte[] b, int off) {
        int size = t.sizeOrType();
        if (size == 16) {
            byte[] be = new byte[17];
            for (int i = 0; i < 16; i++) {
                be[16 - i] = b[off + i];
            }
            BigInteger v = new BigInteger(be);  // the leading 0 byte: unsigned
            return (intEncoding(t) & INT_SIGNED) != 0 && v.testBit(127) ? v.subtract(BigInteger.ONE.shiftLeft(128)) : v;
        }
        long raw = le(b, off, size);
        if ((intEncoding(t) & INT_SIGNED) != 0 && size < 8) {
            raw = raw << (64 - 8 * size) >> (64 - 8 * size);
        }
        return box(t, raw);
    }

    // Integer when the type's every value fits an int, else Long; bool as Boolean
    private static Object box(Btf.Type t, long raw) {
        int size = t.sizeOrType();
        boolean signed = t.kind() == Btf.KIND_INT ? (intEncoding(t) & INT_SIGNED) != 0 : t.kflag();
        if (t.kind() == Btf.KIND_INT && (intEncoding(t) & INT_BOOL) != 0) {
            return raw != 0;
        }
        return size < 4 || size == 4 && signed ? (Object) (int) raw : (Object) raw;
    }

    private Object enumValue(Btf.Type t, byte[] b, int off) {
        int size = t.sizeOrType();
        long raw = le(b, off, size);
        if (t.kflag() && size < 8) {
            raw = raw << (64 - 8 * size) >> (64 - 8 * size);
        }
        return enumName(t, raw);
    }

    private static Object enumName(Btf.Type t, long raw) {
        for (Btf.Member m : t.members()) {
            if (m.value() == raw || t.sizeOrType() < 8 && (m.value() & mask(t.sizeOrType())) == (raw & mask(t.sizeOrType()))) {
                return m.name();
            }
        }
        return box(t, raw);
    }

    private static long mask(int size) {
        return size >= 8 ? -1L : (1L << (8 * size)) - 1;
    }

    private static long le(byte[] b, int off, int size) {
        long v = 0;
        for (int i = Math.min(size, 8) - 1; i >= 0; i--) {
            v = v << 8 | (b[off + i] & 0xff);
        }
        return v;
    }

    // ---- encoding ----

    /** Writes {@code value} as type {@code id} (0: none) into the {@code size} bytes at {@code off} of {@code b}. */
    void encode(int id, Object value, byte[] b, int off, int size, String path) {
        if (btf == null || id <= 0) {
            if (value instanceof byte[] bytes) {
                if (bytes.length != size) {
                    throw bad(path, bytes.length + " bytes, want " + size);
                }
                System.arraycopy(bytes, 0, b, off, size);
            } else if (size <= 8) {
                putInt(path, number(path, value), b, off, size);
            } else {
                throw bad(path, "want byte[" + size + "] (no BTF type to encode " + kind(value) + ")");
            }
            return;
        }
        encode(id, value, b, off, path, 0);
    }

    private void encode(int id, Object value, byte[] b, int off, String path, int depth) {
        if (depth > MAX_DEPTH) {
            throw new JxdpException(what + ": BTF type [" + id + "] nests too deep");
        }
        if (value == null) {
            throw bad(path, "null");
        }
        Btf.Type t = btf.type(id);
        switch (t.kind()) {
            case Btf.KIND_TYPEDEF, Btf.KIND_CONST, Btf.KIND_VOLATILE, Btf.KIND_RESTRICT, Btf.KIND_TYPE_TAG, Btf.KIND_VAR ->
                    encode(t.sizeOrType(), value, b, off, path, depth + 1);
            case Btf.KIND_INT -> {
                if (t.sizeOrType() == 16) {
                    BigInteger v = value instanceof BigInteger bi ? bi : BigInteger.valueOf(number(path, value));
                    if (v.bitLength() > 128 || v.signum() < 0 && v.bitLength() > 127) {
                        throw bad(path, v + " does not fit 128 bits");
                    }
                    byte[] be = v.toByteArray();
                    for (int i = 0; i < 16; i++) {
                        int j = be.length - 1 - i;
                        b[off + i] = j >= 0 ? be[j] : (byte) (v.signum() < 0 ? -1 : 0);
                    }
                } else {
                    long v = value instanceof Boolean z && (intEncoding(t) & INT_BOOL) != 0 ? (z ? 1 : 0) : number(path, value);
                    putInt(path, v, b, off, t.sizeOrType());
                }
            }
            case Btf.KIND_ENUM, Btf.KIND_ENUM64 -> putInt(path, enumNumber(t, value, path), b, off, t.sizeOrType());
            case Btf.KIND_PTR -> putInt(path, number(path, value), b, off, 8);
            case Btf.KIND_FLOAT -> {
                if (!(value instanceof Number n)) {
                    throw bad(path, "want a number, got " + kind(value));
                }
                if (t.sizeOrType() == 4) {
                    putInt(path, Float.floatToRawIntBits(n.floatValue()) & 0xffffffffL, b, off, 4);
                } else if (t.sizeOrType() == 8) {
                    putInt(path, Double.doubleToRawLongBits(n.doubleValue()), b, off, 8);
                } else {
                    throw bad(path, "cannot encode a " + t.sizeOrType() + "-byte float");
                }
            }
            case Btf.KIND_ARRAY -> array(t, value, b, off, path, depth);
            case Btf.KIND_STRUCT, Btf.KIND_UNION -> {
                if (!(value instanceof Map<?, ?> given)) {
                    throw bad(path, "want a Map of " + t.describe() + "'s members, got " + kind(value));
                }
                java.util.Arrays.fill(b, off, off + t.sizeOrType(), (byte) 0);
                Map<String, Object> left = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : given.entrySet()) {
                    left.put(String.valueOf(e.getKey()), e.getValue());
                }
                encodeMembers(t, left, b, off, path, depth);
                if (!left.isEmpty()) {
                    List<String> names = new ArrayList<>();
                    memberNames(t, names);
                    throw bad(path, t.describe() + " has no member " + left.keySet().iterator().next()
                            + " (members: " + String.join(", ", names) + ")");
                }
            }
            case Btf.KIND_DATASEC -> {
                if (!(value instanceof Map<?, ?> given)) {
                    throw bad(path, "want a Map of section " + t.name() + "'s variables, got " + kind(value));
                }
                for (Map.Entry<?, ?> e : given.entrySet()) {
                    Btf.Member var = null;
                    for (Btf.Member v : t.members()) {
                        if (btf.type(v.type()).name().equals(String.valueOf(e.getKey()))) {
                            var = v;
                        }
                    }
                    if (var == null) {
                        throw bad(path, "section " + t.name() + " has no variable " + e.getKey());
                    }
                    encode(var.type(), e.getValue(), b, off + (int) var.value(), path + "." + e.getKey(), depth + 1);
                }
            }
            default -> throw bad(path, "cannot encode a " + t.kindName());
        }
    }

    private void encodeMembers(Btf.Type t, Map<String, Object> left, byte[] b, int off, String path, int depth) {
        for (Btf.Member m : t.members()) {
            int bitOff = (int) m.value();
            Btf.Type mt = btf.skipModsAndTypedefs(m.type());
            if (m.name().isEmpty() && (mt.kind() == Btf.KIND_STRUCT || mt.kind() == Btf.KIND_UNION)) {
                encodeMembers(mt, left, b, off + bitOff / 8, path, depth + 1);
                continue;
            }
            if (!left.containsKey(m.name())) {
                continue;
            }
            Object v = left.remove(m.name());
            String p = path + "." + m.name();
            int bits = t.kflag() ? m.bitSize() : 0;
            if (bits != 0 || mt.kind() == Btf.KIND_INT && intBits(mt) != mt.sizeOrType() * 8) {
                if (mt.kind() == Btf.KIND_INT && bits == 0) {
                    bitOff += intOffset(mt);
                    bits = intBits(mt);
                }
                long raw = mt.kind() == Btf.KIND_ENUM || mt.kind() == Btf.KIND_ENUM64 ? enumNumber(mt, v, p)
                        : v instanceof Boolean z ? (z ? 1 : 0) : number(p, v);
                if (bits < 64 && (raw >> bits) != 0 && (raw >> (bits - 1)) != -1) {
                    throw bad(p, raw + " does not fit a " + bits + "-bit field");
                }
                for (int i = 0; i < bits; i++) {
                    int bit = bitOff + i;
                    int idx = off + bit / 8;
                    b[idx] = (byte) ((b[idx] & ~(1 << (bit % 8))) | (int) ((raw >>> i) & 1) << (bit % 8));
                }
            } else {
                encode(m.type(), v, b, off + bitOff / 8, p, depth + 1);
            }
        }
    }

    private void memberNames(Btf.Type t, List<String> out) {
        for (Btf.Member m : t.members()) {
            Btf.Type mt = btf.skipModsAndTypedefs(m.type());
            if (m.name().isEmpty() && (mt.kind() == Btf.KIND_STRUCT || mt.kind() == Btf.KIND_UNION)) {
                memberNames(mt, out);
            } else {
                out.add(m.name());
            }
        }
    }

    private void array(Btf.Type t, Object value, byte[] b, int off, String path, int depth) {
        int n = t.extra();
        int elem = (int) btf.resolveSize(t.sizeOrType());
        java.util.Arrays.fill(b, off, off + n * elem, (byte) 0);
        if (elem == 1 && (value instanceof byte[] || value instanceof String)) {
            byte[] bytes = value instanceof String s ? s.getBytes(java.nio.charset.StandardCharsets.UTF_8) : (byte[]) value;
            if (bytes.length > n) {
                throw bad(path, bytes.length + " bytes for an array of " + n);
            }
            System.arraycopy(bytes, 0, b, off, bytes.length);
            return;
        }
        if (!(value instanceof List<?> list)) {
            throw bad(path, "want a List of " + n + " elements, got " + kind(value));
        }
        if (list.size() > n) {
            throw bad(path, list.size() + " elements for an array of " + n);
        }
        for (int i = 0; i < list.size(); i++) {
            encode(t.sizeOrType(), list.get(i), b, off + i * elem, path + "[" + i + "]", depth + 1);
        }
    }

    private long enumNumber(Btf.Type t, Object value, String path) {
        if (value instanceof String s) {
            for (Btf.Member m : t.members()) {
                if (m.name().equals(s)) {
                    return m.value();
                }
            }
            List<String> names = new ArrayList<>();
            t.members().forEach(m -> names.add(m.name()));
            throw bad(path, t.describe() + " has no enumerator " + s + " (it has: " + String.join(", ", names) + ")");
        }
        return number(path, value);
    }

    private long number(String path, Object value) {
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger bi) {
            if (bi.bitLength() > 64 || bi.signum() < 0 && bi.bitLength() > 63) {
                throw bad(path, bi + " does not fit 64 bits");
            }
            return bi.longValue();
        }
        if (value instanceof Boolean z) {
            return z ? 1 : 0;
        }
        if (value instanceof Character c) {
            return c;
        }
        throw bad(path, "want an integer, got " + kind(value));
    }

    private void putInt(String path, long v, byte[] b, int off, int size) {
        if (size < 8) {
            long hi = v >> (8 * size);
            boolean fitsUnsigned = hi == 0;
            boolean fitsSigned = (v >> (8 * size - 1)) == 0 || (v >> (8 * size - 1)) == -1;
            if (!fitsUnsigned && !fitsSigned) {
                throw bad(path, v + " does not fit " + size + " byte" + (size == 1 ? "" : "s"));
            }
        }
        for (int i = 0; i < size; i++) {
            b[off + i] = (byte) (i < 8 ? v >>> (8 * i) : v < 0 ? -1 : 0);
        }
    }

    private JxdpException bad(String path, String why) {
        return new JxdpException(what + ": " + path + ": " + why);
    }

    private static String kind(Object v) {
        return v == null ? "null" : v.getClass().getSimpleName();
    }
}
