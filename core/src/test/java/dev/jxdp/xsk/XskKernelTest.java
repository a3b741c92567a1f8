package dev.jxdp.xsk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jxdp.kernel.Bpf;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * jxdp's ring and UMEM classes against the running kernel's AF_XDP: the offsets it reports, its own
 * mmapped rings driven by {@link XskProdRing} and {@link XskConsRing}, its UMEM checks and its count of
 * invalid TX descriptors. Needs CAP_NET_RAW: without it the tests abort, except under CI=true, where
 * they must run; any other failure to make a socket (a kernel without AF_XDP) fails them.
 */
class XskKernelTest {

    private static final int EPERM = 1;
    private static final int EACCES = 13;
    private static final int EBUSY = 16;
    private static final int EINVAL = 22;
    private static final int RING = 2048;

    private final List<Integer> fds = new ArrayList<>();
    private final List<MemorySegment> maps = new ArrayList<>();
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void close() {
        maps.forEach(XskSys::munmap);
        fds.forEach(XskSys::close);
        arena.close();
    }

    /** A fresh AF_XDP socket, or the test aborted (no privilege) or failed (anything else). */
    private int socket() {
        int fd = XskSys.socket();
        if (fd >= 0) {
            fds.add(fd);
            return fd;
        }
        int errno = -fd;
        String why = "socket(AF_XDP, SOCK_RAW, 0): " + Bpf.errnoName(errno);
        if (errno != EPERM && errno != EACCES) {
            fail(why + (errno == 97 ? " (EAFNOSUPPORT: a kernel without CONFIG_XDP_SOCKETS)" : ""));
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("CI=true but " + why + ": AF_XDP needs CAP_NET_RAW");
        }
        Assumptions.abort(why + ": AF_XDP needs CAP_NET_RAW");
        return -1;
    }

    private static void ok(int rc, String what) {
        if (rc < 0) {
            fail(what + ": " + Bpf.errnoName(-rc));
        }
    }

    @Test
    void kernelOffsetsAreJxdpsLayout() {
        int fd = socket();
        XdpMmapOffsets off = XskSys.mmapOffsets(fd);
        System.out.println("XDP_MMAP_OFFSETS: " + off);
        assertEquals(XdpMmapOffsets.DEFAULT, off);
    }

    @Test
    void offsetsDoNotDependOnRingsBeingSized() {
        int bare = socket();
        int sized = socket();
        ok(XskSys.setsockoptInt(sized, IfXdp.SOL_XDP, IfXdp.XDP_RX_RING, RING), "XDP_RX_RING");
        ok(XskSys.setsockoptInt(sized, IfXdp.SOL_XDP, IfXdp.XDP_TX_RING, RING), "XDP_TX_RING");
        assertEquals(XskSys.mmapOffsets(bare), XskSys.mmapOffsets(sized));
    }

    /** A socket with a registered UMEM and all four rings sized and mmapped, wrapped in jxdp's classes. */
    private record Live(int fd, Umem umem, XskRing fill, XskRing comp, XskRing rx, XskRing tx) {}

    private Live live(Umem umem) {
        int fd = socket();
        UmemConfig c = umem.config();
        ok(XskSys.umemReg(fd, umem.region(), c.size(), c.chunkSize(), c.headroom(),
                c.unaligned() ? IfXdp.XDP_UMEM_UNALIGNED_CHUNK_FLAG : 0), "XDP_UMEM_REG");
        for (XskRingType t : XskRingType.values()) {
            ok(XskSys.setsockoptInt(fd, IfXdp.SOL_XDP, t.sockopt(), RING), t + " ring size");
        }
        XdpMmapOffsets off = XskSys.mmapOffsets(fd);
        return new Live(fd, umem, map(fd, XskRingType.FILL, off), map(fd, XskRingType.COMPLETION, off),
                map(fd, XskRingType.RX, off), map(fd, XskRingType.TX, off));
    }

    private XskRing map(int fd, XskRingType type, XdpMmapOffsets off) {
        XdpRingOffsets o = off.of(type);
        int[] errno = new int[1];
        MemorySegment m = XskSys.mmapRing(fd, o.ringBytes(RING, type.entrySize()), type.pgoff(), errno);
        if (m == null) {
            fail("mmap " + type + " ring: " + Bpf.errnoName(errno[0]));
        }
        maps.add(m);
        return XskRing.wrap(m, type, RING, o);
    }

