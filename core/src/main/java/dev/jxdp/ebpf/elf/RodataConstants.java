package dev.jxdp.ebpf.elf;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.maps.MapSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Sets {@code const volatile} globals before load, as a libbpf skeleton's {@code rodata->NAME = ...} or
 * cilium/ebpf's {@code RewriteConstants} does: the variable's bytes in its {@code .rodata*} map's initial
 * value, found through the section's BTF DATASEC. The verifier then reads the new value as the frozen
 * constant it is. Integers, enums, bools and pointers-sized values only (what a configuration knob is).
 */
public final class RodataConstants {

    private RodataConstants() {}

    private static final int INT_BOOL = 4;

    /** Where one {@code const volatile} global lives and what it holds (size -1: a type --const cannot set). */
    record Var(int map, int offset, int size, boolean bool, String type) {}

    /**
     * {@code o} with each named global set to its value ({@code NAME -> VALUE}, VALUE an integer in decimal
     * or 0x hex, possibly negative, that fits the variable's size as a signed or an unsigned number, or
     * true/false). Throws a BpfException naming the first that cannot be set.
     */
    public static ObjectSpec apply(ObjectSpec o, Map<String, String> values) {
        if (values.isEmpty()) {
            return o;
        }
        Map<String, Var> vars = constants(o);
        List<MapSpec> maps = new ArrayList<>(o.maps());
        for (Map.Entry<String, String> e : values.entrySet()) {
            Var v = vars.get(e.getKey());
            if (v == null) {
                throw new BpfException("no const volatile global " + e.getKey() + " in the object's .rodata"
                        + nonConst(o, e.getKey()) + (vars.isEmpty() ? " (it has none)" : "; it has: "
                        + String.join(", ", new TreeSet<>(vars.keySet()))));
            }
            long value = parse(e.getKey(), e.getValue(), v);
            MapSpec m = maps.get(v.map);
            byte[] data = m.initialData() == null ? new byte[m.valueSize()] : m.initialData().clone();
            for (int i = 0; i < v.size; i++) {
                data[v.offset + i] = (byte) (value >>> (8 * i));
            }
            maps.set(v.map, m.withInitialData(data));
        }
        return new ObjectSpec(o.path(), List.copyOf(maps), o.programs(), o.license(), o.btf());
    }

    /** The {@code const volatile} globals an object's {@code .rodata*} sections declare, by name. */
    static Map<String, Var> constants(ObjectSpec o) {
        Map<String, Var> out = new LinkedHashMap<>();
        if (o.btf() == null) {
            return out;
        }
        Btf btf = o.btf();
        for (int i = 0; i < o.maps().size(); i++) {
            MapSpec m = o.maps().get(i);
            if (!m.readOnly() || m.section() == null || !m.section().startsWith(".rodata")) {
                continue;
            }
            Btf.Type sec = btf.datasec(m.section());
            if (sec == null) {
                continue;
            }
            for (Btf.Member member : sec.members()) {
                Btf.Type var = btf.type(member.type());
                if (var.kind() != Btf.KIND_VAR || member.value() < 0 || member.value() + member.bitSize() > m.valueSize()) {
                    continue;
                }
                Btf.Type t = btf.skipModsAndTypedefs(var.sizeOrType());
                int size = switch (t.kind()) {
                    case Btf.KIND_INT, Btf.KIND_ENUM, Btf.KIND_ENUM64, Btf.KIND_PTR -> member.bitSize();
                    default -> -1;  // arrays, structs, floats: not a knob --const sets
                };
                boolean bool = t.kind() == Btf.KIND_INT && ((t.extra() >>> 24) & INT_BOOL) != 0;
                out.put(var.name(), new Var(i, (int) member.value(), size, bool, t.describe()));
            }
        }
        return out;
    }

    // why a name that is not a const global might be what the user meant: a writable global
    private static String nonConst(ObjectSpec o, String name) {
        if (o.btf() == null) {
            return "";
        }
        for (MapSpec m : o.maps()) {
            Btf.Type sec = m.section() == null ? null : o.btf().datasec(m.section());
            if (sec == null || m.readOnly()) {
                continue;
            }
            for (Btf.Member member : sec.members()) {
                if (o.btf().type(member.type()).name().equals(name)) {
                    return " (" + name + " is in " + m.section() + ", a writable global: a program run sets it, not the loader)";
                }
            }
        }
        return "";
    }

    private static long parse(String name, String text, Var v) {
        if (v.size <= 0 || v.size > 8 || Integer.bitCount(v.size) != 1) {
            throw new BpfException(name + " is a " + v.type + ": --const sets integers, enums, bools and pointers only");
        }
        String s = text.trim();
        long value;
        if (s.equals("true") || s.equals("false")) {
            value = s.equals("true") ? 1 : 0;
        } else {
            try {
                boolean neg = s.startsWith("-");
                String digits = neg ? s.substring(1) : s;
                java.math.BigInteger big = digits.startsWith("0x") || digits.startsWith("0X")
                        ? new java.math.BigInteger(digits.substring(2), 16) : new java.math.BigInteger(digits);
                big = neg ? big.negate() : big;
                int bits = 8 * v.size;
                java.math.BigInteger min = java.math.BigInteger.ONE.shiftLeft(bits - 1).negate();
                java.math.BigInteger max = java.math.BigInteger.ONE.shiftLeft(bits).subtract(java.math.BigInteger.ONE);
                if (big.compareTo(min) < 0 || big.compareTo(max) > 0) {
                    throw new BpfException(name + "=" + text + ": out of range for its " + v.size + "-byte " + v.type);
                }
                value = big.longValue();
            } catch (NumberFormatException e) {
                throw new BpfException(name + "=" + text + ": not an integer (decimal, 0x hex, or true/false)");
            }
        }
        if (v.bool && value != 0 && value != 1) {
            throw new BpfException(name + "=" + text + ": a bool is true, false, 0 or 1");
        }
        return value;
    }
}
