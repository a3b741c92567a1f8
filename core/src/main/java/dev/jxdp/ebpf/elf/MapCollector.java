package dev.jxdp.ebpf.elf;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.maps.Cpus;
import dev.jxdp.ebpf.maps.MapSpec;
import dev.jxdp.ebpf.maps.MapType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * Finds every map an object declares, in libbpf's order (legacy {@code maps}, then BTF-defined
 * {@code .maps} in DATASEC order, then global data sections in section order) and remembers where each
 * one lives in the ELF, so relocations can name them by index.
 */
final class MapCollector {

    /** A map and the ELF bytes that declare it: section index, offset and size there. */
    record Located(MapSpec spec, int sectionIndex, long offset, long size, boolean globalData, long valuesOffset) {
        Located withSpec(MapSpec s) { return new Located(s, sectionIndex, offset, size, globalData, valuesOffset); }
    }

    static final int BPF_F_RDONLY_PROG = 0x80;
    static final int BPF_F_MMAPABLE = 0x400;
    private static final int BPF_OBJ_NAME_LEN = 16;
    private static final int PAGE_SIZE = 4096;
    private static final int LEGACY_DEF_MIN = 16;
    private static final int LEGACY_DEF_KNOWN = 20;
    private static final int BPF_PTR_SIZE = 8;

    private MapCollector() {}

    // the pre-BTF struct bpf_map_def { type, key_size, value_size, max_entries, map_flags }, one per symbol
    static void legacy(ElfFile elf, ElfFile.Section sec, List<Located> out) {
        byte[] data = elf.data(sec);
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        List<ElfFile.Symbol> syms = new ArrayList<>();
        for (ElfFile.Symbol s : elf.symbols) {
            if (s.shndx() == sec.index() && s.type() != ElfFile.STT_SECTION && !s.name().isEmpty()) {
                syms.add(s);
            }
        }
        syms.sort(Comparator.comparingLong(ElfFile.Symbol::value));
        for (ElfFile.Symbol s : syms) {
            long size = s.size();
            if (size < LEGACY_DEF_MIN || !ElfFile.fits(s.value(), size, data.length)) {
                throw new BpfException("map " + s.name() + ": legacy definition at " + s.value() + " of "
                        + size + " bytes does not fit section maps (" + data.length + " bytes)");
            }
            int p = (int) s.value();
            for (long i = LEGACY_DEF_KNOWN; i < size; i++) {
                if (data[(int) (p + i)] != 0) {
                    throw new BpfException("map " + s.name() + ": legacy definition has unsupported non-zero "
                            + "fields after map_flags");
                }
            }
            int flags = size >= LEGACY_DEF_KNOWN ? b.getInt(p + 16) : 0;
            int type = b.getInt(p);
            if (type == MapType.ARRAY_OF_MAPS.id() || type == MapType.HASH_OF_MAPS.id()) {
                // struct bpf_map_def has no field for the inner map: libbpf cannot create such a map either
                throw new BpfException("map " + s.name() + ": a legacy map definition cannot describe the inner map "
                        + "of a " + MapType.byId(type).kernelName() + "; declare it in SEC(\".maps\") with "
                        + "__array(values, struct inner_def)");
            }
            MapSpec spec = new MapSpec(s.name(), b.getInt(p), b.getInt(p + 4), b.getInt(p + 8),
                    defaultMaxEntries(b.getInt(p), b.getInt(p + 12)), flags, null, false, List.of(), sec.name());
            out.add(new Located(spec, sec.index(), s.value(), size, false, -1));
        }
    }

