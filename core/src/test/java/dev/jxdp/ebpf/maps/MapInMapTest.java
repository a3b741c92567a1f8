package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.BpfException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.jxdp.ebpf.maps.MapFixture.le32;
import static dev.jxdp.ebpf.maps.MapFixture.le64;
import static org.junit.jupiter.api.Assertions.*;

/** ARRAY_OF_MAPS and HASH_OF_MAPS: the template rules of kernel/bpf/map_in_map.c and both faces of a lookup. */
class MapInMapTest {

    private final MapFixture f = new MapFixture();
    private final List<BpfMap> open = new ArrayList<>();

    private static MapSpec outer(String name, MapType type, int keySize, int max, MapSpec template) {
        return new MapSpec(name, type.id(), keySize, 4, max, 0, null, false, List.of(), ".maps", template);
    }

    private static MapSpec array(String name, int valueSize, int max, int flags) {
        return MapFixture.spec(name, MapType.ARRAY, 4, valueSize, max, flags);
    }

    private <M extends BpfMap> M create(MapSpec spec) {
        @SuppressWarnings("unchecked")
        M m = (M) Maps.create(spec);
        open.add(m);
        return m;
    }

    @AfterEach
    void close() {
        open.forEach(BpfMap::close);
        f.close();
    }

    @Test
    void arrayOfMapsLookupAnswersTheInnerMapsHandle() {
        ArrayOfMaps o = create(outer("o", MapType.ARRAY_OF_MAPS, 4, 3, array("o.inner", 8, 4, 0)));
        BpfMap a = create(array("a", 8, 4, 0));
        assertEquals(0, o.put(le32(1), a, MapFlags.BPF_ANY));
        assertEquals(a.handle(), o.lookup(f.u32(1), 0));
        assertEquals(0, o.lookup(f.u32(0), 0), "an empty slot");
        assertEquals(0, o.lookup(f.u32(3), 0), "beyond max_entries");
        assertSame(a, o.innerAt(le32(1)));
    }

    @Test
    void userLookupAnswersTheInnerMapsId() {
        ArrayOfMaps o = create(outer("o", MapType.ARRAY_OF_MAPS, 4, 2, array("o.inner", 8, 4, 0)));
        BpfMap a = create(array("a", 8, 4, 0));
        o.put(le32(0), a, MapFlags.BPF_ANY);
        assertArrayEquals(le32(a.id()), o.userLookup(le32(0)));
        assertNull(o.userLookup(le32(1)));
    }

    @Test
    void arrayOfMapsUpdatesAsTheFdArrayDoes() {
        ArrayOfMaps o = create(outer("o", MapType.ARRAY_OF_MAPS, 4, 2, array("o.inner", 8, 4, 0)));
        BpfMap a = create(array("a", 8, 4, 0));
        assertEquals(-Errno.EINVAL, o.put(le32(0), a, MapFlags.BPF_NOEXIST), "only BPF_ANY");
        assertEquals(-Errno.E2BIG, o.put(le32(2), a, MapFlags.BPF_ANY));
        assertEquals(-Errno.EINVAL, o.userUpdate(le32(0), le32(5), MapFlags.BPF_ANY), "no fds in jxdp");
        assertEquals(-Errno.ENOENT, o.userDelete(le32(0)));
        o.put(le32(0), a, MapFlags.BPF_ANY);
        assertEquals(0, o.userDelete(le32(0)));
        assertEquals(0, o.lookup(f.u32(0), 0));
        assertEquals(-Errno.E2BIG, o.userDelete(le32(2)));
    }

    @Test
    void programsCannotUpdateOrDelete() {
        ArrayOfMaps o = create(outer("o", MapType.ARRAY_OF_MAPS, 4, 2, array("o.inner", 8, 4, 0)));
        assertEquals(-Errno.EINVAL, o.update(f.u32(0), f.u32(0), 0, 0));
        assertEquals(-Errno.EINVAL, o.delete(f.u32(0), 0));
    }

    @Test
    void anInnerMapMustMatchTheTemplate() {
        ArrayOfMaps o = create(outer("o", MapType.ARRAY_OF_MAPS, 4, 2, array("o.inner", 8, 4, 0)));
        assertEquals("value size 4 is not the template's 8", o.mismatch(create(array("v", 4, 4, 0))));
        assertEquals("type hash is not the template's array",
                o.mismatch(create(MapFixture.spec("h", MapType.HASH, 4, 8, 4, 0))));
        assertEquals("map_flags 0x80 are not the template's 0x0",
                o.mismatch(create(array("r", 8, 4, MapFlags.BPF_F_RDONLY_PROG))));
        assertEquals("max_entries 5 is not the template's 4 (an array template without BPF_F_INNER_MAP fixes it)",
                o.mismatch(create(array("n", 8, 5, 0))));
        assertEquals(-Errno.EINVAL, o.put(le32(0), create(array("n2", 8, 5, 0)), MapFlags.BPF_ANY));
    }

