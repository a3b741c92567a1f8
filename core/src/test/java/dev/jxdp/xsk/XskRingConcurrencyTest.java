package dev.jxdp.xsk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A producer and a consumer thread move millions of descriptors through a small ring: every one arrives
 * once, in order, with the fields written before its submit. A broken (B)/(C) pairing shows as a stale
 * entry, a broken (D)/(A) pairing as an overwritten one.
 */
class XskRingConcurrencyTest {

    private static final long COUNT = 4_000_000;

    @Test
    @Timeout(120)
    void descriptorsArriveOnceInOrder() throws Exception {
        run(XskRingType.TX, 64, 0, 16);
    }

    @Test
    @Timeout(120)
    void addressesArriveOnceInOrderAcrossTheU32Wrap() throws Exception {
        run(XskRingType.FILL, 16, -1_000_000, 5);
    }

    private static void run(XskRingType type, int size, int start, int batch) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            XskRing r = XskRing.allocate(arena, type, size);
            r.memory().set(ValueLayout.JAVA_INT, r.offsets().producer(), start);
            r.memory().set(ValueLayout.JAVA_INT, r.offsets().consumer(), start);
            XskProdRing p = r.producer();
            XskConsRing c = r.consumer();
            boolean descs = type.descs();
            AtomicReference<String> error = new AtomicReference<>();

            Thread producer = new Thread(() -> {
                long seq = 0;
                while (seq < COUNT) {
                    int want = (int) Math.min(batch - (seq % 3), COUNT - seq);
                    int n = p.reserve(want);
                    if (n == 0) {
                        if (error.get() != null) {
                            return;
                        }
                        Thread.onSpinWait();
                        continue;
                    }
                    int idx = p.firstIndex();
                    for (int i = 0; i < n; i++, seq++) {
                        if (descs) {
                            p.setDesc(idx + i, seq, (int) (seq * 31), (int) (seq >>> 7));
                        } else {
                            p.setAddr(idx + i, seq);
                        }
                    }
                    p.submit(n);
                }
            }, "xsk-producer");

            Thread consumer = new Thread(() -> {
                long seq = 0;
                while (seq < COUNT) {
                    int n = c.peek(batch + 3);
                    if (n == 0) {
                        Thread.onSpinWait();
                        continue;
                    }
                    int idx = c.firstIndex();
                    for (int i = 0; i < n; i++, seq++) {
                        long a = c.addr(idx + i);
                        boolean ok = a == seq && (!descs
                                || c.len(idx + i) == (int) (seq * 31) && c.options(idx + i) == (int) (seq >>> 7));
                        if (!ok) {
                            error.compareAndSet(null, "entry " + seq + " read as addr " + a);
                            return;
                        }
                    }
                    c.release(n);
                }
            }, "xsk-consumer");

            producer.start();
            consumer.start();
            producer.join();
            consumer.join();
            assertNull(error.get());
            assertEquals(start + (int) COUNT, c.consumer());
            assertEquals(c.consumer(), p.producer());
        }
    }
}
