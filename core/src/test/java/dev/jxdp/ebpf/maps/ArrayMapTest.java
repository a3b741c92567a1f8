package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.mem.Region;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.jxdp.ebpf.maps.MapFixture.le32;
import static dev.jxdp.ebpf.maps.MapFixture.le64;
import static dev.jxdp.ebpf.maps.MapFixture.spec;
import static org.junit.jupiter.api.Assertions.*;

class ArrayMapTest {

    private final MapFixture f = new MapFixture();
    private final List<BpfMap> maps = new ArrayList<>();

    private BpfMap create(MapSpec s) {
        BpfMap m = Maps.create(s);
        maps.add(m);
        return m;
    }

    private BpfMap array(int max) {
        return create(spec("arr", MapType.ARRAY, 4, 8, max, 0));
    }

    @AfterEach
    void close() {
        maps.forEach(BpfMap::close);
        f.close();
    }

    @Test
    void valuesStartZeroedAndLookupReturnsStableAddress() {
        BpfMap m = array(4);
        long a = m.lookup(f.u32(2), 0);
        assertNotEquals(0, a);
        assertEquals(0, Mem.getU64(a));
        assertEquals(a, m.lookup(f.u32(2), 0));
        assertEquals(a + 8, m.lookup(f.u32(3), 0));
    }

    @Test
    void lookupOutOfRangeIsNull() {
        BpfMap m = array(4);
        assertEquals(0, m.lookup(f.u32(4), 0));
        assertEquals(0, m.lookup(f.u32(0xffffffffL), 0));
        assertNull(m.userLookup(le32(4)));
    }

    @Test
    void programWriteThroughPointerIsSeenByUser() {
        BpfMap m = array(4);
        Mem.putU64(m.lookup(f.u32(1), 0), 0x1122334455667788L);
        assertArrayEquals(le64(0x1122334455667788L), m.userLookup(le32(1)));
    }

    @Test
    void updateFlags() {
        BpfMap m = array(4);
        long k = f.u32(1);
        long v = f.u64(7);
        assertEquals(0, m.update(k, v, MapFlags.BPF_ANY, 0));
        assertEquals(0, m.update(k, v, MapFlags.BPF_EXIST, 0));
        assertEquals(-Errno.EEXIST, m.update(k, v, MapFlags.BPF_NOEXIST, 0));
        assertEquals(-Errno.EINVAL, m.update(k, v, 3, 0));
        assertEquals(-Errno.EINVAL, m.update(k, v, 8, 0));
        assertEquals(-Errno.EINVAL, m.update(k, v, MapFlags.BPF_F_LOCK, 0), "no spin lock in the value");
        assertEquals(7, Mem.getU64(m.lookup(k, 0)));
    }

    @Test
    void updateOutOfRangeIsE2bigBeforeFlagMeaning() {
        BpfMap m = array(4);
        long v = f.u64(1);
        assertEquals(-Errno.E2BIG, m.update(f.u32(4), v, MapFlags.BPF_ANY, 0));
        assertEquals(-Errno.E2BIG, m.update(f.u32(4), v, MapFlags.BPF_NOEXIST, 0));
        assertEquals(-Errno.E2BIG, m.update(f.u32(4), v, MapFlags.BPF_F_LOCK, 0), "array_map_update_elem order");
        assertEquals(-Errno.E2BIG, m.userUpdate(le32(9), le64(1), MapFlags.BPF_ANY));
        assertEquals(-Errno.EINVAL, m.userUpdate(le32(9), le64(1), MapFlags.BPF_F_LOCK), "syscall checks F_LOCK first");
    }

    @Test
    void deleteIsEinval() {
        BpfMap m = array(4);
        assertEquals(-Errno.EINVAL, m.delete(f.u32(0), 0));
        assertEquals(-Errno.EINVAL, m.userDelete(le32(0)));
        assertEquals(-Errno.EINVAL, m.userDelete(le32(100)));
    }

    @Test
    void userUpdateAndLookup() {
        BpfMap m = array(4);
        assertEquals(0, m.userUpdate(le32(3), le64(42), MapFlags.BPF_ANY));
        assertEquals(-Errno.EEXIST, m.userUpdate(le32(3), le64(43), MapFlags.BPF_NOEXIST));
        assertArrayEquals(le64(42), m.userLookup(le32(3)));
    }

