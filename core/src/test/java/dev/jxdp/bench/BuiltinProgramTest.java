package dev.jxdp.bench;

import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpAction;
import dev.jxdp.ebpf.runtime.XdpBuff;
import dev.jxdp.ebpf.testrun.Engine;
import dev.jxdp.ebpf.testrun.ProgTestRun;
import dev.jxdp.io.pktgen.PktGen;
import dev.jxdp.io.pktgen.PktGenSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The built-in programs of jxdp bench, loaded from the class path: each one's verdict on pktgen's frames. */
class BuiltinProgramTest {

    /** Packet {@code seq} of the benchmark traffic, as bytes. */
    static byte[] frame(long seq) {
        try (PktGen gen = new PktGen(PktGenSpec.parse(BenchDatapath.PKTGEN)); Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(2048);
            int len = gen.fill(m.address(), 2048, seq);
            return m.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private static ProgTestRun.Result run(BuiltinProgram.Loaded p, byte[] frame, Engine engine) {
        return ProgTestRun.run(p.collection(), p.program(), frame, 1, false, engine);
    }

    private static byte[] macsSwapped(byte[] f) {
        byte[] g = f.clone();
        System.arraycopy(f, 6, g, 0, 6);
        System.arraycopy(f, 0, g, 6, 6);
        return g;
    }

    private static void set(BpfMap map, int key, int value, int valueSize) {
        byte[] k = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(key).array();
        byte[] v = ByteBuffer.allocate(valueSize).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
        assertEquals(0, map.userUpdate(k, v, 0));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void dropPassAndTxGiveTheirActionAndTxSwapsTheMacs(Engine engine) {
        byte[] f = frame(0);
        try (BuiltinProgram.Loaded drop = BuiltinProgram.DROP.load();
             BuiltinProgram.Loaded pass = BuiltinProgram.PASS.load();
             BuiltinProgram.Loaded tx = BuiltinProgram.TX.load()) {
            ProgTestRun.Result d = run(drop, f, engine);
            assertEquals(XdpAction.DROP, d.retval());
            assertArrayEquals(f, d.dataOut());
            ProgTestRun.Result p = run(pass, f, engine);
            assertEquals(XdpAction.PASS, p.retval());
            assertArrayEquals(f, p.dataOut());
            ProgTestRun.Result t = run(tx, f, engine);
            assertEquals(XdpAction.TX, t.retval());
            assertArrayEquals(macsSwapped(f), t.dataOut());
        }
    }

    @Test
    void aFrameShorterThanEthernetIsAborted() {
        byte[] runt = Arrays.copyOf(frame(0), 14);
        runt[12] = 0x05;  // an 802.3 length, not an EtherType
        try (BuiltinProgram.Loaded drop = BuiltinProgram.DROP.load()) {
            assertEquals(XdpAction.ABORTED, run(drop, runt, Engine.JIT).retval());
        }
    }

    /** Runs the compiled program once on {@code frame} and returns its state: the redirect target it chose. */
    private static ExecState runForTarget(BuiltinProgram.Loaded p, byte[] frame) {
        try (Arena a = Arena.ofConfined()) {
            XdpBuff buff = XdpBuff.allocate(a);
            buff.load(frame);
            ExecState st = p.collection().newExecState(0);
            st.caller(p.jit());
            st.begin(buff);
            assertEquals(XdpAction.REDIRECT, p.jit().run(st));
            return st;
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void redirectSwapsTheMacs(Engine engine) {
        byte[] f = frame(3);
        try (BuiltinProgram.Loaded r = BuiltinProgram.REDIRECT.load(Map.of("ifindex_out", 7))) {
            ProgTestRun.Result res = run(r, f, engine);
            assertEquals(XdpAction.REDIRECT, res.retval());
            assertArrayEquals(macsSwapped(f), res.dataOut());
        }
    }

    @Test
    void redirectGoesToTheIfindexWrittenIntoRodata() {
        try (BuiltinProgram.Loaded r = BuiltinProgram.REDIRECT.load(Map.of("ifindex_out", 7))) {
            ExecState st = runForTarget(r, frame(0));
            assertNull(st.redirectMap());
            assertEquals(7, st.redirectIfindex);
        }
        try (BuiltinProgram.Loaded r = BuiltinProgram.REDIRECT.load(Map.of("ifindex_out", 12))) {
            assertEquals(12, runForTarget(r, frame(0)).redirectIfindex);
        }
    }

    @Test
    void anUnknownRodataNameIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> BuiltinProgram.REDIRECT.load(Map.of("no_such_var", 1)));
        assertTrue(e.getMessage().contains("no_such_var"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void redirectMapRedirectsThroughDevmapSlotZeroAndAbortsWhenItIsEmpty(Engine engine) {
        byte[] f = frame(0);
        try (BuiltinProgram.Loaded r = BuiltinProgram.REDIRECT_MAP.load()) {
            // an empty slot: bpf_redirect_map's flags (0) are the verdict, XDP_ABORTED
            assertEquals(XdpAction.ABORTED, run(r, f, engine).retval());
            set(r.collection().map(BuiltinProgram.DEVMAP), 0, 2, 4);
            ProgTestRun.Result res = run(r, f, engine);
            assertEquals(XdpAction.REDIRECT, res.retval());
            assertArrayEquals(macsSwapped(f), res.dataOut());
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void redirectCpuRedirectsToTheCpuWrittenIntoRodata(Engine engine) {
        byte[] f = frame(0);
        try (BuiltinProgram.Loaded r = BuiltinProgram.REDIRECT_CPU.load(Map.of("cpu_dest", 0))) {
            assertEquals(XdpAction.ABORTED, run(r, f, engine).retval());
            set(r.collection().map(BuiltinProgram.CPUMAP), 0, 256, 8);
            ProgTestRun.Result res = run(r, f, engine);
            assertEquals(XdpAction.REDIRECT, res.retval());
            assertArrayEquals(f, res.dataOut());
        }
    }

    @Test
    void redirectCpuTargetsItsCpumapAtTheRodataCpu() {
        int cpu = BenchDatapath.cpuDest();  // 1 where there are two CPUs
        try (BuiltinProgram.Loaded r = BuiltinProgram.REDIRECT_CPU.load(Map.of("cpu_dest", cpu))) {
            set(r.collection().map(BuiltinProgram.CPUMAP), cpu, 256, 8);
            ExecState st = runForTarget(r, frame(0));
            assertSame(r.collection().map(BuiltinProgram.CPUMAP), st.redirectMap());
            assertEquals(cpu, st.redirectKey);
        }
    }

    @Test
    void mixedSplitsTheBenchFlowsFiftyThirtyTwenty() {
        int[] verdicts = new int[5];
        try (BuiltinProgram.Loaded mixed = BuiltinProgram.MIXED.load()) {
            for (int flow = 0; flow < BenchDatapath.FLOWS; flow++) {
                byte[] f = frame(flow);
                ProgTestRun.Result r = run(mixed, f, Engine.JIT);
                verdicts[(int) r.retval()]++;
                if (r.retval() == XdpAction.TX) {
                    assertArrayEquals(macsSwapped(f), r.dataOut());
                } else {
                    assertArrayEquals(f, r.dataOut());
                }
            }
        }
        assertEquals(50, verdicts[(int) XdpAction.DROP]);
        assertEquals(30, verdicts[(int) XdpAction.PASS]);
        assertEquals(20, verdicts[(int) XdpAction.TX]);
    }

    @Test
    void mixedSendsWhatIsNotIpv4UdpToTheStack() {
        byte[] f = frame(0);
        byte[] tcp = f.clone();
        tcp[23] = 6;
        byte[] arp = f.clone();
        arp[12] = 0x08;
        arp[13] = 0x06;
        try (BuiltinProgram.Loaded mixed = BuiltinProgram.MIXED.load()) {
            assertEquals(XdpAction.PASS, run(mixed, tcp, Engine.JIT).retval());
            assertEquals(XdpAction.PASS, run(mixed, arp, Engine.JIT).retval());
            assertEquals(XdpAction.PASS, run(mixed, Arrays.copyOf(f, 40), Engine.JIT).retval());
        }
    }
}
