package dev.jxdp.xsk;

import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.isa.Asm;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.maps.MapType;
import dev.jxdp.ebpf.maps.XskMap;
import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.io.pktgen.PktGen;
import dev.jxdp.io.pktgen.PktGenDriver;
import dev.jxdp.io.pktgen.PktGenSpec;
import dev.jxdp.xdp.NapiWorker;
import dev.jxdp.xdp.PagePool;
import dev.jxdp.xdp.PassSink;
import dev.jxdp.xdp.RxQueueStats;
import dev.jxdp.xsk.UmemLedger.Place;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reliability cases, each ending with every UMEM chunk in exactly one place ({@link UmemLedger}:
 * fill, RX, TX or completion ring, in flight, the application's, or lost to the application's own bad
 * descriptor) and the datapath's counters consistent: the worker's rx = drop + aborted + tx + redirect +
 * pass + errors, each redirect a frame the socket received, each redirect error a frame it dropped, counted
 * where struct xdp_statistics counts it.
 */
class XskChunkAccountingTest {

    // bpf_redirect_map(&xsks_map, ctx->rx_queue_index, 0), the libxdp default program's shape
    private static final String PROGRAM = """
            r2 = *(u32 *)(r1 +16)
            r1 = map[idx:0] ll
            r3 = 0
            call bpf_redirect_map
            exit""";

    private static final UmemConfig SMALL = UmemConfig.DEFAULT.withFrames(64).withChunkSize(2048);
    private static final UmemConfig UNALIGNED = UmemConfig.DEFAULT.withFrames(16).withChunkSize(3000).withUnaligned(true);

    /** A worker on queue 0 of device 7 whose XSKMAP slot 0 holds the socket, sending from its TX ring. */
    private static final class Rig implements AutoCloseable {
        final PagePool pool = new PagePool(512, true);
        final PagePool.Cache cache = pool.cache();
        final Harness h = new Harness(List.of(Harness.spec("xsks_map", MapType.XSKMAP, 4, 4, 4)), Asm.assemble(PROGRAM));
        final PktGen gen;
        final List<byte[]> sent = new ArrayList<>();
        final NapiWorker w;

        Rig(XdpSock s) {
            this(s, "flows=8,size=64");
        }

        /** Receiving pktgen's frames of {@code spec}. */
        Rig(XdpSock s, String spec) {
            gen = new PktGen(PktGenSpec.parse(spec));
            ((XskMap) h.map(0)).set(0, s);
            w = new NapiWorker(pool, cache, new PktGenDriver(gen, pool, cache, 7, 0, -1), (ids, from, n) -> {
                for (int i = 0; i < n; i++) {
                    int id = ids[from + i];
                    sent.add(Mem.read(pool.address(id) + pool.meta().dataOffset(id), pool.meta().length(id)));
                }
                pool.returnBulk(ids, from, n);
                return n;
            }, PassSink.DISCARD, JitCompiler.verifying().program(h.prog(0)), h.coll, 0, 7, 0).xsk(s);
        }

        /** One poll receiving exactly {@code frames} frames (0: only the TX ring's work). */
        void poll(int frames) {
            assertEquals(frames, w.poll(frames));
        }

        RxQueueStats stats() { return w.stats(); }

        @Override
        public void close() {
            cache.drain();
            int outstanding = pool.framesOutstanding();
            gen.close();
            h.close();
            pool.close();
            assertEquals(0, outstanding, "every page back in the pool");
        }
    }

    /** The application's side: the chunks it holds (their start addresses), and its moves between rings. */
    private static final class App {
        final XdpSock s;
        final Umem umem;
        final ArrayDeque<Long> free = new ArrayDeque<>();
        final List<Long> lost = new ArrayList<>();

        App(XdpSock s) {
            this.s = s;
            this.umem = s.umem();
            for (int i = 0; i < umem.frames(); i++) {
                free.add(umem.frameAddr(i));
            }
        }

