package dev.jxdp.ebpf.testrun;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.maps.AttachType;
import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.maps.Cpus;
import dev.jxdp.ebpf.maps.DevMap;
import dev.jxdp.ebpf.maps.DevMapHash;
import dev.jxdp.ebpf.maps.EntryProgramMap;
import dev.jxdp.ebpf.maps.Errno;
import dev.jxdp.ebpf.maps.MapType;
import dev.jxdp.ebpf.maps.OuterMap;
import dev.jxdp.ebpf.maps.ProgArray;
import dev.jxdp.ebpf.maps.ProgramRef;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfProgram;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Maps in and out of test-run's JSON, the way the kernel's map commands read and write them (and bpftool shows them): maps named
 * by their pinned name (libbpf's name with '.' as '_', since bpffs refuses dots), keys and values as hex,
 * per-CPU values summed over CPUs as little-endian u64 lanes, PROG_ARRAY slots as program names, empty
 * slots (DEVMAP, CPUMAP, PROG_ARRAY) left out, maps without keys (RINGBUF) left out. A DEVMAP, DEVMAP_HASH
 * or CPUMAP entry with a program is {@code {"key", "value": its first u32 (ifindex, qsize), "prog": NAME}}
 * both ways, since a program id (what the value's second u32 holds) means nothing across runs. An
 * ARRAY_OF_MAPS or HASH_OF_MAPS entry is {@code {"key", "map": NAME}} both ways, NAME the inner map's JSON
 * name, for the same reason (the kernel's value there is the inner map's id).
 */
public final class MapJson {
    private MapJson() {}

    private static final HexFormat HEX = HexFormat.of();

    /** The name a map has in JSON: its bpffs pin name. */
    public static String jsonName(BpfMap map) {
        return map.name().replace('.', '_');
    }

    /** Every map of the collection, sorted by name, entries sorted by key. */
    public static ObjectNode dump(BpfCollection collection) {
        return dump(collection, name -> true);
    }

    /** The maps {@code chosen} takes (by JSON name), sorted by name, entries sorted by key. */
    public static ObjectNode dump(BpfCollection collection, java.util.function.Predicate<String> chosen) {
        Map<String, BpfMap> byName = new TreeMap<>();
        for (BpfMap m : collection.maps()) {
            if (chosen.test(jsonName(m))) {
                byName.put(jsonName(m), m);
            }
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, BpfMap> e : byName.entrySet()) {
            BpfMap map = e.getValue();
            if (map.keySize() == 0) {
                continue;
            }
            out.set(e.getKey(), entries(map));
        }
        return out;
    }

    private static ArrayNode entries(BpfMap map) {
        List<String[]> rows = new ArrayList<>();
        for (byte[] key = map.userNextKey(null); key != null; key = map.userNextKey(key)) {
            String keyHex = HEX.formatHex(key);
            if (map instanceof ProgArray pa) {
                ProgramRef p = pa.get(littleEndianIndex(key));
                if (p != null) {
                    rows.add(new String[] {keyHex, null, p.name(), null});
                }
                continue;
            }
            if (map instanceof OuterMap outer) {
                BpfMap inner = outer.innerAt(key);
                if (inner != null) {
                    rows.add(new String[] {keyHex, null, null, jsonName(inner)});
                }
                continue;
            }
            byte[] value = map.userLookup(key);
            if (value == null) {
                continue;
            }
            ProgramRef entryProg = map instanceof EntryProgramMap epm ? epm.entryProgram(littleEndianIndex(key)) : null;
            if (entryProg != null) {
                rows.add(new String[] {keyHex, HEX.formatHex(value, 0, 4), entryProg.name(), null});
                continue;
            }
            if (map.type().isPerCpu()) {
                value = sumPerCpu(value, map.valueSize());
            }
            rows.add(new String[] {keyHex, HEX.formatHex(value), null, null});
        }
        return entryArray(rows);
    }

    /**
     * A map's entries as test-run prints them, sorted by key: each row {key hex, value hex or null, program
     * name or null, inner map name or null}, whoever read them (jxdp's maps or the kernel's).
     */
    public static ArrayNode entryArray(List<String[]> rows) {
        rows.sort(Comparator.comparing(r -> r[0]));
        ArrayNode arr = JsonNodeFactory.instance.arrayNode();
        for (String[] r : rows) {
            ObjectNode o = arr.addObject();
            o.put("key", r[0]);
            if (r[1] != null) {
                o.put("value", r[1]);
            }
            if (r[2] != null) {
                o.put("prog", r[2]);
            }
            if (r[3] != null) {
                o.put("map", r[3]);
            }
        }
        return arr;
    }

    private static long littleEndianIndex(byte[] key) {
        long v = 0;
        for (int i = Math.min(key.length, 8) - 1; i >= 0; i--) {
            v = v << 8 | (key[i] & 0xff);
        }
        return v;
    }

    /**
     * Sums per-CPU values (each {@code round_up(size, 8)} bytes) lane by lane: 8-byte little-endian lanes,
     * the last one as wide as what is left, each wrapping at its width, as the oracle sums them.
     */
    public static byte[] sumPerCpu(byte[] all, int size) {
        int stride = (size + 7) & ~7;
        int cpus = all.length / stride;
        byte[] out = new byte[size];
        for (int lane = 0; lane < size; lane += 8) {
            int width = Math.min(8, size - lane);
            long sum = 0;
            for (int c = 0; c < cpus; c++) {
                long v = 0;
                for (int b = width - 1; b >= 0; b--) {
                    v = v << 8 | (all[c * stride + lane + b] & 0xff);
                }
                sum += v;
            }
            for (int b = 0; b < width; b++) {
                out[lane + b] = (byte) (sum >>> (8 * b));
            }
        }
        return out;
    }

    /**
     * Applies {@code {"maps": {"NAME": [{"key": hex, "value": hex} | {"key": hex, "prog": NAME}]}}} as
     * bpftool map update would: per-CPU maps get the value on every CPU. A DEVMAP, DEVMAP_HASH or CPUMAP
     * entry may name its program too, {@code {"key": hex, "value": hex, "prog": NAME}}, with the value's first
     * u32 (ifindex, qsize) as 4 bytes or the whole value (its bpf_prog field then ignored). An
     * ARRAY_OF_MAPS or HASH_OF_MAPS entry names its inner map, {@code {"key": hex, "map": NAME}}.
     */
    public static void applyInit(BpfCollection collection, JsonNode doc) {
        JsonNode maps = doc == null ? null : doc.get("maps");
        if (maps == null || !maps.isObject()) {
            throw new BpfException("want {\"maps\": {\"MAP\": [{\"key\": hex, \"value\": hex}, ...]}}");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = maps.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            BpfMap map = find(collection, e.getKey());
            if (!e.getValue().isArray()) {
                throw new BpfException("map " + e.getKey() + ": want a list of entries");
            }
            for (JsonNode entry : e.getValue()) {
                applyEntry(collection, map, e.getKey(), entry);
            }
        }
    }

    /** Whether {@code collection} has a map that map-init JSON names {@code name}. */
    public static boolean has(BpfCollection collection, String name) {
        for (BpfMap m : collection.maps()) {
            if (jsonName(m).equals(name) || m.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static BpfMap find(BpfCollection collection, String name) {
        for (BpfMap m : collection.maps()) {
            if (jsonName(m).equals(name) || m.name().equals(name)) {
                return m;
            }
        }
        List<String> names = new ArrayList<>();
        for (BpfMap m : collection.maps()) {
            names.add(jsonName(m));
        }
        throw new BpfException("unknown map " + name + " (maps: " + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
    }

    private static void applyEntry(BpfCollection collection, BpfMap map, String name, JsonNode entry) {
        if (!entry.isObject()) {
            throw new BpfException("map " + name + ": want {\"key\": hex, \"value\": hex} entries");
        }
        String where = "map " + name;
        byte[] key = hexOf(entry.get("key"), map.keySize(), where + " key");
        int rc;
        if (map instanceof ProgArray pa) {
            BpfProgram target = namedProgram(collection, entry.get("prog"), where + " key " + HEX.formatHex(key));
            long slot = littleEndianIndex(key);
            if (slot >= map.maxEntries()) {
                throw new BpfException(where + " key " + HEX.formatHex(key) + ": slot " + slot + " is beyond max_entries "
                        + map.maxEntries() + " (E2BIG)");
            }
            pa.set((int) slot, target);
            return;
        }
        if (map instanceof OuterMap outer) {
            applyInnerMap(collection, outer, where + " key " + HEX.formatHex(key), key, entry.get("map"));
            return;
        }
        if (map instanceof EntryProgramMap epm && entry.get("prog") != null) {
            applyEntryProgram(collection, epm, map, where, key, entry);
            return;
        }
        if (entry.get("value") == null) {
            throw new BpfException(where + " key " + HEX.formatHex(key) + ": no \"value\" (\"prog\" alone is for PROG_ARRAY maps)");
        }
        byte[] value = hexOf(entry.get("value"), map.valueSize(), where + " value");
        if (map.type().isPerCpu()) {
            value = replicate(value, map.valueSize(), Cpus.possible());
        }
        rc = map.userUpdate(key, value, 0);
        if (rc != 0) {
            throw updateFailed(map, where + " key " + HEX.formatHex(key), rc, littleEndianIndex(Arrays.copyOf(value, 4)));
        }
    }

    /** An update's failure, naming the missing device when a DEVMAP's device check refused the ifindex. */
    private static BpfException updateFailed(BpfMap map, String at, int rc, long first) {
        boolean noDevice = rc == -Errno.EINVAL && first != 0
                && (map instanceof DevMap d && !d.hasDevice(first) || map instanceof DevMapHash h && !h.hasDevice(first));
        return new BpfException(at + ": update failed: " + errnoName(-rc)
                + (noDevice ? ": no device has ifindex " + first + " (dev_get_by_index)" : ""));
    }

    // a DEVMAP / CPUMAP entry with its program: the kernel takes the program's fd in the value's bpf_prog
    private static void applyEntryProgram(BpfCollection collection, EntryProgramMap epm, BpfMap map, String where,
                                          byte[] key, JsonNode entry) {
        String at = where + " key " + HEX.formatHex(key);
        BpfProgram target = namedProgram(collection, entry.get("prog"), at);
        AttachType want = epm.entryAttachType();
        if (target.expectedAttachType() != want) {
            String sec = want == AttachType.XDP_DEVMAP ? "xdp/devmap" : "xdp/cpumap";
            throw new BpfException(at + ": program " + target.name() + " is in section " + target.section() + ", but a "
                    + map.type() + " entry takes a program from SEC(\"" + sec + "\") (expected_attach_type BPF_"
                    + want + "), as the kernel requires");
        }
        if (map.valueSize() < 8) {
            throw new BpfException(at + ": \"prog\" needs the value's bpf_prog field, but the map's values are "
                    + map.valueSize() + " bytes (declare them as struct bpf_" + (want == AttachType.XDP_DEVMAP ? "devmap" : "cpumap")
                    + "_val)");
        }
        JsonNode v = entry.get("value");
        String h = v != null && v.isTextual() ? v.asText() : null;
        if (h == null || (h.length() != 8 && h.length() != 2 * map.valueSize()) || !h.matches("[0-9a-fA-F]*")) {
            throw new BpfException(at + " value " + (v == null ? "missing" : v.toString()) + ": want 4 bytes (the "
                    + (want == AttachType.XDP_DEVMAP ? "ifindex" : "qsize") + ") or " + map.valueSize() + " bytes as hex");
        }
        long first = littleEndianIndex(Arrays.copyOf(HEX.parseHex(h), 4));
        int rc = epm.updateWithProgram(key, first, target, 0);
        if (rc != 0) {
            throw updateFailed(map, at, rc, first);
        }
    }

    // an ARRAY_OF_MAPS / HASH_OF_MAPS entry names its inner map, as bpftool's "value name NAME"
    private static void applyInnerMap(BpfCollection collection, OuterMap outer, String at, byte[] key, JsonNode name) {
        BpfMap inner = null;
        if (name != null && name.isTextual()) {
            for (BpfMap m : collection.maps()) {
                if (jsonName(m).equals(name.asText()) || m.name().equals(name.asText())) {
                    inner = m;
                }
            }
        }
        if (inner == null) {
            List<String> names = new ArrayList<>();
            for (BpfMap m : collection.maps()) {
                if (outer.mismatch(m) == null) {
                    names.add(jsonName(m));
                }
            }
            throw new BpfException(at + ": an outer map's entry is {\"key\": hex, \"map\": NAME}, NAME one of the maps "
                    + "that match its inner map template (" + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
        }
        String why = outer.mismatch(inner);
        if (why != null) {
            throw new BpfException(at + ": map " + jsonName(inner) + " cannot be an inner map of " + jsonName(outer)
                    + ": " + why + " (EINVAL)");
        }
        int rc = outer.put(key, inner, 0);
        if (rc != 0) {
            throw new BpfException(at + ": update failed: " + errnoName(-rc));
        }
    }

    /** The program a {@code "prog"} field names, or an error listing the collection's programs. */
    private static BpfProgram namedProgram(BpfCollection collection, JsonNode prog, String at) {
        BpfProgram target = prog != null && prog.isTextual() ? collection.program(prog.asText()) : null;
        if (target == null) {
            List<String> names = new ArrayList<>();
            collection.programs().forEach(p -> names.add(p.name()));
            throw new BpfException(at + ": \"prog\" must name one of the programs (" + String.join(", ", names) + ")");
        }
        try {
            target.requireLoaded();  // a program libbpf did not load has no fd to put in a map
        } catch (BpfException e) {
            throw new BpfException(at + ": " + e.getMessage());
        }
        return target;
    }

    /** One value for every CPU of a per-CPU map, each in its 8-byte-aligned slot, as the kernel copies it in. */
    public static byte[] replicate(byte[] value, int size, int cpus) {
        int stride = (size + 7) & ~7;
        byte[] all = new byte[stride * cpus];
        for (int c = 0; c < cpus; c++) {
            System.arraycopy(value, 0, all, c * stride, size);
        }
        return all;
    }

    /** {@code node} as exactly {@code size} bytes of hex, or a one-line error naming {@code what}. */
    public static byte[] hexOf(JsonNode node, int size, String what) {
        String h = node != null && node.isTextual() ? node.asText() : null;
        if (h == null || h.length() != 2 * size || !h.matches("[0-9a-fA-F]*")) {
            throw new BpfException(what + " " + (node == null ? "missing" : node.toString()) + ": want " + size
                    + " bytes as hex");
        }
        return HEX.parseHex(h);
    }

    static String errnoName(int errno) {
        return switch (errno) {
            case Errno.E2BIG -> "E2BIG (the map is full)";
            case Errno.EEXIST -> "EEXIST";
            case Errno.EPERM -> "EPERM (.rodata is frozen after load, as libbpf does)";
            case Errno.ENOENT -> "ENOENT";
            case Errno.EINVAL -> "EINVAL";
            case Errno.ENOMEM -> "ENOMEM";
            case Errno.ENODEV -> "ENODEV (no such CPU)";
            case Errno.EOVERFLOW -> "EOVERFLOW";
            case Errno.EOPNOTSUPP -> "EOPNOTSUPP";
            case Errno.EBADF -> "EBADF (a PERF_EVENT_ARRAY value is a perf event fd: test-run --perf-events attaches readers)";
            default -> "errno " + errno;
        };
    }

    /** Whether this map type is shown in dumps at all (maps without keys are not). */
    public static boolean dumped(BpfMap map) {
        return map.keySize() > 0 && map.type() != MapType.RINGBUF;
    }
}
