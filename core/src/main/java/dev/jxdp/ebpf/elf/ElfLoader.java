package dev.jxdp.ebpf.elf;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;
import dev.jxdp.ebpf.maps.MapSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an eBPF object file as clang builds it into an {@link ObjectSpec}, doing what libbpf's
 * bpf_object__open() and bpf_object__relocate() do before the kernel sees anything: find programs and
 * maps, apply CO-RE relocations, append the subprograms each program reaches, and rewrite map references
 * to the kernel's PSEUDO_MAP_IDX / PSEUDO_MAP_IDX_VALUE form.
 */
public final class ElfLoader {

    static final int R_BPF_NONE = 0;
    static final int R_BPF_64_64 = 1;
    static final int R_BPF_64_ABS64 = 2;
    static final int R_BPF_64_ABS32 = 3;
    static final int R_BPF_64_NODYLD32 = 4;
    static final int R_BPF_64_32 = 10;

    private static final int CALL = Op.JMP | Op.CALL;

    private ElfLoader() {}

    /** Reads and parses a file; an unreadable file is a BpfException too. */
    public static ObjectSpec load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new BpfException("cannot read: " + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
        }
        return parse(bytes, file.toString());
    }

    /** Parses an object from memory; {@code name} is its file name, which names global data maps as libbpf does. */
    public static ObjectSpec parse(byte[] bytes, String name) {
        try {
            return new ElfLoader.Run(ElfFile.parse(bytes), name).load();
        } catch (IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
            throw new BpfException("truncated or corrupt object file (" + e.getMessage() + ")", e);
        }
    }

    /** Unknown relocation types are refused in every section jxdp reads, naming the type and section. */
    static void checkRelType(ElfFile.Rel r, ElfFile.Section rel) {
        switch (r.type()) {
            case R_BPF_NONE, R_BPF_64_64, R_BPF_64_ABS64, R_BPF_64_ABS32, R_BPF_64_NODYLD32, R_BPF_64_32 -> { }
            default -> throw new BpfException("section " + rel.name() + ": relocation #" + r.index()
                    + ": unknown relocation type " + r.type());
        }
    }

    /** A function of a code section: an entry program or a subprogram, with its relocations. */
    private static final class Fn {
        final String name;
        final ElfFile.Section sec;
        final int secInsnOff;
        final Insn[] insns;
        final boolean program;
        final Map<Integer, Reloc> relos = new HashMap<>();

        Fn(String name, ElfFile.Section sec, int secInsnOff, Insn[] insns, boolean program) {
            this.name = name;
            this.sec = sec;
            this.secInsnOff = secInsnOff;
            this.insns = insns;
            this.program = program;
        }

        boolean contains(int secInsn) { return secInsn >= secInsnOff && secInsn < secInsnOff + insns.length; }
    }

    private enum RelocKind { CALL, SUBPROG_ADDR, MAP, DATA }

    private record Reloc(RelocKind kind, int targetSec, long symOff, int mapIndex) {}

    private static final class Run {
        private final ElfFile elf;
        private final String path;
        private final List<Fn> fns = new ArrayList<>();
        private final List<MapCollector.Located> maps = new ArrayList<>();
        private Btf btf;
        private BtfExt ext = BtfExt.empty();
        private int textIndex = -1;

        Run(ElfFile elf, String path) {
            this.elf = elf;
            this.path = path;
        }

        ObjectSpec load() {
            String license = "";
            ElfFile.Section mapsSec = null;
            ElfFile.Section legacySec = null;
            for (ElfFile.Section s : elf.sections) {
                switch (s.name()) {
                    case "license" -> license = cString(elf.data(s));
                    case ".BTF" -> btf = Btf.parse(elf.data(s));
                    case ".maps" -> mapsSec = s;
                    case "maps" -> legacySec = s;
                    case ".text" -> textIndex = s.index();
                    default -> { }
                }
            }
            if (btf != null) {
                fixupDatasecs();
            }
            ElfFile.Section extSec = elf.section(".BTF.ext");
            if (extSec != null && btf != null) {
                ext = BtfExt.parse(elf.data(extSec), btf);
            }
            collectFunctions();
            if (legacySec != null) {
                MapCollector.legacy(elf, legacySec, maps);
            }
            if (mapsSec != null) {
                MapCollector.btfMaps(elf, mapsSec, btf, maps);
            }
            MapCollector.globalData(elf, MapCollector.objectName(path), btf, maps);
            collectRelocations(mapsSec);
            applyCoreRelocations();
            List<ProgramSpec> programs = new ArrayList<>();
            for (Fn f : fns) {
                if (f.program) {
                    programs.add(link(f));
                }
            }
            List<MapSpec> specs = new ArrayList<>(maps.size());
            for (MapCollector.Located l : maps) {
                specs.add(l.spec());
            }
            return new ObjectSpec(path, List.copyOf(specs), List.copyOf(programs), license, btf);
        }

        // mirrors btf_fixup_datasec(): clang leaves DATASEC sizes and variable offsets 0 in objects; the ELF
        // section's size and each variable's symbol value are the truth
        private void fixupDatasecs() {
            for (Btf.Type t : btf.types()) {
                if (t.kind() != Btf.KIND_DATASEC) {
                    continue;
                }
                ElfFile.Section sec = elf.section(t.name());
                if (sec == null) {
                    continue;
                }
                List<Btf.Member> vars = new ArrayList<>(t.members().size());
                for (Btf.Member m : t.members()) {
                    Btf.Type var = btf.type(m.type());
                    long off = m.value();
                    if (var.kind() == Btf.KIND_VAR) {
                        for (ElfFile.Symbol sym : elf.symbols) {
                            if (sym.shndx() == sec.index() && sym.type() == ElfFile.STT_OBJECT
                                    && sym.name().equals(var.name())) {
                                off = sym.value();
                                break;
                            }
                        }
                    }
                    vars.add(new Btf.Member(var.name(), m.type(), off, m.bitSize()));
                }
                btf.fixDatasec(t.id(), sec.size(), vars);
            }
        }

        // mirrors bpf_object__add_programs(): every STT_FUNC symbol of an executable section is a function;
        // those outside .text (and, in an object with nothing else, the one in .text) are entry programs
        private void collectFunctions() {
            for (ElfFile.Section s : elf.sections) {
                if (!s.isExec() || s.size() == 0) {
                    continue;
                }
                if (s.size() % Insn.SIZE != 0) {
                    throw new BpfException("section " + s.name() + ": size " + s.size() + " is not a multiple of 8");
                }
                byte[] code = elf.data(s);
                List<Fn> inSection = new ArrayList<>();
                for (ElfFile.Symbol sym : elf.symbols) {
                    if (sym.shndx() != s.index() || sym.type() != ElfFile.STT_FUNC) {
                        continue;
                    }
                    long off = sym.value();
                    long size = sym.size();
                    if (size <= 0 || off % Insn.SIZE != 0 || size % Insn.SIZE != 0 || !ElfFile.fits(off, size, code.length)) {
                        throw new BpfException("section " + s.name() + ": function " + sym.name() + " at offset " + off
                                + " (" + size + " bytes) does not fit the section (" + code.length + " bytes)");
                    }
                    boolean program = s.index() != textIndex && sym.bind() != ElfFile.STB_LOCAL;
                    Insn[] insns = Insn.decodeAll(code, (int) off, (int) size);
                    inSection.add(new Fn(sym.name(), s, (int) (off / Insn.SIZE), insns, program));
                }
                inSection.sort((a, b) -> Integer.compare(a.secInsnOff, b.secInsnOff));
                fns.addAll(inSection);
            }
            if (fns.size() == 1 && !fns.getFirst().program) {
                Fn only = fns.getFirst();
                fns.set(0, new Fn(only.name, only.sec, only.secInsnOff, only.insns, true));
            }
        }

        private void collectRelocations(ElfFile.Section mapsSec) {
            for (ElfFile.Section rel : elf.sections) {
                if (rel.type() != ElfFile.SHT_REL) {
                    continue;
                }
                if (rel.info() <= 0 || rel.info() >= elf.sections.length) {
                    throw new BpfException("section " + rel.name() + ": target section " + rel.info() + " out of range");
                }
                ElfFile.Section target = elf.sections[rel.info()];
                String tn = target.name();
                // .BTF/.BTF.ext and DWARF relocations are for linkers; libbpf ignores them, so do we
                if (tn.equals(".BTF") || tn.equals(".BTF.ext") || tn.startsWith(".debug_")) {
                    continue;
                }
                if (mapsSec != null && target.index() == mapsSec.index()) {
                    MapCollector.initialSlots(elf, rel, mapsSec, textIndex, maps);
                } else if (target.isExec()) {
                    codeRelocations(rel, target);
                }
            }
        }

        // mirrors bpf_object__collect_prog_relos() and bpf_program__record_reloc()
        private void codeRelocations(ElfFile.Section rel, ElfFile.Section target) {
            for (ElfFile.Rel r : elf.rels(rel)) {
                checkRelType(r, rel);
                String where = "section " + rel.name() + ": relocation #" + r.index();
                ElfFile.Symbol sym = elf.symbol(r.symbol(), where);
                if (r.offset() % Insn.SIZE != 0 || r.offset() < 0 || r.offset() >= target.size()) {
                    throw new BpfException(where + ": offset " + r.offset() + " outside section " + target.name());
                }
                int secInsn = (int) (r.offset() / Insn.SIZE);
                Fn fn = fnAt(target.index(), secInsn);
                if (fn == null) {
                    continue;
                }
                int idx = secInsn - fn.secInsnOff;
                Insn in = fn.insns[idx];
                String symName = sym.type() == ElfFile.STT_SECTION && sym.name().isEmpty()
                        && sym.shndx() < elf.sections.length ? elf.sections[sym.shndx()].name() : sym.name();
                String at = "program " + fn.name + ": instruction " + idx + ": relocation against '" + symName + "'";
                boolean lddw = in.isLddw() && idx + 1 < fn.insns.length;
                if (in.opcode() != CALL && !lddw) {
                    throw new BpfException(at + " on opcode 0x" + Integer.toHexString(in.opcode())
                            + ", want call or lddw");
                }
                if (sym.shndx() == ElfFile.SHN_UNDEF) {
                    throw new BpfException(at + ": undefined symbol (extern) is not supported");
                }
                if (sym.shndx() >= ElfFile.SHN_LORESERVE || sym.shndx() >= elf.sections.length) {
                    throw new BpfException(at + ": symbol in special section 0x" + Integer.toHexString(sym.shndx()));
                }
                ElfFile.Section symSec = elf.sections[sym.shndx()];
                if (in.opcode() == CALL) {
                    if (in.src() != Op.PSEUDO_CALL) {
                        throw new BpfException(at + ": call is not a bpf-to-bpf call (src " + in.src() + ")");
                    }
                    if (!symSec.isExec() || sym.value() % Insn.SIZE != 0) {
                        throw new BpfException(at + ": call target in section " + symSec.name() + " is not code");
                    }
                    fn.relos.put(idx, new Reloc(RelocKind.CALL, symSec.index(), sym.value(), -1));
                } else if (symSec.isExec()) {
                    if (sym.value() % Insn.SIZE != 0 || in.imm() % Insn.SIZE != 0) {
                        throw new BpfException(at + ": function address not at an instruction boundary");
                    }
                    fn.relos.put(idx, new Reloc(RelocKind.SUBPROG_ADDR, symSec.index(), sym.value(), -1));
                } else {
                    fn.relos.put(idx, mapReloc(at, sym, symSec));
                }
            }
        }

        private Reloc mapReloc(String at, ElfFile.Symbol sym, ElfFile.Section symSec) {
            for (int i = 0; i < maps.size(); i++) {
                MapCollector.Located l = maps.get(i);
                if (l.sectionIndex() != symSec.index()) {
                    continue;
                }
                if (l.globalData()) {
                    return new Reloc(RelocKind.DATA, symSec.index(), sym.value(), i);
                }
                if (l.offset() == sym.value()) {
                    return new Reloc(RelocKind.MAP, symSec.index(), 0, i);
                }
            }
            throw new BpfException(at + ": no map in section " + symSec.name() + " at offset " + sym.value());
        }

        private Fn fnAt(int secIndex, int secInsn) {
            for (Fn f : fns) {
                if (f.sec.index() == secIndex && f.contains(secInsn)) {
                    return f;
                }
            }
            return null;
        }

        // mirrors bpf_object__relocate_core(): CO-RE patches each function's own copy before linking
        private void applyCoreRelocations() {
            for (var e : ext.coreRelos.entrySet()) {
                ElfFile.Section sec = elf.section(e.getKey());
                if (sec == null) {
                    throw new BpfException("BTF.ext: CO-RE relocations for missing section " + e.getKey());
                }
                for (BtfExt.CoreRelo r : e.getValue()) {
                    int secInsn = r.insnOff() / Insn.SIZE;
                    Fn fn = r.insnOff() % Insn.SIZE == 0 ? fnAt(sec.index(), secInsn) : null;
                    if (fn == null) {
                        throw new BpfException("BTF.ext: CO-RE relocation at offset " + r.insnOff() + " of section "
                                + e.getKey() + " is not inside a function");
                    }
                    CoreRelocator.apply(btf, r, fn.insns, secInsn - fn.secInsnOff, fn.name);
                }
            }
        }

        // mirrors bpf_object__relocate_calls() / bpf_object__reloc_code() / bpf_object__relocate_data()
        private ProgramSpec link(Fn main) {
            List<Insn> out = new ArrayList<>(List.of(main.insns));
            Map<Fn, Integer> placed = new IdentityHashMap<>();
            List<Fn> order = new ArrayList<>();
            placed.put(main, 0);
            order.add(main);
            relocCode(main, main, out, placed, order);
            for (Fn f : order) {
                int base = placed.get(f);
                for (var e : f.relos.entrySet()) {
                    Reloc r = e.getValue();
                    int k = base + e.getKey();
                    Insn lo = out.get(k);
                    if (r.kind == RelocKind.MAP) {
                        out.set(k, new Insn(lo.opcode(), lo.dst(), Op.PSEUDO_MAP_IDX, lo.off(), r.mapIndex));
                    } else if (r.kind == RelocKind.DATA) {
                        Insn hi = out.get(k + 1);
                        out.set(k + 1, hi.withImm((int) (lo.imm() + r.symOff)));
                        out.set(k, new Insn(lo.opcode(), lo.dst(), Op.PSEUDO_MAP_IDX_VALUE, lo.off(), r.mapIndex));
                    }
                }
            }
            List<ProgramSpec.Func> funcs = new ArrayList<>();
            List<ProgramSpec.Line> lines = new ArrayList<>();
            for (Fn f : order) {
                int base = placed.get(f);
                funcs.add(FuncSignature.of(btf, ext, f.sec.name(), f.secInsnOff, base, f.name));
                List<BtfExt.LineInfo> li = ext.lineInfo.get(f.sec.name());
                if (li == null) {
                    continue;
                }
                for (BtfExt.LineInfo l : li) {
                    int secInsn = l.insnOff() / Insn.SIZE;
                    if (f.contains(secInsn)) {
                        lines.add(new ProgramSpec.Line(secInsn - f.secInsnOff + base, btf.string(l.fileNameOff()),
                                l.lineCol() >>> 10, l.lineCol() & 0x3ff, btf.string(l.lineOff())));
                    }
                }
            }
            String section = main.sec.name().startsWith("?") ? main.sec.name().substring(1) : main.sec.name();
            return new ProgramSpec(main.name, section, out.toArray(new Insn[0]), List.copyOf(funcs), List.copyOf(lines));
        }

        private void relocCode(Fn main, Fn fn, List<Insn> out, Map<Fn, Integer> placed, List<Fn> order) {
            int base = placed.get(fn);
            for (int i = 0; i < fn.insns.length; i++) {
                Insn in = out.get(base + i);
                Reloc r = fn.relos.get(i);
                boolean call = in.opcode() == CALL && in.src() == Op.PSEUDO_CALL;
                boolean addr = r != null && r.kind == RelocKind.SUBPROG_ADDR;
                if (!call && !addr) {
                    continue;
                }
                int targetSec;
                long targetInsn;
                if (r != null && r.kind == RelocKind.CALL) {
                    targetSec = r.targetSec;
                    targetInsn = r.symOff / Insn.SIZE + in.imm() + 1;
                } else if (addr) {
                    targetSec = r.targetSec;
                    targetInsn = (r.symOff + in.imm()) / Insn.SIZE;
                } else {
                    // a call without relocation stays inside its own section, relative to itself
                    targetSec = fn.sec.index();
                    targetInsn = (long) fn.secInsnOff + i + in.imm() + 1;
                }
                Fn sub = targetInsn < 0 || targetInsn > Integer.MAX_VALUE ? null : fnAt(targetSec, (int) targetInsn);
                if (sub == null) {
                    throw new BpfException("program " + main.name + ": instruction " + (base + i) + ": "
                            + (addr ? "function address" : "call") + " to instruction " + targetInsn + " of section "
                            + elf.sections[targetSec].name() + ", which is in no function");
                }
                if (sub.program && sub != main) {
                    throw new BpfException("program " + main.name + ": instruction " + (base + i) + ": calls entry"
                            + " program " + sub.name + "; subprograms must be static or in .text");
                }
                Integer at = placed.get(sub);
                if (at == null) {
                    at = out.size();
                    placed.put(sub, at);
                    order.add(sub);
                    out.addAll(List.of(sub.insns));
                    relocCode(main, sub, out, placed, order);
                }
                // a target inside a function (hand-written objects such as bpf_conformance's, whose .text is one
                // main symbol) is a subprogram start for the verifier, as add_subprog_and_kfunc() splits at every call
                // target; the code there is the containing function's, so point into its placed copy
                int into = at + (int) (targetInsn - sub.secInsnOff);
                Insn cur = out.get(base + i);
                Insn fixed = cur.withImm(into - (base + i) - 1);
                out.set(base + i, addr ? fixed.withSrc(Op.PSEUDO_FUNC) : fixed);
            }
        }

        private static String cString(byte[] b) {
            int n = 0;
            while (n < b.length && b[n] != 0) {
                n++;
            }
            return new String(b, 0, n, java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