        // the start of the test's chunk an address points into (chunk i at i * chunkSize in both modes)
        long chunkStart(long addr) {
            return umem.dataOffset(addr) / umem.chunkSize() * umem.chunkSize();
        }

        void fill(int n) {
            XskProdRing fill = s.fill();
            assertEquals(n, fill.reserve(n));
            for (int i = 0; i < n; i++) {
                fill.setAddr(fill.firstIndex() + i, free.poll());
            }
            fill.submit(n);
        }

        /** Puts raw addresses on the fill ring, as an application with bugs would. */
        void fillRaw(long... addrs) {
            XskProdRing fill = s.fill();
            assertEquals(addrs.length, fill.reserve(addrs.length));
            for (int i = 0; i < addrs.length; i++) {
                fill.setAddr(fill.firstIndex() + i, addrs[i]);
            }
            fill.submit(addrs.length);
        }

        /** Takes every RX descriptor: their addresses, the chunks the application's again. */
        long[] takeRx() {
            XskConsRing rx = s.rx();
            int n = rx.peek(rx.size());
            long[] addrs = new long[n];
            for (int i = 0; i < n; i++) {
                int idx = rx.firstIndex() + i;
                addrs[i] = rx.addr(idx);
                assertEquals(60, rx.len(idx), "pktgen's 64-byte frames without the FCS");
                free.add(chunkStart(addrs[i]));
            }
            rx.release(n);
            return addrs;
        }

        /** Takes every completion: the addresses as the TX descriptors had them; those naming a chunk come back. */
        long[] takeCompletions() {
            XskConsRing comp = s.completion();
            int n = comp.peek(comp.size());
            long[] addrs = new long[n];
            for (int i = 0; i < n; i++) {
                addrs[i] = comp.addr(comp.firstIndex() + i);
                if (Long.compareUnsigned(umem.dataOffset(addrs[i]), umem.size()) < 0) {
                    free.add(chunkStart(addrs[i]));
                }
            }
            comp.release(n);
            return addrs;
        }

        /** Puts TX descriptors {addr, len, options} on the TX ring; a chunk an address is inside leaves the free list. */
        void send(long[][] descs) {
            XskProdRing tx = s.tx();
            assertEquals(descs.length, tx.reserve(descs.length));
            for (int i = 0; i < descs.length; i++) {
                long addr = descs[i][0];
                if (Long.compareUnsigned(umem.dataOffset(addr), umem.size()) < 0) {
                    assertTrue(free.remove(chunkStart(addr)), "the application holds the chunk it sends");
                }
                tx.setDesc(tx.firstIndex() + i, addr, (int) descs[i][1], (int) descs[i][2]);
            }
            tx.submit(descs.length);
        }

        UmemLedger.Report ledger() {
            return new UmemLedger(s).check(free, lost);
        }

        byte[] bytes(long offset, int len) {
            byte[] b = new byte[len];
            MemorySegment.copy(umem.region(), ValueLayout.JAVA_BYTE, offset, b, 0, len);
            return b;
        }

        // every byte of chunk c a value of its own, so a frame read from the wrong place shows
        void pattern(int c, int value) {
            umem.region().asSlice(umem.frameAddr(c), umem.chunkSize()).fill((byte) value);
        }
    }

    // each redirect a frame the socket received, each redirect error one it dropped: in rx_dropped (no
    // chunk) or rx_ring_full (no room), which the current struct xdp_statistics keeps apart
    private static void assertCounters(RxQueueStats st, XdpSock s) {
        st.checkAccounting();
        assertEquals(s.rxPackets(), st.redirect, "redirect = frames the socket received: " + st);
        assertEquals(s.rxDropped() + s.rxRingFull(), st.errors, "errors = frames the socket dropped: " + st);
    }

