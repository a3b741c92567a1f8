package dev.jxdp.ebpf.helpers;

import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.isa.HelperIds;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;
import dev.jxdp.ebpf.maps.Errno;
import dev.jxdp.ebpf.maps.MapType;
import dev.jxdp.ebpf.maps.RingBufMap;
import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.runtime.BpfFault;
import dev.jxdp.ebpf.runtime.XdpAction;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.jxdp.ebpf.interp.I.*;
import static dev.jxdp.ebpf.isa.Op.*;
import static org.junit.jupiter.api.Assertions.*;

/** Helpers called from small programs: map access, argument checks, redirect state, ring buffer, callbacks. */
class HelpersTest {

    static final List<dev.jxdp.ebpf.maps.MapSpec> ARRAY = List.of(Harness.spec("arr", MapType.ARRAY, 4, 8, 4));

    // *(u32 *)(r10 -4) = key; r2 = r10 - 4; r1 = map 0
    static Insn[] keyOnStack(int key) {
        return prog(st(W, 10, -4, key), movr(2, 10), alu64(ADD, 2, -4), lddw(1, Op.PSEUDO_MAP_IDX, 0, 0));
    }

    @Test
    void lookupReturnsTheValueAddressOrNull() {
        try (Harness h = new Harness(ARRAY, prog(keyOnStack(2), call(HelperIds.MAP_LOOKUP_ELEM), exit()),
                prog(keyOnStack(4), call(HelperIds.MAP_LOOKUP_ELEM), exit()))) {
            long addr = h.run(60);
            assertNotEquals(0, addr);
            assertNotNull(h.st.check(addr, 8, true), "the value is writable program memory");
            h.buff.load(new byte[60]);
            h.st.begin(h.buff);
            assertEquals(0, h.interp.run(h.prog(1), h.st), "key 4 is out of range");
        }
    }

    @Test
    void updateThenLookupThroughTheProgram() {
        // value 0x1234 at fp-16, update key 1, then lookup key 1 and load
        Insn[] p = prog(st(DW, 10, -16, 0x1234), keyOnStack(1), movr(3, 10), alu64(ADD, 3, -16), mov(4, 0),
                call(HelperIds.MAP_UPDATE_ELEM), movr(6, 0),
                keyOnStack(1), call(HelperIds.MAP_LOOKUP_ELEM), ldx(DW, 0, 0, 0), alu64r(ADD, 0, 6), exit());
        try (Harness h = new Harness(ARRAY, p)) {
            assertEquals(0x1234, h.run(60));
        }
    }

    @Test
    void arrayDeleteIsEinval() {
        try (Harness h = new Harness(ARRAY, prog(keyOnStack(1), call(HelperIds.MAP_DELETE_ELEM), exit()))) {
            assertEquals(-Errno.EINVAL, h.run(60));
        }
    }

    @Test
    void keyPointerOutsideMemoryFaultsAtTheCall() {
        Insn[] p = prog(lddw(1, Op.PSEUDO_MAP_IDX, 0, 0), mov(2, 64), call(HelperIds.MAP_LOOKUP_ELEM), exit());
        try (Harness h = new Harness(ARRAY, p)) {
            BpfFault f = assertThrows(BpfFault.class, () -> h.run(60));
            assertEquals(3, f.insn());
            assertTrue(f.getMessage().startsWith("insn 3: "), f.getMessage());
            assertTrue(f.getMessage().contains("bpf_map_lookup_elem: key 0x40"), f.getMessage());
        }
    }

    @Test
    void notAMapFaults() {
        try (Harness h = new Harness(prog(movr(1, 10), movr(2, 10), alu64(ADD, 2, -8), call(HelperIds.MAP_LOOKUP_ELEM), exit()))) {
            assertTrue(assertThrows(BpfFault.class, () -> h.run(60)).getMessage().contains("is not a map"));
        }
    }

    @Test
    void redirectSetsTheTarget() {
        try (Harness h = new Harness(prog(mov(1, 9), mov(2, 0), call(HelperIds.REDIRECT), exit()))) {
            assertEquals(XdpAction.REDIRECT, h.run(60));
            assertEquals(9, h.st.redirectIfindex);
            assertNull(h.st.redirectMap());
        }
    }

    /** bpf_redirect_map(devs, 3, XDP_DROP) over a DEVMAP whose key 3 holds ifindex 7. */
    private static Harness redirectMapToKey3() {
        var devs = List.of(Harness.spec("devs", MapType.DEVMAP, 4, 4, 8));
        Insn[] p = prog(lddw(1, Op.PSEUDO_MAP_IDX, 0, 0), mov(2, 3), mov(3, XdpAction.DROP), call(HelperIds.REDIRECT_MAP), exit());
        Harness h = new Harness(devs, p);
        assertEquals(0, h.map(0).userUpdate(new byte[] {3, 0, 0, 0}, new byte[] {7, 0, 0, 0}, 0));
        return h;
    }

    @Test
    void redirectMapHitRecordsMapAndKey() {
        try (Harness h = redirectMapToKey3()) {
            assertEquals(XdpAction.REDIRECT, h.run(60));
            assertSame(h.map(0), h.st.redirectMap());
            assertEquals(3, h.st.redirectKey);
            h.map(0).userDelete(new byte[] {3, 0, 0, 0});
            assertEquals(XdpAction.DROP, h.run(60));
            assertNull(h.st.redirectMap());
        }
    }

