package dev.jxdp.ebpf.elf;

import dev.jxdp.ebpf.BpfException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ElfBadInputTest {

    private static byte[] multi() throws IOException {
        return Files.readAllBytes(ElfLoaderTest.BPF.resolve("elf_multi.o"));
    }

    private static String error(byte[] bytes) {
        BpfException e = assertThrows(BpfException.class, () -> ElfLoader.parse(bytes, "t.o"));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertFalse(e.getMessage().contains("t.o"), e.getMessage());
        return e.getMessage();
    }

    /** File offset of section {@code name}'s header. */
    private static int shdr(byte[] b, String name) {
        ElfFile elf = ElfFile.parse(b);
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        return (int) buf.getLong(40) + elf.section(name).index() * 64;
    }

    private static int dataOffset(byte[] b, String name) {
        return ElfFile.parse(b).section(name).offset();
    }

    @Test
    void garbageIsNotElf() {
        assertEquals("not an ELF file", error("hello, this is not an object file".getBytes()));
        assertEquals("not an ELF file", error(new byte[0]));
    }

    @Test
    void aSectionNameWithANewlineStaysOneLine() throws IOException {
        // found by ElfLoaderFuzzTest: names come from the file, and the message quoting one is what the CLI
        // prints after "jxdp: FILE: ", so it must not break the line
        byte[] b = multi();
        int h = shdr(b, "xdp");
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        ElfFile elf = ElfFile.parse(b);
        int names = elf.sections[buf.getShort(62)].offset();
        b[names + buf.getInt(h) + 1] = '\n';        // "xdp" becomes "x\np"
        buf.putLong(h + 32, buf.getLong(h + 32) - 4); // and its size no multiple of 8
        String m = error(b);
        assertTrue(m.startsWith("section x\\np: size "), m);
    }

    @Test
    void truncatedHeader() throws IOException {
        assertEquals("truncated ELF header: 40 bytes, want 64", error(Arrays.copyOf(multi(), 40)));
    }

    @Test
    void truncatedFileLosesSectionHeaders() throws IOException {
        byte[] b = multi();
        assertTrue(error(Arrays.copyOf(b, b.length / 2)).startsWith("section headers at "));
    }

    @Test
    void wrongMachine() throws IOException {
        byte[] b = multi();
        b[18] = 62; // EM_X86_64
        b[19] = 0;
        assertEquals("e_machine 62: want EM_BPF (247)", error(b));
    }

    @Test
    void wrongClassAndEndianness() throws IOException {
        byte[] b = multi();
        b[4] = 1;
        assertEquals("ELF class 1: want ELFCLASS64 (2)", error(b));
        b = multi();
        b[5] = 2;
        assertEquals("ELF data encoding 2: want little-endian (1)", error(b));
    }

    @Test
    void sectionOffsetBeyondFile() throws IOException {
        byte[] b = multi();
        int h = shdr(b, "xdp");
        int idx = ElfFile.parse(b).section("xdp").index();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(h + 24, 1L << 20);
        assertEquals("section " + idx + ": data at 1048576 (360 bytes) beyond end of file (" + b.length + " bytes)",
                error(b));
    }

    @Test
    void badSectionNameOffset() throws IOException {
        byte[] b = multi();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(shdr(b, "xdp"), 0x7fff0000);
        assertTrue(error(b).equals("section 4 name: string offset 2147418112 beyond the section name table (462 bytes)"), error(b));
    }

    @Test
    void unknownRelocationType() throws IOException {
        byte[] b = multi();
        int rel = dataOffset(b, ".relxdp");
        b[rel + 8] = 99; // low byte of r_info is the type
        assertEquals("section .relxdp: relocation #0: unknown relocation type 99", error(b));
    }

    @Test
    void relocationAgainstMissingSymbol() throws IOException {
        byte[] b = multi();
        int rel = dataOffset(b, ".relxdp");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(rel + 12, 9999);
        assertEquals("section .relxdp: relocation #0: relocation against missing symbol #9999 (33 symbols)",
                error(b));
    }

    @Test
    void badBtfMagic() throws IOException {
        byte[] b = multi();
        int btf = dataOffset(b, ".BTF");
        b[btf] = 0;
        b[btf + 1] = 0;
        assertEquals("BTF: magic 0x0: want 0xeb9f (big-endian BTF is not supported)", error(b));
    }

    @Test
    void badBtfKind() throws IOException {
        byte[] b = multi();
        int btf = dataOffset(b, ".BTF");
        int hdrLen = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(btf + 4);
        b[btf + hdrLen + 4 + 3] = 0x1f; // kind bits of type [1]'s info
        assertEquals("BTF: type [1]: unknown kind 31", error(b));
    }

    // ---- found by ElfLoaderFuzzTest: offsets whose sum overflows, string tables without strings

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** File offset of symbol {@code name}'s Elf64_Sym in .symtab. */
    private static int symbol(byte[] b, String name) {
        ElfFile elf = ElfFile.parse(b);
        for (ElfFile.Symbol s : elf.symbols) {
            if (s.name().equals(name)) {
                return elf.section(".symtab").offset() + s.index() * 24;
            }
        }
        throw new AssertionError("no symbol " + name);
    }

    @Test
    void sectionHeadersWhoseEndOverflows() throws IOException {
        byte[] b = multi();
        le(b).putLong(40, Long.MAX_VALUE - 63);  // e_shoff: plus the headers' size, past Long.MAX_VALUE
        assertTrue(error(b).startsWith("section headers at 9223372036854775744 "), error(b));
    }

    @Test
    void sectionDataWhoseEndOverflows() throws IOException {
        byte[] b = multi();
        int h = shdr(b, "xdp");
        le(b).putLong(h + 24, Long.MAX_VALUE - 7);
        assertTrue(error(b).contains(": data at 9223372036854775800 (360 bytes) beyond end of file"), error(b));
    }

    @Test
    void functionWhoseEndOverflows() throws IOException {
        byte[] b = multi();
        int sym = symbol(b, "xdp_first");
        le(b).putLong(sym + 8, Long.MAX_VALUE - 7);  // st_value
        assertTrue(error(b).contains("function xdp_first at offset 9223372036854775800 "), error(b));
    }

    @Test
    void sectionNamesInASectionWithoutBytes() throws IOException {
        byte[] b = multi();
        int shstrndx = le(b).getShort(62);
        le(b).putInt((int) le(b).getLong(40) + shstrndx * 64 + 4, 8);  // the name table becomes SHT_NOBITS
        assertTrue(error(b).endsWith(": section " + shstrndx + " is not a string table (type 8, want SHT_STRTAB 3)"),
                error(b));
    }

    @Test
    void aBssOfGigabytesIsRefusedBeforeItsZerosAreMade() throws IOException {
        byte[] b = multi();
        le(b).putLong(shdr(b, ".bss") + 32, Integer.MAX_VALUE);
        assertEquals("section .bss: 2147483647 bytes, more than one map value may hold (4194304, KMALLOC_MAX_SIZE:"
                + " the kernel says E2BIG)", error(b));
    }

    @Test
    void aBssOfNegativeSize() throws IOException {
        // NOBITS sections have no bytes to check their size against; -8 as a u64 is 2^64 - 8
        byte[] b = multi();
        le(b).putLong(shdr(b, ".bss") + 32, -8);
        assertEquals("section " + ElfFile.parse(multi()).section(".bss").index() + ": size 18446744073709551608 too large",
                error(b));
    }

    @Test
    void legacyMapDefinitionWhoseEndOverflows() throws IOException {
        byte[] b = Files.readAllBytes(ElfLoaderTest.BPF.resolve("elf_legacy.o"));
        ElfFile elf = ElfFile.parse(b);
        ElfFile.Symbol def = null;
        for (ElfFile.Symbol s : elf.symbols) {
            if (s.shndx() == elf.section("maps").index() && s.type() == ElfFile.STT_OBJECT) {
                def = s;
            }
        }
        le(b).putLong(elf.section(".symtab").offset() + def.index() * 24 + 16, Long.MAX_VALUE);  // st_size
        assertTrue(error(b).contains("legacy definition at " + def.value() + " of 9223372036854775807 bytes"), error(b));
    }

    @Test
    void unreadableFile() {
        BpfException e = assertThrows(BpfException.class,
                () -> ElfLoader.load(ElfLoaderTest.BPF.resolve("no_such_file.o")));
        assertTrue(e.getMessage().startsWith("cannot read: "), e.getMessage());
    }
}