    // mirrors bpf_object__init_user_btf_maps() and parse_btf_map_def()
    static void btfMaps(ElfFile elf, ElfFile.Section sec, Btf btf, List<Located> out) {
        if (btf == null) {
            throw new BpfException("section .maps: the object has no .BTF to describe its maps");
        }
        Btf.Type ds = btf.datasec(".maps");
        if (ds == null) {
            throw new BpfException("section .maps: BTF has no DATASEC .maps");
        }
        boolean btfRefused = btfRefusedForLocks(btf);
        for (Btf.Member vi : ds.members()) {
            Btf.Type var = btf.type(vi.type());
            String name = var.name();
            if (var.kind() != Btf.KIND_VAR) {
                throw new BpfException("section .maps: unexpected " + var.kindName() + " " + name);
            }
            if (vi.value() + vi.bitSize() > sec.size()) {
                throw new BpfException("map " + name + ": BTF places it beyond section .maps");
            }
            Btf.Type def = btf.skipModsAndTypedefs(var.sizeOrType());
            if (def.kind() != Btf.KIND_STRUCT) {
                throw new BpfException("map " + name + ": definition is a " + def.kindName() + ", want STRUCT");
            }
            List<Btf.Member> ms = def.members();
            long valuesOff = !ms.isEmpty() && ms.getLast().name().equals("values") ? ms.getLast().value() / 8 : -1;
            out.add(new Located(btfMapDef(btf, name, def, false, btfRefused), sec.index(), vi.value(), vi.bitSize(), false,
                    valuesOff));
        }
    }

    // parse_btf_map_def(): a map's definition, or (inner) the template of a map-in-map's inner maps
    private static MapSpec btfMapDef(Btf btf, String name, Btf.Type def, boolean inner, boolean btfRefused) {
        int type = 0;
        int keySize = 0;
        int valueSize = 0;
        int maxEntries = 0;
        int flags = 0;
        MapSpec template = null;
        int valueType = 0;
        int keyType = 0;
        List<Btf.Member> ms = def.members();
        for (int i = 0; i < ms.size(); i++) {
            Btf.Member m = ms.get(i);
            switch (m.name()) {
                case "type" -> type = fieldInt(btf, name, m);
                case "max_entries" -> maxEntries = fieldInt(btf, name, m);
                case "map_flags" -> flags = fieldInt(btf, name, m);
                case "key_size" -> keySize = agree(name, "key size", keySize, fieldInt(btf, name, m));
                case "value_size" -> valueSize = agree(name, "value size", valueSize, fieldInt(btf, name, m));
                case "key" -> {
                    keySize = agree(name, "key size", keySize, pointee(btf, name, "key", m));
                    keyType = btf.type(m.type()).sizeOrType();
                }
                case "value" -> {
                    valueSize = agree(name, "value size", valueSize, pointee(btf, name, "value", m));
                    valueType = btf.type(m.type()).sizeOrType();
                }
                case "values" -> {
                    if (inner) {
                        throw new BpfException("map " + name + ": multi-level inner maps are not supported");
                    }
                    if (i != ms.size() - 1) {
                        throw new BpfException("map " + name + ": 'values' must be the last member");
                    }
                    boolean mapInMap = type == MapType.ARRAY_OF_MAPS.id() || type == MapType.HASH_OF_MAPS.id();
                    if (!mapInMap && type != MapType.PROG_ARRAY.id()) {
                        throw new BpfException("map " + name + ": __array(values) is for map-in-map and prog-array "
                                + "maps only");
                    }
                    valueSize = agree(name, "value size", valueSize, 4);
                    if (mapInMap) {
                        template = innerDef(btf, name, m, btfRefused);
                    }
                }
                case "pinning" -> {
                    if (inner) {
                        throw new BpfException("map " + name + ": an inner map definition can't be pinned");
                    }
                    fieldInt(btf, name, m);
                }
                case "numa_node", "map_extra" -> fieldInt(btf, name, m);
                default -> throw new BpfException("map " + name + ": unknown field '" + m.name() + "'");
            }
        }
        if (type == 0) {
            throw new BpfException("map " + name + ": map type isn't specified");
        }
        if (type == MapType.RINGBUF.id() || type == MapType.USER_RINGBUF.id()) {
            maxEntries = ringbufSize(maxEntries);
        }
        if (!inner && template == null && (type == MapType.ARRAY_OF_MAPS.id() || type == MapType.HASH_OF_MAPS.id())) {
            // libbpf then creates the outer map with no inner map fd, which the kernel refuses
            throw new BpfException("map " + name + ": a " + MapType.byId(type).kernelName() + " needs its inner map "
                    + "definition: declare it with __array(values, struct inner_def)");
        }
        maxEntries = defaultMaxEntries(type, maxEntries);
        int lock = valueType == 0 || btfRefused ? MapSpec.NO_BTF : spinLockOff(btf, valueType);
        if (lock >= 0 && !SPIN_LOCK_MAPS.contains(MapType.byId(type))) {
            // map_check_btf() refuses a lock in any other map (EOPNOTSUPP); libbpf then creates the map
            // again without BTF, so a program's bpf_spin_lock finds no BTF for it
            lock = MapSpec.NO_BTF;
        }
        return new MapSpec(name, type, keySize, valueSize, maxEntries, flags, null, false, List.of(),
                inner ? ".maps (inner map template)" : ".maps", template, lock, keyType, valueType);
    }

