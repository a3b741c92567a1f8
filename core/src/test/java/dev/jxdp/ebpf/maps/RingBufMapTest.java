package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.mem.Region;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.jxdp.ebpf.maps.MapFixture.spec;
import static org.junit.jupiter.api.Assertions.*;

class RingBufMapTest {

    private final MapFixture f = new MapFixture();
    private final List<BpfMap> maps = new ArrayList<>();

    private RingBufMap ring(int size) {
        RingBufMap m = (RingBufMap) Maps.create(spec("events", MapType.RINGBUF, 0, 0, size, 0));
        maps.add(m);
        return m;
    }

    @AfterEach
    void close() {
        maps.forEach(BpfMap::close);
        f.close();
    }

    private static void fill(long addr, int n, int seed) {
        for (int i = 0; i < n; i++) {
            Mem.putU8(addr + i, seed + i);
        }
    }

    private static byte[] expected(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }

    @Test
    void reserveSubmitConsume() {
        RingBufMap r = ring(4096);
        long a = r.reserve(5, 0);
        assertNotEquals(0, a);
        fill(a, 5, 1);
        assertTrue(r.consume().isEmpty(), "a reserved record is not visible");
        r.submit(a, 0);
        List<byte[]> got = r.consume();
        assertEquals(1, got.size());
        assertArrayEquals(expected(5, 1), got.get(0));
        assertEquals(16, r.consumerPosition(), "8-byte header + 5 bytes rounded up to 8");
        assertTrue(r.consume().isEmpty());
    }

    @Test
    void aCommitRefusesWhatIsNotAReservedRecord() {
        RingBufMap r = ring(4096);
        long a = r.reserve(16, 0);
        long hdr = a - RingBufMap.HDR_SIZE;
        // a program (given a wrong proof, or no verifier) wrote the header: a length far past the ring
        Mem.putU32(hdr, RingBufMap.BUSY_BIT | 0x3fff_0000);
        assertFalse(r.submit(a, 0), "its copy would run past the ring's second half");
        Mem.putU32(hdr, RingBufMap.BUSY_BIT | 16);
        assertFalse(r.submit(a + 8, 0), "not a record's start");
        assertFalse(r.discard(r.ringSize() * 4, 0), "not in the ring");
        assertTrue(r.submit(a, 0));
        assertFalse(r.submit(a, 0), "committed already");
        assertEquals(1, r.consume().size());
    }

    @Test
    void headerFormat() {
        RingBufMap r = ring(4096);
        long a = r.reserve(12, 0);
        long hdr = a - RingBufMap.HDR_SIZE;
        assertEquals(12 | RingBufMap.BUSY_BIT, Mem.getI32(hdr));
        assertEquals(3, Mem.getU32(hdr + 4), "pg_off: the data starts 3 pages into struct bpf_ringbuf");
        r.submit(a, 0);
        assertEquals(12, Mem.getI32(hdr));
        long b = r.reserve(4, 0);
        r.discard(b, 0);
        assertEquals(4 | RingBufMap.DISCARD_BIT, Mem.getI32(b - 8));
        assertEquals(a + 16, b - 8, "records are 8-byte aligned");
    }

    @Test
    void discardedRecordsAreSkipped() {
        RingBufMap r = ring(4096);
        long a = r.reserve(8, 0);
        long b = r.reserve(8, 0);
        fill(b, 8, 50);
        r.discard(a, 0);
        r.submit(b, MapFlags.BPF_RB_NO_WAKEUP);
        List<byte[]> got = r.consume();
        assertEquals(1, got.size());
        assertArrayEquals(expected(8, 50), got.get(0));
        assertEquals(32, r.consumerPosition());
    }

    @Test
    void anUnsubmittedRecordBlocksLaterOnes() {
        RingBufMap r = ring(4096);
        long a = r.reserve(8, 0);
        long b = r.reserve(8, 0);
        fill(a, 8, 1);
        fill(b, 8, 2);
        r.submit(b, 0);
        assertTrue(r.consume().isEmpty());
        r.submit(a, 0);
        List<byte[]> got = r.consume();
        assertEquals(2, got.size());
        assertArrayEquals(expected(8, 1), got.get(0));
        assertArrayEquals(expected(8, 2), got.get(1));
    }

    @Test
    void reserveRefusals() {
        RingBufMap r = ring(4096);
        assertEquals(0, r.reserve(8, 1), "flags must be 0");
        assertEquals(0, r.reserve(4096, 0), "can never fit");
        assertEquals(0, r.reserve(4088, 0), "the whole ring: producer may not get ring_size ahead");
        assertEquals(0, r.reserve(-1, 0));
        long a = r.reserve(4080, 0);
        assertNotEquals(0, a);
        assertEquals(0, r.reserve(1, 0), "full");
        r.submit(a, 0);
        assertEquals(0, r.reserve(1, 0), "still full until consumed");
        assertEquals(1, r.consume().size());
        assertNotEquals(0, r.reserve(1, 0));
    }