    @Test
    void kernelRingsAreDrivenByJxdpsClasses() {
        try (Umem umem = Umem.allocate(UmemConfig.DEFAULT)) {
            Live s = live(umem);
            XskProdRing fill = s.fill().producer();
            assertEquals(0, fill.producer());
            assertEquals(0, fill.consumer());
            assertEquals(RING, fill.freeEntries(RING), "an empty ring of the kernel's size");
            assertEquals(RING, fill.reserve(RING));
            for (int i = 0; i < RING; i++) {
                fill.setAddr(fill.firstIndex() + i, umem.frameAddr(i));
            }
            fill.submit(RING);
            MemorySegment m = s.fill().memory();
            assertEquals(RING, m.get(ValueLayout.JAVA_INT, s.fill().offsets().producer()));
            assertEquals(umem.frameAddr(7), m.get(ValueLayout.JAVA_LONG, s.fill().offsets().desc() + 7 * 8));
            assertEquals(0, s.rx().consumer().peek(1), "nothing received on an unbound socket");
        }
    }

    @Test
    void mappingMoreThanTheRingIsRefused() {
        try (Umem umem = Umem.allocate(UmemConfig.DEFAULT)) {
            Live s = live(umem);
            XdpRingOffsets o = s.tx().offsets();
            long pageAligned = (o.ringBytes(RING, XdpDescLayout.SIZE) + 4095) & -4096L;
            int[] errno = new int[1];
            MemorySegment m = XskSys.mmapRing(s.fd(), pageAligned + 4096, IfXdp.XDP_PGOFF_TX_RING, errno);
            if (m != null) {
                maps.add(m);
            }
            assertEquals(null, m, "the kernel's TX ring is no bigger than jxdp computes, to the page");
            assertEquals(EINVAL, errno[0]);
        }
    }

    @Test
    void umemRegistrationAgreesWithUmemConfig() {
        UmemConfig[] configs = {
            new UmemConfig(64, 4096, 0, false),
            new UmemConfig(64, 2048, 0, false),
            new UmemConfig(64, 2048, 1344, false),
            new UmemConfig(64, 2048, 1345, false),
            new UmemConfig(64, 2048, 1791, false),
            new UmemConfig(64, 4096, 3392, false),
            new UmemConfig(64, 4096, 3393, false),
            new UmemConfig(64, 3000, 2296, true),
            new UmemConfig(64, 3000, 2297, true),
            new UmemConfig(64, 1024, 0, false),
            new UmemConfig(64, 3000, 0, false),
            new UmemConfig(64, 3000, 0, true),
            new UmemConfig(64, 2049, 100, true),
            new UmemConfig(64, 8192, 0, false),
            new UmemConfig(64, 8192, 0, true),
        };
        MemorySegment region = arena.allocate(64L * 8192, Umem.PAGE_SIZE);
        StringBuilder disagree = new StringBuilder();
        for (UmemConfig c : configs) {
            int fd = socket();
            int rc = XskSys.umemReg(fd, region, c.size(), c.chunkSize(), c.headroom(),
                    c.unaligned() ? IfXdp.XDP_UMEM_UNALIGNED_CHUNK_FLAG : 0);
            boolean kernelTakes = rc == 0;
            boolean jxdpTakes = c.problem() == null;
            if (rc < 0 && rc != -EINVAL) {
                fail(c + ": XDP_UMEM_REG " + Bpf.errnoName(-rc));
            }
            if (kernelTakes != jxdpTakes) {
                disagree.append(c).append(": kernel ").append(kernelTakes ? "takes it" : "EINVAL")
                        .append(", jxdp ").append(jxdpTakes ? "takes it" : c.problem()).append('\n');
            }
        }
        assertEquals("", disagree.toString());
    }

    private static int loopbackIfindex() {
        try {
            return Integer.parseInt(Files.readString(Path.of("/sys/class/net/lo/ifindex")).strip());
        } catch (IOException | NumberFormatException e) {
            return 1;
        }
    }

    // the kernel frees a closed socket's hold on a queue from a work item (xp_release_deferred()), so a bind
    // right after another test's socket closed can find the queue still taken: EBUSY, for a moment
    private static void bindLo(int fd) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        int rc;
        while ((rc = XskSys.bind(fd, loopbackIfindex(), 0, XskSys.XDP_COPY)) == -EBUSY && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        ok(rc, "bind to lo queue 0 in copy mode");
    }

