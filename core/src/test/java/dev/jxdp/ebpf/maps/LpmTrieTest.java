package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.mem.Mem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import static dev.jxdp.ebpf.maps.MapFixture.le32;
import static dev.jxdp.ebpf.maps.MapFixture.readLe;
import static dev.jxdp.ebpf.maps.MapFixture.spec;
import static org.junit.jupiter.api.Assertions.*;

class LpmTrieTest {

    private final MapFixture f = new MapFixture();
    private final List<BpfMap> maps = new ArrayList<>();

    @AfterEach
    void close() {
        maps.forEach(BpfMap::close);
        f.close();
    }

    private BpfMap trie(int dataSize, int max) {
        BpfMap m = Maps.create(spec("lpm", MapType.LPM_TRIE, 4 + dataSize, 4, max, MapFlags.BPF_F_NO_PREALLOC));
        maps.add(m);
        return m;
    }

    /** A struct bpf_lpm_trie_key_u8: prefixlen (host order) then the address bytes (network order). */
    static byte[] key(String addr, int prefixlen) {
        try {
            byte[] a = InetAddress.getByName(addr).getAddress();
            byte[] k = new byte[4 + a.length];
            System.arraycopy(le32(prefixlen), 0, k, 0, 4);
            System.arraycopy(a, 0, k, 4, a.length);
            return k;
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static long value(BpfMap m, String addr, int bits) {
        byte[] v = m.userLookup(key(addr, bits));
        return v == null ? -1 : readLe(v, 0, 4);
    }

    @Test
    void ipv4LongestPrefixWinsWithOverlaps() {
        BpfMap m = trie(4, 16);
        assertEquals(0, m.userUpdate(key("10.0.0.0", 8), le32(8), 0));
        assertEquals(0, m.userUpdate(key("10.1.0.0", 16), le32(16), 0));
        assertEquals(0, m.userUpdate(key("10.1.2.0", 24), le32(24), 0));
        assertEquals(0, m.userUpdate(key("10.1.2.3", 32), le32(32), 0));
        assertEquals(0, m.userUpdate(key("0.0.0.0", 0), le32(0), 0));
        assertEquals(32, value(m, "10.1.2.3", 32));
        assertEquals(24, value(m, "10.1.2.4", 32));
        assertEquals(16, value(m, "10.1.3.1", 32));
        assertEquals(8, value(m, "10.200.0.1", 32));
        assertEquals(0, value(m, "192.168.0.1", 32));
        assertEquals(16, value(m, "10.1.2.3", 20), "the lookup key's own prefixlen caps the match");
    }

    @Test
    void ipv4NoMatchWithoutDefaultRoute() {
        BpfMap m = trie(4, 4);
        m.userUpdate(key("192.168.0.0", 16), le32(1), 0);
        assertEquals(-1, value(m, "192.169.0.1", 32));
        assertEquals(1, value(m, "192.168.255.255", 32));
    }

    @Test
    void ipv6LongestPrefix() {
        BpfMap m = trie(16, 8);
        m.userUpdate(key("2001:db8::", 32), le32(32), 0);
        m.userUpdate(key("2001:db8:1::", 48), le32(48), 0);
        m.userUpdate(key("2001:db8:1:2::", 64), le32(64), 0);
        m.userUpdate(key("2001:db8:1:2::1", 128), le32(128), 0);
        assertEquals(128, value(m, "2001:db8:1:2::1", 128));
        assertEquals(64, value(m, "2001:db8:1:2::2", 128));
        assertEquals(48, value(m, "2001:db8:1:3::1", 128));
        assertEquals(32, value(m, "2001:db8:ffff::1", 128));
        assertEquals(-1, value(m, "2001:db9::1", 128));
    }

    @Test
    void programLookupReturnsWritableValueAddress() {
        BpfMap m = trie(4, 4);
        m.userUpdate(key("10.0.0.0", 8), le32(5), 0);
        long v = m.lookup(f.bytes(key("10.9.9.9", 32)), 0);
        assertNotEquals(0, v);
        Mem.putU32(v, 6);
        assertEquals(6, value(m, "10.0.0.0", 8));
        assertEquals(0, m.lookup(f.bytes(key("11.0.0.0", 32)), 0));
        assertEquals(0, m.lookup(f.bytes(key("10.0.0.0", 33)), 0), "prefixlen beyond the data: no match");
    }

    @Test
    void updateFlagsAndErrors() {
        BpfMap m = trie(4, 2);
        assertEquals(-Errno.ENOENT, m.userUpdate(key("10.0.0.0", 8), le32(1), MapFlags.BPF_EXIST));
        assertEquals(0, m.userUpdate(key("10.0.0.0", 8), le32(1), MapFlags.BPF_NOEXIST));
        assertEquals(-Errno.EEXIST, m.userUpdate(key("10.0.0.0", 8), le32(2), MapFlags.BPF_NOEXIST));
        assertEquals(0, m.userUpdate(key("10.0.0.0", 8), le32(3), MapFlags.BPF_EXIST));
        assertEquals(-Errno.EINVAL, m.userUpdate(key("10.0.0.0", 33), le32(1), 0));
        assertEquals(-Errno.EINVAL, m.userUpdate(key("10.0.0.0", 8), le32(1), 4));
        assertEquals(0, m.userUpdate(key("11.0.0.0", 8), le32(1), 0));
        assertEquals(-Errno.ENOSPC, m.userUpdate(key("12.0.0.0", 8), le32(1), 0));
        assertEquals(0, m.userUpdate(key("11.0.0.0", 8), le32(9), 0), "in-place update of a full trie");
        assertEquals(9, value(m, "11.1.1.1", 32));
    }

    @Test
    void deleteNeedsExactPrefix() {
        BpfMap m = trie(4, 8);
        m.userUpdate(key("10.0.0.0", 8), le32(8), 0);
        m.userUpdate(key("10.1.0.0", 16), le32(16), 0);
        assertEquals(-Errno.ENOENT, m.userDelete(key("10.0.0.0", 9)));
        assertEquals(-Errno.ENOENT, m.userDelete(key("10.1.0.0", 24)));
        assertEquals(-Errno.EINVAL, m.userDelete(key("10.0.0.0", 40)));
        assertEquals(0, m.userDelete(key("10.0.0.0", 8)));
        assertEquals(-1, value(m, "10.9.0.0", 32));
        assertEquals(16, value(m, "10.1.0.1", 32));
        assertEquals(-Errno.ENOENT, m.userDelete(key("10.0.0.0", 8)));
    }

    @Test
    void deleteKeepsSiblingsThroughIntermediateNodes() {
        BpfMap m = trie(4, 8);
        m.userUpdate(key("192.168.0.0", 24), le32(1), 0);
        m.userUpdate(key("192.168.1.0", 24), le32(2), 0); // joined by an intermediate /23
        m.userUpdate(key("192.168.128.0", 24), le32(3), 0);
        assertEquals(0, m.userDelete(key("192.168.0.0", 24)));
        assertEquals(2, value(m, "192.168.1.7", 32));
        assertEquals(3, value(m, "192.168.128.7", 32));
        assertEquals(-1, value(m, "192.168.0.7", 32));
        assertEquals(0, m.userDelete(key("192.168.1.0", 24)));
        assertEquals(3, value(m, "192.168.128.7", 32));
        assertEquals(1, ((LpmTrie) m).count());
        // a node with two children becomes intermediate: its prefix stops matching, the children stay
        m.userUpdate(key("192.168.0.0", 16), le32(16), 0);
        m.userUpdate(key("192.168.0.0", 24), le32(1), 0);
        assertEquals(0, m.userDelete(key("192.168.0.0", 16)));
        assertEquals(-1, value(m, "192.168.64.1", 32));
        assertEquals(1, value(m, "192.168.0.1", 32));
        assertEquals(3, value(m, "192.168.128.1", 32));
        // and turning it back into a real node counts as a new entry
        assertEquals(-Errno.ENOENT, m.userUpdate(key("192.168.0.0", 16), le32(5), MapFlags.BPF_EXIST));
        assertEquals(0, m.userUpdate(key("192.168.0.0", 16), le32(5), MapFlags.BPF_NOEXIST));
        assertEquals(5, value(m, "192.168.64.1", 32));
    }

    @Test
    void nextKeyIsPostorderMoreSpecificFirst() {
        BpfMap m = trie(4, 8);
        // the example at the top of the kernel's lpm_trie.c
        m.userUpdate(key("192.168.0.0", 16), le32(1), 0);
        m.userUpdate(key("192.168.0.0", 24), le32(2), 0);
        m.userUpdate(key("192.168.1.0", 24), le32(3), 0);
        m.userUpdate(key("192.168.128.0", 24), le32(4), 0);
        List<String> order = new ArrayList<>();
        for (byte[] k = m.userNextKey(null); k != null; k = m.userNextKey(k)) {
            order.add((k[4] & 0xff) + "." + (k[5] & 0xff) + "." + (k[6] & 0xff) + "." + (k[7] & 0xff) + "/" + k[0]);
        }
        assertEquals(List.of("192.168.0.0/24", "192.168.1.0/24", "192.168.128.0/24", "192.168.0.0/16"), order);
        assertArrayEquals(key("192.168.0.0", 24), m.userNextKey(key("10.0.0.0", 8)), "unknown key: leftmost");
    }

    @Test
    void nextKeyOfEmptyTrieIsNull() {
        assertNull(trie(4, 2).userNextKey(null));
    }

    @Test
    void randomRoutesMatchLinearScan() {
        BpfMap m = trie(4, 200);
        java.util.Random rnd = new java.util.Random(3);
        List<int[]> routes = new ArrayList<>(); // {addr, len, value}
        for (int i = 0; i < 200; i++) {
            int len = rnd.nextInt(33);
            int addr = len == 0 ? 0 : rnd.nextInt() & (int) (0xffffffffL << (32 - len));
            byte[] k = new byte[8];
            System.arraycopy(le32(len), 0, k, 0, 4);
            k[4] = (byte) (addr >>> 24);
            k[5] = (byte) (addr >>> 16);
            k[6] = (byte) (addr >>> 8);
            k[7] = (byte) addr;
            if (m.userLookup(k) != null && exact(routes, addr, len) >= 0) {
                continue;
            }
            assertEquals(0, m.userUpdate(k, le32(i), 0));
            routes.add(new int[] {addr, len, i});
        }
        for (int q = 0; q < 2000; q++) {
            int addr = rnd.nextInt();
            int best = -1;
            int bestLen = -1;
            for (int[] r : routes) {
                long maskBits = r[1] == 0 ? 0 : (0xffffffffL << (32 - r[1])) & 0xffffffffL;
                if (((addr ^ r[0]) & maskBits) == 0 && r[1] > bestLen) {
                    bestLen = r[1];
                    best = r[2];
                }
            }
            byte[] k = {32, 0, 0, 0, (byte) (addr >>> 24), (byte) (addr >>> 16), (byte) (addr >>> 8), (byte) addr};
            byte[] v = m.userLookup(k);
            assertEquals(best, v == null ? -1 : (int) readLe(v, 0, 4), "query " + Integer.toHexString(addr));
        }
    }

    private static int exact(List<int[]> routes, int addr, int len) {
        for (int i = 0; i < routes.size(); i++) {
            if (routes.get(i)[0] == addr && routes.get(i)[1] == len) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void creationChecks() {
        assertEquals("map x: LPM_TRIE needs map_flags BPF_F_NO_PREALLOC", assertThrows(BpfException.class,
                () -> Maps.create(spec("x", MapType.LPM_TRIE, 8, 4, 4, 0))).getMessage());
        assertThrows(BpfException.class, () -> Maps.create(spec("x", MapType.LPM_TRIE, 4, 4, 4, MapFlags.BPF_F_NO_PREALLOC)));
        assertThrows(BpfException.class, () -> Maps.create(spec("x", MapType.LPM_TRIE, 261, 4, 4, MapFlags.BPF_F_NO_PREALLOC)));
        assertThrows(BpfException.class, () -> Maps.create(spec("x", MapType.LPM_TRIE, 8, 0, 4, MapFlags.BPF_F_NO_PREALLOC)));
        assertThrows(BpfException.class, () -> Maps.create(spec("x", MapType.LPM_TRIE, 8, 4, 0, MapFlags.BPF_F_NO_PREALLOC)));
    }
}
