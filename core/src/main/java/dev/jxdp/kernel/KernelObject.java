package dev.jxdp.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.Btf;
import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;
import dev.jxdp.ebpf.maps.AttachType;
import dev.jxdp.ebpf.maps.Cpus;
import dev.jxdp.ebpf.maps.MapSpec;
import dev.jxdp.ebpf.maps.MapType;
import dev.jxdp.ebpf.testrun.MapJson;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An object loaded in the real kernel as libbpf's bpf_object__load() loads it: its BTF (BPF_BTF_LOAD, the
 * object continuing without when the kernel refuses it), every map (global data as one-entry arrays with
 * their initial bytes, {@code .rodata} frozen so the verifier sees constants, map-in-map slots), every XDP
 * program (BPF_PROG_LOAD with func_info and line_info, map references as map fds), then the PROG_ARRAY
 * slots. Closing it closes every descriptor; the kernel frees what nothing else holds.
 *
 * <pre>{@code
 * try (KernelObject k = KernelObject.load(ElfLoader.load(Path.of("prog.o")))) {
 *     ProgTestRun.Result r = k.program("xdp_prog").testRun(frame, 1, 0, 0);
 * }
 * }</pre>
 */
public final class KernelObject implements AutoCloseable {

    /** BPF_PROG_TYPE_XDP. */
    static final int PROG_TYPE_XDP = 6;
    /** BPF_F_XDP_HAS_FRAGS: the program takes multi-buffer frames (SEC("xdp.frags")). */
    static final int F_XDP_HAS_FRAGS = 1 << 5;
    /** The verifier log libbpf asks for after a failed load (its default log buffer is of this order). */
    static final int LOG_BYTES = 16 << 20;
    /** bpf_func_info and bpf_line_info record sizes. */
    private static final int FUNC_INFO_REC = 8;
    private static final int LINE_INFO_REC = 16;

    /** Map types libbpf creates without BTF key and value types (bpf_object__create_map()). */
    private static final Set<MapType> NO_BTF_TYPES = EnumSet.of(MapType.PERF_EVENT_ARRAY, MapType.CGROUP_ARRAY,
            MapType.STACK_TRACE, MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS, MapType.DEVMAP, MapType.DEVMAP_HASH,
            MapType.CPUMAP, MapType.XSKMAP, MapType.SOCKMAP, MapType.SOCKHASH, MapType.QUEUE, MapType.STACK,
            MapType.ARENA);

    private static final HexFormat HEX = HexFormat.of();

    private final ObjectSpec spec;
    private final int btfFd;
    private final String btfProblem;
    private final List<KernelMap> maps;
    private final List<KernelProgram> programs;

    private KernelObject(ObjectSpec spec, int btfFd, String btfProblem, List<KernelMap> maps,
                         List<KernelProgram> programs) {
        this.spec = spec;
        this.btfFd = btfFd;
        this.btfProblem = btfProblem;
        this.maps = maps;
        this.programs = programs;
    }

    // ------------------------------------------------------------------------------------ availability

    private static volatile String unavailable;
    private static volatile boolean probed;

    /** Whether bpf() works for this process (root or CAP_BPF, a kernel with BPF, a known architecture). */
    public static boolean available() {
        return unavailableReason() == null;
    }

    /** Why the kernel cannot load programs for this process, or null when it can. */
    public static String unavailableReason() {
        if (!probed) {
            unavailable = probe();
            probed = true;
        }
        return unavailable;
    }

    // a one-entry array, created and closed: what every load needs first
    private static String probe() {
        if (Bpf.linkProblem() != null) {
            return Bpf.linkProblem();
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(BpfAttr.MapCreate.SIZE, 8);
            BpfAttr.u32(attr, BpfAttr.MapCreate.MAP_TYPE, MapType.ARRAY.id());
            BpfAttr.u32(attr, BpfAttr.MapCreate.KEY_SIZE, 4);
            BpfAttr.u32(attr, BpfAttr.MapCreate.VALUE_SIZE, 4);
            BpfAttr.u32(attr, BpfAttr.MapCreate.MAX_ENTRIES, 1);
            long rc = Bpf.call(Bpf.MAP_CREATE, attr, BpfAttr.MapCreate.SIZE);
            if (rc >= 0) {
                Bpf.close((int) rc);
                return null;
            }
            int errno = (int) -rc;
            return switch (errno) {
                case 1 -> "bpf() says EPERM: loading programs in the kernel needs root (or CAP_BPF and CAP_NET_ADMIN)";
                case 38 -> "this kernel has no bpf() system call (ENOSYS)";
                default -> "bpf() says " + Bpf.errnoName(errno);
            };
        } catch (RuntimeException e) {
            return "cannot call bpf(): " + e.getMessage();
        }
    }