    /** struct xdp_statistics: rx_dropped, rx_invalid_descs, tx_invalid_descs, ... (u64 each). */
    private static long txInvalidDescs(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(48, 8);
            ok(XskSys.getsockopt(fd, IfXdp.SOL_XDP, IfXdp.XDP_STATISTICS, st), "XDP_STATISTICS");
            return st.get(ValueLayout.JAVA_LONG, 16);
        }
    }

    @Test
    void kernelTransmitsFromJxdpsTxRingAndCountsWhatCheckDescRefuses() throws Exception {
        try (Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(64))) {
            List<Long> valid = transmit(umem, new long[][] {
                {umem.frameAddr(0), 60, 0},
                {umem.frameAddr(1) + 4000, 200, 0},   // crosses into chunk 2
                {umem.frameAddr(2), 0, 0},            // zero length
                {umem.frameAddr(64), 60, 0},          // past the UMEM
                {umem.frameAddr(3), 60, 1 << 5},      // unknown option
                {umem.frameAddr(4) + 64, 60, 0},      // inside a chunk, not at its start: fine when aligned
                {umem.frameAddr(5), 4096, 0},         // the whole chunk
                {OFFSET * 64 + umem.frameAddr(6), 60, 0},   // an unaligned-mode address
            });
            assertEquals(List.of(umem.frameAddr(0), umem.frameAddr(4) + 64, umem.frameAddr(5)), valid);
        }
    }

    private static final long OFFSET = 1L << IfXdp.XSK_UNALIGNED_BUF_OFFSET_SHIFT;

    @Test
    void kernelAgreesWithCheckDescInUnalignedMode() throws Exception {
        try (Umem umem = Umem.allocate(new UmemConfig(16, 3000, 0, true))) {   // 48,000 bytes
            List<Long> valid = transmit(umem, new long[][] {
                {100, 60, 0},
                {OFFSET * 40 + 5000, 3000, 0},        // base plus offset, a whole chunk
                {4000, 3000, 0},                      // across a page boundary
                {0, 3001, 0},                         // longer than a chunk
                {48_000 - 60, 60, 0},                 // the last bytes
                {48_000 - 59, 60, 0},                 // one past the end
                {OFFSET * 0xffff + 47_000, 60, 0},    // base inside, base plus offset outside
                {7000, 0, 0},                         // zero length
            });
            assertEquals(List.of(100L, OFFSET * 40 + 5000, 4000L, 48_000L - 60), valid);
        }
    }

    /**
     * Binds a socket with {@code umem} to lo in copy mode, puts {@code descs} ({addr, len, options}) on its
     * TX ring with jxdp's classes and kicks until the kernel has consumed them all; asserts that the kernel
     * counted as tx_invalid_descs exactly those {@link Umem#checkDesc} refuses, and that the rest completed in
     * order. Returns the addresses checkDesc takes.
     */
    private List<Long> transmit(Umem umem, long[][] descs) throws InterruptedException {
        Live s = live(umem);
        bindLo(s.fd());
        List<Long> valid = new ArrayList<>();
        XskProdRing tx = s.tx().producer();
        assertEquals(descs.length, tx.reserve(descs.length));
        for (int i = 0; i < descs.length; i++) {
            long[] d = descs[i];
            tx.setDesc(tx.firstIndex() + i, d[0], (int) d[1], (int) d[2]);
            if (umem.checkDesc(d[0], (int) d[1], (int) d[2]) == XskDescCheck.VALID) {
                valid.add(d[0]);
                dropMe(umem.region(), umem.dataOffset(d[0]));
            }
        }
        tx.submit(descs.length);
        // copy mode stops at each invalid descriptor, skipping it: kick until the kernel has consumed all
        XskConsRing comp = s.comp().consumer();
        List<Long> completed = new ArrayList<>();
        long deadline = System.nanoTime() + 2_000_000_000L;
        while ((tx.consumer() != descs.length || completed.size() < valid.size()) && System.nanoTime() < deadline) {
            XskSys.kick(s.fd());
            int n = comp.peek(RING);
            for (int i = 0; i < n; i++) {
                completed.add(comp.addr(comp.firstIndex() + i));
            }
            comp.release(n);
            Thread.sleep(1);
        }
        assertEquals(descs.length, tx.consumer(), "the kernel consumed every TX entry, valid or not");
        assertEquals(descs.length - valid.size(), txInvalidDescs(s.fd()),
                "the kernel refused what checkDesc refuses; completed " + completed);
        // the valid ones complete in order; this kernel also hands the refused ones' addresses back on the
        // completion ring (6.18 does; older kernels did not), so only the valid ones' order is asserted
        assertEquals(valid, completed.stream().filter(valid::contains).toList(), "completed " + completed);
        return valid;
    }

    // a frame the stack drops at once: broadcast, an ethertype nobody listens to (IEEE local experimental)
    private static void dropMe(MemorySegment region, long at) {
        for (int i = 0; i < 6; i++) {
            region.set(ValueLayout.JAVA_BYTE, at + i, (byte) 0xff);
        }
        region.set(ValueLayout.JAVA_BYTE, at + 12, (byte) 0x88);
        region.set(ValueLayout.JAVA_BYTE, at + 13, (byte) 0xb5);
    }
}
