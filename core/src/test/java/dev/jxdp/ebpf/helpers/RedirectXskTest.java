package dev.jxdp.ebpf.helpers;

import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.isa.HelperIds;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.maps.MapType;
import dev.jxdp.ebpf.maps.XskMap;
import dev.jxdp.ebpf.maps.XskSocketRef;
import dev.jxdp.ebpf.runtime.BpfFault;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpAction;
import dev.jxdp.ebpf.runtime.XdpBuff;
import dev.jxdp.ebpf.verifier.Verifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.jxdp.ebpf.interp.I.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * jxdp's bpf_redirect_xsk (helper 0x10000): XDP_REDIRECT_XSK, with nothing in bpf_redirect_info, when the
 * XSKMAP slot holds the queue's sole socket ({@link ExecState#rxqXsk}); bpf_redirect_map's answer in every
 * other case. Each fact on the interpreter, the JIT without the verifier's facts (the generic helper call)
 * and the JIT with them (a direct call with the map constant).
 */
class RedirectXskTest {

    /** How a program runs. */
    enum Engine {
        INTERP, JIT, JIT_VERIFIED;

        long run(BpfProgram p, ExecState st, XdpBuff buff, byte[] frame, int rxQueue) {
            buff.load(frame);
            buff.rxQueueIndex = rxQueue;
            st.begin(buff);
            return switch (this) {
                case INTERP -> new dev.jxdp.ebpf.interp.Interpreter().run(p, st);
                case JIT -> JitCompiler.compile(p).run(st);
                case JIT_VERIFIED -> JitCompiler.verifying().program(p).run(st);
            };
        }
    }

    private static final byte[] FRAME = new byte[64];
    private static final XskSocketRef SOLE = () -> 3;
    private static final XskSocketRef OTHER = () -> 3;

    /** The C program: bpf_redirect_xsk(ctx, &xsks_map, ctx->rx_queue_index, XDP_PASS). */
    private static long runObject(Engine e, ObjectRun o, int rxQueue) {
        return e.run(o.coll.program("xdp_redirect_xsk"), o.st, o.buff, FRAME, rxQueue);
    }

    private static XskMap xsks(ObjectRun o) {
        return (XskMap) o.coll.map("xsks_map");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void theQueuesSoleSocketInTheSlotIsRedirectXskWithNoRedirectInfo(Engine e) {
        try (ObjectRun o = new ObjectRun("xsk_redirect_xsk.o")) {
            xsks(o).set(3, SOLE);
            o.st.rxqXsk = SOLE;
            assertEquals(XdpAction.REDIRECT_XSK, runObject(e, o, 3));
            assertNull(o.st.redirectMap());
            assertEquals(0, o.st.redirectKey);
            assertEquals(0, o.st.redirectIfindex);
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void anotherSocketInTheSlotIsRedirectMapsRedirect(Engine e) {
        try (ObjectRun o = new ObjectRun("xsk_redirect_xsk.o")) {
            xsks(o).set(3, OTHER);
            o.st.rxqXsk = SOLE;
            assertEquals(XdpAction.REDIRECT, runObject(e, o, 3));
            assertSame(xsks(o), o.st.redirectMap());
            assertEquals(3, o.st.redirectKey);
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void noSoleSocketOnTheQueueIsRedirectMapsRedirect(Engine e) {
        try (ObjectRun o = new ObjectRun("xsk_redirect_xsk.o")) {
            xsks(o).set(3, SOLE);
            o.st.rxqXsk = null;
            assertEquals(XdpAction.REDIRECT, runObject(e, o, 3));
            assertSame(xsks(o), o.st.redirectMap());
            assertEquals(3, o.st.redirectKey);
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void anEmptySlotIsTheFlagsAction(Engine e) {
        try (ObjectRun o = new ObjectRun("xsk_redirect_xsk.o")) {
            xsks(o).set(4, SOLE);
            o.st.rxqXsk = SOLE;
            assertEquals(XdpAction.PASS, runObject(e, o, 3));
            assertNull(o.st.redirectMap());
        }
    }

    /** bpf_redirect_xsk(ctx, xsks, 3, flags) over an XSKMAP whose slot 3 holds the queue's sole socket. */
    private static Harness withFlags(long flags) {
        Insn[] p = prog(lddw(2, Op.PSEUDO_MAP_IDX, 0, 0), mov(3, 3), lddw(4, flags), call(HelperIds.JXDP_REDIRECT_XSK),
                exit());
        Harness h = new Harness(List.of(Harness.spec("xsks", MapType.XSKMAP, 4, 4, 8)), p);
        ((XskMap) h.map(0)).set(3, SOLE);
        h.st.rxqXsk = SOLE;
        return h;
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void anActionInTheFlagsStillRedirectsXsk(Engine e) {
        try (Harness h = withFlags(XdpAction.DROP)) {
            assertEquals(XdpAction.REDIRECT_XSK, e.run(h.prog(0), h.st, h.buff, FRAME, 0));
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void flagsBeyondTheActionMaskAbortAsRedirectMapDoes(Engine e) {
        for (long flags : new long[] {Helpers.BPF_F_BROADCAST, Helpers.BPF_F_EXCLUDE_INGRESS, 1L << 32}) {
            try (Harness h = withFlags(flags)) {
                assertEquals(Helpers.redirectMapTo(h.st, h.map(0), 3, flags), XdpAction.ABORTED);
                assertEquals(XdpAction.ABORTED, e.run(h.prog(0), h.st, h.buff, FRAME, 0), "flags 0x" + Long.toHexString(flags));
                assertNull(h.st.redirectMap());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aMapThatIsNoRedirectTargetFaultsAsRedirectMapDoes(Engine e) {
        // only a program the verifier did not check can get here: it takes an XSKMAP only
        Insn[] p = prog(lddw(2, Op.PSEUDO_MAP_IDX, 0, 0), mov(3, 0), mov(4, 0), call(HelperIds.JXDP_REDIRECT_XSK), exit());
        try (Harness h = new Harness(List.of(Harness.spec("arr", MapType.ARRAY, 4, 4, 8)), p)) {
            if (e == Engine.JIT_VERIFIED) {
                assertFalse(Verifier.verify(h.prog(0), Verifier.Mode.FULL, false).accepted());
                return;
            }
            BpfFault f = assertThrows(BpfFault.class, () -> e.run(h.prog(0), h.st, h.buff, FRAME, 0));
            assertEquals("insn 4: call bpf_redirect_xsk#65536: bpf_redirect_map: map arr of type ARRAY cannot be a "
                    + "redirect target", f.getMessage());
        }
    }

    @Test
    void theVerifiedJitCallsTheHelperWithTheMapConstant() {
        try (ObjectRun o = new ObjectRun("xsk_redirect_xsk.o")) {
            BpfProgram p = o.coll.program("xdp_redirect_xsk");
            String direct = new String(JitCompiler.classBytes(p,
                    Verifier.verify(p, Verifier.Mode.FULL, false).facts()), StandardCharsets.ISO_8859_1);
            String checked = new String(JitCompiler.classBytes(p), StandardCharsets.ISO_8859_1);
            assertTrue(direct.contains("redirectXskTo"), "the verified code calls redirectXskTo");
            assertFalse(checked.contains("redirectXskTo"), "the checked code resolves the map at run time");
            assertTrue(checked.contains("redirectXsk"));
        }
    }
}
