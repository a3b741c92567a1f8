package dev.jxdp.ebpf.interp;

import dev.jxdp.cli.BpfConformancePlugin;
import dev.jxdp.ebpf.mem.AddressSpace;
import dev.jxdp.ebpf.mem.Region;
import dev.jxdp.ebpf.runtime.BpfFault;
import dev.jxdp.ebpf.runtime.ExecState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static dev.jxdp.ebpf.interp.I.exit;
import static dev.jxdp.ebpf.interp.I.ldx;
import static dev.jxdp.ebpf.isa.Op.DW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccessExplainerTest {

    private final Arena arena = Arena.ofConfined();
    private final AddressSpace space = new AddressSpace();
    private final ExecState st = new ExecState(space, 0, arena);

    @AfterEach
    void close() {
        arena.close();
    }

    // a region at a chosen address: the explainer only reads its bounds, never its bytes
    private Region fake(String name, long base, long size) {
        Region r = new Region(name, Region.Kind.OTHER, MemorySegment.ofAddress(base).reinterpret(size), true, null);
        space.add(r);
        return r;
    }

    private long aboveStackAndCtx() {
        return Math.max(st.stackRegion().end(), st.ctxRegion().end()) + 64;
    }

    @Test
    void readPastARegionNamesThatRegionNotTheStack() {
        Region mem = fake("memory", aboveStackAndCtx(), 16);
        assertEquals("invalid read of 8 bytes at mem memory+24, 8 bytes past its end (size 16)",
                AccessExplainer.explain(st, mem.end() + 8, 8, false));
        assertEquals("invalid write of 1 byte at mem memory+16, just past its end (size 16)",
                AccessExplainer.explain(st, mem.end(), 1, true));
    }

    @Test
    void readStraddlingARegionsEndSaysBeyondItsEnd() {
        Region mem = fake("memory", aboveStackAndCtx(), 16);
        assertEquals("invalid read of 8 bytes at mem memory+12, beyond its end (size 16)",
                AccessExplainer.explain(st, mem.base() + 12, 8, false));
    }

    @Test
    void readStraddlingTheStackTopIsStackRelative() {
        long top = st.stackRegion().end();
        assertEquals("invalid read of 8 bytes at fp-4, above the stack's top",
                AccessExplainer.explain(st, top - 4, 8, false));
    }

    @Test
    void addressJustBelowTheStackIsBelowTheFrame() {
        long base = st.stackRegion().base();
        fake("far", base - 400, 16); // ends 384 bytes below the stack: farther than the address is from it
        String msg = AccessExplainer.explain(st, base - 8, 8, false);
        assertTrue(msg.endsWith(", below the current frame (512 bytes)"), msg);
        assertTrue(msg.startsWith("invalid read of 8 bytes at fp-"), msg);
    }

    @Test
    void overrunOfARegionBelowTheStackNamesTheRegion() {
        long base = st.stackRegion().base();
        Region near = fake("near", base - 500, 16);
        assertEquals("invalid read of 4 bytes at mem near+20, 4 bytes past its end (size 16)",
                AccessExplainer.explain(st, near.end() + 4, 4, false));
    }

    @Test
    void farFromEverythingIsOutsideEveryRegion() {
        assertEquals("invalid read of 4 bytes at 0x10: null pointer", AccessExplainer.explain(st, 0x10, 4, false));
        long far = aboveStackAndCtx() + (1L << 30);
        assertTrue(AccessExplainer.explain(st, far, 4, false).endsWith(", outside every region"));
    }

    @Test
    void interpreterFaultPastRawMemoryNamesTheMemory() {
        try (Harness h = new Harness(new dev.jxdp.ebpf.isa.Insn[] {ldx(DW, 0, 1, 16), exit()})) {
            BpfFault f = assertThrows(BpfFault.class, () -> h.runRaw(new byte[16]));
            assertTrue(f.getMessage().contains("invalid read of 8 bytes at mem mem+16, just past its end (size 16)"),
                    f.getMessage());
        }
    }

    // the report that started this: the conformance plugin's input memory sits next to the stack
    @Test
    void conformancePluginReadPastMemoryNamesTheMemory() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String prog = "79 10 10 00 00 00 00 00 95 00 00 00 00 00 00 00"; // r0 = *(u64 *)(r1 + 16); exit
        int rc = BpfConformancePlugin.run(new String[] {"00112233445566778899aabbccddeeff"},
                new ByteArrayInputStream(prog.getBytes(StandardCharsets.US_ASCII)),
                new PrintStream(out, true), new PrintStream(err, true));
        assertEquals(1, rc);
        String msg = err.toString(StandardCharsets.UTF_8);
        assertTrue(msg.contains("invalid read of 8 bytes at mem memory+16, just past its end (size 16)"), msg);
    }
}
