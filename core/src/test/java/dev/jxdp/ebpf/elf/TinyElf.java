package dev.jxdp.ebpf.elf;

import dev.jxdp.ebpf.isa.Insn;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a minimal ELF64 EM_BPF relocatable object the way hand-made writers (bpf_conformance's) do:
 * code sections, a symbol table, and optional REL sections; no BTF. Tests use it for layouts clang never emits.
 */
final class TinyElf {

    private record Code(String name, byte[] bytes) {}

    private record Sym(String name, int info, int codeIndex, long value, long size) {}

    private record Rel(int codeIndex, long offset, int sym, int type) {}

    private final List<Code> code = new ArrayList<>();
    private final List<Sym> syms = new ArrayList<>();
    private final List<Rel> rels = new ArrayList<>();

    /** Adds an executable section; returns its index among the code sections. */
    int section(String name, Insn... insns) {
        code.add(new Code(name, Insn.encodeAll(insns)));
        return code.size() - 1;
    }

    /** Adds a function symbol (global unless {@code local}) covering {@code count} instructions from {@code first}. */
    int function(String name, int section, int first, int count, boolean local) {
        int bind = local ? ElfFile.STB_LOCAL : 1;
        syms.add(new Sym(name, bind << 4 | ElfFile.STT_FUNC, section, (long) first * Insn.SIZE, (long) count * Insn.SIZE));
        return syms.size();
    }

    /** Adds the STT_SECTION symbol of a code section, as clang emits it for static calls. */
    int sectionSymbol(int section) {
        syms.add(new Sym("", ElfFile.STT_SECTION, section, 0, 0));
        return syms.size();
    }

    /** Relocates instruction {@code insn} of a code section against symbol {@code sym}. */
    void reloc(int section, int insn, int sym, int type) {
        rels.add(new Rel(section, (long) insn * Insn.SIZE, sym, type));
    }

    byte[] build() {
        // section order: null, .shstrtab, .strtab, .symtab, code..., .rel<code>...
        ByteArrayOutputStream shstr = new ByteArrayOutputStream();
        shstr.write(0);
        int nShstrtab = str(shstr, ".shstrtab");
        int nStrtab = str(shstr, ".strtab");
        int nSymtab = str(shstr, ".symtab");
        int[] nCode = new int[code.size()];
        for (int c = 0; c < code.size(); c++) {
            nCode[c] = str(shstr, code.get(c).name);
        }
        ByteArrayOutputStream strtab = new ByteArrayOutputStream();
        strtab.write(0);
        ByteBuffer symtab = le(24 * (syms.size() + 1));
        symtab.position(24);
        for (Sym s : syms) {
            symtab.putInt(s.name.isEmpty() ? 0 : str(strtab, s.name));
            symtab.put((byte) s.info).put((byte) 0).putShort((short) (4 + s.codeIndex));
            symtab.putLong(s.value).putLong(s.size);
        }
        List<byte[]> relData = new ArrayList<>();
        List<Integer> relTargets = new ArrayList<>();
        List<Integer> relNameOffs = new ArrayList<>();
        for (int c = 0; c < code.size(); c++) {
            List<Rel> mine = new ArrayList<>();
            for (Rel r : rels) {
                if (r.codeIndex == c) {
                    mine.add(r);
                }
            }
            if (mine.isEmpty()) {
                continue;
            }
            ByteBuffer b = le(16 * mine.size());
            for (Rel r : mine) {
                b.putLong(r.offset).putLong((long) r.sym << 32 | r.type);
            }
            relData.add(b.array());
            relTargets.add(4 + c);
            relNameOffs.add(str(shstr, ".rel" + code.get(c).name));
        }

        int shnum = 4 + code.size() + relData.size();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[64]);
        ByteBuffer shdrs = le(64 * shnum);
        shdrs.position(64);
        header(shdrs, nShstrtab, ElfFile.SHT_STRTAB, 0, place(body, shstr.toByteArray()), shstr.size(), 0, 0, 0);
        header(shdrs, nStrtab, ElfFile.SHT_STRTAB, 0, place(body, strtab.toByteArray()), strtab.size(), 0, 0, 0);
        header(shdrs, nSymtab, ElfFile.SHT_SYMTAB, 0, place(body, symtab.array()), symtab.capacity(), 2, 1, 24);
        for (int c = 0; c < code.size(); c++) {
            byte[] b = code.get(c).bytes;
            header(shdrs, nCode[c], ElfFile.SHT_PROGBITS, ElfFile.SHF_EXECINSTR | 0x2, place(body, b), b.length, 0, 0, 0);
        }
        for (int i = 0; i < relData.size(); i++) {
            byte[] b = relData.get(i);
            header(shdrs, relNameOffs.get(i), ElfFile.SHT_REL, 0, place(body, b), b.length, 3, relTargets.get(i), 16);
        }
        long shoff = place(body, shdrs.array());
        byte[] out = body.toByteArray();
        ByteBuffer eh = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        eh.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
        eh.putShort(16, (short) 1);                // ET_REL
        eh.putShort(18, (short) ElfFile.EM_BPF);
        eh.putInt(20, 1);
        eh.putLong(40, shoff);
        eh.putShort(52, (short) 64);
        eh.putShort(58, (short) 64);
        eh.putShort(60, (short) shnum);
        eh.putShort(62, (short) 1);
        return out;
    }

    private static void header(ByteBuffer h, int name, int type, long flags, long off, long size, int link, int info,
                               long entsize) {
        h.putInt(name).putInt(type).putLong(flags).putLong(0).putLong(off).putLong(size)
                .putInt(link).putInt(info).putLong(8).putLong(entsize);
    }

    private static long place(ByteArrayOutputStream body, byte[] data) {
        while (body.size() % 8 != 0) {
            body.write(0);
        }
        long off = body.size();
        body.writeBytes(data);
        return off;
    }

    private static int str(ByteArrayOutputStream table, String s) {
        int off = table.size();
        table.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        table.write(0);
        return off;
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
