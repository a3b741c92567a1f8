package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.mem.Region;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.jxdp.ebpf.maps.MapFixture.le32;
import static dev.jxdp.ebpf.maps.MapFixture.le64;
import static dev.jxdp.ebpf.maps.MapFixture.readLe;
import static dev.jxdp.ebpf.maps.MapFixture.spec;
import static org.junit.jupiter.api.Assertions.*;

class HashTabTest {

    private final MapFixture f = new MapFixture();
    private final List<BpfMap> maps = new ArrayList<>();

    private BpfMap create(MapType t, int keySize, int valueSize, int max) {
        BpfMap m = Maps.create(spec("h", t, keySize, valueSize, max, 0));
        maps.add(m);
        return m;
    }

    private BpfMap hash(int max) {
        return create(MapType.HASH, 4, 8, max);
    }

    @AfterEach
    void close() {
        maps.forEach(BpfMap::close);
        f.close();
    }

    @Test
    void insertLookupDelete() {
        BpfMap m = hash(4);
        long k = f.u32(10);
        assertEquals(0, m.lookup(k, 0));
        assertEquals(0, m.update(k, f.u64(99), MapFlags.BPF_ANY, 0));
        long v = m.lookup(k, 0);
        assertEquals(99, Mem.getU64(v));
        assertArrayEquals(le64(99), m.userLookup(le32(10)));
        assertEquals(0, m.delete(k, 0));
        assertEquals(0, m.lookup(k, 0));
        assertEquals(-Errno.ENOENT, m.delete(k, 0));
        assertEquals(-Errno.ENOENT, m.userDelete(le32(10)));
    }

    @Test
    void updateFlags() {
        BpfMap m = hash(4);
        long k = f.u32(1);
        assertEquals(-Errno.ENOENT, m.update(k, f.u64(1), MapFlags.BPF_EXIST, 0));
        assertEquals(0, m.update(k, f.u64(1), MapFlags.BPF_NOEXIST, 0));
        assertEquals(-Errno.EEXIST, m.update(k, f.u64(2), MapFlags.BPF_NOEXIST, 0));
        assertEquals(0, m.update(k, f.u64(3), MapFlags.BPF_EXIST, 0));
        assertEquals(-Errno.EINVAL, m.update(k, f.u64(4), MapFlags.BPF_F_LOCK, 0));
        assertEquals(-Errno.EINVAL, m.update(k, f.u64(4), 3, 0));
        assertEquals(-Errno.EINVAL, m.update(k, f.u64(4), -1, 0));
        assertEquals(-Errno.EINVAL, m.userUpdate(le32(1), le64(4), MapFlags.BPF_F_LOCK | MapFlags.BPF_EXIST));
        assertEquals(3, Mem.getU64(m.lookup(k, 0)));
    }

    @Test
    void existingValueIsUpdatedInPlace() {
        BpfMap m = hash(4);
        long k = f.u32(1);
        m.update(k, f.u64(1), 0, 0);
        long v = m.lookup(k, 0);
        m.userUpdate(le32(1), le64(5), 0);
        assertEquals(v, m.lookup(k, 0));
        assertEquals(5, Mem.getU64(v));
    }

    @Test
    void fullMapIsE2bigButExistingKeysStillUpdate() {
        BpfMap m = hash(2);
        assertEquals(0, m.update(f.u32(1), f.u64(1), 0, 0));
        assertEquals(0, m.update(f.u32(2), f.u64(2), 0, 0));
        assertEquals(-Errno.E2BIG, m.update(f.u32(3), f.u64(3), 0, 0));
        assertEquals(-Errno.E2BIG, m.userUpdate(le32(3), le64(3), 0));
        assertEquals(0, m.update(f.u32(2), f.u64(22), 0, 0));
        assertEquals(0, m.delete(f.u32(1), 0));
        assertEquals(0, m.update(f.u32(3), f.u64(3), 0, 0));
        assertEquals(2, ((HashTab) m).count());
    }

