package dev.jxdp.junit;

import static dev.jxdp.junit.XdpAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jxdp.Engine;
import dev.jxdp.JxdpException;
import dev.jxdp.ObjectSpec;
import dev.jxdp.TestRunOptions;
import dev.jxdp.TestRunResult;
import dev.jxdp.XdpAction;
import dev.jxdp.XdpMap;
import dev.jxdp.XdpObject;
import dev.jxdp.XdpProgram;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.opentest4j.AssertionFailedError;

/**
 * The kit used as its users use it: kit.o (src/test/bpf) loaded per test, injected into parameters and fields, its
 * verdicts and frames checked with the assertions, whose failure messages are checked too.
 */
@XdpTest(engines = {Engine.JIT, Engine.KERNEL})
@LoadObject("kit.o")
class XdpExtensionTest {
    @Program("route")
    XdpProgram routeField;

    @Map("blocked")
    XdpMap blockedField;

    private XdpProgram fromBeforeEach;

    @BeforeEach
    void lifecycleMethodsGetParametersToo(@Program("route") XdpProgram route) {
        fromBeforeEach = route;
    }

    @Test
    void routedFrameHasTtlDecrementedAndMacsSwapped(@Program("route") XdpProgram route) {
        assertThat(route.testRun(Packets.udp4().dst("10.0.0.2", 53).build())).isTx().hasNoFault().frame()
                .eth().src(Packets.MAC_B).dst(Packets.MAC_A)
                .ipv4().ttl(63).src("10.0.0.1").dst("10.0.0.2")
                .udp().dstPort(53)
                .checksumsValid();
    }

    @Test
    void mapParameterReachesTheProgramsMap(@Program("route") XdpProgram route, @Map("blocked") XdpMap blocked) {
        blocked.updateDecoded(53, 0L);
        assertThat(route.testRun(Packets.udp4().dstPort(53).build())).isDrop();
        assertEquals(1, blocked.lookupLong(53).orElseThrow());
    }

    @RepeatedTest(2)
    void everyTestStartsWithEmptyMaps(@Map("blocked") XdpMap blocked, @Map("verdicts") XdpMap verdicts) {
        assertEquals(java.util.Map.of(), blocked.entriesDecoded());
        assertEquals(0, verdicts.lookupLong(XdpAction.TX.code()).orElseThrow());
        blocked.updateDecoded(1, 0L);
        verdicts.updateDecoded(XdpAction.TX.code(), 5L);
    }

    @Test
    void parametersShareOneObjectPerTest(XdpObject obj, @Program("route") XdpProgram route, @Map("verdicts") XdpMap verdicts) {
        assertSame(obj.program("route"), route);
        assertSame(obj.map("verdicts"), verdicts);
        assertSame(route, fromBeforeEach);
        route.testRun(Packets.tcp4().build());
        assertEquals(1, obj.map("verdicts").lookupLong(XdpAction.TX.code()).orElseThrow());
    }

    @Test
    void fieldsAreInjected(@Program("route") XdpProgram route) {
        assertSame(route, routeField);
        blockedField.updateDecoded(7, 0L);
        assertThat(route.testRun(Packets.udp4().dstPort(7).build())).isDrop();
    }

    @Test
    void programChosenByName(@Program("drop_all") XdpProgram dropAll) {
        assertEquals("drop_all", dropAll.name());
        assertThat(dropAll.testRun(Packets.udp4().build())).isDrop();
    }

    @Test
    void withoutProgramNameTwoXdpProgramsIsAClearError(XdpObject obj) {
        JxdpException e = assertThrows(JxdpException.class, obj::program);
        assertTrue(e.getMessage().contains("route") && e.getMessage().contains("drop_all"), e.getMessage());
    }

    @Test
    @LoadObject(value = "kit.o", constants = "MIN_TTL=10")
    void constantsOnTheMethodApplyBeforeLoad(@Program("route") XdpProgram route) {
        assertThat(route.testRun(Packets.udp4().ttl(9).build())).isDrop();
        assertThat(route.testRun(Packets.udp4().ttl(10).build())).isTx();
    }

    @Test
    void aParametersOwnObjectIsSeparate(@LoadObject(value = "kit.o", constants = "MIN_TTL=100") XdpObject strict,
                                        XdpObject plain) {
        assertNotSame(strict, plain);
        byte[] frame = Packets.udp4().ttl(64).build();
        assertThat(strict.program("route").testRun(frame)).isDrop();
        assertThat(plain.program("route").testRun(frame)).isTx();
    }

    @Test
    void objectIsClosedAfterTheTest(XdpObject obj, ObjectSpec spec) {
        assertEquals(List.of("route", "drop_all"), spec.programs().stream().map(p -> p.name()).toList());
        assertThat(obj.program("drop_all").testRun(Packets.udp4().build())).isDrop();
        fromATest = obj; // checked after the class, when the kit has closed it
    }

    private static XdpObject fromATest;

