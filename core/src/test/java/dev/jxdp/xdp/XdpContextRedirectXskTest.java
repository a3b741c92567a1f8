package dev.jxdp.xdp;

import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.maps.MapType;
import dev.jxdp.ebpf.maps.XskMap;
import dev.jxdp.ebpf.maps.XskSocketRef;
import dev.jxdp.ebpf.runtime.XdpAction;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.jxdp.ebpf.interp.I.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** A Java program's {@link XdpContext#redirectXsk}: bpf_redirect_xsk's answers, as a C program gets them. */
class XdpContextRedirectXskTest {

    private static final XskSocketRef SOLE = () -> 3;

    private static Harness harness() {
        Harness h = new Harness(List.of(Harness.spec("xsks", MapType.XSKMAP, 4, 4, 8)), prog(mov(0, 2), exit()));
        h.buff.load(new byte[64]);
        h.st.begin(h.buff);
        return h;
    }

    @Test
    void theQueuesSoleSocketIsRedirectXsk() {
        try (Harness h = harness()) {
            ((XskMap) h.map(0)).set(3, SOLE);
            h.st.rxqXsk = SOLE;
            assertEquals(XdpAction.REDIRECT_XSK, new XdpContext(h.buff, h.st).redirectXsk(h.map(0), 3, XdpAction.PASS));
            assertNull(h.st.redirectMap());
        }
    }

    @Test
    void withoutASoleSocketItIsRedirectMap() {
        try (Harness h = harness()) {
            ((XskMap) h.map(0)).set(3, SOLE);
            assertEquals(XdpAction.REDIRECT, new XdpContext(h.buff, h.st).redirectXsk(h.map(0), 3, XdpAction.PASS));
            assertSame(h.map(0), h.st.redirectMap());
            assertEquals(XdpAction.PASS, new XdpContext(h.buff, h.st).redirectXsk(h.map(0), 4, XdpAction.PASS));
        }
    }
}