    @Test
    void rxdropOverSeveralPollsKeepsEveryChunkInOnePlace() {
        try (Umem umem = Umem.allocate(SMALL); XdpSock s = new XdpSock(umem, 7, 0, 64, 64); Rig rig = new Rig(s)) {
            App app = new App(s);
            app.fill(64);
            assertEquals(64, app.ledger().count(Place.FILL));
            for (int round = 1; round <= 5; round++) {
                rig.poll(24);
                UmemLedger.Report r = app.ledger();
                assertEquals(24, r.count(Place.RX), r.toString());
                assertEquals(40, r.count(Place.FILL), r.toString());
                assertEquals(0, r.count(Place.IN_FLIGHT), "the poll's flush published everything: " + r);
                for (long a : app.takeRx()) {
                    assertEquals(umem.rxDataOffset(), a % umem.chunkSize(), "at headroom + XDP_PACKET_HEADROOM");
                }
                app.fill(24);
                assertEquals(64, app.ledger().count(Place.FILL));
                assertEquals(24L * round, s.rxPackets());
                assertCounters(rig.stats(), s);
            }
        }
    }

    @Test
    void aConsumerThatStopsLosesFramesNotChunks() {
        try (Umem umem = Umem.allocate(SMALL); XdpSock s = new XdpSock(umem, 7, 0, 64, 16); Rig rig = new Rig(s)) {
            App app = new App(s);
            app.fill(32);
            rig.poll(16);
            rig.poll(10);  // nobody reads: the RX ring holds 16
            assertEquals(10, s.rxRingFull());
            assertEquals(0, s.rxDropped(), "rx_ring_full only, as struct xdp_statistics v2");
            assertEquals(10, rig.stats().errors, "each a redirect error");
            assertEquals(0, s.rxFillRingEmpty());
            UmemLedger.Report r = app.ledger();
            assertEquals(16, r.count(Place.RX), r.toString());
            assertEquals(16, r.count(Place.FILL), "the refused frames' chunks stay on the fill ring: " + r);
            assertEquals(32, r.count(Place.APP));
            assertCounters(rig.stats(), s);
            // the consumer resumes: it takes the 16, gives them back, and the traffic drains
            assertEquals(16, app.takeRx().length);
            app.fill(16);
            rig.poll(12);
            r = app.ledger();
            assertEquals(12, r.count(Place.RX), r.toString());
            assertEquals(20, r.count(Place.FILL), r.toString());
            assertEquals(12, app.takeRx().length);
            app.fill(12);
            r = app.ledger();
            assertEquals(32, r.count(Place.FILL), r.toString());
            assertEquals(32, r.count(Place.APP), r.toString());
            assertEquals(28, s.rxPackets());
            assertEquals(10, s.rxRingFull(), "nothing dropped once it read again");
            assertCounters(rig.stats(), s);
        }
    }

    @Test
    void anEmptyFillRingDropsTheFramesAndNoChunk() {
        try (Umem umem = Umem.allocate(SMALL); XdpSock s = new XdpSock(umem, 7, 0, 64, 64); Rig rig = new Rig(s)) {
            App app = new App(s);
            app.fill(8);
            rig.poll(12);
            assertEquals(4, s.rxFillRingEmpty(), "rx_fill_ring_empty_descs");
            assertEquals(4, s.rxDropped());
            assertEquals(0, s.rxRingFull());
            UmemLedger.Report r = app.ledger();
            assertEquals(8, r.count(Place.RX), r.toString());
            assertEquals(0, r.count(Place.FILL), r.toString());
            assertEquals(56, r.count(Place.APP), r.toString());
            assertCounters(rig.stats(), s);
            app.takeRx();
            app.fill(8);
            rig.poll(8);
            assertEquals(8, app.ledger().count(Place.RX));
            assertEquals(4, s.rxFillRingEmpty(), "chunks again: nothing more dropped");
            assertCounters(rig.stats(), s);
        }
    }