    // the 'values' member of a map-in-map: a zero-sized array of pointers to the inner map's definition
    private static MapSpec innerDef(Btf btf, String map, Btf.Member m, boolean btfRefused) {
        Btf.Type a = btf.type(m.type());
        if (a.kind() != Btf.KIND_ARRAY || a.extra() != 0) {
            throw new BpfException("map " + map + ": map-in-map inner spec is not a zero-sized array");
        }
        Btf.Type p = btf.skipModsAndTypedefs(a.sizeOrType());
        if (p.kind() != Btf.KIND_PTR) {
            throw new BpfException("map " + map + ": map-in-map inner def is of unexpected kind " + p.kindName());
        }
        Btf.Type def = btf.skipModsAndTypedefs(p.sizeOrType());
        if (def.kind() != Btf.KIND_STRUCT) {
            throw new BpfException("map " + map + ": map-in-map inner def is of unexpected kind " + def.kindName());
        }
        return btfMapDef(btf, map + ".inner", def, true, btfRefused);
    }

    /** The map types whose values may hold a bpf_spin_lock (map_check_btf()), of those jxdp has. */
    private static final java.util.Set<MapType> SPIN_LOCK_MAPS = java.util.EnumSet.of(MapType.HASH, MapType.ARRAY);

    /** findSpinLock(): the struct holds more than one lock, which btf_parse_fields() refuses (E2BIG). */
    private static final int TWO_LOCKS = -3;

    /**
     * Where the {@code struct bpf_spin_lock} of a value type is, or {@link MapSpec#NO_SPIN_LOCK}: a member
     * of that struct type, or of a struct nested in it, directly or as an array of one
     * (btf_find_struct_field(), btf_find_nested_struct(); a longer array's locks are not looked for).
     */
    private static int spinLockOff(Btf btf, int typeId) {
        int off = findSpinLock(btf, typeId, 0);
        return off == TWO_LOCKS ? MapSpec.NO_BTF : off;
    }

    private static int findSpinLock(Btf btf, int typeId, int depth) {
        Btf.Type t = btf.skipModsAndTypedefs(typeId);
        if (t.kind() != Btf.KIND_STRUCT || depth > 8) {
            return MapSpec.NO_SPIN_LOCK;
        }
        int found = MapSpec.NO_SPIN_LOCK;
        for (Btf.Member m : t.members()) {
            Btf.Type mt = btf.type(m.type());
            int inner;
            if (isSpinLock(mt)) {
                inner = 0;
            } else if (mt.kind() == Btf.KIND_ARRAY) {
                Btf.Type elem = btf.type(mt.sizeOrType());
                inner = mt.extra() != 1 ? MapSpec.NO_SPIN_LOCK
                        : isSpinLock(elem) ? 0 : findSpinLock(btf, mt.sizeOrType(), depth + 1);
            } else {
                inner = findSpinLock(btf, m.type(), depth + 1);
            }
            if (inner == TWO_LOCKS || inner >= 0 && found >= 0) {
                return TWO_LOCKS;
            }
            if (inner >= 0) {
                found = (int) (m.value() / 8) + inner;
            }
        }
        return found;
    }

