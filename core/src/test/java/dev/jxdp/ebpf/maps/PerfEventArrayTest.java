package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.BpfException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import static dev.jxdp.ebpf.maps.MapFixture.le32;
import static dev.jxdp.ebpf.maps.MapFixture.spec;
import static org.junit.jupiter.api.Assertions.*;

/**
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY: the kernel's answers with no event in a slot, with a reader on another
 * CPU and with a full buffer; the raw samples a reader gets (meta, frame bytes, zero padding to 8 with
 * the size word) in order, across the ring's end; the user side's codes (fd_array_map_*()).
 */
class PerfEventArrayTest {

    private final MapFixture f = new MapFixture();
    private final List<BpfMap> maps = new ArrayList<>();

    private PerfEventArray events(int max) {
        PerfEventArray m = (PerfEventArray) Maps.create(spec("events", MapType.PERF_EVENT_ARRAY, 4, 4, max, 0));
        maps.add(m);
        return m;
    }

    @AfterEach
    void close() {
        maps.forEach(BpfMap::close);
        f.close();
    }

    private static byte[] seq(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }

    @Test
    void noReaderIsEnoentAndBeyondMaxEntriesIsE2big() {
        PerfEventArray m = events(4);
        long meta = f.u32(0xdead);
        assertEquals(-Errno.ENOENT, m.output(0, PerfEventArray.BPF_F_CURRENT_CPU, meta, 4, 0, 0));
        assertEquals(-Errno.ENOENT, m.output(1, 3, meta, 4, 0, 0));
        assertEquals(-Errno.E2BIG, m.output(0, 4, meta, 4, 0, 0));
        assertEquals(-Errno.E2BIG, m.output(5, PerfEventArray.BPF_F_CURRENT_CPU, meta, 4, 0, 0),
                "BPF_F_CURRENT_CPU on a CPU past max_entries");
    }

    @Test
    void aReaderOnAnotherCpuIsEopnotsupp() {
        PerfEventArray m = events(4);
        m.attach(2, 2, PerfBuffer.DEFAULT_BYTES);
        long meta = f.u32(1);
        assertEquals(-Errno.EOPNOTSUPP, m.output(0, 2, meta, 4, 0, 0));
        assertEquals(0, m.output(2, 2, meta, 4, 0, 0));
        assertEquals(0, m.output(2, PerfEventArray.BPF_F_CURRENT_CPU, meta, 4, 0, 0));
        assertEquals(2, m.buffers().getFirst().drain().size());
    }

    @Test
    void aSampleIsMetaThenFrameBytesPaddedAsPerfPadsRawData() {
        PerfEventArray m = events(2);
        PerfBuffer b = m.attach(0, 0, PerfBuffer.DEFAULT_BYTES);
        long meta = f.bytes(seq(4, 0x10));
        long frame = f.bytes(seq(64, 0x40));
        assertEquals(0, m.output(0, PerfEventArray.BPF_F_CURRENT_CPU, meta, 4, frame, 64));
        assertEquals(0, m.output(0, 0, meta, 4, frame, 0));
        assertEquals(0, m.output(0, 0, meta, 0, frame, 0));
        List<byte[]> got = b.drain();
        assertEquals(3, got.size());
        // 4 + 64 bytes: with the u32 size word 72, a multiple of 8, so no padding
        byte[] first = new byte[68];
        System.arraycopy(seq(4, 0x10), 0, first, 0, 4);
        System.arraycopy(seq(64, 0x40), 0, first, 4, 64);
        assertArrayEquals(first, got.get(0));
        // 4 bytes: 4 + 4 = 8, none; nothing at all: size 4, four zero bytes
        assertArrayEquals(seq(4, 0x10), got.get(1));
        assertArrayEquals(new byte[4], got.get(2));
        assertTrue(b.drain().isEmpty());
    }

    @Test
    void oddSizesArePaddedWithZeros() {
        PerfEventArray m = events(1);
        PerfBuffer b = m.attach(0, 0, PerfBuffer.DEFAULT_BYTES);
        long meta = f.bytes(seq(3, 1));
        long frame = f.bytes(seq(2, 9));
        assertEquals(0, m.output(0, 0, meta, 3, frame, 2));
        byte[] want = {1, 2, 3, 9, 10, 0, 0, 0, 0, 0, 0, 0};  // 5 bytes + 4 for the size word -> 16
        assertArrayEquals(want, b.drain().getFirst());
    }

    @Test
    void aFullBufferIsEnospcAndCountsLost() {
        PerfEventArray m = events(1);
        PerfBuffer b = m.attach(0, 0, 4096);
        long frame = f.bytes(seq(1020, 0));
        int fit = 0;
        while (m.output(0, 0, frame, 1020, 0, 0) == 0) {
            fit++;
        }
        assertEquals(4, fit, "1024-byte samples in 4096 bytes");
        assertEquals(-Errno.ENOSPC, m.output(0, 0, frame, 1020, 0, 0));
        assertEquals(2, b.lost());
        assertEquals(4, b.drain().size());
        assertEquals(0, m.output(0, 0, frame, 1020, 0, 0), "room again once read");
        assertEquals(-Errno.ENOSPC, m.output(0, 0, f.bytes(seq(8, 0)), 4096, 0, 0), "never fits");
    }