    @Test
    void badTxDescriptorsAreCountedNeverReadAndTheirChunksComplete() {
        try (Umem umem = Umem.allocate(SMALL); XdpSock s = new XdpSock(umem, 7, 0, 64, 64); Rig rig = new Rig(s)) {
            App app = new App(s);
            for (int c = 0; c < umem.frames(); c++) {
                app.pattern(c, 0xee);  // what no valid descriptor of this test covers
            }
            for (int c : new int[] {1, 5, 8, 9}) {
                app.pattern(c, c);
            }
            int chunk = umem.chunkSize();
            long[][] descs = {
                {umem.frameAddr(1), 60, 0},                               // valid
                {umem.size() + 64, 60, 0},                                // past the UMEM: names no chunk
                {umem.frameAddr(2) + 2000, 60, 0},                        // runs past its chunk's end
                {umem.frameAddr(3), 0, 0},                                // zero length
                {umem.frameAddr(4), chunk + 1, 0},                        // longer than a chunk
                {umem.frameAddr(5) + 100, 60, 0},                         // not at the chunk's start: valid, aligned mode masks
                {(1L << IfXdp.XSK_UNALIGNED_BUF_OFFSET_SHIFT) | umem.frameAddr(6), 60, 0},  // an unaligned-mode offset
                {umem.frameAddr(7), 60, 1 << 2},                          // an options bit the kernel does not know
                {umem.frameAddr(8), 1500, 0},                             // valid
                {umem.frameAddr(9), chunk, 0},                            // valid: ends exactly at the chunk's end
            };
            for (long[] d : descs) {
                boolean valid = d == descs[0] || d == descs[5] || d == descs[8] || d == descs[9];
                assertEquals(valid, umem.checkDesc(d[0], (int) d[1], (int) d[2]) == XskDescCheck.VALID,
                        "xp_validate_desc() of 0x" + Long.toHexString(d[0]) + " len " + d[1]);
            }
            app.send(descs);
            assertEquals(8, app.ledger().count(Place.TX), "every chunk sent is on the TX ring");
            rig.poll(0);
            assertEquals(6, s.txInvalidDescs(), "tx_invalid_descs");
            assertEquals(4, s.txPackets());
            // the device saw exactly the valid four, with their bytes: the refused ones were never read
            assertEquals(4, rig.sent.size());
            assertArrayEquals(app.bytes(umem.frameAddr(1), 60), rig.sent.get(0));
            assertArrayEquals(app.bytes(umem.frameAddr(5) + 100, 60), rig.sent.get(1));
            assertArrayEquals(app.bytes(umem.frameAddr(8), 1500), rig.sent.get(2));
            assertArrayEquals(app.bytes(umem.frameAddr(9), chunk), rig.sent.get(3));
            for (byte[] f : rig.sent) {
                assertFalse(f[0] == (byte) 0xee || f[f.length - 1] == (byte) 0xee, "no byte of a refused descriptor");
            }
            UmemLedger.Report r = app.ledger();
            assertEquals(8, r.count(Place.COMPLETION), "every chunk completed, refused or sent: " + r);
            assertEquals(List.of(umem.size() + 64, descs[6][0]), r.foreign(Place.COMPLETION),
                    "the addresses that name no chunk come back as the application wrote them");
            assertEquals(0, r.count(Place.TX), r.toString());
            long[] done = app.takeCompletions();
            long[] want = Arrays.stream(descs).mapToLong(d -> d[0]).toArray();
            assertArrayEquals(want, done, "completed in the TX ring's order, addresses unchanged");
            assertEquals(64, app.ledger().count(Place.APP));
            assertCounters(rig.stats(), s);
        }
    }