    @Test
    void aRunBeginsWithoutTheMapTheRunBeforeRedirectedThrough() {
        try (Harness h = redirectMapToKey3()) {
            assertEquals(XdpAction.REDIRECT, h.run(60));
            assertSame(h.map(0), h.st.redirectMap());
            h.st.begin(h.st.xdp());
            assertNull(h.st.redirectMap(), "the next run starts with no target");
            assertEquals(XdpAction.REDIRECT, h.run(60));
            assertSame(h.map(0), h.st.redirectMap(), "and a redirect sets it again");
            assertEquals(XdpAction.REDIRECT, Helpers.redirect(h.st, 9, 0));
            assertNull(h.st.redirectMap(), "bpf_redirect() after bpf_redirect_map(): the device, not the map");
        }
    }

    @Test
    void ringbufReserveSubmitReachesTheMap() {
        var rb = List.of(new dev.jxdp.ebpf.maps.MapSpec("rb", MapType.RINGBUF.id(), 0, 0, 4096, 0, null, false, null, "test"));
        Insn[] p = prog(lddw(1, Op.PSEUDO_MAP_IDX, 0, 0), mov(2, 8), mov(3, 0), call(HelperIds.RINGBUF_RESERVE),
                jmp(JEQ, 0, 0, 5), lddw(1, 0x1122334455667788L), stx(DW, 0, 1, 0), movr(1, 0), mov(2, 0),
                call(HelperIds.RINGBUF_SUBMIT), mov(0, 2), exit());
        try (Harness h = new Harness(rb, p)) {
            assertEquals(2, h.run(60));
            List<byte[]> records = ((RingBufMap) h.map(0)).consume();
            assertEquals(1, records.size());
            assertEquals(0x1122334455667788L, java.nio.ByteBuffer.wrap(records.get(0)).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong());
        }
    }

    @Test
    void ringbufSubmitOfAStackPointerFaults() {
        Insn[] p = prog(movr(1, 10), alu64(ADD, 1, -8), mov(2, 0), call(HelperIds.RINGBUF_SUBMIT), exit());
        try (Harness h = new Harness(p)) {
            assertTrue(assertThrows(BpfFault.class, () -> h.run(60)).getMessage().contains("not a reserved ring buffer record"));
        }
    }

    @Test
    void loopCallbackRunsInItsOwnFrameAndSeesTheCallersStack() {
        // main: *(u64 *)(fp-8) = 0; bpf_loop(4, cb, fp-8, 0); return *(fp-8) + r0 * 100
        // cb(i, ctx): *(u64 *)ctx += i; *(u64 *)(fp-8) = 99 (its own frame); return 0
        Insn[] p = prog(st(DW, 10, -8, 0), mov(1, 4), lddw(2, Op.PSEUDO_FUNC, 9, 0), movr(3, 10), alu64(ADD, 3, -8),
                mov(4, 0), call(HelperIds.LOOP), alu64(MUL, 0, 100), ldx(DW, 1, 10, -8), alu64r(ADD, 0, 1), exit(),
                // cb at 12
                ldx(DW, 3, 2, 0), alu64r(ADD, 3, 1), stx(DW, 2, 3, 0), st(DW, 10, -8, 99), mov(0, 0), exit());
        try (Harness h = new Harness(p)) {
            assertEquals(406, h.run(60));
        }
    }

    @Test
    void getPrandomAndCpu() {
        try (Harness h = new Harness(prog(call(HelperIds.GET_SMP_PROCESSOR_ID), exit()),
                prog(call(HelperIds.GET_PRANDOM_U32), alu64(RSH, 0, 32), exit()))) {
            assertEquals(0, h.run(60));
            h.st.begin(h.buff);
            assertEquals(0, h.interp.run(h.prog(1), h.st), "a u32: the high half is zero");
        }
    }

    @Test
    void ktimeIsMonotonic() {
        long a = Helpers.ktimeGetNs();
        long b = Helpers.ktimeGetNs();
        assertTrue(b >= a);
        assertTrue(Helpers.ktimeGetBootNs() >= b);
    }

    @Test
    void isSupportedListsTheImplementedHelpers() {
        assertTrue(Helpers.isSupported(HelperIds.CSUM_DIFF));
        assertTrue(Helpers.isSupported(HelperIds.TAIL_CALL));
        assertTrue(Helpers.isSupported(HelperIds.FIB_LOOKUP));
        assertFalse(Helpers.isSupported(85));  // bpf_sk_lookup_udp
        assertFalse(Helpers.isSupported(0));
    }

    @Test
    void adjustHeadWithoutAPacketFaults() {
        try (Harness h = new Harness(prog(mov(2, 4), call(HelperIds.XDP_ADJUST_HEAD), exit()))) {
            assertThrows(BpfFault.class, () -> h.runRaw(new byte[4]));
        }
    }

    @Test
    void csumPartialFoldsLikeX86() {
        try (Harness h = new Harness(prog(exit()))) {
            var m = h.memory(16);
            Mem.putU64(m.address(), -1L);
            Mem.putU64(m.address() + 8, 1L);
            // 0xffff...ff + 1 wraps to 1 with the end-around carry
            assertEquals(1, Helpers.csumPartial(m.address(), 16, 0));
        }
    }
}