    private static boolean isSpinLock(Btf.Type t) {
        return t.kind() == Btf.KIND_STRUCT && t.name().equals("bpf_spin_lock");
    }

    /**
     * Whether the kernel refuses the object's BTF for a struct holding two locks (btf_parse_struct_metas()
     * parses every struct with a bpf_spin_lock member, and a second lock is E2BIG): libbpf then loads the
     * object without BTF, so no map has any.
     */
    static boolean btfRefusedForLocks(Btf btf) {
        for (Btf.Type t : btf.types()) {
            if (t.kind() != Btf.KIND_STRUCT) {
                continue;
            }
            for (Btf.Member m : t.members()) {
                if (isSpinLock(btf.type(m.type()))) {
                    if (findSpinLock(btf, t.id(), 0) == TWO_LOCKS) {
                        return true;
                    }
                    break;
                }
            }
        }
        return false;
    }

    // __uint(name, val) is "int (*name)[val]": the value is the array's element count
    private static int fieldInt(Btf btf, String map, Btf.Member m) {
        Btf.Type p = btf.skipModsAndTypedefs(m.type());
        if (p.kind() != Btf.KIND_PTR) {
            throw new BpfException("map " + map + ": attr '" + m.name() + "': expected PTR, got " + p.kindName());
        }
        Btf.Type a = btf.skipModsAndTypedefs(p.sizeOrType());
        if (a.kind() != Btf.KIND_ARRAY) {
            throw new BpfException("map " + map + ": attr '" + m.name() + "': expected ARRAY, got " + a.kindName());
        }
        return a.extra();
    }

    private static int pointee(Btf btf, String map, String what, Btf.Member m) {
        Btf.Type p = btf.type(m.type());
        if (p.kind() != Btf.KIND_PTR) {
            throw new BpfException("map " + map + ": " + what + " spec is not PTR: " + p.kindName());
        }
        long sz = btf.resolveSize(p.sizeOrType());
        if (sz < 0) {
            throw new BpfException("map " + map + ": can't determine " + what + " size for type [" + p.sizeOrType()
                    + "]");
        }
        return (int) sz;
    }

    private static int agree(String map, String what, int old, int now) {
        if (old != 0 && old != now) {
            throw new BpfException("map " + map + ": conflicting " + what + " " + old + " != " + now);
        }
        return now;
    }

    // mirrors map_set_def_max_entries(): a perf event array left at 0 gets a slot per possible CPU
    private static int defaultMaxEntries(int type, int maxEntries) {
        return type == MapType.PERF_EVENT_ARRAY.id() && maxEntries == 0 ? Cpus.possible() : maxEntries;
    }

    // mirrors adjust_ringbuf_sz(): the kernel wants a power-of-2 multiple of the page size
    private static int ringbufSize(int sz) {
        if (sz == 0 || (sz % PAGE_SIZE == 0 && Integer.bitCount(sz / PAGE_SIZE) == 1)) {
            return sz;
        }
        for (long mul = 1; mul * PAGE_SIZE <= 0xffffffffL; mul <<= 1) {
            if (mul * PAGE_SIZE > Integer.toUnsignedLong(sz)) {
                return (int) (mul * PAGE_SIZE);
            }
        }
        return sz;
    }