    @AfterAll
    static void theKitClosedWhatItLoaded() {
        if (fromATest != null) {
            JxdpException e = assertThrows(JxdpException.class, () -> fromATest.program("drop_all").testRun(Packets.udp4().build()));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
    }

    @EngineTest
    void engineTestRunsOncePerEngine(Engine engine, XdpObject obj, @Program("route") XdpProgram route) {
        assertEquals(engine, obj.engine());
        assertThat(route.testRun(Packets.tcp6().build())).isPass();
        assertThat(route.testRun(Packets.icmp4Echo().ttl(2).build())).isTx().frame().ipv4().ttl(1).checksumsValid();
    }

    @Test
    void plainTestRunsOnTheFirstEngine(Engine engine) {
        String property = System.getProperty(XdpExtension.ENGINES_PROPERTY, "");
        assertEquals(property.isBlank() ? Engine.JIT : Engines.parse(property).getFirst(), engine);
    }

    @Test
    void repeatedRunsShareMaps(@Program("route") XdpProgram route, @Map("verdicts") XdpMap verdicts) {
        route.testRun(TestRunOptions.builder().frame(Packets.arpRequest().build()).repeat(10).build());
        assertEquals(10, verdicts.lookupLong(XdpAction.PASS.code()).orElseThrow());
    }

    @Test
    void nonIpFramesPassUnchanged(@Program("route") XdpProgram route) {
        byte[] arp = Packets.arpReply().build();
        byte[] cut = Arrays.copyOf(Packets.udp4().build(), 14 + 20 + 3);
        assertThat(route.testRun(arp)).isPass().frameEquals(arp);
        assertThat(route.testRun(cut)).isAborted();
    }

    @Test
    void actionFailureNamesBothActionsAndTheFrame(@Program("route") XdpProgram route) {
        TestRunResult r = route.testRun(Packets.udp4().build());
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> assertThat(r).isDrop());
        assertEquals("expected XDP_DROP but the program returned XDP_TX; frame out: eth 02:00:00:00:00:02 > "
                + "02:00:00:00:00:01 / ipv4 10.0.0.1 > 10.0.0.2 ttl 63 proto 17 / udp 40000 > 53", e.getMessage());
    }

    @Test
    void fieldFailureNamesTheFieldAndValues(@Program("route") XdpProgram route) {
        TestRunResult r = route.testRun(Packets.udp4().build());
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> assertThat(r).frame().ipv4().ttl(64));
        assertTrue(e.getMessage().startsWith("ipv4 ttl: expected 64 but was 63\nin frame: eth "), e.getMessage());
        AssertionFailedError missing = assertThrows(AssertionFailedError.class, () -> assertThat(r).frame().tcp());
        assertTrue(missing.getMessage().startsWith("expected a TCP header but the frame is: eth "), missing.getMessage());
    }

    @Test
    void frameFailureShowsAHexdumpDiff(@Program("route") XdpProgram route) {
        byte[] in = Packets.udp4().build();
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> assertThat(route.testRun(in)).frameEquals(in));
        List<String> lines = e.getMessage().lines().toList();
        assertEquals("frames differ", lines.get(0));
        assertEquals("expected 42 bytes, actual 42 bytes, first difference at offset 5 (0x5)", lines.get(1));
        assertTrue(lines.get(3).startsWith("0000  ") && lines.get(3).contains(" < "), lines.get(3)); // MACs and TTL
        assertTrue(lines.get(4).contains(" < "), lines.get(4));
        assertTrue(lines.get(5).contains(" | "), lines.get(5)); // UDP header, untouched
    }

    @Test
    void checksumFailureListsWhatIsWrong() {
        byte[] bad = Packets.udp4().ipChecksum(0x1111).build();
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> assertThat(bad).checksumsValid());
        assertTrue(e.getMessage().startsWith("expected valid checksums but ipv4 header checksum 0x1111, want 0x"), e.getMessage());
    }

    @Test
    void objectFilesResolveFromClassPathThenProjectDir() {
        assertEquals("kit.o", XdpExtension.read("kit.o", getClass()).name());
        assertEquals("kit.o", XdpExtension.read("/kit.o", getClass()).name());
        assertTrue(XdpExtension.read("src/test/bpf/kit.o", getClass()).name().endsWith("src/test/bpf/kit.o"));
        ExtensionConfigurationException e = assertThrows(ExtensionConfigurationException.class,
                () -> XdpExtension.read("nope.o", getClass()));
        assertTrue(e.getMessage().startsWith("nope.o: not found on the class path (beside dev.jxdp.junit.XdpExtensionTest or at"
                + " its root) nor at "), e.getMessage());
    }

    @Test
    void enginesPropertyParses() {
        assertEquals(List.of(Engine.JIT, Engine.KERNEL), Engines.parse(" jit, kernel ,jit"));
        assertEquals(List.of(Engine.INTERPRETER), Engines.parse("interp"));
        assertEquals("jxdp.engines=jit,bpf: unknown engine \"bpf\" (want jit, interp or kernel, comma-separated)",
                assertThrows(ExtensionConfigurationException.class, () -> Engines.parse("jit,bpf")).getMessage());
    }
}