    @Test
    void bpfFInnerMapLetsArraysDifferInMaxEntries() {
        ArrayOfMaps o = create(outer("o", MapType.ARRAY_OF_MAPS, 4, 2,
                array("o.inner", 8, 4, MapFlags.BPF_F_INNER_MAP)));
        assertNull(o.mismatch(create(array("big", 8, 64, MapFlags.BPF_F_INNER_MAP))));
        assertNotNull(o.mismatch(create(array("noflag", 8, 4, 0))), "map_flags must still be equal");
    }

    @Test
    void hashTemplatesIgnoreMaxEntries() {
        HashOfMaps o = create(outer("o", MapType.HASH_OF_MAPS, 4, 4, MapFixture.spec("o.inner", MapType.HASH, 8, 4, 8, 0)));
        assertNull(o.mismatch(create(MapFixture.spec("h", MapType.HASH, 8, 4, 1000, 0))));
    }

    @Test
    void hashOfMapsIsKeyedAsDeclared() {
        HashOfMaps o = create(outer("o", MapType.HASH_OF_MAPS, 8, 2, array("o.inner", 8, 4, 0)));
        BpfMap a = create(array("a", 8, 4, 0));
        BpfMap b = create(array("b", 8, 4, 0));
        assertEquals(0, o.put(le64(0x0a000001L), a, MapFlags.BPF_ANY));
        assertEquals(0, o.put(le64(0x0a000002L), b, MapFlags.BPF_NOEXIST));
        assertEquals(-Errno.EEXIST, o.put(le64(0x0a000002L), a, MapFlags.BPF_NOEXIST));
        assertEquals(-Errno.E2BIG, o.put(le64(7), a, MapFlags.BPF_ANY), "full");
        assertEquals(a.handle(), o.lookup(f.u64(0x0a000001L), 0));
        assertEquals(b.handle(), o.lookup(f.u64(0x0a000002L), 0));
        assertEquals(0, o.lookup(f.u64(3), 0));
        assertSame(b, o.innerAt(le64(0x0a000002L)));
        assertEquals(0, o.userDelete(le64(0x0a000002L)));
        assertEquals(0, o.lookup(f.u64(0x0a000002L), 0));
        assertEquals(-Errno.ENOENT, o.userDelete(le64(0x0a000002L)));
        assertArrayEquals(le64(0x0a000001L), o.userNextKey(null));
    }

    @Test
    void theTemplateIsCheckedAsTheKernelCreatesIt() {
        assertEquals("map o: no inner map template: a array_of_maps is created from an inner map (declare it with "
                + "__array(values, struct inner_def))", assertThrows(BpfException.class,
                () -> create(outer("o", MapType.ARRAY_OF_MAPS, 4, 2, null))).getMessage());
        MapSpec nested = outer("o.inner", MapType.ARRAY_OF_MAPS, 4, 1, array("x", 8, 1, 0));
        assertEquals("map o: inner map template o.inner is a array_of_maps: map-in-map nests one level only (the "
                + "kernel says EINVAL)", assertThrows(BpfException.class,
                () -> create(outer("o", MapType.ARRAY_OF_MAPS, 4, 2, nested))).getMessage());
        assertEquals("map o: inner map template o.inner: a prog_array cannot be an inner map (the kernel says "
                + "ENOTSUPP)", assertThrows(BpfException.class, () -> create(outer("o", MapType.HASH_OF_MAPS, 4, 2,
                MapFixture.spec("o.inner", MapType.PROG_ARRAY, 4, 4, 2, 0)))).getMessage());
        assertEquals("map o.inner: key size 8: want 4", assertThrows(BpfException.class,
                () -> create(outer("o", MapType.ARRAY_OF_MAPS, 4, 2, MapFixture.spec("o.inner", MapType.ARRAY, 8, 4, 1, 0))))
                .getMessage());
        assertEquals("map o: key size 8: want 4", assertThrows(BpfException.class,
                () -> create(outer("o", MapType.ARRAY_OF_MAPS, 8, 2, array("o.inner", 8, 1, 0)))).getMessage());
    }
}