    private static void requireAvailable() {
        String why = unavailableReason();
        if (why != null) {
            throw new BpfException("the kernel cannot load programs here: " + why);
        }
    }

    // ------------------------------------------------------------------------------------ load

    /** Loads every map and XDP program of {@code spec} in the kernel; a refusal is a {@link KernelRejection}. */
    public static KernelObject load(ObjectSpec spec) {
        requireAvailable();
        Loader l = new Loader(spec);
        try {
            l.btfAndMaps();
            List<KernelProgram> progs = new ArrayList<>();
            for (ProgramSpec p : spec.programs()) {
                if (!p.isXdp()) {
                    continue;  // jxdp runs XDP programs only; libbpf would load a tc one too
                }
                Attempt at = l.loadProgram(p, 0);
                if (at.fd < 0) {
                    throw rejection(p, at);
                }
                KernelProgram kp = new KernelProgram(p, at.fd, "");
                l.opened.add(kp);
                progs.add(kp);
            }
            KernelObject k = new KernelObject(spec, l.btfFd, l.btfProblem, l.maps, List.copyOf(progs));
            k.fillProgArrays();
            l.opened.clear();
            return k;
        } catch (RuntimeException e) {
            l.closeAll();
            throw e;
        }
    }

    /** One program's verdict from the kernel's verifier. */
    public record Verdict(String program, boolean accepted, String log, String message, int insn) {}

    /**
     * Loads {@code spec}'s maps and then each XDP program ({@code only} or all) with the verifier's log at
     * {@code logLevel} (1: the failing path and the summary; 2: every instruction), records what the
     * verifier said of each, and unloads everything again. Maps or BTF the kernel refuses are an exception.
     */
    public static List<Verdict> verify(ObjectSpec spec, String only, int logLevel) {
        requireAvailable();
        Loader l = new Loader(spec);
        try {
            l.btfAndMaps();
            List<Verdict> out = new ArrayList<>();
            for (ProgramSpec p : spec.programs()) {
                if (!p.isXdp() || only != null && !only.equals(p.name())) {
                    continue;
                }
                Attempt at = l.loadProgram(p, logLevel);
                if (at.fd >= 0) {
                    Bpf.close(at.fd);
                    out.add(new Verdict(p.name(), true, at.log, null, -1));
                } else {
                    out.add(new Verdict(p.name(), false, at.log, lastWord(at.log, at.errno), rejectedInsn(at.log)));
                }
            }
            return out;
        } finally {
            l.closeAll();
        }
    }

    private static KernelRejection rejection(ProgramSpec p, Attempt at) {
        String why = lastWord(at.log, at.errno);
        int insn = rejectedInsn(at.log);
        return new KernelRejection("program " + p.name() + ": the kernel rejected it" + (insn >= 0 ? " at insn " + insn : "")
                + " (" + Bpf.errnoName(at.errno) + ")" + (why.isEmpty() ? "" : ": " + why), p.name(), at.log, at.errno, insn,
                why.isEmpty() ? Bpf.errnoName(at.errno) : why);
    }

    private static final Pattern INSN_LINE = Pattern.compile("^(\\d+): \\(");

    /** The index of the last instruction the log shows the verifier at, or -1. */
    static int rejectedInsn(String log) {
        int insn = -1;
        for (String line : log.split("\n")) {
            Matcher m = INSN_LINE.matcher(line);
            if (m.find()) {
                insn = Integer.parseInt(m.group(1));
            }
        }
        return insn;
    }

