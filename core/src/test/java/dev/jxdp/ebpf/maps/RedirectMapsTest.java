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
import static dev.jxdp.ebpf.maps.MapFixture.readLe;
import static dev.jxdp.ebpf.maps.MapFixture.spec;
import static org.junit.jupiter.api.Assertions.*;

/** DEVMAP, DEVMAP_HASH, CPUMAP and XSKMAP: entries without live targets, the kernel's codes. */
class RedirectMapsTest {

    private final MapFixture f = new MapFixture();
    private final List<BpfMap> maps = new ArrayList<>();

    private BpfMap create(MapType t, int valueSize, int max) {
        BpfMap m = Maps.create(spec("r", t, 4, valueSize, max, 0));
        maps.add(m);
        return m;
    }

    @AfterEach
    void close() {
        maps.forEach(BpfMap::close);
        f.close();
    }

    /** A value {ifindex or qsize, prog fd}. */
    private static byte[] val(long first, long fd) {
        byte[] b = new byte[8];
        System.arraycopy(le32(first), 0, b, 0, 4);
        System.arraycopy(le32(fd), 0, b, 4, 4);
        return b;
    }

    // ---- DEVMAP ----

    @Test
    void devmapKeepsIfindexAndAnswersRedirect() {
        BpfMap m = create(MapType.DEVMAP, 4, 8);
        assertFalse(m.hasRedirectTarget(3));
        assertEquals(0, m.userUpdate(le32(3), le32(7), MapFlags.BPF_ANY));
        assertTrue(m.hasRedirectTarget(3));
        assertTrue(m.hasRedirectTarget(0x1_0000_0003L), "the u64 index is cut to a u32 key");
        assertFalse(m.hasRedirectTarget(8));
        assertArrayEquals(le32(7), m.userLookup(le32(3)));
        assertEquals(7, ((DevMap) m).ifindex(3));
        long v = m.lookup(f.u32(3), 0);
        assertEquals(7, Mem.getU32(v));
        assertFalse(m.regions().stream().filter(r -> r.contains(v, 4)).findFirst().orElseThrow().writable(),
                "the kernel sets BPF_F_RDONLY_PROG on devmaps");
    }

    @Test
    void devmapUpdateCodes() {
        BpfMap m = create(MapType.DEVMAP, 8, 4);
        assertEquals(-Errno.EINVAL, m.userUpdate(le32(0), val(1, 0), 3));
        assertEquals(-Errno.E2BIG, m.userUpdate(le32(4), val(1, 0), 0));
        assertEquals(-Errno.EEXIST, m.userUpdate(le32(0), val(1, 0), MapFlags.BPF_NOEXIST));
        assertEquals(-Errno.EINVAL, m.userUpdate(le32(0), val(1, 5), 0), "program fds are not supported");
        assertEquals(0, m.userUpdate(le32(0), val(1, -1), MapFlags.BPF_EXIST), "fd <= 0 means no program");
        assertArrayEquals(val(1, 0), m.userLookup(le32(0)), "the second u32 reads back as the prog id, 0");
        assertEquals(-Errno.EINVAL, m.userUpdate(le32(0), val(0, 5), 0), "ifindex 0 with a program fd");
        assertEquals(0, m.userUpdate(le32(0), val(0, 0), 0), "ifindex 0 empties the slot");
        assertNull(m.userLookup(le32(0)));
    }

    @Test
    void devmapDeleteOfEmptySlotSucceeds() {
        BpfMap m = create(MapType.DEVMAP, 4, 4);
        assertEquals(0, m.userDelete(le32(1)));
        m.userUpdate(le32(1), le32(9), 0);
        assertEquals(0, m.userDelete(le32(1)));
        assertFalse(m.hasRedirectTarget(1));
        assertEquals(-Errno.EINVAL, m.userDelete(le32(4)));
    }

    @Test
    void devmapNextKeyCoversEveryIndex() {
        BpfMap m = create(MapType.DEVMAP, 4, 2);
        assertArrayEquals(le32(0), m.userNextKey(null));
        assertArrayEquals(le32(1), m.userNextKey(le32(0)));
        assertNull(m.userNextKey(le32(1)));
    }

    // ---- DEVMAP_HASH ----

    @Test
    void devmapHashByKey() {
        BpfMap m = create(MapType.DEVMAP_HASH, 4, 2);
        assertEquals(0, m.userUpdate(le32(1000), le32(5), 0));
        assertTrue(m.hasRedirectTarget(1000));
        assertFalse(m.hasRedirectTarget(1001));
        assertEquals(5, Mem.getU32(m.lookup(f.u32(1000), 0)));
        assertEquals(-Errno.EEXIST, m.userUpdate(le32(1000), le32(6), MapFlags.BPF_NOEXIST));
        assertEquals(0, m.userUpdate(le32(2000), le32(6), MapFlags.BPF_EXIST), "the kernel inserts on BPF_EXIST");
        assertEquals(-Errno.E2BIG, m.userUpdate(le32(3000), le32(7), 0));
        assertEquals(0, m.userUpdate(le32(2000), le32(8), 0), "replacing works when full");
        assertEquals(-Errno.EINVAL, m.userUpdate(le32(3000), le32(0), 0), "ifindex 0");
        assertEquals(-Errno.EINVAL, m.userUpdate(le32(3000), le32(1), 3));
        assertEquals(0, m.userDelete(le32(1000)));
        assertEquals(-Errno.ENOENT, m.userDelete(le32(1000)));
        assertArrayEquals(le32(8), m.userLookup(le32(2000)));
    }