    @Test
    void userSizeMismatchIsClearError() {
        BpfMap m = array(4);
        BpfException e = assertThrows(BpfException.class, () -> m.userUpdate(le32(0), new byte[3], 0));
        assertEquals("map arr: value of 3 bytes: want 8", e.getMessage());
    }

    @Test
    void nextKeyInIndexOrder() {
        BpfMap m = array(3);
        assertArrayEquals(le32(0), m.userNextKey(null));
        assertArrayEquals(le32(1), m.userNextKey(le32(0)));
        assertArrayEquals(le32(2), m.userNextKey(le32(1)));
        assertNull(m.userNextKey(le32(2)));
        assertArrayEquals(le32(0), m.userNextKey(le32(77)), "an index out of range restarts");
    }

    @Test
    void forEachVisitsEveryIndexWithIndexKey() {
        BpfMap m = array(5);
        for (int i = 0; i < 5; i++) {
            m.userUpdate(le32(i), le64(i * 10), 0);
        }
        List<Long> seen = new ArrayList<>();
        long n = m.forEachElem(0, (k, v) -> {
            seen.add(Mem.getU32(k) * 1000 + Mem.getU64(v));
            return true;
        });
        assertEquals(5, n);
        assertEquals(List.of(0L, 1010L, 2020L, 3030L, 4040L), seen);
    }

    @Test
    void forEachStopsAfterCallbackReturnsOne() {
        BpfMap m = array(5);
        long n = m.forEachElem(0, (k, v) -> Mem.getU32(k) < 2);
        assertEquals(3, n, "the element whose callback stopped the walk is counted");
    }

    @Test
    void forEachKeyIsInsideAReadOnlyRegion() {
        BpfMap m = array(2);
        long[] key = new long[1];
        m.forEachElem(0, (k, v) -> {
            key[0] = k;
            return false;
        });
        Region r = m.regions().stream().filter(x -> x.contains(key[0], 4)).findFirst().orElseThrow();
        assertFalse(r.writable());
    }

    @Test
    void regions() {
        BpfMap m = array(4);
        Region obj = m.regions().stream().filter(r -> r.kind() == Region.Kind.MAP_OBJECT).findFirst().orElseThrow();
        assertEquals(m.handle(), obj.base());
        assertSame(m, obj.owner());
        long v = m.lookup(f.u32(3), 0);
        Region values = m.regions().stream().filter(r -> r.contains(v, 8)).findFirst().orElseThrow();
        assertEquals(Region.Kind.MAP_VALUE, values.kind());
        assertTrue(values.writable());
        assertSame(m, values.owner());
    }

    @Test
    void globalDataInitialValueAndReadOnly() {
        byte[] init = {1, 2, 3, 4, 5};
        MapSpec s = new MapSpec("prog.rodata", MapType.ARRAY.id(), 4, 5, 1,
                MapFlags.BPF_F_MMAPABLE | MapFlags.BPF_F_RDONLY_PROG, init, true, List.of(), ".rodata");
        BpfMap m = create(s);
        assertArrayEquals(init, m.userLookup(le32(0)));
        long v = m.lookup(f.u32(0), 0);
        assertFalse(m.regions().stream().filter(r -> r.contains(v, 5)).findFirst().orElseThrow().writable());
        assertEquals(-Errno.EPERM, m.update(f.u32(0), f.bytes(9, 9, 9, 9, 9), 0, 0));
        assertEquals(0, m.userUpdate(le32(0), new byte[] {9, 9, 9, 9, 9}, 0), "user side writes before freezing");
    }

    @Test
    void dataSectionIsWritable() {
        MapSpec s = new MapSpec("prog.data", MapType.ARRAY.id(), 4, 4, 1, MapFlags.BPF_F_MMAPABLE,
                new byte[] {7, 0, 0, 0}, false, List.of(), ".data");
        BpfMap m = create(s);
        long v = m.lookup(f.u32(0), 0);
        assertEquals(7, Mem.getU32(v));
        assertTrue(m.regions().stream().filter(r -> r.contains(v, 4)).findFirst().orElseThrow().writable());
    }

    // ---- per-CPU ----

    private BpfMap percpu(int max) {
        return create(spec("pc", MapType.PERCPU_ARRAY, 4, 4, max, 0));
    }