    @Test
    void manyKeysWithCollidingBucketsAndDeletes() {
        BpfMap m = create(MapType.HASH, 12, 8, 1000);
        byte[] key = new byte[12];
        for (int i = 0; i < 1000; i++) {
            key[0] = (byte) i;
            key[5] = (byte) (i >> 8);
            key[11] = (byte) (i * 7);
            assertEquals(0, m.userUpdate(key, le64(i), MapFlags.BPF_NOEXIST), "key " + i);
        }
        for (int i = 0; i < 1000; i += 2) {
            key[0] = (byte) i;
            key[5] = (byte) (i >> 8);
            key[11] = (byte) (i * 7);
            assertEquals(0, m.userDelete(key));
        }
        for (int i = 0; i < 1000; i++) {
            key[0] = (byte) i;
            key[5] = (byte) (i >> 8);
            key[11] = (byte) (i * 7);
            byte[] v = m.userLookup(key);
            if (i % 2 == 0) {
                assertNull(v, "key " + i);
            } else {
                assertArrayEquals(le64(i), v, "key " + i);
            }
        }
    }

    @Test
    void keysOfOddSizesCompareAllBytes() {
        BpfMap m = create(MapType.HASH, 13, 4, 8);
        byte[] a = new byte[13];
        byte[] b = new byte[13];
        b[12] = 1;
        m.userUpdate(a, le32(1), 0);
        m.userUpdate(b, le32(2), 0);
        assertArrayEquals(le32(1), m.userLookup(a));
        assertArrayEquals(le32(2), m.userLookup(b));
        assertEquals(2, Mem.getU32(m.lookup(f.bytes(b), 0)));
    }

    @Test
    void nextKeyVisitsEveryKeyOnceThenEnds() {
        BpfMap m = hash(16);
        for (int i = 0; i < 10; i++) {
            m.userUpdate(le32(i * 31), le64(i), 0);
        }
        Set<Long> seen = new HashSet<>();
        List<Long> order = new ArrayList<>();
        byte[] k = m.userNextKey(null);
        while (k != null) {
            assertTrue(seen.add(readLe(k, 0, 4)));
            order.add(readLe(k, 0, 4));
            k = m.userNextKey(k);
        }
        assertEquals(10, seen.size());
        // stable: a second walk gives the same order, and an unknown key restarts at the first
        List<Long> again = new ArrayList<>();
        for (k = m.userNextKey(null); k != null; k = m.userNextKey(k)) {
            again.add(readLe(k, 0, 4));
        }
        assertEquals(order, again);
        assertEquals(order.get(0), readLe(m.userNextKey(le32(12345)), 0, 4));
    }

    @Test
    void nextKeyOfEmptyMapIsNull() {
        assertNull(hash(4).userNextKey(null));
    }

    @Test
    void forEachVisitsAllAndMayDeleteCurrent() {
        BpfMap m = hash(8);
        for (int i = 1; i <= 5; i++) {
            m.userUpdate(le32(i), le64(i * 100), 0);
        }
        long[] sum = new long[1];
        long n = m.forEachElem(0, (k, v) -> {
            sum[0] += Mem.getU64(v);
            m.delete(k, 0);
            return true;
        });
        assertEquals(5, n);
        assertEquals(1500, sum[0]);
        assertEquals(0, ((HashTab) m).count());
    }

    @Test
    void forEachStops() {
        BpfMap m = hash(8);
        for (int i = 1; i <= 5; i++) {
            m.userUpdate(le32(i), le64(i), 0);
        }
        assertEquals(2, m.forEachElem(0, new BpfMap.ElemVisitor() {
            int calls;

            @Override
            public boolean visit(long k, long v) {
                return ++calls < 2;
            }
        }));
    }

    @Test
    void regionsHoldKeysReadOnlyAndValuesWritable() {
        BpfMap m = hash(4);
        m.update(f.u32(1), f.u64(1), 0, 0);
        long v = m.lookup(f.u32(1), 0);
        long[] key = new long[1];
        m.forEachElem(0, (k, val) -> {
            key[0] = k;
            return false;
        });
        Region vr = m.regions().stream().filter(r -> r.contains(v, 8)).findFirst().orElseThrow();
        Region kr = m.regions().stream().filter(r -> r.contains(key[0], 4)).findFirst().orElseThrow();
        assertTrue(vr.writable());
        assertFalse(kr.writable());
        assertEquals(Region.Kind.MAP_VALUE, vr.kind());
    }

    // ---- per-CPU ----