    @Test
    void devmapHashNextKeyVisitsAll() {
        BpfMap m = create(MapType.DEVMAP_HASH, 4, 8);
        for (int k : new int[] {3, 11, 19, 4}) { // 3, 11, 19 share a bucket
            m.userUpdate(le32(k), le32(1), 0);
        }
        List<Long> keys = new ArrayList<>();
        for (byte[] k = m.userNextKey(null); k != null; k = m.userNextKey(k)) {
            keys.add(readLe(k, 0, 4));
        }
        assertEquals(List.of(19L, 11L, 3L, 4L), keys, "bucket order, newest first within a bucket");
    }

    // ---- CPUMAP ----

    @Test
    void cpumapCodes() {
        BpfMap m = create(MapType.CPUMAP, 4, 64);
        assertEquals(-Errno.EINVAL, m.userUpdate(le32(0), le32(192), 3));
        assertEquals(-Errno.E2BIG, m.userUpdate(le32(64), le32(192), 0));
        assertEquals(-Errno.EEXIST, m.userUpdate(le32(0), le32(192), MapFlags.BPF_NOEXIST));
        assertEquals(-Errno.EOVERFLOW, m.userUpdate(le32(0), le32(16385), 0));
        if (Cpus.possible() < 64) {
            assertEquals(-Errno.ENODEV, m.userUpdate(le32(Cpus.possible()), le32(192), 0));
        }
        assertEquals(0, m.userUpdate(le32(0), le32(16384), 0));
        assertTrue(m.hasRedirectTarget(0));
        assertEquals(16384, ((CpuMap) m).qsize(0));
        assertArrayEquals(le32(16384), m.userLookup(le32(0)));
        assertEquals(0, m.userUpdate(le32(0), le32(0), 0), "qsize 0 deletes");
        assertFalse(m.hasRedirectTarget(0));
        assertEquals(0, m.userDelete(le32(0)));
        assertEquals(-Errno.EINVAL, m.userDelete(le32(64)));
    }

    @Test
    void cpumapProgramLookupIsReadOnlyValue() {
        BpfMap m = create(MapType.CPUMAP, 8, 4);
        assertEquals(0, m.userUpdate(le32(0), val(100, 0), 0));
        long v = m.lookup(f.u32(0), 0);
        assertEquals(100, Mem.getU32(v));
        assertEquals(0, Mem.getU32(v + 4));
        assertEquals(0, m.lookup(f.u32(1), 0));
        assertEquals(-Errno.ENOMEM, m.userUpdate(le32(0), val(100, 3), 0),
                "an fd that is no cpumap program fails the entry's allocation, as the kernel's");
    }

    // ---- XSKMAP ----

    @Test
    void xskmapHasNoSockets() {
        BpfMap m = create(MapType.XSKMAP, 4, 4);
        assertEquals(-Errno.ENOTSOCK, m.userUpdate(le32(0), le32(3), 0));
        assertEquals(-Errno.E2BIG, m.userUpdate(le32(4), le32(3), 0));
        assertEquals(-Errno.EINVAL, m.userUpdate(le32(0), le32(3), 3));
        assertEquals(0, m.lookup(f.u32(0), 0));
        assertNull(m.userLookup(le32(0)));
        assertFalse(m.hasRedirectTarget(0));
        assertEquals(0, m.userDelete(le32(0)));
        assertEquals(-Errno.EINVAL, m.userDelete(le32(4)));
        assertArrayEquals(le32(1), m.userNextKey(le32(0)));
    }

    // ---- creation ----

    @Test
    void creationChecks() {
        assertThrows(BpfException.class, () -> create(MapType.DEVMAP, 6, 4));
        assertThrows(BpfException.class, () -> create(MapType.DEVMAP_HASH, 12, 4));
        assertThrows(BpfException.class, () -> create(MapType.CPUMAP, 12, 4));
        assertThrows(BpfException.class, () -> create(MapType.CPUMAP, 4, 8193));
        assertThrows(BpfException.class, () -> create(MapType.XSKMAP, 8, 4));
        assertThrows(BpfException.class, () -> create(MapType.DEVMAP, 4, 0));
        assertThrows(BpfException.class, () -> Maps.create(spec("d", MapType.DEVMAP, 4, 4, 4, MapFlags.BPF_F_NO_PREALLOC)));
        assertEquals(Region.Kind.MAP_OBJECT, create(MapType.XSKMAP, 4, 1).regions().get(0).kind());
    }

    @Test
    void otherMapsHaveNoRedirectTargets() {
        BpfMap m = create(MapType.ARRAY, 8, 4);
        m.userUpdate(le32(0), le64(1), 0);
        assertFalse(m.hasRedirectTarget(0));
    }
}
