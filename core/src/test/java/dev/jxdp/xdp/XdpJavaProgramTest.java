package dev.jxdp.xdp;

import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.isa.Asm;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.runtime.XdpAction;
import dev.jxdp.io.pktgen.PktGen;
import dev.jxdp.io.pktgen.PktGenDriver;
import dev.jxdp.io.pktgen.PktGenSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** XDP programs written in Java run through the same poll, actions and counters as compiled eBPF. */
class XdpJavaProgramTest {

    private record Outcome(RxQueueStats stats, List<String> tx, List<String> redirected, long javaFaults) {}

    // the same traffic through either program; the worker is made by the caller's choice of program
    private static Outcome run(XdpJavaProgram java, String asm, int packets) {
        try (PagePool pool = new PagePool(256, true); PktGen gen = new PktGen(PktGenSpec.parse("flows=10,size=64"))) {
            PagePool.Cache cache = pool.cache();
            PktGenDriver rx = new PktGenDriver(gen, pool, cache, 7, 0, packets);
            CapturingWire wire = new CapturingWire(pool);
            CapturingWire peer = new CapturingWire(pool);
            NetDevices devices = new NetDevices();
            devices.add(new NetDevice(5, "peer", peer));
            NapiWorker w;
            Harness h = null;
            if (java != null) {
                w = new NapiWorker(pool, cache, rx, wire, PassSink.DISCARD, java, 0, 7, 0, devices);
            } else {
                h = new Harness(Asm.assemble(asm));
                w = new NapiWorker(pool, cache, rx, wire, PassSink.DISCARD, JitCompiler.verifying().program(h.prog(0)),
                        h.coll, 0, 7, 0, devices);
            }
            while (rx.generated() < packets) {
                w.poll(NapiWorker.BUDGET);
            }
            w.stats().checkAccounting();
            cache.drain();
            assertEquals(0, pool.framesOutstanding());
            if (h != null) {
                h.close();
            }
            return new Outcome(w.stats(), wire.hex(), peer.hex(), w.javaFaults());
        }
    }

    // by the UDP source port's low byte (flow i): even flows swap MACs and go back out, flows 1 and 3
    // are redirected to ifindex 5 after 4 bytes are pushed in front, the rest dropped
    private static final XdpJavaProgram JAVA = ctx -> {
        if (ctx.length() < 36) {
            return XdpAction.DROP;
        }
        int flow = ctx.getU8(35);
        if ((flow & 1) == 0) {
            ctx.swap(0, 6, 6);
            return XdpAction.TX;
        }
        if (flow == 1 || flow == 3) {
            if (!ctx.adjustHead(-4)) {
                return XdpAction.ABORTED;
            }
            ctx.setU32(0, 0xcafef00dL);
            return ctx.redirect(5);
        }
        return XdpAction.DROP;
    };

    private static final String EBPF = """
            r6 = r1
            r2 = *(u32 *)(r1 +0)
            r3 = *(u32 *)(r1 +4)
            r4 = r2
            r4 += 36
            r0 = 1
            if r4 > r3 goto out
            r5 = *(u8 *)(r2 +35)
            r4 = r5
            r4 &= 1
            if r4 != 0 goto odd
            r7 = *(u32 *)(r2 +0)
            r8 = *(u16 *)(r2 +4)
            r4 = *(u32 *)(r2 +6)
            r9 = *(u16 *)(r2 +10)
            *(u32 *)(r2 +0) = r4
            *(u16 *)(r2 +4) = r9
            *(u32 *)(r2 +6) = r7
            *(u16 *)(r2 +10) = r8
            r0 = 3
            goto out
            odd:
            r0 = 1
            if r5 == 1 goto push
            if r5 != 3 goto out
            push:
            r1 = r6
            r2 = -4
            call 44
            r0 = 0
            if r0 s< 0 goto out
            r2 = *(u32 *)(r6 +0)
            r3 = *(u32 *)(r6 +4)
            r4 = r2
            r4 += 4
            r0 = 0
            if r4 > r3 goto out
            r4 = 0x0df0feca
            *(u32 *)(r2 +0) = r4
            r1 = 5
            r2 = 0
            call 23
            out:
            exit""";

    @Test
    void aJavaProgramLeavesTheSameFramesAndCountsAsTheSameEbpfProgram() {
        Outcome j = run(JAVA, null, 1000);
        Outcome e = run(null, EBPF, 1000);
        assertEquals(e.stats().toString(), j.stats().toString());
        assertEquals(500, j.stats().tx);
        assertEquals(200, j.stats().redirect);
        assertEquals(300, j.stats().drop);
        assertEquals(e.tx(), j.tx());
        assertEquals(e.redirected(), j.redirected());
        assertTrue(j.redirected().getFirst().startsWith("cafef00d"), j.redirected().getFirst());
        assertEquals(0, j.javaFaults());
    }

    @Test
    void anExceptionOrAnAccessOutsideThePacketAbortsTheRunAndIsCounted() {
        XdpJavaProgram outside = ctx -> ctx.getU8(ctx.length()) == 0 ? XdpAction.PASS : XdpAction.DROP;
        Outcome o = run(outside, null, 300);
        assertEquals(300, o.stats().aborted, o.stats().toString());
        assertEquals(300, o.javaFaults());
        XdpJavaProgram throwsSometimes = ctx -> {
            if (ctx.getU8(35) == 4) {
                throw new IllegalStateException("flow 4");
            }
            return XdpAction.DROP;
        };
        Outcome t = run(throwsSometimes, null, 300);
        assertEquals(30, t.stats().aborted, t.stats().toString());
        assertEquals(270, t.stats().drop);
        assertEquals(30, t.javaFaults());
    }

    @Test
    void contextFieldsAndNetworkOrderAccessors() {
        List<String> seen = new ArrayList<>();
        XdpJavaProgram look = ctx -> {
            seen.add(ctx.ingressIfindex() + "/" + ctx.rxQueueIndex() + "/" + ctx.length() + "/"
                    + Integer.toHexString(ctx.getU16(12)) + "/" + ctx.getU16(34) + "/" + Long.toHexString(ctx.getU32(26)));
            return XdpAction.DROP;
        };
        run(look, null, 2);
        // 64 bytes on the wire = 60 in memory; IPv4 ethertype; flow 0's source port 1024; pktgen's default source
        assertEquals("7/0/60/800/1024/", seen.getFirst().substring(0, seen.getFirst().lastIndexOf('/') + 1), seen.toString());
        assertEquals("7/0/60/800/1025/", seen.get(1).substring(0, seen.get(1).lastIndexOf('/') + 1), seen.toString());
    }
}