    /**
     * The verifier's reason, one line: the lines after the last instruction it started on, up to its
     * statistics, without source lines and precision backtracking, joined by "; " (the structural checks
     * that refuse a program before any instruction: the last such line); the errno's name with no log.
     */
    static String lastWord(String log, int errno) {
        List<String> lines = new ArrayList<>();
        for (String l : log.split("\n")) {
            if (l.startsWith("processed ") || l.startsWith("verification time") || l.startsWith("stack depth")) {
                break;
            }
            lines.add(l);
        }
        int last = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (INSN_LINE.matcher(lines.get(i)).find()) {
                last = i;
            }
        }
        List<String> reason = new ArrayList<>();
        for (int i = last + 1; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (!l.isEmpty() && !l.startsWith("; ") && !l.startsWith("mark_precise: ")) {
                reason.add(l);
            }
        }
        if (last < 0 && !reason.isEmpty()) {
            return reason.getLast();
        }
        return reason.isEmpty() ? (log.isBlank() ? Bpf.errnoName(errno) : "") : String.join("; ", reason);
    }

    /** What one BPF_PROG_LOAD gave: a descriptor or -1 with the errno, and the log when one was taken. */
    private record Attempt(int fd, int errno, String log) {}

    /** The state of one load in progress: what is open, for closing it all if a step fails. */
    private static final class Loader {
        final ObjectSpec spec;
        final List<AutoCloseable> opened = new ArrayList<>();
        final List<KernelMap> maps = new ArrayList<>();
        int btfFd = -1;
        String btfProblem;
        BtfBlob blob;

        Loader(ObjectSpec spec) {
            this.spec = spec;
        }

        void closeAll() {
            for (int i = opened.size() - 1; i >= 0; i--) {
                try {
                    opened.get(i).close();
                } catch (Exception ignored) {
                    // a descriptor that will not close is gone anyway
                }
            }
            opened.clear();
            if (btfFd >= 0) {
                Bpf.close(btfFd);
                btfFd = -1;
            }
        }

        void btfAndMaps() {
            loadBtf();
            for (MapSpec m : spec.maps()) {
                KernelMap km = createWithInner(m);
                opened.add(km);
                maps.add(km);
                fillGlobalData(km);
            }
            fillMapInMapSlots();
        }

        // mirrors bpf_object__load_vmlinux_btf()'s sibling bpf_object__sanitize_and_load_btf(): a refusal
        // leaves the object without BTF (maps without types, programs without func_info), as libbpf goes on
        private void loadBtf() {
            if (spec.btf() == null) {
                return;
            }
            Set<String> lineStrings = new LinkedHashSet<>();
            for (ProgramSpec p : spec.programs()) {
                for (ProgramSpec.Line l : p.lines()) {
                    lineStrings.add(l.file());
                    lineStrings.add(l.text());
                }
            }
            BtfBlob b = BtfBlob.encode(spec.btf(), lineStrings);
            try (Arena a = Arena.ofConfined()) {
                MemorySegment data = BpfAttr.bytes(a, b.bytes());
                MemorySegment attr = a.allocate(BpfAttr.BtfLoad.SIZE, 8);
                BpfAttr.ptr(attr, BpfAttr.BtfLoad.BTF, data);
                BpfAttr.u32(attr, BpfAttr.BtfLoad.BTF_SIZE, b.bytes().length);
                long rc = Bpf.call(Bpf.BTF_LOAD, attr, BpfAttr.BtfLoad.SIZE);
                if (rc >= 0) {
                    btfFd = (int) rc;
                    blob = b;
                    return;
                }
                MemorySegment log = a.allocate(1 << 20);
                BpfAttr.ptr(attr, BpfAttr.BtfLoad.BTF_LOG_BUF, log);
                BpfAttr.u32(attr, BpfAttr.BtfLoad.BTF_LOG_SIZE, 1 << 20);
                BpfAttr.u32(attr, BpfAttr.BtfLoad.BTF_LOG_LEVEL, 1);
                long again = Bpf.call(Bpf.BTF_LOAD, attr, BpfAttr.BtfLoad.SIZE);
                if (again >= 0) {
                    btfFd = (int) again;
                    blob = b;
                    return;
                }
                btfProblem = "BPF_BTF_LOAD: " + Bpf.errnoName((int) -rc) + ": " + lastWord(cString(log), (int) -rc);
            }
        }

        private KernelMap createWithInner(MapSpec m) {
            if (!m.isMapInMap()) {
                return create(m, -1);
            }
            // bpf_object__create_map(): the inner map template exists only while the outer map is created
            try (KernelMap template = create(m.inner(), -1)) {
                return create(m, template.fd());
            }
        }

        private KernelMap create(MapSpec m, int innerFd) {
            int[] ids = btfFd >= 0 ? btfTypeIds(m) : new int[2];
            boolean withBtf = ids[0] != 0 || ids[1] != 0;
            long rc = createCall(m, innerFd, withBtf ? ids : null);
            if (rc < 0 && withBtf) {
                // libbpf: "Retrying without BTF." (a spin lock in a map type that cannot hold one, ...)
                withBtf = false;
                rc = createCall(m, innerFd, null);
            }
            if (rc < 0) {
                int errno = (int) -rc;
                throw new KernelRejection("map " + m.name() + ": BPF_MAP_CREATE (" + typeName(m) + ", key " + m.keySize()
                        + " B, value " + m.valueSize() + " B, max_entries " + m.maxEntries() + ", flags 0x"
                        + Integer.toHexString(m.flags()) + "): the kernel says " + Bpf.errnoName(errno), null, "", errno);
            }
            return new KernelMap(m, (int) rc, withBtf);
        }

        private long createCall(MapSpec m, int innerFd, int[] btfIds) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment attr = a.allocate(BpfAttr.MapCreate.SIZE, 8);
                BpfAttr.u32(attr, BpfAttr.MapCreate.MAP_TYPE, m.type());
                BpfAttr.u32(attr, BpfAttr.MapCreate.KEY_SIZE, m.keySize());
                BpfAttr.u32(attr, BpfAttr.MapCreate.VALUE_SIZE, m.valueSize());
                BpfAttr.u32(attr, BpfAttr.MapCreate.MAX_ENTRIES, m.maxEntries());
                BpfAttr.u32(attr, BpfAttr.MapCreate.MAP_FLAGS, m.flags());
                BpfAttr.u32(attr, BpfAttr.MapCreate.INNER_MAP_FD, Math.max(innerFd, 0));
                BpfAttr.name(attr, BpfAttr.MapCreate.MAP_NAME, m.name());
                if (btfIds != null) {
                    BpfAttr.u32(attr, BpfAttr.MapCreate.BTF_FD, btfFd);
                    BpfAttr.u32(attr, BpfAttr.MapCreate.BTF_KEY_TYPE_ID, btfIds[0]);
                    BpfAttr.u32(attr, BpfAttr.MapCreate.BTF_VALUE_TYPE_ID, btfIds[1]);
                }
                return Bpf.call(Bpf.MAP_CREATE, attr, BpfAttr.MapCreate.SIZE);
            }
        }

        /**
         * The BTF key and value type ids libbpf gives a map (bpf_map_find_btf_info()): for a map of
         * {@code .maps}, the types its {@code key} and {@code value} members point to; for global data, no
         * key and the section's DATASEC as value; none for legacy maps and the types libbpf creates bare.
         */
        private int[] btfTypeIds(MapSpec m) {
            Btf btf = spec.btf();
            int[] ids = new int[2];
            MapType t = MapType.byId(m.type());
            if (t == null || NO_BTF_TYPES.contains(t)) {
                return ids;
            }
            if (m.initialData() != null) {
                ids[1] = Math.max(0, btf.findByName(m.section(), Btf.KIND_DATASEC));
                return ids;
            }
            if (!".maps".equals(m.section())) {
                return ids;
            }
            Btf.Type ds = btf.datasec(".maps");
            if (ds == null) {
                return ids;
            }
            for (Btf.Member vi : ds.members()) {
                Btf.Type var = btf.type(vi.type());
                if (var.kind() != Btf.KIND_VAR || !var.name().equals(m.name())) {
                    continue;
                }
                Btf.Type def = btf.skipModsAndTypedefs(var.sizeOrType());
                for (Btf.Member mem : def.members()) {
                    Btf.Type ptr = btf.type(mem.type());
                    if (ptr.kind() != Btf.KIND_PTR) {
                        continue;
                    }
                    if (mem.name().equals("key")) {
                        ids[0] = ptr.sizeOrType();
                    } else if (mem.name().equals("value")) {
                        ids[1] = ptr.sizeOrType();
                    }
                }
                break;
            }
            return ids;
        }

        // bpf_object__populate_internal_map(): the section's bytes as key 0's value; .rodata then frozen
        private void fillGlobalData(KernelMap km) {
            MapSpec m = km.spec();
            byte[] init = m.initialData();
            if (init == null) {
                return;
            }
            boolean zeros = true;
            for (byte b : init) {
                zeros &= b == 0;
            }
            if (!zeros) {
                int rc = km.userUpdate(new byte[4], Arrays.copyOf(init, m.valueSize()), 0);
                if (rc < 0) {
                    throw new KernelRejection("map " + m.name() + ": filling it with section " + m.section()
                            + ": the kernel says " + Bpf.errnoName(-rc), null, "", -rc);
                }
            }
            if (m.readOnly()) {
                int rc = km.freeze();
                if (rc < 0) {
                    throw new KernelRejection("map " + m.name() + ": BPF_MAP_FREEZE: the kernel says " + Bpf.errnoName(-rc),
                            null, "", -rc);
                }
            }
        }

        // init_map_in_map_slots(): each __array(values, ...) initialiser, the inner map's fd at its slot
        private void fillMapInMapSlots() {
            for (KernelMap outer : maps) {
                if (!outer.spec().isMapInMap()) {
                    continue;
                }
                for (MapSpec.Slot s : outer.spec().initialSlots()) {
                    KernelMap inner = null;
                    for (KernelMap km : maps) {
                        if (km.name().equals(s.target())) {
                            inner = km;
                        }
                    }
                    if (inner == null) {
                        throw new BpfException("map " + outer.name() + ": slot " + s.slot() + " names map " + s.target()
                                + ", which the object does not have");
                    }
                    int rc = outer.userUpdate(le32(s.slot()), le32(inner.fd()), 0);
                    if (rc < 0) {
                        throw new KernelRejection("map " + outer.name() + ": slot " + s.slot() + " <- map " + inner.name()
                                + ": the kernel says " + Bpf.errnoName(-rc), null, "", -rc);
                    }
                }
            }
        }

        /**
         * BPF_PROG_LOAD of one program: first without a log, as libbpf does; when the kernel refuses, again
         * with the log at level 1 so the rejection carries the verifier's words. {@code logLevel} above 0
         * asks for the log on the first load.
         */
        Attempt loadProgram(ProgramSpec p, int logLevel) {
            Insn[] insns = withMapFds(p);
            try (Arena a = Arena.ofConfined()) {
                MemorySegment attr = a.allocate(BpfAttr.ProgLoad.SIZE, 8);
                BpfAttr.u32(attr, BpfAttr.ProgLoad.PROG_TYPE, PROG_TYPE_XDP);
                BpfAttr.u32(attr, BpfAttr.ProgLoad.INSN_CNT, insns.length);
                BpfAttr.ptr(attr, BpfAttr.ProgLoad.INSNS, BpfAttr.bytes(a, Insn.encodeAll(insns)));
                byte[] license = (spec.license() + "\0").getBytes(StandardCharsets.UTF_8);
                BpfAttr.ptr(attr, BpfAttr.ProgLoad.LICENSE, BpfAttr.bytes(a, license));
                BpfAttr.name(attr, BpfAttr.ProgLoad.PROG_NAME, p.name());
                AttachType at = p.expectedAttachType();
                BpfAttr.u32(attr, BpfAttr.ProgLoad.EXPECTED_ATTACH_TYPE, at == AttachType.NONE ? 0 : at.id());
                if (p.section().startsWith("xdp.frags")) {
                    BpfAttr.u32(attr, BpfAttr.ProgLoad.PROG_FLAGS, F_XDP_HAS_FRAGS);
                }
                btfInfo(a, attr, p, insns);
                MemorySegment log = null;
                if (logLevel > 0) {
                    log = withLog(a, attr, logLevel);
                }
                long rc = Bpf.call(Bpf.PROG_LOAD, attr, BpfAttr.ProgLoad.SIZE);
                if (rc >= 0) {
                    return new Attempt((int) rc, 0, log == null ? "" : cString(log));
                }
                if (log == null) {
                    log = withLog(a, attr, 1);
                    long again = Bpf.call(Bpf.PROG_LOAD, attr, BpfAttr.ProgLoad.SIZE);
                    if (again >= 0) {
                        // accepted when asked twice: keep it, as libbpf would have had it the first time
                        return new Attempt((int) again, 0, cString(log));
                    }
                }
                return new Attempt(-1, (int) -rc, cString(log));
            }
        }

        private static MemorySegment withLog(Arena a, MemorySegment attr, int level) {
            MemorySegment log = a.allocate(LOG_BYTES);
            BpfAttr.u32(attr, BpfAttr.ProgLoad.LOG_LEVEL, level);
            BpfAttr.u32(attr, BpfAttr.ProgLoad.LOG_SIZE, LOG_BYTES);
            BpfAttr.ptr(attr, BpfAttr.ProgLoad.LOG_BUF, log);
            return log;
        }

        /** The program with PSEUDO_MAP_IDX / IDX_VALUE references as PSEUDO_MAP_FD / MAP_VALUE with this load's fds. */
        private Insn[] withMapFds(ProgramSpec p) {
            Insn[] insns = p.insns().clone();
            for (int i = 0; i < insns.length; i++) {
                Insn in = insns[i];
                if (!in.isLddw()) {
                    continue;
                }
                if (in.src() == Op.PSEUDO_MAP_IDX || in.src() == Op.PSEUDO_MAP_IDX_VALUE) {
                    if (in.imm() < 0 || in.imm() >= maps.size()) {
                        throw new BpfException("program " + p.name() + ": instruction " + i + ": map index " + in.imm()
                                + " beyond the object's " + maps.size() + " maps");
                    }
                    int src = in.src() == Op.PSEUDO_MAP_IDX ? Op.PSEUDO_MAP_FD : Op.PSEUDO_MAP_VALUE;
                    insns[i] = new Insn(in.opcode(), in.dst(), src, in.off(), maps.get(in.imm()).fd());
                }
                i++;
            }
            return insns;
        }

        /**
         * func_info (every function's BTF FUNC: the kernel needs it for a bpf_loop callback's address and to
         * verify a global function on its own) and line_info (source lines in the verifier's log), when the
         * kernel took the object's BTF and it describes every function of the program.
         */
        private void btfInfo(Arena a, MemorySegment attr, ProgramSpec p, Insn[] insns) {
            if (btfFd < 0 || p.funcs().isEmpty()) {
                return;
            }
            List<ProgramSpec.Func> funcs = new ArrayList<>(p.funcs());
            funcs.sort(Comparator.comparingInt(ProgramSpec.Func::insn));
            if (funcs.getFirst().insn() != 0) {
                return;
            }
            MemorySegment fi = a.allocate((long) FUNC_INFO_REC * funcs.size(), 8);
            for (int i = 0; i < funcs.size(); i++) {
                int type = spec.btf().findByName(funcs.get(i).name(), Btf.KIND_FUNC);
                if (type < 0 || i > 0 && funcs.get(i).insn() == funcs.get(i - 1).insn()) {
                    return;
                }
                BpfAttr.u32(fi, i * FUNC_INFO_REC, funcs.get(i).insn());
                BpfAttr.u32(fi, i * FUNC_INFO_REC + 4, type);
            }
            BpfAttr.u32(attr, BpfAttr.ProgLoad.PROG_BTF_FD, btfFd);
            BpfAttr.u32(attr, BpfAttr.ProgLoad.FUNC_INFO_REC_SIZE, FUNC_INFO_REC);
            BpfAttr.ptr(attr, BpfAttr.ProgLoad.FUNC_INFO, fi);
            BpfAttr.u32(attr, BpfAttr.ProgLoad.FUNC_INFO_CNT, funcs.size());
            List<ProgramSpec.Line> lines = usableLines(p, funcs, insns);
            if (lines.isEmpty()) {
                return;
            }
            MemorySegment li = a.allocate((long) LINE_INFO_REC * lines.size(), 8);
            for (int i = 0; i < lines.size(); i++) {
                ProgramSpec.Line l = lines.get(i);
                int at = i * LINE_INFO_REC;
                BpfAttr.u32(li, at, l.insn());
                BpfAttr.u32(li, at + 4, blob.stringOffset(l.file()));
                BpfAttr.u32(li, at + 8, blob.stringOffset(l.text()));
                BpfAttr.u32(li, at + 12, l.line() << 10 | (l.column() & 0x3ff));
            }
            BpfAttr.u32(attr, BpfAttr.ProgLoad.LINE_INFO_REC_SIZE, LINE_INFO_REC);
            BpfAttr.ptr(attr, BpfAttr.ProgLoad.LINE_INFO, li);
            BpfAttr.u32(attr, BpfAttr.ProgLoad.LINE_INFO_CNT, lines.size());
        }

        /**
         * The program's line_info in the order check_btf_line() demands (strictly rising instructions, none on
         * an lddw's second half, one at every function's start), or none when it is not so.
         */
        private List<ProgramSpec.Line> usableLines(ProgramSpec p, List<ProgramSpec.Func> funcs, Insn[] insns) {
            List<ProgramSpec.Line> lines = new ArrayList<>(p.lines());
            lines.sort(Comparator.comparingInt(ProgramSpec.Line::insn));
            boolean[] lddwHi = new boolean[insns.length];
            for (int i = 0; i + 1 < insns.length; i++) {
                if (insns[i].isLddw()) {
                    lddwHi[++i] = true;
                }
            }
            int f = 0;
            for (int i = 0; i < lines.size(); i++) {
                int insn = lines.get(i).insn();
                if (i > 0 && insn <= lines.get(i - 1).insn() || insn < 0 || insn >= insns.length || lddwHi[insn]
                        || blob.stringOffset(lines.get(i).file()) < 0 || blob.stringOffset(lines.get(i).text()) < 0) {
                    return List.of();
                }
                if (f < funcs.size() && insn == funcs.get(f).insn()) {
                    f++;
                } else if (f < funcs.size() && funcs.get(f).insn() < insn) {
                    return List.of();
                }
            }
            return f == funcs.size() ? lines : List.of();
        }
    }

    // bpf_object__init_prog_arrays(): each PROG_ARRAY initialiser, the program's fd at its slot
    private void fillProgArrays() {
        for (KernelMap m : maps) {
            if (m.type() != MapType.PROG_ARRAY) {
                continue;
            }
            for (MapSpec.Slot s : m.spec().initialSlots()) {
                KernelProgram p = program(s.target());
                if (p == null) {
                    throw new BpfException("map " + m.name() + ": slot " + s.slot() + " names program " + s.target()
                            + ", which is not an XDP program the kernel loaded");
                }
                int rc = m.userUpdate(le32(s.slot()), le32(p.fd()), 0);
                if (rc < 0) {
                    throw new KernelRejection("map " + m.name() + ": slot " + s.slot() + " <- program " + p.name()
                            + ": the kernel says " + Bpf.errnoName(-rc), null, "", -rc);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------ accessors

    public ObjectSpec spec() { return spec; }

    /** The XDP programs loaded, in the object's order. */
    public List<KernelProgram> programs() { return programs; }

    /** The program named {@code name}, or null. */
    public KernelProgram program(String name) {
        for (KernelProgram p : programs) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }

    /** Every map, in the object's order (the order PSEUDO_MAP_IDX numbers them). */
    public List<KernelMap> maps() { return List.copyOf(maps); }

    /** The map named {@code name} (libbpf's name or its JSON name), or null. */
    public KernelMap map(String name) {
        for (KernelMap m : maps) {
            if (m.name().equals(name) || m.jsonName().equals(name)) {
                return m;
            }
        }
        return null;
    }

    /** Whether the kernel took the object's BTF. */
    public boolean hasBtf() { return btfFd >= 0; }

    /** Why the kernel refused the object's BTF (the object then loaded without it), or null. */
    public String btfProblem() { return btfProblem; }

    /** The kernel's id of a map or program descriptor (BPF_OBJ_GET_INFO_BY_FD). */
    static int infoId(int fd, String what) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = a.allocate(BpfAttr.InfoByFd.INFO_ASKED, 8);
            MemorySegment attr = a.allocate(BpfAttr.InfoByFd.SIZE, 8);
            BpfAttr.u32(attr, BpfAttr.InfoByFd.BPF_FD, fd);
            BpfAttr.u32(attr, BpfAttr.InfoByFd.INFO_LEN, BpfAttr.InfoByFd.INFO_ASKED);
            BpfAttr.ptr(attr, BpfAttr.InfoByFd.INFO, info);
            long rc = Bpf.call(Bpf.OBJ_GET_INFO_BY_FD, attr, BpfAttr.InfoByFd.SIZE);
            if (rc < 0) {
                throw new KernelRejection(what + ": BPF_OBJ_GET_INFO_BY_FD: the kernel says " + Bpf.errnoName((int) -rc),
                        null, "", (int) -rc);
            }
            return BpfAttr.u32(info, BpfAttr.InfoByFd.INFO_ID);
        }
    }

    // ------------------------------------------------------------------------------------ JSON, as MapJson

    /**
     * The maps {@code chosen} takes (by JSON name) in test-run's JSON, exactly as {@link MapJson#dump} gives
     * jxdp's: sorted by name, entries by key, arrays every index, per-CPU values summed as little-endian u64
     * lanes, PROG_ARRAY slots as {@code {"key", "prog"}}, a DEVMAP/CPUMAP entry with a program as
     * {@code {"key", "value": its first u32, "prog"}}, an outer map's entry as {@code {"key", "map"}}, maps
     * without keys left out.
     */
    public ObjectNode dump(Predicate<String> chosen) {
        Map<String, KernelMap> byName = new TreeMap<>();
        for (KernelMap m : maps) {
            if (chosen.test(m.jsonName())) {
                byName.put(m.jsonName(), m);
            }
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, KernelMap> e : byName.entrySet()) {
            if (e.getValue().keySize() == 0) {
                continue;
            }
            out.set(e.getKey(), entries(e.getValue()));
        }
        return out;
    }

    private ArrayNode entries(KernelMap map) {
        MapType type = map.type();
        List<String[]> rows = new ArrayList<>();
        for (byte[] key = map.userNextKey(null); key != null; key = map.userNextKey(key)) {
            byte[] value = map.userLookup(key);
            if (value == null) {
                continue;  // an empty fd-array slot (ENOENT), a PERF_EVENT_ARRAY or XSKMAP the kernel won't show
            }
            String keyHex = HEX.formatHex(key);
            if (type == MapType.PROG_ARRAY) {
                rows.add(new String[] {keyHex, null, programById(le32(value, 0)), null});
            } else if (map.spec().isMapInMap()) {
                rows.add(new String[] {keyHex, null, null, mapById(le32(value, 0))});
            } else if (entryProgramMap(type) && value.length >= 8 && le32(value, 4) != 0) {
                rows.add(new String[] {keyHex, HEX.formatHex(value, 0, 4), programById(le32(value, 4)), null});
            } else {
                byte[] v = type != null && type.isPerCpu() ? MapJson.sumPerCpu(value, map.valueSize()) : value;
                rows.add(new String[] {keyHex, HEX.formatHex(v), null, null});
            }
        }
        return MapJson.entryArray(rows);
    }

    private static boolean entryProgramMap(MapType t) {
        return t == MapType.DEVMAP || t == MapType.DEVMAP_HASH || t == MapType.CPUMAP;
    }

    private String programById(int id) {
        for (KernelProgram p : programs) {
            if (p.id() == id) {
                return p.name();
            }
        }
        return "id " + Integer.toUnsignedString(id);
    }

    private String mapById(int id) {
        for (KernelMap m : maps) {
            if (m.id() == id) {
                return m.jsonName();
            }
        }
        return "id " + Integer.toUnsignedString(id);
    }

    /**
     * Applies test-run's {@code --map-init} document as {@link MapJson#applyInit} does for jxdp's maps:
     * {@code {"maps": {"NAME": [{"key": hex, "value": hex} | {"key": hex, "prog": NAME} | {"key": hex,
     * "map": NAME}]}}}, per-CPU values on every possible CPU, a DEVMAP/CPUMAP entry's program by name.
     */
    public void applyInit(JsonNode doc) {
        JsonNode all = doc == null ? null : doc.get("maps");
        if (all == null || !all.isObject()) {
            throw new BpfException("want {\"maps\": {\"MAP\": [{\"key\": hex, \"value\": hex}, ...]}}");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = all.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            KernelMap map = map(e.getKey());
            if (map == null) {
                List<String> names = new ArrayList<>();
                maps.forEach(m -> names.add(m.jsonName()));
                throw new BpfException("unknown map " + e.getKey() + " (maps: " + (names.isEmpty() ? "none"
                        : String.join(", ", names)) + ")");
            }
            if (!e.getValue().isArray()) {
                throw new BpfException("map " + e.getKey() + ": want a list of entries");
            }
            for (JsonNode entry : e.getValue()) {
                applyEntry(map, "map " + e.getKey(), entry);
            }
        }
    }

    private void applyEntry(KernelMap map, String where, JsonNode entry) {
        if (!entry.isObject()) {
            throw new BpfException(where + ": want {\"key\": hex, \"value\": hex} entries");
        }
        byte[] key = MapJson.hexOf(entry.get("key"), map.keySize(), where + " key");
        String at = where + " key " + HEX.formatHex(key);
        MapType type = map.type();
        byte[] value;
        if (type == MapType.PROG_ARRAY) {
            long slot = Integer.toUnsignedLong(le32(key, 0));
            KernelProgram p = namedProgram(entry.get("prog"), at);
            if (slot >= map.maxEntries()) {
                throw new BpfException(at + ": slot " + slot + " is beyond max_entries " + map.maxEntries() + " (E2BIG)");
            }
            value = le32(p.fd());
        } else if (map.spec().isMapInMap()) {
            JsonNode name = entry.get("map");
            KernelMap inner = name != null && name.isTextual() ? map(name.asText()) : null;
            if (inner == null) {
                throw new BpfException(at + ": an outer map's entry is {\"key\": hex, \"map\": NAME}, NAME one of the "
                        + "object's maps");
            }
            value = le32(inner.fd());
        } else if (entryProgramMap(type) && entry.get("prog") != null) {
            value = entryWithProgram(map, at, entry);
        } else {
            if (entry.get("value") == null) {
                throw new BpfException(at + ": no \"value\" (\"prog\" alone is for PROG_ARRAY maps)");
            }
            value = MapJson.hexOf(entry.get("value"), map.valueSize(), where + " value");
            if (type != null && type.isPerCpu()) {
                value = MapJson.replicate(value, map.valueSize(), Cpus.kernelPossible());
            }
        }
        int rc = map.userUpdate(key, value, 0);
        if (rc != 0) {
            throw new BpfException(at + ": update failed: the kernel says " + Bpf.errnoName(-rc));
        }
    }

    // a DEVMAP / CPUMAP entry with its program: the first u32 (ifindex, qsize) and the program's fd after it
    private byte[] entryWithProgram(KernelMap map, String at, JsonNode entry) {
        KernelProgram p = namedProgram(entry.get("prog"), at);
        if (map.valueSize() < 8) {
            throw new BpfException(at + ": \"prog\" needs the value's bpf_prog field, but the map's values are "
                    + map.valueSize() + " bytes");
        }
        JsonNode v = entry.get("value");
        String h = v != null && v.isTextual() ? v.asText() : null;
        if (h == null || (h.length() != 8 && h.length() != 2 * map.valueSize()) || !h.matches("[0-9a-fA-F]*")) {
            throw new BpfException(at + " value " + (v == null ? "missing" : v.toString()) + ": want 4 bytes or "
                    + map.valueSize() + " bytes as hex");
        }
        byte[] value = Arrays.copyOf(HEX.parseHex(h), map.valueSize());
        System.arraycopy(le32(p.fd()), 0, value, 4, 4);
        return value;
    }

    private KernelProgram namedProgram(JsonNode prog, String at) {
        KernelProgram p = prog != null && prog.isTextual() ? program(prog.asText()) : null;
        if (p == null) {
            List<String> names = new ArrayList<>();
            programs.forEach(q -> names.add(q.name()));
            throw new BpfException(at + ": \"prog\" must name one of the programs (" + String.join(", ", names) + ")");
        }
        return p;
    }

    static byte[] le32(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    static int le32(byte[] b, int off) {
        int v = 0;
        for (int i = Math.min(b.length, off + 4) - 1; i >= off; i--) {
            v = v << 8 | (b[i] & 0xff);
        }
        return v;
    }

    private static String typeName(MapSpec m) {
        MapType t = MapType.byId(m.type());
        return t == null ? "type " + m.type() : t.kernelName();
    }

    private static String cString(MemorySegment s) {
        if (s == null) {
            return "";
        }
        long n = 0;
        long max = s.byteSize();
        while (n < max && s.get(ValueLayout.JAVA_BYTE, n) != 0) {
            n++;
        }
        return new String(s.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        for (KernelProgram p : programs) {
            p.close();
        }
        for (KernelMap m : maps) {
            m.close();
        }
        if (btfFd >= 0) {
            Bpf.close(btfFd);
        }
    }
}