    @Test
    void perCpuProgramInsertZeroesOtherCpus() {
        BpfMap m = create(MapType.PERCPU_HASH, 4, 4, 4);
        int n = Cpus.possible();
        // leave garbage in an element, free it, and insert again: other CPUs' copies must read 0
        m.userUpdate(le32(1), le32(7), 0);
        m.userDelete(le32(1));
        int cpu = n - 1;
        assertEquals(0, m.update(f.u32(2), f.u32(5), 0, cpu));
        byte[] all = m.userLookup(le32(2));
        assertEquals(8 * n, all.length);
        for (int c = 0; c < n; c++) {
            assertEquals(c == cpu ? 5 : 0, readLe(all, 8 * c, 4), "cpu " + c);
        }
    }

    @Test
    void perCpuProgramUpdateOfExistingTouchesOnlyThatCpu() {
        BpfMap m = create(MapType.PERCPU_HASH, 4, 8, 4);
        int n = Cpus.possible();
        m.userUpdate(le32(1), le64(3), 0);
        assertEquals(0, m.update(f.u32(1), f.u64(10), MapFlags.BPF_EXIST, 0));
        long sum = 0;
        byte[] all = m.userLookup(le32(1));
        for (int c = 0; c < n; c++) {
            sum += readLe(all, 8 * c, 8);
        }
        assertEquals(10 + 3L * (n - 1), sum);
        assertEquals(10, Mem.getU64(m.lookup(f.u32(1), 0)));
    }

    // ---- LRU ----

    @Test
    void lruEvictsLeastRecentlyUsedOnInsertWhenFull() {
        BpfMap m = create(MapType.LRU_HASH, 4, 8, 4);
        for (int i = 1; i <= 4; i++) {
            assertEquals(0, m.update(f.u32(i), f.u64(i), 0, 0));
        }
        m.lookup(f.u32(1), 0); // 1 becomes the most recent: 2 is now the oldest
        assertEquals(0, m.update(f.u32(5), f.u64(5), 0, 0));
        assertNull(m.userLookup(le32(2)));
        m.lookup(f.u32(3), 0);
        assertEquals(0, m.update(f.u32(6), f.u64(6), 0, 0));
        assertNull(m.userLookup(le32(4)));
        assertEquals(0, m.update(f.u32(7), f.u64(7), 0, 0));
        assertNull(m.userLookup(le32(1)));
        for (int k : new int[] {3, 5, 6, 7}) {
            assertNotNull(m.userLookup(le32(k)), "key " + k);
        }
    }

    @Test
    void lruOrderFollowsLastUseNotFirstUse() {
        BpfMap m = create(MapType.LRU_HASH, 4, 8, 3);
        for (int i = 1; i <= 3; i++) {
            m.update(f.u32(i), f.u64(i), 0, 0);
        }
        m.lookup(f.u32(2), 0);
        m.lookup(f.u32(1), 0);
        m.update(f.u32(4), f.u64(4), 0, 0); // evicts 3
        m.update(f.u32(5), f.u64(5), 0, 0); // evicts 2 (used before 1)
        assertNull(m.userLookup(le32(3)));
        assertNull(m.userLookup(le32(2)));
        assertNotNull(m.userLookup(le32(1)));
    }

    @Test
    void lruUpdateMarksUsedAndNeverFails() {
        BpfMap m = create(MapType.LRU_HASH, 4, 8, 2);
        m.update(f.u32(1), f.u64(1), 0, 0);
        m.update(f.u32(2), f.u64(2), 0, 0);
        m.update(f.u32(1), f.u64(11), MapFlags.BPF_EXIST, 0);
        assertEquals(0, m.update(f.u32(3), f.u64(3), MapFlags.BPF_NOEXIST, 0));
        assertNull(m.userLookup(le32(2)));
        assertArrayEquals(le64(11), m.userLookup(le32(1)));
    }

    @Test
    void lruUserLookupDoesNotMarkUsed() {
        BpfMap m = create(MapType.LRU_HASH, 4, 8, 2);
        m.update(f.u32(1), f.u64(1), 0, 0);
        m.update(f.u32(2), f.u64(2), 0, 0);
        m.userLookup(le32(1));
        m.update(f.u32(3), f.u64(3), 0, 0);
        assertNull(m.userLookup(le32(1)));
    }

