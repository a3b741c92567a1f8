package dev.jxdp.xsk;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Where each chunk of a socket's UMEM is, read at a quiescent point (no worker polling): on the fill, RX, TX
 * or completion ring (the entries between each ring's shared consumer and producer indices), in flight in
 * the datapath (taken from the fill ring, its RX descriptor not yet published), held by the application, or
 * lost by a bad descriptor of the application's. Entries are mapped to chunks by address, so a chunk in two
 * places or in none is named, not only a wrong sum.
 *
 * <p>The test's chunks are the aligned layout's, chunk {@code i} at {@code i * chunkSize}, in unaligned
 * mode too. A fill entry names the chunk the kernel would receive into ({@link Umem#checkFillAddr}); an RX,
 * TX or completion entry the chunk its data starts in ({@link Umem#dataOffset}), which decodes an
 * unaligned-mode offset in the top 16 bits. An entry naming no chunk (outside the UMEM, or in unaligned mode
 * a fill base that is not a chunk's start) is listed as foreign for its ring.
 */
final class UmemLedger {

    enum Place { FILL, RX, TX, COMPLETION, IN_FLIGHT, APP, LOST }

    /** One reading: how many chunks in each place, and the foreign entries of each ring. */
    record Report(Map<Place, Integer> counts, Map<Place, List<Long>> foreign, List<String> problems) {

        int count(Place p) {
            return counts.getOrDefault(p, 0);
        }

        List<Long> foreign(Place p) {
            return foreign.getOrDefault(p, List.of());
        }

        @Override
        public String toString() {
            return "chunks " + counts + ", foreign entries " + foreign + (problems.isEmpty() ? "" : ", " + problems);
        }
    }

    private final XdpSock sock;
    private final Umem umem;

    UmemLedger(XdpSock sock) {
        this.sock = sock;
        this.umem = sock.umem();
    }

    /**
     * Reads every ring and fails unless each chunk is in exactly one place; {@code app} are the addresses the
     * application holds, {@code lost} those it lost to a bad descriptor of its own. Returns the reading for
     * the test's own counts.
     */
    Report check(Collection<Long> app, Collection<Long> lost) {
        Report r = read(app, lost);
        if (!r.problems().isEmpty()) {
            fail("UMEM ledger: " + r);
        }
        return r;
    }

    /** The reading without failing: problems listed in the report. */
    Report read(Collection<Long> app, Collection<Long> lost) {
        Place[] where = new Place[umem.frames()];
        Map<Place, Integer> counts = new EnumMap<>(Place.class);
        Map<Place, List<Long>> foreign = new EnumMap<>(Place.class);
        List<String> problems = new ArrayList<>();
        // fill: the first pendingDescs() entries past the shared consumer are the datapath's (in flight);
        // the chunk the kernel receives into is what the fill check makes of the entry
        XskProdRing fill = sock.fill();
        int inFlight = sock.pendingDescs();
        int fillCons = fill.consumer();
        int fillProd = fill.producer();
        if (Integer.compareUnsigned(inFlight, fillProd - fillCons) > 0) {
            problems.add(inFlight + " descriptors pending but only " + (fillProd - fillCons) + " fill entries unreleased");
        }
        for (int i = fillCons; i != fillProd; i++) {
            Place p = i - fillCons < inFlight ? Place.IN_FLIGHT : Place.FILL;
            long base = umem.checkFillAddr(fill.addr(i));
            put(base < 0 || base % umem.chunkSize() != 0 ? -1 : (int) (base / umem.chunkSize()), fill.addr(i), p,
                    where, counts, foreign, problems);
        }
        XskConsRing rx = sock.rx();
        for (int i = rx.consumer(); i != rx.producer(); i++) {
            put(chunkOf(rx.addr(i)), rx.addr(i), Place.RX, where, counts, foreign, problems);
        }
        XskProdRing tx = sock.tx();
        for (int i = tx.consumer(); i != tx.producer(); i++) {
            put(chunkOf(tx.addr(i)), tx.addr(i), Place.TX, where, counts, foreign, problems);
        }
        XskConsRing comp = sock.completion();
        for (int i = comp.consumer(); i != comp.producer(); i++) {
            put(chunkOf(comp.addr(i)), comp.addr(i), Place.COMPLETION, where, counts, foreign, problems);
        }
        for (long a : app) {
            put(chunkOf(a), a, Place.APP, where, counts, foreign, problems);
        }
        for (long a : lost) {
            put(chunkOf(a), a, Place.LOST, where, counts, foreign, problems);
        }
        for (Place p : new Place[] {Place.APP, Place.LOST}) {
            if (!foreign(foreign, p).isEmpty()) {
                problems.add(p + " lists addresses that are no chunk: " + foreign.get(p));
            }
        }
        List<Integer> missing = new ArrayList<>();
        for (int c = 0; c < where.length; c++) {
            if (where[c] == null) {
                missing.add(c);
            }
        }
        if (!missing.isEmpty()) {
            problems.add("chunks in no place: " + missing);
        }
        return new Report(counts, foreign, problems);
    }

    // the chunk an RX, TX or completion entry (or an address the application holds) names, or -1
    private int chunkOf(long addr) {
        long at = umem.dataOffset(addr);
        if (Long.compareUnsigned(at, umem.size()) >= 0) {
            return -1;
        }
        return (int) (at / umem.chunkSize());
    }

    private static List<Long> foreign(Map<Place, List<Long>> foreign, Place p) {
        return foreign.getOrDefault(p, List.of());
    }

    private static void put(int chunk, long addr, Place p, Place[] where, Map<Place, Integer> counts,
            Map<Place, List<Long>> foreign, List<String> problems) {
        if (chunk < 0) {
            foreign.computeIfAbsent(p, k -> new ArrayList<>()).add(addr);
            return;
        }
        if (where[chunk] != null) {
            problems.add("chunk " + chunk + " (0x" + Long.toHexString(addr) + ") in " + where[chunk] + " and " + p);
            return;
        }
        where[chunk] = p;
        counts.merge(p, 1, Integer::sum);
    }
}
