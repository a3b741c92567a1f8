package dev.jxdp.io.pktgen;

import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.xdp.PagePool;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pktgen spread over RX queues by RSS: each queue's driver makes exactly its flows' packets of the one stream. */
class PktGenDriverTest {

    /** IPv4 UDP: the source port at 34 (flow i has 1024 + i), the stamp (seq) at 42. */
    private static final int SPORT_AT = 14 + 20;
    private static final int STAMP_AT = 14 + 20 + 8;

    /** Up to {@code max} frames from the driver (until it is done), as bytes; the pages go back at once. */
    private static List<byte[]> take(PktGenDriver d, PagePool pool, long max) {
        List<byte[]> out = new ArrayList<>();
        int[] ids = new int[64];
        while (out.size() < max && !d.done()) {
            int n = d.receive(ids, 0, (int) Math.min(ids.length, max - out.size()));
            for (int i = 0; i < n; i++) {
                out.add(Mem.read(pool.address(ids[i]) + pool.meta().dataOffset(ids[i]), pool.meta().length(ids[i])));
            }
            pool.returnBulk(ids, 0, n);
        }
        return out;
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | b[at + 1] & 0xff;
    }

    @ParameterizedTest(name = "flows={0} queues={1} count={2} order={3}")
    @CsvSource({"64, 4, 10000, seq", "100, 3, 777, seq", "7, 2, 1000, seq", "1, 4, 100, seq", "1000, 1, 5000, seq",
            "200, 3, -1, seq", "1, 3, -1, seq",
            // shuffled: counts over several periods (2100 packets for 100 flows), and one inside the first
            "100, 3, 20000, shuffle", "100, 3, 1500, shuffle", "64, 4, 5000, shuffle", "7, 2, -1, shuffle",
            "3000, 2, 7000, shuffle"})
    void eachQueueMakesExactlyItsFlowsPacketsOfTheOneStream(int flows, int queues, long count, String order) {
        long window = count >= 0 ? count : 3000;  // without an end: the first packets of each queue
        try (PktGen gen = new PktGen(PktGenSpec.parse("flows=" + flows + ",size=imix,stamp=1,seed=9,order=" + order));
             PagePool pool = new PagePool(256, true); Arena arena = Arena.ofConfined()) {
            long expected = arena.allocate(4096).address();
            boolean[] seen = new boolean[(int) window];
            long made = 0;
            for (int q = 0; q < queues; q++) {
                PagePool.Cache cache = pool.cache();
                PktGenDriver d = new PktGenDriver(gen, pool, cache, 1, q, queues, count);
                long share = count >= 0 ? gen.packetsOnQueue(count, q, queues) : window / queues;
                List<byte[]> got = take(d, pool, count >= 0 ? Long.MAX_VALUE : share);
                if (gen.flowsOnQueue(q, queues).length == 0) {
                    assertTrue(d.done(), "a queue RSS gives no flow has nothing to make");
                    assertEquals(0, got.size());
                } else if (count >= 0) {
                    assertTrue(d.done());
                    assertEquals(share, got.size(), "queue " + q);
                    assertEquals(share, d.generated());
                } else {
                    assertFalse(d.done(), "no end");
                    assertEquals(share, got.size());
                }
                long last = -1;
                for (byte[] b : got) {
                    long seq = Integer.toUnsignedLong(u16(b, STAMP_AT) << 16 | u16(b, STAMP_AT + 2));
                    int flow = u16(b, SPORT_AT) - 1024;
                    assertTrue(seq > last, "in stream order on queue " + q);
                    last = seq;
                    assertEquals(gen.flowOf(seq), flow, "the stamp and the port agree");
                    assertEquals(q, gen.queueOf(flow, queues), "flow " + flow + " belongs on queue " + q);
                    int len = gen.fill(expected, 4096, seq);
                    assertArrayEquals(Mem.read(expected, len), b, "byte for byte the one stream's packet " + seq);
                    if (seq < window) {
                        assertFalse(seen[(int) seq], "seq " + seq + " made twice");
                        seen[(int) seq] = true;
                    }
                }
                made += got.size();
                cache.drain();
            }
            if (count >= 0) {
                assertEquals(count, made, "the queues together make the whole stream");
                for (int s = 0; s < count; s++) {
                    assertTrue(seen[s], "seq " + s + " made by no queue");
                }
            }
            assertEquals(0, pool.framesOutstanding());
        }
    }
}
