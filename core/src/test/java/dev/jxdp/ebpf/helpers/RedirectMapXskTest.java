package dev.jxdp.ebpf.helpers;

import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.isa.Asm;
import dev.jxdp.ebpf.maps.MapType;
import dev.jxdp.ebpf.maps.XskMap;
import dev.jxdp.ebpf.maps.XskSocketRef;
import dev.jxdp.ebpf.runtime.XdpAction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bpf_redirect_map on an XSKMAP and the worker's transparent fast path: the program sees XDP_REDIRECT in
 * every case; the redirect info says whether the slot holds the socket the worker takes straight
 * ({@code ExecState.rxqXskRedirect}), and only then leaves key and flags unwritten; a later run that
 * returns XDP_REDIRECT without the helper never inherits it. On the interpreter and both JITs.
 */
class RedirectMapXskTest {

    // bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS)
    private static final String PROGRAM = """
            r2 = *(u32 *)(r1 +16)
            r1 = map[idx:0] ll
            r3 = 2
            call bpf_redirect_map
            exit""";

    private static final XskSocketRef SOLE = () -> 1;
    private static final XskSocketRef OTHER = () -> 1;

    @ParameterizedTest
    @EnumSource(RedirectXskTest.Engine.class)
    void theSocketTheWorkerTakesStraightIsMarkedAndTheRestAsTheKernelRecordsIt(RedirectXskTest.Engine e) {
        try (Harness h = new Harness(List.of(Harness.spec("xsks_map", MapType.XSKMAP, 4, 4, 4)), Asm.assemble(PROGRAM));
             Harness noHelper = new Harness(Asm.assemble("r0 = 4\nexit"))) {
            XskMap xsks = (XskMap) h.map(0);
            xsks.set(1, SOLE);
            xsks.set(2, OTHER);
            byte[] frame = new byte[64];
            // the worker's transparent rule on: the slot holds its socket
            h.st.rxqXsk = SOLE;
            h.st.rxqXskRedirect = SOLE;
            assertEquals(XdpAction.REDIRECT, e.run(h.prog(0), h.st, h.buff, frame, 1), "the program sees XDP_REDIRECT");
            assertTrue(h.st.redirectsToRxqXsk());
            assertSame(xsks, h.st.redirectMap());
            // another socket in the slot: the redirect info in full, for the generic path
            assertEquals(XdpAction.REDIRECT, e.run(h.prog(0), h.st, h.buff, frame, 2));
            assertFalse(h.st.redirectsToRxqXsk());
            assertEquals(2, h.st.redirectKey);
            assertSame(xsks, h.st.redirectMap());
            // the rule off (jxdp xsk --mode generic): the queue's socket too gets the full redirect info
            h.st.rxqXskRedirect = null;
            assertEquals(XdpAction.REDIRECT, e.run(h.prog(0), h.st, h.buff, frame, 1));
            assertFalse(h.st.redirectsToRxqXsk());
            assertEquals(1, h.st.redirectKey);
            // an empty slot: the flags' action, no target
            h.st.rxqXskRedirect = SOLE;
            assertEquals(XdpAction.PASS, e.run(h.prog(0), h.st, h.buff, frame, 3));
            assertFalse(h.st.redirectsToRxqXsk());
            assertNull(h.st.redirectMap());
            // the fast run, then a run that returns XDP_REDIRECT without calling the helper: no target left
            assertEquals(XdpAction.REDIRECT, e.run(h.prog(0), h.st, h.buff, frame, 1));
            assertTrue(h.st.redirectsToRxqXsk());
            assertEquals(XdpAction.REDIRECT, e.run(noHelper.prog(0), h.st, h.buff, frame, 1));
            assertFalse(h.st.redirectsToRxqXsk(), "begin() ends the last run's redirect");
            assertNull(h.st.redirectMap());
        }
    }
}
