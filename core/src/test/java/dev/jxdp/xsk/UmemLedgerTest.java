package dev.jxdp.xsk;

import dev.jxdp.xsk.UmemLedger.Place;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ledger itself: it finds a chunk in two places or in none, and sees frames in flight. */
class UmemLedgerTest {

    private static List<Long> chunks(Umem umem, int from, int to) {
        List<Long> l = new ArrayList<>();
        for (int c = from; c < to; c++) {
            l.add(umem.frameAddr(c));
        }
        return l;
    }

    private static void fill(XdpSock s, long... addrs) {
        XskProdRing f = s.fill();
        assertEquals(addrs.length, f.reserve(addrs.length));
        for (int i = 0; i < addrs.length; i++) {
            f.setAddr(f.firstIndex() + i, addrs[i]);
        }
        f.submit(addrs.length);
    }

    @Test
    void aChunkInTwoPlacesOrInNoneIsNamed() {
        try (Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(8).withChunkSize(2048));
             XdpSock s = new XdpSock(umem, 7, 0, 8, 8)) {
            fill(s, umem.frameAddr(0), umem.frameAddr(1) + 100);
            UmemLedger ledger = new UmemLedger(s);
            UmemLedger.Report ok = ledger.check(chunks(umem, 2, 8), List.of());
            assertEquals(2, ok.count(Place.FILL));
            assertEquals(6, ok.count(Place.APP));
            // chunk 1 also in the application's hands, chunk 7 nowhere
            List<Long> app = chunks(umem, 1, 7);
            UmemLedger.Report bad = ledger.read(app, List.of());
            assertTrue(bad.problems().contains("chunk 1 (0x800) in FILL and APP"), bad.toString());
            assertTrue(bad.problems().contains("chunks in no place: [7]"), bad.toString());
            assertThrows(AssertionError.class, () -> ledger.check(app, List.of()));
        }
    }

    @Test
    void anAddressThatIsNoChunkIsForeignToItsRingAndAProblemInTheApplicationsHands() {
        try (Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(4).withChunkSize(2048));
             XdpSock s = new XdpSock(umem, 7, 0, 4, 4)) {
            fill(s, umem.size());
            UmemLedger ledger = new UmemLedger(s);
            UmemLedger.Report r = ledger.check(chunks(umem, 0, 4), List.of());
            assertEquals(List.of(umem.size()), r.foreign(Place.FILL));
            List<Long> app = new ArrayList<>(chunks(umem, 0, 4));
            app.add(umem.size() + 1);
            assertEquals(1, ledger.read(app, List.of()).problems().size());
        }
    }

    @Test
    void framesReceivedAndNotFlushedAreInFlightNotOnTheFillRing() {
        try (Umem umem = Umem.allocate(UmemConfig.DEFAULT.withFrames(8).withChunkSize(2048));
             XdpSock s = new XdpSock(umem, 7, 0, 8, 8);
             Arena arena = Arena.ofConfined()) {
            fill(s, umem.frameAddr(0), umem.frameAddr(1), umem.frameAddr(2));
            MemorySegment frame = arena.allocate(60);
            assertEquals(0, s.rcv(frame.address(), 60));
            assertEquals(0, s.rcv(frame.address(), 60));
            UmemLedger ledger = new UmemLedger(s);
            UmemLedger.Report r = ledger.check(chunks(umem, 3, 8), List.of());
            assertEquals(2, r.count(Place.IN_FLIGHT), r.toString());
            assertEquals(1, r.count(Place.FILL), r.toString());
            assertEquals(0, r.count(Place.RX), "not published before the flush");
            s.flush();
            r = ledger.check(chunks(umem, 3, 8), List.of());
            assertEquals(2, r.count(Place.RX), r.toString());
            assertEquals(0, r.count(Place.IN_FLIGHT), r.toString());
        }
    }
}