    @Test
    void pendingRecordLimitsTheSpan() {
        RingBufMap r = ring(4096);
        long a = r.reserve(2000, 0); // stays reserved
        long b = r.reserve(1000, 0);
        r.submit(b, 0);
        assertTrue(r.consume().isEmpty());
        assertEquals(0, r.reserve(1500, 0), "would put the newest record ring_size past the oldest pending one");
        r.discard(a, 0);
        assertEquals(1, r.consume().size());
    }

    @Test
    void wrapKeepsRecordsContiguousAndMirrorsTheRing() {
        RingBufMap r = ring(4096);
        int seed = 0;
        for (int round = 0; round < 40; round++) {
            int size = 700 + round * 13;
            long a = r.reserve(size, 0);
            assertNotEquals(0, a, "round " + round);
            fill(a, size, seed);
            long hdrOff = a - 8 - ringBase(r);
            r.submit(a, 0);
            if (hdrOff + 8 + size > 4096) {
                // the tail written past the end now also sits at the ring's start, as the kernel's double map shows it
                long tail = hdrOff + 8 + size - 4096;
                assertEquals(Mem.getU8(ringBase(r) + 4096), Mem.getU8(ringBase(r)));
                assertEquals(Mem.getU8(ringBase(r) + 4096 + tail - 1), Mem.getU8(ringBase(r) + tail - 1));
            }
            List<byte[]> got = r.consume();
            assertEquals(1, got.size());
            assertArrayEquals(expected(size, seed), got.get(0), "round " + round);
            seed += 7;
        }
        assertTrue(r.consumerPosition() > 4096 * 5);
    }

    private static long ringBase(RingBufMap r) {
        return r.regions().stream().filter(x -> x.kind() == Region.Kind.RINGBUF).findFirst().orElseThrow().base();
    }

    @Test
    void output() {
        RingBufMap r = ring(4096);
        long src = f.bytes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertEquals(0, r.output(src, 10, 0));
        assertEquals(0, r.output(src, 3, MapFlags.BPF_RB_FORCE_WAKEUP));
        assertEquals(-Errno.EINVAL, r.output(src, 3, 4));
        assertEquals(-Errno.EAGAIN, r.output(src, 5000, 0), "too big for the ring");
        List<byte[]> got = r.consume();
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, got.get(0));
        assertArrayEquals(new byte[] {1, 2, 3}, got.get(1));
        for (int i = 0; i < 1000; i++) {
            if (r.output(src, 10, 0) != 0) {
                assertEquals(-Errno.EAGAIN, r.output(src, 10, 0));
                assertEquals(170, i, "at most 4095 bytes ahead: 170 records of 8 + 10 bytes rounded to 24");
                return;
            }
        }
        fail("never full");
    }

    @Test
    void query() {
        RingBufMap r = ring(8192);
        assertEquals(8192, r.query(MapFlags.BPF_RB_RING_SIZE));
        long a = r.reserve(16, 0);
        assertEquals(24, r.query(MapFlags.BPF_RB_AVAIL_DATA), "reserved records count as produced");
        assertEquals(24, r.query(MapFlags.BPF_RB_PROD_POS));
        assertEquals(0, r.query(MapFlags.BPF_RB_CONS_POS));
        r.submit(a, 0);
        r.consume();
        assertEquals(24, r.query(MapFlags.BPF_RB_CONS_POS));
        assertEquals(0, r.query(MapFlags.BPF_RB_AVAIL_DATA));
        assertEquals(0, r.query(99));
    }

    @Test
    void recordsLieInTheRingbufRegion() {
        RingBufMap r = ring(4096);
        long a = r.reserve(100, 0);
        Region reg = r.regions().stream().filter(x -> x.contains(a, 100)).findFirst().orElseThrow();
        assertEquals(Region.Kind.RINGBUF, reg.kind());
        assertTrue(reg.writable());
    }

    @Test
    void mapOperationsAreNotSupported() {
        RingBufMap r = ring(4096);
        assertEquals(0, r.lookup(f.u32(0), 0));
        assertEquals(-Errno.ENOTSUPP, r.update(f.u32(0), f.u32(0), 0, 0));
        assertEquals(-Errno.ENOTSUPP, r.userUpdate(new byte[0], new byte[0], 0));
        assertNull(r.userNextKey(null));
    }

    @Test
    void creationChecks() {
        assertThrows(BpfException.class, () -> ring(4096 * 3));
        assertThrows(BpfException.class, () -> ring(2048));
        assertThrows(BpfException.class, () -> ring(0));
        assertThrows(BpfException.class, () -> Maps.create(spec("e", MapType.RINGBUF, 4, 0, 4096, 0)));
        assertThrows(BpfException.class, () -> Maps.create(spec("e", MapType.RINGBUF, 0, 0, 4096, MapFlags.BPF_F_MMAPABLE)));
    }
}