    /**
     * Initial slots of PROG_ARRAY and map-in-map maps from {@code .rel.maps}, as
     * bpf_object__collect_map_relos(): a PROG_ARRAY slot names an entry program, a map-in-map slot a
     * BTF-defined map (placed into the outer map once every map exists, as init_map_in_map_slots()).
     */
    static void initialSlots(ElfFile elf, ElfFile.Section rel, ElfFile.Section mapsSec, int textIndex,
                             List<Located> maps) {
        TreeMap<Integer, TreeMap<Integer, String>> slots = new TreeMap<>();
        for (ElfFile.Rel r : elf.rels(rel)) {
            ElfLoader.checkRelType(r, rel);
            ElfFile.Symbol sym = elf.symbol(r.symbol(), "section " + rel.name() + ": relocation #" + r.index());
            int mi = -1;
            for (int j = 0; j < maps.size(); j++) {
                Located l = maps.get(j);
                if (l.sectionIndex() == mapsSec.index() && l.offset() <= r.offset()
                        && r.offset() + BPF_PTR_SIZE <= l.offset() + l.size()) {
                    mi = j;
                    break;
                }
            }
            if (mi < 0) {
                throw new BpfException("section .rel.maps: relocation #" + r.index() + " against " + sym.name()
                        + ": no map at offset " + r.offset());
            }
            MapSpec m = maps.get(mi).spec();
            if (m.isMapInMap()) {
                innerMapTarget(sym, mapsSec, m, maps);
            } else if (m.type() == MapType.PROG_ARRAY.id()) {
                if (sym.type() != ElfFile.STT_FUNC || sym.shndx() == textIndex || sym.shndx() == 0
                        || sym.shndx() >= elf.sections.length || !elf.sections[sym.shndx()].isExec()) {
                    throw new BpfException("map " + m.name() + ": '" + sym.name() + "' isn't an entry-point program");
                }
            } else {
                throw new BpfException("map " + m.name() + ": initial values are for prog arrays and map-in-map "
                        + "maps only");
            }
            // 'values' is the definition's last member: slot = (offset into it) / pointer size
            long slotOff = r.offset() - maps.get(mi).offset() - maps.get(mi).valuesOffset();
            if (maps.get(mi).valuesOffset() < 0 || slotOff < 0 || slotOff % BPF_PTR_SIZE != 0) {
                throw new BpfException("map " + m.name() + ": relocation #" + r.index() + " at offset " + r.offset()
                        + " is not a slot of 'values'");
            }
            slots.computeIfAbsent(mi, k -> new TreeMap<>()).put((int) (slotOff / BPF_PTR_SIZE), sym.name());
        }
        for (var e : slots.entrySet()) {
            Located l = maps.get(e.getKey());
            MapSpec m = l.spec();
            List<MapSpec.Slot> list = new ArrayList<>();
            for (var s : e.getValue().entrySet()) {
                if (s.getKey() >= m.maxEntries()) {
                    throw new BpfException("map " + m.name() + ": initial slot " + s.getKey() + " beyond max_entries "
                            + m.maxEntries() + (m.isMapInMap() ? " (the kernel says E2BIG)" : ""));
                }
                list.add(new MapSpec.Slot(s.getKey(), s.getValue()));
            }
            maps.set(e.getKey(), l.withSpec(m.withInitialSlots(List.copyOf(list))));
        }
    }

    // a map-in-map slot must name a BTF-defined map (one of .maps), the HASH_OF_MAPS keyed by an int
    private static void innerMapTarget(ElfFile.Symbol sym, ElfFile.Section mapsSec, MapSpec outer,
                                       List<Located> maps) {
        if (sym.shndx() != mapsSec.index()) {
            throw new BpfException("map " + outer.name() + ": '" + sym.name() + "' isn't a BTF-defined map");
        }
        if (outer.type() == MapType.HASH_OF_MAPS.id() && outer.keySize() != 4) {
            // libbpf fills slot i with the key i, an int
            throw new BpfException("map " + outer.name() + ": a hash-of-maps with initial values must have key size "
                    + "4, not " + outer.keySize());
        }
        for (Located l : maps) {
            if (l.spec().name().equals(sym.name()) && !l.globalData()) {
                return;
            }
        }
        throw new BpfException("map " + outer.name() + ": '" + sym.name() + "' isn't a valid map reference");
    }

