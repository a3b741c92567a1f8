package dev.jxdp.ebpf.elf;

import dev.jxdp.ebpf.BpfException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An ELF64 little-endian relocatable object for EM_BPF, checked and split into sections and symbols.
 * Every offset read from the file is bounds-checked here, so later stages index plain arrays safely.
 */
final class ElfFile {

    static final int EM_BPF = 247;
    static final int SHT_PROGBITS = 1;
    static final int SHT_SYMTAB = 2;
    static final int SHT_STRTAB = 3;
    static final int SHT_NOBITS = 8;
    static final int SHT_REL = 9;
    static final long SHF_EXECINSTR = 0x4;
    static final int STT_NOTYPE = 0;
    static final int STT_OBJECT = 1;
    static final int STT_FUNC = 2;
    static final int STT_SECTION = 3;
    static final int STB_LOCAL = 0;
    static final int SHN_UNDEF = 0;
    static final int SHN_LORESERVE = 0xff00;

    // Elf64_Ehdr field offsets
    private static final int EI_CLASS = 4;
    private static final int EI_DATA = 5;
    private static final int E_MACHINE = 18;
    private static final int E_SHOFF = 40;
    private static final int E_SHENTSIZE = 58;
    private static final int E_SHNUM = 60;
    private static final int E_SHSTRNDX = 62;
    private static final int EHDR_SIZE = 64;
    private static final int SHDR_SIZE = 64;
    private static final int SYM_SIZE = 24;
    static final int REL_SIZE = 16;

    /** One section header and its name. */
    record Section(int index, String name, int type, long flags, int offset, int size, int link, int info,
                   long entsize) {
        boolean isExec() { return type == SHT_PROGBITS && (flags & SHF_EXECINSTR) != 0; }
    }

    /** One Elf64_Sym with its name resolved. */
    record Symbol(int index, String name, int info, int shndx, long value, long size) {
        int type() { return info & 0xf; }
        int bind() { return info >>> 4; }
    }

    /** One Elf64_Rel entry. */
    record Rel(int index, long offset, int symbol, int type) {}

    private final byte[] bytes;
    private final ByteBuffer buf;
    final Section[] sections;
    final Symbol[] symbols;

    private ElfFile(byte[] bytes) {
        this.bytes = bytes;
        this.buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        this.sections = readSections();
        this.symbols = readSymbols();
    }

    static ElfFile parse(byte[] bytes) {
        if (bytes.length < 4 || bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F') {
            throw new BpfException("not an ELF file");
        }
        if (bytes.length < EHDR_SIZE) {
            throw new BpfException("truncated ELF header: " + bytes.length + " bytes, want " + EHDR_SIZE);
        }
        if (bytes[EI_CLASS] != 2) {
            throw new BpfException("ELF class " + bytes[EI_CLASS] + ": want ELFCLASS64 (2)");
        }
        if (bytes[EI_DATA] != 1) {
            throw new BpfException("ELF data encoding " + bytes[EI_DATA] + ": want little-endian (1)");
        }
        return new ElfFile(bytes);
    }

    private Section[] readSections() {
        int machine = buf.getShort(E_MACHINE) & 0xffff;
        if (machine != EM_BPF) {
            throw new BpfException("e_machine " + machine + ": want EM_BPF (" + EM_BPF + ")");
        }
        long shoff = buf.getLong(E_SHOFF);
        int shentsize = buf.getShort(E_SHENTSIZE) & 0xffff;
        int shnum = buf.getShort(E_SHNUM) & 0xffff;
        int shstrndx = buf.getShort(E_SHSTRNDX) & 0xffff;
        if (shnum == 0) {
            throw new BpfException("no section headers");
        }
        if (shentsize != SHDR_SIZE) {
            throw new BpfException("section header size " + shentsize + ": want " + SHDR_SIZE);
        }
        // each bound compared as "fits in what is left", so that no sum of two file values can overflow
        if (!fits(shoff, (long) shnum * SHDR_SIZE, bytes.length)) {
            throw new BpfException("section headers at " + shoff + " (" + shnum + " of " + SHDR_SIZE
                    + " bytes) beyond end of file (" + bytes.length + " bytes)");
        }
        if (shstrndx >= shnum) {
            throw new BpfException("section name table index " + shstrndx + " out of range (" + shnum
                    + " sections)");
        }
        Section[] out = new Section[shnum];
        int[] nameOffs = new int[shnum];
        for (int i = 0; i < shnum; i++) {
            int h = (int) (shoff + (long) i * SHDR_SIZE);
            nameOffs[i] = buf.getInt(h);
            int type = buf.getInt(h + 4);
            long flags = buf.getLong(h + 8);
            long off = buf.getLong(h + 24);
            long size = buf.getLong(h + 32);
            int link = buf.getInt(h + 40);
            int info = buf.getInt(h + 44);
            long entsize = buf.getLong(h + 56);
            if (type != SHT_NOBITS && i != 0 && !fits(off, size, bytes.length)) {
                throw new BpfException("section " + i + ": data at " + off + " (" + size
                        + " bytes) beyond end of file (" + bytes.length + " bytes)");
            }
            // a NOBITS section's size is checked against nothing above: as a u64 it may be "negative" too
            if (size < 0 || size > Integer.MAX_VALUE) {
                throw new BpfException("section " + i + ": size " + Long.toUnsignedString(size) + " too large");
            }
            out[i] = new Section(i, null, type, flags, (int) off, (int) size, link, info, entsize);
        }
        Section strtab = out[shstrndx];
        for (int i = 0; i < shnum; i++) {
            Section s = out[i];
            String name = i == 0 ? "" : string(strtab, nameOffs[i], "section " + i + " name");
            out[i] = new Section(i, name, s.type, s.flags, s.offset, s.size, s.link, s.info, s.entsize);
        }
        return out;
    }

