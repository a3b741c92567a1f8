package dev.jxdp.ebpf.elf;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.maps.MapSpec;
import dev.jxdp.ebpf.maps.MapType;
import dev.jxdp.ebpf.runtime.BpfCollection;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Map-in-map definitions and initialisers as libbpf reads them, and what it (or the kernel) refuses. */
class ElfMapInMapTest {

    static final Path BPF = Path.of(System.getProperty("jxdp.repo", "."), "core/src/test/bpf");

    private static String refusal(String obj) {
        return assertThrows(BpfException.class, () -> {
            try (BpfCollection c = BpfCollection.load(ElfLoader.load(BPF.resolve(obj)))) {
                fail("loaded " + obj);
            }
        }).getMessage();
    }

    @Test
    void theInnerDefinitionIsTheTemplate() {
        ObjectSpec o = ElfLoader.load(BPF.resolve("map_in_map.o"));
        MapSpec lru = o.maps().get(o.mapIndex("lru_mapping"));
        assertEquals(MapType.ARRAY_OF_MAPS.id(), lru.type());
        assertEquals(4, lru.valueSize());
        MapSpec t = lru.inner();
        assertEquals("lru_mapping.inner", t.name());
        assertEquals(MapType.LRU_HASH.id(), t.type());
        assertEquals(16, t.keySize());
        assertEquals(16, t.valueSize());
        assertEquals(16, t.maxEntries());
        assertEquals(List.of(new MapSpec.Slot(0, "lru_cpu0"), new MapSpec.Slot(1, "lru_cpu1")), lru.initialSlots());
        MapSpec dst = o.maps().get(o.mapIndex("per_dst"));
        assertEquals(MapType.HASH_OF_MAPS.id(), dst.type());
        assertEquals(MapType.ARRAY.id(), dst.inner().type());
        assertEquals(List.of(new MapSpec.Slot(0, "ctr_b"), new MapSpec.Slot(1, "ctr_c")), dst.initialSlots());
        assertEquals(-1, o.mapIndex("lru_mapping.inner"), "the template is no map of the object");
    }

    @Test
    void initialValuesArePlacedAfterEveryMapExists() {
        try (BpfCollection c = BpfCollection.load(ElfLoader.load(BPF.resolve("map_in_map.o")))) {
            var lru = (dev.jxdp.ebpf.maps.OuterMap) c.map("lru_mapping");
            assertSame(c.map("lru_cpu1"), lru.innerAt(new byte[] {1, 0, 0, 0}));
            assertNull(lru.innerAt(new byte[] {2, 0, 0, 0}));
            var dst = (dev.jxdp.ebpf.maps.OuterMap) c.map("per_dst");
            assertSame(c.map("ctr_b"), dst.innerAt(new byte[] {0, 0, 0, 0}));
        }
    }

    @Test
    void aMapInMapWithoutInnerDefinitionIsRefused() {
        assertEquals("map outer: a array_of_maps needs its inner map definition: declare it with "
                + "__array(values, struct inner_def)", refusal("elf_mim_no_template.o"));
    }

    @Test
    void aSlotNamingSomethingOtherThanAMapIsRefused() {
        assertEquals("map outer: 'not_a_map' isn't a BTF-defined map", refusal("elf_mim_not_a_map.o"));
    }

    @Test
    void aSlotBeyondMaxEntriesIsRefused() {
        assertEquals("map outer: initial slot 3 beyond max_entries 2 (the kernel says E2BIG)",
                refusal("elf_mim_slot_beyond.o"));
    }

    @Test
    void anInnerMapUnlikeTheTemplateIsRefused() {
        assertEquals("map outer: slot [0] cannot hold map wide: value size 8 is not the template's 4 (the kernel says "
                + "EINVAL)", refusal("elf_mim_mismatch.o"));
    }

    @Test
    void nestedMapInMapIsRefused() {
        assertEquals("map outer.inner: multi-level inner maps are not supported", refusal("elf_mim_nested.o"));
    }
}