    @Test
    void samplesWrapAroundTheRingIntact() {
        PerfEventArray m = events(1);
        PerfBuffer b = m.attach(0, 0, 4096);
        long meta = f.bytes(seq(12, 0x20));
        long frame = f.bytes(seq(1000, 0x55));
        for (int round = 0; round < 20; round++) {
            assertEquals(0, m.output(0, 0, meta, 12, frame, 1000 - round));
            assertEquals(0, m.output(0, 0, meta, 12, frame, 333));
            List<byte[]> got = b.drain();
            assertEquals(2, got.size());
            for (int i = 0; i < 2; i++) {
                int n = i == 0 ? 1000 - round : 333;
                byte[] s = got.get(i);
                assertEquals(((12 + n + 4 + 7) & ~7) - 4, s.length);
                for (int k = 0; k < 12; k++) {
                    assertEquals((byte) (0x20 + k), s[k]);
                }
                for (int k = 0; k < n; k++) {
                    assertEquals((byte) (0x55 + k), s[12 + k], "round " + round + " byte " + k);
                }
                for (int k = 12 + n; k < s.length; k++) {
                    assertEquals(0, s[k]);
                }
            }
        }
    }

    @Test
    void writingASampleAllocatesNothing() {
        PerfEventArray m = events(1);
        PerfBuffer b = m.attach(0, 0, 1 << 20);
        long meta = f.u32(7);
        long frame = f.bytes(seq(64, 0));
        int[] seen = new int[1];
        PerfBuffer.SampleHandler count = (cpu, data, length) -> seen[0]++;
        for (int i = 0; i < 20_000; i++) {
            m.output(0, PerfEventArray.BPF_F_CURRENT_CPU, meta, 4, frame, 64);
            b.poll(count);
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            m.output(0, PerfEventArray.BPF_F_CURRENT_CPU, meta, 4, frame, 64);
            b.poll(count);
        }
        long after = mx.getCurrentThreadAllocatedBytes();
        assertEquals(120_000, seen[0]);
        assertTrue(after - before < 1024, (after - before) + " bytes allocated for 100,000 samples");
    }

    @Test
    void attachPerCpuFillsTheSlotsOfPossibleCpus() {
        PerfEventArray m = events(512);
        List<PerfBuffer> bs = m.attachPerCpu(4096);
        assertEquals(Math.min(512, Cpus.possible()), bs.size());
        for (int i = 0; i < bs.size(); i++) {
            assertEquals(i, bs.get(i).cpu());
        }
        assertEquals(1, events(1).attachPerCpu(4096).size(), "no more slots than max_entries");
    }

    @Test
    void userSideAnswersAsFdArrayMaps() {
        PerfEventArray m = events(4);
        assertNull(m.userLookup(le32(0)), "the syscall cannot read it (EOPNOTSUPP)");
        assertEquals(-Errno.EBADF, m.userUpdate(le32(0), le32(3), MapFlags.BPF_ANY), "no perf event fds in jxdp");
        assertEquals(-Errno.E2BIG, m.userUpdate(le32(4), le32(3), MapFlags.BPF_ANY));
        assertEquals(-Errno.EINVAL, m.userUpdate(le32(0), le32(3), MapFlags.BPF_NOEXIST));
        assertEquals(-Errno.ENOENT, m.userDelete(le32(1)));
        assertEquals(-Errno.E2BIG, m.userDelete(le32(4)));
        m.attach(1, 1, 4096);
        assertEquals(0, m.userDelete(le32(1)), "closing the reader's slot");
        assertTrue(m.buffers().isEmpty());
        assertArrayEquals(le32(0), m.userNextKey(null));
        assertArrayEquals(le32(3), m.userNextKey(le32(2)));
        assertNull(m.userNextKey(le32(3)));
    }

    @Test
    void creationChecksAreTheKernels() {
        assertThrows(BpfException.class, () -> Maps.create(spec("e", MapType.PERF_EVENT_ARRAY, 4, 8, 4, 0)));
        assertThrows(BpfException.class, () -> Maps.create(spec("e", MapType.PERF_EVENT_ARRAY, 8, 4, 4, 0)));
        assertThrows(BpfException.class, () -> Maps.create(spec("e", MapType.PERF_EVENT_ARRAY, 4, 4, 0, 0)));
        assertThrows(BpfException.class, () -> Maps.create(spec("e", MapType.PERF_EVENT_ARRAY, 4, 4, 4,
                MapFlags.BPF_F_RDONLY_PROG)));
        assertThrows(BpfException.class, () -> Maps.create(spec("e", MapType.PERF_EVENT_ARRAY, 4, 4, 4,
                MapFlags.BPF_F_MMAPABLE)));
        maps.add(Maps.create(spec("e", MapType.PERF_EVENT_ARRAY, 4, 4, 4, MapFlags.BPF_F_PRESERVE_ELEMS)));
    }
}