    @Test
    void lruPerCpuKeepsPerCpuValues() {
        BpfMap m = create(MapType.LRU_PERCPU_HASH, 4, 8, 2);
        int n = Cpus.possible();
        m.update(f.u32(1), f.u64(4), 0, n - 1);
        byte[] all = m.userLookup(le32(1));
        assertEquals(4, readLe(all, 8 * (n - 1), 8));
        m.update(f.u32(2), f.u64(1), 0, 0);
        m.update(f.u32(3), f.u64(1), 0, 0);
        assertNull(m.userLookup(le32(1)));
    }

    @Test
    void lruEvictionUnderRandomUseMatchesModel() {
        int cap = 16;
        BpfMap m = create(MapType.LRU_HASH, 4, 8, cap);
        java.util.LinkedHashMap<Integer, Boolean> model = new java.util.LinkedHashMap<>(16, 0.75f, true);
        java.util.Random rnd = new java.util.Random(7);
        for (int step = 0; step < 5000; step++) {
            int k = rnd.nextInt(40);
            if (rnd.nextBoolean()) {
                boolean hit = m.lookup(f.u32(k), 0) != 0;
                assertEquals(model.get(k) != null, hit, "step " + step);
            } else {
                m.update(f.u32(k), f.u64(k), 0, 0);
                if (!model.containsKey(k) && model.size() == cap) {
                    Integer eldest = model.keySet().iterator().next();
                    model.remove(eldest);
                }
                model.put(k, true);
            }
        }
    }

    @Test
    void lruSequenceOfMapsLruC() {
        // core/src/test/bpf/maps_lru.c: fill 8, use key 1, add 9 and 10, update 2 with BPF_EXIST. Exact LRU
        // evicts 2 then 3. The kernel (maps_lru.kernel.json, 2 CPUs) evicted 2, 3, 4 and 5 with its common
        // LRU, and kept only 9 and 10 with BPF_F_NO_COMMON_LRU (4 elements per CPU, shrunk in batches).
        BpfMap m = create(MapType.LRU_HASH, 4, 8, 8);
        for (int k = 1; k <= 8; k++) {
            assertEquals(0, m.update(f.u32(k), f.u64(k), 0, 0));
        }
        m.lookup(f.u32(1), 0);
        assertEquals(0, m.update(f.u32(9), f.u64(9), 0, 0));
        assertEquals(0, m.update(f.u32(10), f.u64(10), 0, 0));
        assertEquals(-Errno.ENOENT, m.update(f.u32(2), f.u64(20), MapFlags.BPF_EXIST, 0));
        List<Integer> present = new ArrayList<>();
        for (int k = 0; k <= 10; k++) {
            if (m.userLookup(le32(k)) != null) {
                present.add(k);
            }
        }
        assertEquals(List.of(1, 4, 5, 6, 7, 8, 9, 10), present);
    }

    @Test
    void hugeMaxEntriesIsAClearError() {
        BpfException e = assertThrows(BpfException.class, () -> create(MapType.LRU_HASH, 4, 4, 1 << 30));
        assertTrue(e.getMessage().startsWith("map h: max_entries 1073741824 needs"), e.getMessage());
    }

    // ---- creation ----

    @Test
    void creationChecks() {
        assertThrows(BpfException.class, () -> create(MapType.HASH, 0, 4, 1));
        assertThrows(BpfException.class, () -> create(MapType.HASH, 4, 0, 1));
        assertThrows(BpfException.class, () -> create(MapType.HASH, 4, 4, 0));
        assertThrows(BpfException.class, () -> create(MapType.HASH, 513, 4, 1));
        assertThrows(BpfException.class, () -> create(MapType.PERCPU_HASH, 4, 40000, 1));
        assertThrows(BpfException.class, () -> Maps.create(spec("x", MapType.HASH, 4, 4, 1, MapFlags.BPF_F_NO_COMMON_LRU)));
        assertThrows(BpfException.class, () -> Maps.create(spec("x", MapType.LRU_HASH, 4, 4, 1, MapFlags.BPF_F_NO_PREALLOC)));
        assertThrows(BpfException.class, () -> Maps.create(spec("x", MapType.HASH, 4, 4, 1, MapFlags.BPF_F_MMAPABLE)));
        Maps.create(spec("ok", MapType.HASH, 4, 4, 1, MapFlags.BPF_F_NO_PREALLOC)).close();
        Maps.create(spec("ok", MapType.LRU_HASH, 4, 4, 1, MapFlags.BPF_F_NO_COMMON_LRU)).close();
    }
}