    @Test
    void perCpuProgramUpdateWritesOnlyThatCpu() {
        BpfMap m = percpu(2);
        int n = Cpus.possible();
        long k = f.u32(1);
        assertEquals(0, m.update(k, f.u32(5), 0, n - 1));
        byte[] all = m.userLookup(le32(1));
        assertEquals(8 * n, all.length, "round_up(4, 8) per CPU");
        assertEquals(5, MapFixture.readLe(all, 8 * (n - 1), 4));
        if (n > 1) {
            assertEquals(0, MapFixture.readLe(all, 0, 4));
        }
        assertNotEquals(m.lookup(k, 0), m.lookup(k, n - 1));
    }

    @Test
    void perCpuSumOverCpus() {
        BpfMap m = percpu(1);
        int n = Cpus.possible();
        long k = f.u32(0);
        for (int cpu = 0; cpu < n; cpu++) {
            long v = m.lookup(k, cpu);
            Mem.putU32(v, Mem.getU32(v) + cpu + 1);
        }
        byte[] all = m.userLookup(le32(0));
        long sum = 0;
        for (int cpu = 0; cpu < n; cpu++) {
            sum += MapFixture.readLe(all, 8 * cpu, 4);
        }
        assertEquals((long) n * (n + 1) / 2, sum);
    }

    @Test
    void perCpuUserUpdateTakesAllCpusOrOneValueForAll() {
        BpfMap m = percpu(1);
        int n = Cpus.possible();
        byte[] all = new byte[8 * n];
        for (int c = 0; c < n; c++) {
            all[8 * c] = (byte) (c + 1);
        }
        assertEquals(0, m.userUpdate(le32(0), all, 0));
        assertArrayEquals(all, m.userLookup(le32(0)));
        assertEquals(0, m.userUpdate(le32(0), le32(9), 0));
        for (int c = 0; c < n; c++) {
            assertEquals(9, Mem.getU32(m.lookup(f.u32(0), c)));
        }
        assertEquals(-Errno.EEXIST, m.userUpdate(le32(0), all, MapFlags.BPF_NOEXIST));
        assertEquals(-Errno.E2BIG, m.userUpdate(le32(1), all, 0));
    }

    @Test
    void perCpuForEachSeesThisCpusValues() {
        BpfMap m = percpu(2);
        int cpu = Cpus.possible() - 1;
        m.update(f.u32(1), f.u32(33), 0, cpu);
        List<Long> seen = new ArrayList<>();
        m.forEachElem(cpu, (k, v) -> seen.add(Mem.getU32(v)));
        assertEquals(List.of(0L, 33L), seen);
    }

    // ---- creation ----

    @Test
    void creationChecks() {
        assertEquals("map a: key size 8: want 4",
                assertThrows(BpfException.class, () -> create(spec("a", MapType.ARRAY, 8, 4, 1, 0))).getMessage());
        assertThrows(BpfException.class, () -> create(spec("a", MapType.ARRAY, 4, 0, 1, 0)));
        assertThrows(BpfException.class, () -> create(spec("a", MapType.ARRAY, 4, 4, 0, 0)));
        assertThrows(BpfException.class, () -> create(spec("a", MapType.ARRAY, 4, 4, 1, MapFlags.BPF_F_NO_PREALLOC)));
        assertThrows(BpfException.class, () -> create(spec("a", MapType.PERCPU_ARRAY, 4, 4, 1, MapFlags.BPF_F_MMAPABLE)));
        assertThrows(BpfException.class, () -> create(spec("a", MapType.PERCPU_ARRAY, 4, 40000, 1, 0)));
        assertThrows(BpfException.class, () -> create(spec("a", MapType.ARRAY, 4, 4, 1,
                MapFlags.BPF_F_RDONLY_PROG | MapFlags.BPF_F_WRONLY_PROG)));
    }

    @Test
    void unsupportedTypeNamesIt() {
        BpfException e = assertThrows(BpfException.class, () -> create(spec("q", MapType.QUEUE, 0, 4, 1, 0)));
        assertEquals("map q: map type 22 (queue) is not supported", e.getMessage());
        MapSpec unknown = new MapSpec("u", 999, 4, 4, 1, 0, null, false, List.of(), ".maps");
        assertEquals("map u: map type 999 (unknown) is not supported",
                assertThrows(BpfException.class, () -> create(unknown)).getMessage());
    }

    @Test
    void closeFreesAndIsIdempotent() {
        BpfMap m = Maps.create(spec("c", MapType.ARRAY, 4, 4, 1, 0));
        Region r = m.regions().get(1);
        assertTrue(r.segment().scope().isAlive());
        m.close();
        m.close();
        assertFalse(r.segment().scope().isAlive());
    }
}