    /** The kernel's KMALLOC_MAX_SIZE on x86-64, the largest array map value (as the maps package checks it). */
    private static final long KMALLOC_MAX_SIZE = 4L << 20;

    /** Global data: .data*, .rodata* and .bss* sections as one-entry ARRAY maps, named as libbpf names them. */
    static void globalData(ElfFile elf, String objName, Btf btf, List<Located> out) {
        for (ElfFile.Section s : elf.sections) {
            if (s.index() == 0 || s.size() == 0 || s.isExec()) {
                continue;
            }
            String n = s.name();
            boolean data = s.type() == ElfFile.SHT_PROGBITS && (n.equals(".data") || n.startsWith(".data."));
            boolean rodata = s.type() == ElfFile.SHT_PROGBITS && (n.equals(".rodata") || n.startsWith(".rodata."));
            boolean bss = s.type() == ElfFile.SHT_NOBITS && (n.equals(".bss") || n.startsWith(".bss."));
            if (!data && !rodata && !bss) {
                continue;
            }
            if (bss && s.size() > KMALLOC_MAX_SIZE) {
                // a .bss takes no room in the file, so its size alone must not decide what is allocated
                throw new BpfException("section " + n + ": " + s.size() + " bytes, more than one map value may hold ("
                        + KMALLOC_MAX_SIZE + ", KMALLOC_MAX_SIZE: the kernel says E2BIG)");
            }
            int flags = BPF_F_MMAPABLE | (rodata ? BPF_F_RDONLY_PROG : 0);
            Btf.Type ds = btf == null ? null : btf.datasec(n);
            MapSpec spec = new MapSpec(internalMapName(objName, n), MapType.ARRAY.id(), 4, s.size(), 1, flags,
                    elf.data(s), rodata, List.of(), n).withBtfTypes(0, ds == null ? 0 : ds.id());
            out.add(new Located(spec, s.index(), 0, s.size(), true, -1));
        }
    }

    /**
     * libbpf's name for a global data map (internal_map_name()): up to 8 characters of the object name
     * followed by the section name for {@code .data}, {@code .rodata}, {@code .bss} (the suffix always
     * reserves 7 characters, so {@code elf_multi.o}'s {@code .bss} is {@code elf_mult.bss}); a section
     * name with a second dot ({@code .rodata.str1.1}, {@code .data.table}) alone; at most 15 characters;
     * characters other than alphanumerics, '_' and '.' replaced by '_'.
     */
    static String internalMapName(String objName, String secName) {
        int sfx = Math.min(Math.max(7, secName.length()), BPF_OBJ_NAME_LEN - 1);
        int pfx = secName.indexOf('.', 1) >= 0 ? 0 : Math.min(BPF_OBJ_NAME_LEN - sfx - 1, objName.length());
        String raw = objName.substring(0, pfx) + secName.substring(0, Math.min(sfx, secName.length()));
        StringBuilder sb = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            sb.append(Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '.' ? c : '_');
        }
        return sb.toString();
    }

    /** libbpf's object name: the file's base name up to its first '.', at most 15 characters. */
    static String objectName(String path) {
        String base = path;
        int slash = base.lastIndexOf('/');
        if (slash >= 0) {
            base = base.substring(slash + 1);
        }
        if (base.length() > BPF_OBJ_NAME_LEN - 1) {
            base = base.substring(0, BPF_OBJ_NAME_LEN - 1);
        }
        int dot = base.indexOf('.');
        return dot >= 0 ? base.substring(0, dot) : base;
    }
}