    private Symbol[] readSymbols() {
        Section symtab = null;
        for (Section s : sections) {
            if (s.type == SHT_SYMTAB) {
                if (symtab != null) {
                    throw new BpfException("more than one symbol table");
                }
                symtab = s;
            }
        }
        if (symtab == null) {
            throw new BpfException("no symbol table (stripped object?)");
        }
        if (symtab.link <= 0 || symtab.link >= sections.length) {
            throw new BpfException("symbol table: string table index " + symtab.link + " out of range");
        }
        Section strtab = sections[symtab.link];
        int n = symtab.size / SYM_SIZE;
        Symbol[] out = new Symbol[n];
        for (int i = 0; i < n; i++) {
            int p = symtab.offset + i * SYM_SIZE;
            int nameOff = buf.getInt(p);
            int info = bytes[p + 4] & 0xff;
            int shndx = buf.getShort(p + 6) & 0xffff;
            long value = buf.getLong(p + 8);
            long size = buf.getLong(p + 16);
            String name = string(strtab, nameOff, "symbol " + i + " name");
            out[i] = new Symbol(i, name, info, shndx, value, size);
        }
        return out;
    }

    /** Whether {@code [off, off + size)} lies in {@code [0, limit)}, for any values the file holds. */
    static boolean fits(long off, long size, long limit) {
        return off >= 0 && size >= 0 && off <= limit && size <= limit - off;
    }

    /** A NUL-terminated string at {@code off} inside a string table section. */
    String string(Section strtab, int off, String what) {
        // as libelf's elf_strptr(): only an SHT_STRTAB section holds strings (a NOBITS one has no bytes in
        // the file, whatever its offset says)
        if (strtab.type != SHT_STRTAB || strtab.index == 0) {
            throw new BpfException(what + ": section " + strtab.index + " is not a string table (type "
                    + strtab.type + ", want SHT_STRTAB " + SHT_STRTAB + ")");
        }
        if (off < 0 || off >= strtab.size) {
            throw new BpfException(what + ": string offset " + Integer.toUnsignedString(off)
                    + " beyond " + (strtab.name == null ? "the section name table" : strtab.name) + " (" + strtab.size
                    + " bytes)");
        }
        int start = strtab.offset + off;
        int end = start;
        int limit = strtab.offset + strtab.size;
        while (end < limit && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, start, end - start, StandardCharsets.UTF_8);
    }

    /** The section's bytes (zeros for NOBITS). */
    byte[] data(Section s) {
        if (s.type == SHT_NOBITS) {
            return new byte[s.size];
        }
        return Arrays.copyOfRange(bytes, s.offset, s.offset + s.size);
    }

    /** The entries of an SHT_REL section. */
    Rel[] rels(Section s) {
        if (s.entsize != REL_SIZE) {
            throw new BpfException("section " + s.name + ": relocation entry size " + s.entsize + ": want "
                    + REL_SIZE);
        }
        int n = s.size / REL_SIZE;
        Rel[] out = new Rel[n];
        for (int i = 0; i < n; i++) {
            int p = s.offset + i * REL_SIZE;
            long info = buf.getLong(p + 8);
            out[i] = new Rel(i, buf.getLong(p), (int) (info >>> 32), (int) info);
        }
        return out;
    }

    Section section(String name) {
        for (Section s : sections) {
            if (name.equals(s.name)) {
                return s;
            }
        }
        return null;
    }

    Symbol symbol(int index, String where) {
        if (index <= 0 || index >= symbols.length) {
            throw new BpfException(where + ": relocation against missing symbol #" + index + " ("
                    + symbols.length + " symbols)");
        }
        return symbols[index];
    }
}
