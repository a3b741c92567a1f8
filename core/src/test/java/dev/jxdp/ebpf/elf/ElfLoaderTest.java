package dev.jxdp.ebpf.elf;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;
import dev.jxdp.ebpf.maps.MapSpec;
import dev.jxdp.ebpf.maps.MapType;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ElfLoaderTest {

    static final Path BPF = Path.of(System.getProperty("jxdp.repo", "."), "core/src/test/bpf");

    static ObjectSpec load(String name) {
        return ElfLoader.load(BPF.resolve(name));
    }

    private static List<String> names(List<ProgramSpec.Func> funcs) {
        return funcs.stream().map(f -> f.insn() + ":" + f.name()).toList();
    }

    @Test
    void programsInSectionThenOffsetOrder() {
        ObjectSpec o = load("elf_multi.o");
        assertEquals(List.of("xdp_first", "xdp_second", "xdp_third", "xdp_frags", "tc_prog"),
                o.programs().stream().map(ProgramSpec::name).toList());
        assertEquals(List.of("xdp", "xdp", "xdp/devmap", "xdp.frags", "tc"),
                o.programs().stream().map(ProgramSpec::section).toList());
        assertEquals("Dual BSD/GPL", o.license());
    }

    // the layout libbpf printed for the same object ("added 12 insns from sub-prog 'stat_bump'", ...)
    @Test
    void subprogramsAppendedOnceInFirstCallOrder() {
        ProgramSpec p = load("elf_multi.o").program("xdp_first");
        assertEquals(List.of("0:xdp_first", "16:stat_bump", "28:global_sub", "31:leaf"), names(p.funcs()));
        assertEquals(37, p.insns().length);
        assertEquals(9, p.insns()[6].imm());   // stat_bump at 16
        assertEquals(17, p.insns()[10].imm()); // global_sub at 28
        assertEquals(2, p.insns()[28].imm());  // global_sub -> leaf at 31 (nested)
        assertEquals(Op.PSEUDO_CALL, p.insns()[28].src());
    }

    @Test
    void onlyReachableSubprogramsAreAppended() {
        ObjectSpec o = load("elf_multi.o");
        assertEquals(List.of("0:xdp_second"), names(o.program("xdp_second").funcs()));
        assertEquals(List.of("0:xdp_third", "16:leaf"), names(o.program("xdp_third").funcs()));
        assertEquals(List.of("0:tc_prog", "3:global_sub", "6:leaf"), names(o.program("tc_prog").funcs()));
        assertEquals(5, o.program("xdp_third").insns()[10].imm());
    }

    @Test
    void aPerfEventArrayWithoutMaxEntriesGetsASlotPerPossibleCpu() {
        // libbpf's map_set_def_max_entries(): the kernel would refuse max_entries 0
        ObjectSpec o = load("perf_sample.o");
        assertMap(o.maps().get(0), MapType.PERF_EVENT_ARRAY, 4, 4, dev.jxdp.ebpf.maps.Cpus.possible(), 0);
        assertMap(o.maps().get(1), MapType.PERF_EVENT_ARRAY, 4, 4, 4, 0);
    }

    @Test
    void btfMapsInDatasecOrderThenGlobalDataInSectionOrder() {
        ObjectSpec o = load("elf_multi.o");
        assertEquals(List.of("flows", "recent", "stats", "elf_mult.data", "elf_mult.rodata", ".data.table",
                "elf_mult.bss", ".rodata.str1.1"), o.maps().stream().map(MapSpec::name).toList());
        assertMap(o.maps().get(0), MapType.HASH, 12, 8, 1024, 0);
        assertMap(o.maps().get(1), MapType.LRU_HASH, 4, 4, 128, 2);
        assertMap(o.maps().get(2), MapType.PERCPU_ARRAY, 4, 16, 4, 0);
        assertNull(o.maps().get(0).initialData());
    }

    // sizes and flags as bpftool showed for the same object (0x400 = BPF_F_MMAPABLE, 0x80 = BPF_F_RDONLY_PROG)
    @Test
    void globalDataAreOneEntryArrays() {
        ObjectSpec o = load("elf_multi.o");
        MapSpec data = o.maps().get(o.mapIndex("elf_mult.data"));
        assertMap(data, MapType.ARRAY, 4, 8, 1, 0x400);
        assertArrayEquals(new byte[]{7, 0, 0, 0, 0, 0, 0, 0}, data.initialData());
        assertFalse(data.readOnly());
        MapSpec ro = o.maps().get(o.mapIndex("elf_mult.rodata"));
        assertMap(ro, MapType.ARRAY, 4, 16, 1, 0x480);
        assertTrue(ro.readOnly());
        assertEquals(100, ro.initialData()[0]);
        MapSpec bss = o.maps().get(o.mapIndex("elf_mult.bss"));
        assertMap(bss, MapType.ARRAY, 4, 4, 1, 0x400);
        assertArrayEquals(new byte[4], bss.initialData());
        MapSpec str = o.maps().get(o.mapIndex(".rodata.str1.1"));
        assertMap(str, MapType.ARRAY, 4, 5, 1, 0x480);
        assertArrayEquals("frag\0".getBytes(), str.initialData());
        assertTrue(str.readOnly());
        assertArrayEquals(new byte[]{1, 2, 3, 4, 5, 6, 7, 8}, o.maps().get(o.mapIndex(".data.table")).initialData());
    }

    @Test
    void mapReferencesBecomePseudoMapIdx() {
        ObjectSpec o = load("elf_multi.o");
        Insn[] first = o.program("xdp_first").insns();
        Insn statsRef = first[20]; // in the appended stat_bump
        assertEquals(Op.PSEUDO_MAP_IDX, statsRef.src());
        assertEquals(o.mapIndex("stats"), statsRef.imm());
        Insn[] second = o.program("xdp_second").insns();
        assertEquals(Op.PSEUDO_MAP_IDX, second[12].src());
        assertEquals(o.mapIndex("flows"), second[12].imm());
    }

    @Test
    void globalDataReferencesBecomePseudoMapIdxValueWithOffset() {
        ObjectSpec o = load("elf_multi.o");
        Insn[] first = o.program("xdp_first").insns();
        assertEquals(Op.PSEUDO_MAP_IDX_VALUE, first[1].src());
        assertEquals(o.mapIndex("elf_mult.data"), first[1].imm());
        assertEquals(0, first[2].imm());
        Insn[] second = o.program("xdp_second").insns();
        assertEquals(o.mapIndex(".data.table"), second[18].imm());
        assertEquals(Op.PSEUDO_MAP_IDX_VALUE, second[22].src());
        assertEquals(o.mapIndex("elf_mult.bss"), second[22].imm());
        Insn[] frags = o.program("xdp_frags").insns();
        assertEquals(Op.PSEUDO_MAP_IDX_VALUE, frags[2].src());
        assertEquals(o.mapIndex(".rodata.str1.1"), frags[2].imm());
        assertEquals(0, frags[3].imm());
    }

    @Test
    void lineInfoFollowsLinkedLayoutWithSourceText() {
        ProgramSpec p = load("elf_multi.o").program("xdp_first");
        ProgramSpec.Line call = p.lineOf(6);
        assertEquals(6, call.insn());
        assertEquals("stat_bump(0);", call.text().strip());
        assertEquals(58, call.line());
        assertEquals(2, call.column());
        assertTrue(call.file().endsWith("elf_multi.c"));
        ProgramSpec.Line inLeaf = p.lineOf(31);
        assertEquals("return x * 3 + (int)limit;", inLeaf.text().strip());
        assertEquals(38, inLeaf.line());
        assertEquals("; stat_bump(0); @ elf_multi.c:58", call.toString());
    }

    @Test
    void progArrayInitialSlotsFromRelMaps() {
        ObjectSpec o = load("elf_tail.o");
        MapSpec jumps = o.maps().get(o.mapIndex("jumps"));
        assertMap(jumps, MapType.PROG_ARRAY, 4, 4, 8, 0);
        assertEquals(List.of(new MapSpec.Slot(1, "tail_pass"), new MapSpec.Slot(5, "tail_drop")), jumps.initialSlots());
    }

    @Test
    void bpfLoopCallbackIsPseudoFunc() {
        ProgramSpec p = load("elf_loop.o").program("loop_prog");
        assertEquals(List.of("0:loop_prog", "14:add_index"), names(p.funcs()));
        Insn ld = p.insns()[5];
        assertTrue(ld.isLddw());
        assertEquals(Op.PSEUDO_FUNC, ld.src());
        assertEquals(8, ld.imm()); // 5 + 8 + 1 = 14
    }

    @Test
    void coreRelocationsAgainstLocalTypesResolve() {
        ObjectSpec o = load("elf_core.o");
        Insn[] in = o.program("core_prog").insns();
        assertEquals(8, in[8].off());   // byte_off of stamp
        assertEquals(2, in[9].imm());   // byte_sz of vlan
        assertEquals(1, in[11].imm());  // field_exists prio
        assertEquals(1, in[13].imm());  // type_exists
        assertEquals(16, in[15].imm()); // type_size
        assertEquals(7, in[17].imm());  // enumval_value META_VLAN
    }

    // clang's local value is overwritten by the relocation's answer, as bpf_core_patch_insn() does
    @Test
    void coreRelocationPatchesTheInstruction() throws java.io.IOException {
        byte[] b = java.nio.file.Files.readAllBytes(BPF.resolve("elf_core.o"));
        int xdp = ElfFile.parse(b).section("xdp").offset();
        b[xdp + 15 * 8 + 4] = 99; // type_size imm 16 -> 99
        b[xdp + 8 * 8 + 2] = 0;   // byte_off of stamp 8 -> 0
        Insn[] in = ElfLoader.parse(b, "elf_core.o").program("core_prog").insns();
        assertEquals(16, in[15].imm());
        assertEquals(8, in[8].off());
    }

    @Test
    void coreRelocationNeedingKernelBtfIsAnError() {
        BpfException e = org.junit.jupiter.api.Assertions.assertThrows(BpfException.class,
                () -> load("elf_core_kernel.o"));
        assertEquals("program needs_kernel: instruction 0: CO-RE type_exists against struct sk_buff needs the "
                + "kernel's BTF (the object does not define the type)", e.getMessage());
    }

    @Test
    void legacyMapsSectionSizedBySymbols() {
        ObjectSpec o = load("elf_legacy.o");
        assertEquals(2, o.maps().size());
        assertMap(o.maps().get(0), MapType.ARRAY, 4, 8, 16, 0);
        assertEquals("legacy_counts", o.maps().get(0).name());
        assertMap(o.maps().get(1), MapType.HASH, 4, 4, 64, 1);
        Insn[] in = o.program("legacy_prog").insns();
        assertEquals(Op.PSEUDO_MAP_IDX, in[13].src());
        assertEquals(1, in[13].imm());
    }

    @Test
    void btfIsKeptWithResolutionHelpers() {
        Btf btf = load("elf_core.o").btf();
        int id = btf.findByName("pkt_meta", Btf.KIND_STRUCT);
        assertTrue(id > 0);
        assertEquals(16, btf.resolveSize(id));
        assertEquals(List.of("mark", "vlan", "prio", "stamp"),
                btf.type(id).members().stream().map(Btf.Member::name).toList());
        assertEquals(64, btf.type(id).members().get(3).value()); // bit offset
        Btf.Type ds = load("elf_multi.o").btf().datasec(".maps");
        assertEquals(List.of(0L, 32L, 80L), ds.members().stream().map(Btf.Member::value).toList());
    }

    @Test
    void internalMapNamesAsLibbpf() {
        assertEquals("elf_mult.bss", MapCollector.internalMapName("elf_multi", ".bss"));
        assertEquals("globals.rodata", MapCollector.internalMapName("globals", ".rodata"));
        assertEquals(".rodata.str1.1", MapCollector.internalMapName("elf_multi", ".rodata.str1.1"));
        assertEquals(".rodata.abracad", MapCollector.internalMapName("x", ".rodata.abracadabra"));
        assertEquals("my_obj.data", MapCollector.internalMapName(MapCollector.objectName("d/my-obj.v2.o"), ".data"));
        assertEquals("my-obj", MapCollector.objectName("d/my-obj.v2.o"));
    }

    private static void assertMap(MapSpec m, MapType type, int key, int value, int max, int flags) {
        assertEquals(type, m.mapType(), m.name());
        assertEquals(key, m.keySize(), m.name() + " key");
        assertEquals(value, m.valueSize(), m.name() + " value");
        assertEquals(max, m.maxEntries(), m.name() + " max_entries");
        assertEquals(flags, m.flags(), m.name() + " flags");
    }
}