    @Test
    void aFrameLongerThanAChunkHoldsIsDroppedWithoutTakingAChunk() {
        // 2048-byte chunks with the largest headroom leave 448 bytes for a frame; pktgen's are 508
        try (Umem umem = Umem.allocate(SMALL.withHeadroom(UmemConfig.maxHeadroom(2048)));
             XdpSock s = new XdpSock(umem, 7, 0, 64, 64); Rig rig = new Rig(s, "flows=8,size=512")) {
            App app = new App(s);
            app.fill(16);
            assertEquals(448, umem.chunkSize() - umem.rxDataOffset());
            rig.poll(5);
            assertEquals(5, s.rxDropped(), "rx_dropped, as xsk_rcv_check() counts a frame too long for the chunk");
            assertEquals(0, s.rxPackets());
            assertEquals(5, rig.stats().errors);
            UmemLedger.Report r = app.ledger();
            assertEquals(16, r.count(Place.FILL), "no chunk taken for them: " + r);
            assertEquals(48, r.count(Place.APP), r.toString());
            rig.stats().checkAccounting();
        }
    }

    @Test
    void aFullCompletionRingLeavesTheRestOfTheTxRingForTheNextPoll() {
        // the completion ring has the fill ring's size: 8 here, under a TX ring of 16
        try (Umem umem = Umem.allocate(SMALL); XdpSock s = new XdpSock(umem, 7, 0, 8, 16); Rig rig = new Rig(s)) {
            App app = new App(s);
            long[][] descs = new long[12][];
            for (int i = 0; i < 12; i++) {
                descs[i] = new long[] {umem.frameAddr(i), i == 8 ? 0 : 60, 0};  // the ninth refused: zero length
            }
            app.send(descs);
            rig.poll(0);
            assertEquals(8, rig.sent.size(), "as many as the completion ring has room for");
            UmemLedger.Report r = app.ledger();
            assertEquals(8, r.count(Place.COMPLETION), r.toString());
            assertEquals(4, r.count(Place.TX), "the rest wait on the TX ring, the refused one too: " + r);
            assertEquals(0, s.txInvalidDescs(), "not looked at yet");
            rig.poll(0);
            assertEquals(8, rig.sent.size(), "nothing more while the application has not taken its completions");
            assertEquals(8, app.takeCompletions().length);
            rig.poll(0);
            assertEquals(11, rig.sent.size());
            assertEquals(1, s.txInvalidDescs());
            r = app.ledger();
            assertEquals(4, r.count(Place.COMPLETION), r.toString());
            assertEquals(0, r.count(Place.TX), r.toString());
            assertEquals(60, r.count(Place.APP), r.toString());
        }
    }

    @Test
    void aValidDescriptorLongerThanAPageIsCompletedUnsentNotCountedInvalid() {
        try (Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(8)); XdpSock s = new XdpSock(umem, 7, 0, 8, 8);
             Rig rig = new Rig(s)) {
            App app = new App(s);
            long[][] descs = {{umem.frameAddr(1), 4000, 0}, {umem.frameAddr(2), 60, 0}};
            assertEquals(XskDescCheck.VALID, umem.checkDesc(umem.frameAddr(1), 4000, 0), "a 4096-byte chunk holds it");
            app.send(descs);
            rig.poll(0);
            assertEquals(0, s.txInvalidDescs(), "the kernel's xp_validate_desc() takes it");
            assertEquals(1, rig.sent.size(), "jxdp's device pages carry 3840 bytes: the 4000 are dropped as past an MTU");
            assertEquals(60, rig.sent.get(0).length);
            assertEquals(1, s.txPackets());
            assertEquals(2, app.ledger().count(Place.COMPLETION));
            assertArrayEquals(new long[] {umem.frameAddr(1), umem.frameAddr(2)}, app.takeCompletions());
        }
    }

    @Test
    void unalignedModeTxChecksLengthAndEndButNotChunkBoundaries() {
        try (Umem umem = Umem.allocate(UNALIGNED); XdpSock s = new XdpSock(umem, 7, 0, 16, 16); Rig rig = new Rig(s)) {
            App app = new App(s);
            for (int c = 0; c < umem.frames(); c++) {
                app.pattern(c, 0xee);
            }
            app.pattern(2, 2);
            app.pattern(4, 4);
            app.pattern(5, 5);
            long off500 = 500L << IfXdp.XSK_UNALIGNED_BUF_OFFSET_SHIFT;
            long[][] descs = {
                {umem.frameAddr(2) | off500, 60, 0},                     // valid: base plus offset
                {umem.frameAddr(3), umem.chunkSize() + 1, 0},            // longer than a chunk
                {umem.frameAddr(15) + 2990, 60, 0},                      // ends past the UMEM
                {umem.frameAddr(4) + 2000, 1500, 0},                     // valid: runs on into chunk 5's bytes
                {umem.frameAddr(6), 0, 0},                               // zero length
            };
            app.send(descs);
            rig.poll(0);
            assertEquals(3, s.txInvalidDescs());
            assertEquals(2, s.txPackets());
            assertEquals(2, rig.sent.size());
            assertArrayEquals(app.bytes(umem.frameAddr(2) + 500, 60), rig.sent.get(0));
            assertArrayEquals(app.bytes(umem.frameAddr(4) + 2000, 1500), rig.sent.get(1));
            assertEquals((byte) 5, rig.sent.get(1)[1499], "the frame's end is chunk 5's byte");
            UmemLedger.Report r = app.ledger();
            assertEquals(5, r.count(Place.COMPLETION), "the refused ones complete too: " + r);
            assertArrayEquals(Arrays.stream(descs).mapToLong(d -> d[0]).toArray(), app.takeCompletions());
            assertEquals(16, app.ledger().count(Place.APP));
            assertCounters(rig.stats(), s);
        }
    }

    @Test
    void unalignedModeRxDescriptorsCarryTheOffsetInTheirTopBits() {
        try (Umem umem = Umem.allocate(UNALIGNED.withHeadroom(64)); XdpSock s = new XdpSock(umem, 7, 0, 16, 16);
             Rig rig = new Rig(s)) {
            App app = new App(s);
            app.fill(16);
            for (int round = 0; round < 3; round++) {
                rig.poll(10);
                UmemLedger.Report r = app.ledger();
                assertEquals(10, r.count(Place.RX), r.toString());
                assertEquals(6, r.count(Place.FILL), r.toString());
                for (long a : app.takeRx()) {
                    assertEquals(64 + IfXdp.XDP_PACKET_HEADROOM, a >>> IfXdp.XSK_UNALIGNED_BUF_OFFSET_SHIFT,
                            "offset: the UMEM's headroom plus XDP_PACKET_HEADROOM");
                    long base = a & IfXdp.XSK_UNALIGNED_BUF_ADDR_MASK;
                    assertEquals(0, base % umem.chunkSize(), "base: the chunk the fill ring gave");
                    assertEquals((byte) 0x08, umem.region().get(ValueLayout.JAVA_BYTE, umem.dataOffset(a) + 12),
                            "the frame at base plus offset: an IPv4 Ethernet frame");
                }
                app.fill(10);
                assertEquals(16, app.ledger().count(Place.FILL));
            }
            assertCounters(rig.stats(), s);
        }
    }

    @Test
    void invalidFillAddressesAreSkippedAndLostAsTheKernelLosesThem() {
        try (Umem umem = Umem.allocate(SMALL.withFrames(16)); XdpSock s = new XdpSock(umem, 7, 0, 16, 16);
             Rig rig = new Rig(s)) {
            App app = new App(s);
            // the application means chunks 0 to 3 and writes two of them wrong
            for (int c = 0; c < 4; c++) {
                app.free.remove(umem.frameAddr(c));
            }
            app.fillRaw(umem.frameAddr(0),
                    umem.size() + umem.frameAddr(1),  // past the UMEM: chunk 1 lost
                    umem.frameAddr(2) + 100,          // inside chunk 2: aligned mode takes the chunk (xp_check_aligned)
                    -1L);                             // past the UMEM: chunk 3 lost
            app.lost.add(umem.frameAddr(1));
            app.lost.add(umem.frameAddr(3));
            rig.poll(3);
            // __xp_alloc(): an invalid entry is consumed and counted, and the next one is tried; only an empty
            // ring drops the frame
            assertEquals(2, s.rxInvalidFill(), "both bad entries consumed");
            assertEquals(2, s.rxPackets(), "frames 1 and 2 in chunks 0 and 2");
            assertEquals(1, s.rxFillRingEmpty(), "frame 3 found the ring empty");
            assertEquals(1, s.rxDropped());
            UmemLedger.Report r = app.ledger();
            assertEquals(2, r.count(Place.RX), r.toString());
            assertEquals(2, r.count(Place.LOST), r.toString());
            assertEquals(List.of(), r.foreign(Place.FILL), "the bad entries are off the fill ring");
            long[] rx = app.takeRx();
            assertArrayEquals(new long[] {umem.frameAddr(0) + umem.rxDataOffset(), umem.frameAddr(2) + umem.rxDataOffset()},
                    rx, "the masked address received at its chunk's start plus the headroom");
            assertCounters(rig.stats(), s);
        }
    }

    @Test
    void unalignedFillAddressesAreTakenAtTheirBaseAndOneWithoutAWholeChunkIsLost() {
        try (Umem umem = Umem.allocate(UNALIGNED); XdpSock s = new XdpSock(umem, 7, 0, 16, 16); Rig rig = new Rig(s)) {
            App app = new App(s);
            for (int c : new int[] {3, 4, 15}) {
                app.free.remove(umem.frameAddr(c));
            }
            app.fillRaw((100L << IfXdp.XSK_UNALIGNED_BUF_OFFSET_SHIFT) | umem.frameAddr(3),  // xp_check_unaligned() drops the offset
                    umem.frameAddr(15) + 100,  // no whole chunk left before the UMEM's end: chunk 15 lost
                    umem.frameAddr(4));
            app.lost.add(umem.frameAddr(15));
            rig.poll(2);
            assertEquals(1, s.rxInvalidFill());
            assertEquals(0, s.rxDropped(), "the frame went to the next entry");
            long off = (long) umem.rxDataOffset() << IfXdp.XSK_UNALIGNED_BUF_OFFSET_SHIFT;
            UmemLedger.Report r = app.ledger();
            assertEquals(2, r.count(Place.RX), r.toString());
            assertEquals(1, r.count(Place.LOST), r.toString());
            assertArrayEquals(new long[] {umem.frameAddr(3) | off, umem.frameAddr(4) | off}, app.takeRx());
            assertCounters(rig.stats(), s);
        }
    }

    @Test
    void l2fwdRoundsKeepEveryChunkInOnePlace() {
        try (Umem umem = Umem.allocate(SMALL); XdpSock s = new XdpSock(umem, 7, 0, 64, 64); Rig rig = new Rig(s)) {
            App app = new App(s);
            app.fill(64);
            for (int round = 1; round <= 6; round++) {
                rig.poll(20);
                XskConsRing rx = s.rx();
                assertEquals(20, rx.peek(64));
                long[][] descs = new long[20][];
                List<byte[]> frames = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    int idx = rx.firstIndex() + i;
                    descs[i] = new long[] {rx.addr(idx), rx.len(idx), 0};
                    frames.add(app.bytes(rx.addr(idx), rx.len(idx)));
                    app.free.add(app.chunkStart(rx.addr(idx)));  // the application's until it sends it
                }
                rx.release(20);
                app.send(descs);
                UmemLedger.Report r = app.ledger();
                assertEquals(20, r.count(Place.TX), r.toString());
                assertEquals(44, r.count(Place.FILL), r.toString());
                rig.sent.clear();
                rig.poll(0);
                assertEquals(20, rig.sent.size());
                for (int i = 0; i < 20; i++) {
                    assertArrayEquals(frames.get(i), rig.sent.get(i), "frame " + i + " forwarded as received");
                }
                assertEquals(20, app.ledger().count(Place.COMPLETION));
                assertEquals(20, app.takeCompletions().length);
                app.fill(20);
                assertEquals(64, app.ledger().count(Place.FILL));
                assertEquals(20L * round, s.txPackets());
            }
            assertEquals(0, s.txInvalidDescs());
            assertCounters(rig.stats(), s);
        }
    }

    @Test
    void aSocketClosedWhileTrafficFlowsLeavesTheDatapathRunningAndEveryChunkAccountedFor() throws Exception {
        try (Umem umem = Umem.allocate(SMALL.withFrames(256)); XdpSock s = new XdpSock(umem, 7, 0, 128, 128);
             Rig rig = new Rig(s)) {
            App app = new App(s);
            app.fill(128);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread worker = Thread.ofPlatform().daemon(true).start(() -> {
                try {
                    while (!stop.get()) {
                        rig.w.poll(32);
                    }
                } catch (Throwable t) {
                    failed.set(t);
                }
            });
            try {
                closeUnderTraffic(app, rig, failed);
            } finally {
                stop.set(true);
                worker.join();
            }
            assertNull(failed.get(), "the worker ran on without an exception");
            assertEquals(0, s.pendingDescs(), "every poll flushed what it received");
            UmemLedger.Report r = app.ledger();
            assertEquals(256, r.count(Place.FILL) + r.count(Place.RX) + r.count(Place.TX) + r.count(Place.COMPLETION)
                    + r.count(Place.APP), r.toString());
            RxQueueStats st = rig.stats();
            st.checkAccounting();
            assertEquals(s.rxPackets(), st.redirect, st.toString());
            assertTrue(st.errors >= s.rxDropped() + 10_000, "the closed socket's frames are redirect errors: " + st);
            assertEquals(s.txPackets(), rig.sent.size(), "every frame sent reached the device");
        }
    }

    // forwards until 5,000 frames went through, closes the socket mid-flow, and waits for the worker to count
    // 10,000 frames for it as errors
    private static void closeUnderTraffic(App app, Rig rig, AtomicReference<Throwable> failed) {
        XdpSock s = app.s;
        // the application forwards (l2fwd) on its side of the rings while the worker polls on its own thread
        long forwarded = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (forwarded < 5_000) {
            assertTrue(System.nanoTime() < deadline, "the socket forwards: " + forwarded + " within 20 s");
            forwarded += forward(app);
        }
        s.close();  // mid-flow: chunks on the rings and in the application's hands
        long errorsAtClose = rig.stats().errors;
        while (rig.stats().errors < errorsAtClose + 10_000 && failed.get() == null) {
            assertTrue(System.nanoTime() < deadline, "frames for the closed socket become errors within 20 s");
            LockSupport.parkNanos(1_000_000);
        }
    }

    // one l2fwd step of the application: completions back to the fill ring, received frames to the TX ring
    private static int forward(App app) {
        XdpSock s = app.s;
        XskConsRing comp = s.completion();
        int c = comp.peek(64);
        for (int i = 0; i < c; i++) {
            app.free.add(comp.addr(comp.firstIndex() + i));
        }
        comp.release(c);
        int f = Math.min(app.free.size(), s.fill().freeEntries(app.free.size()));
        if (f > 0) {
            app.fill(f);
        }
        XskConsRing rx = s.rx();
        int n = rx.peek(64);
        int room = n == 0 ? 0 : s.tx().reserve(n);
        if (room == 0) {
            rx.cancel(n);  // the TX ring is full: forward them next time
            return 0;
        }
        XskProdRing tx = s.tx();
        for (int i = 0; i < n; i++) {
            int idx = rx.firstIndex() + i;
            tx.setDesc(tx.firstIndex() + i, rx.addr(idx), rx.len(idx), 0);
        }
        tx.submit(n);
        rx.release(n);
        return n;
    }
}
