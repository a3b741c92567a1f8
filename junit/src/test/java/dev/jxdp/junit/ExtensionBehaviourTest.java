package dev.jxdp.junit;

import static dev.jxdp.junit.XdpAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.jxdp.Engine;
import dev.jxdp.XdpMap;
import dev.jxdp.XdpProgram;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * What the extension reports, seen from outside: fixture classes (nested here, so that the build does not run them
 * itself) run through the JUnit launcher, their outcomes collected by display name.
 */
class ExtensionBehaviourTest {

    @XdpTest(engines = {Engine.JIT, Engine.INTERPRETER})
    @LoadObject("kit.o")
    static class TwoEngines {
        @EngineTest
        void failsOnEveryEngine(@Program("route") XdpProgram route) {
            assertThat(route.testRun(Packets.udp4().build())).isTx().frame().ipv4().ttl(64);
        }
    }

    @XdpTest(engines = Engine.KERNEL)
    @LoadObject("kit.o")
    static class KernelOnly {
        @EngineTest
        void runsOrIsSkippedWithTheReason(@Program("drop_all") XdpProgram dropAll) {
            assertThat(dropAll.testRun(Packets.udp4().build())).isDrop();
        }
    }

    @XdpTest
    @LoadObject("kit.o")
    static class Misconfigured {
        @Test
        void mapWithoutName(XdpMap map) {
        }

        @Test
        @LoadObject(value = "kit.o", constants = "MIN_TTL")
        void constantWithoutValue(XdpProgram program) {
        }
    }

    /** Display name of each finished test, with its outcome and message. */
    private static List<String> run(Class<?> fixture) {
        List<String> out = new ArrayList<>();
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectClass(fixture)).build();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (id.isTest()) {
                    out.add(id.getDisplayName() + ": " + result.getStatus()
                            + result.getThrowable().map(t -> ": " + t.getMessage()).orElse(""));
                }
            }
        });
        return out;
    }

    @Test
    void engineRunsAreNamedAndTheirFailuresSayWhichEngine() {
        List<String> outcomes = run(TwoEngines.class);
        assertEquals(2, outcomes.size(), outcomes.toString());
        assertTrue(outcomes.get(0).startsWith("jit: FAILED: [jit] ipv4 ttl: expected 64 but was 63\nin frame: "), outcomes.get(0));
        assertTrue(outcomes.get(1).startsWith("interpreter: FAILED: [interpreter] ipv4 ttl: expected 64 but was 63"),
                outcomes.get(1));
    }

    @Test
    void kernelRunsWhereItCanElseIsSkippedWithTheReason() {
        List<String> outcomes = run(KernelOnly.class);
        String why = Engines.unavailableReason(Engine.KERNEL);
        assertEquals(List.of(why == null ? "kernel: SUCCESSFUL" : "kernel: ABORTED: Assumption failed: kernel engine unavailable: "
                + why), outcomes);
    }

    @Test
    void misconfigurationIsOneClearLine() {
        List<String> outcomes = run(Misconfigured.class);
        assertEquals(2, outcomes.size(), outcomes.toString());
        assertTrue(outcomes.contains("mapWithoutName(XdpMap): FAILED: parameter 0 (XdpMap) of mapWithoutName(): say which map"
                + " with @Map(\"name\"); kit.o has [blocked, verdicts, kit.rodata]"), outcomes.toString());
        assertTrue(outcomes.contains("constantWithoutValue(XdpProgram): FAILED: @LoadObject(\"kit.o\") constant \"MIN_TTL\":"
                + " want NAME=VALUE"), outcomes.toString());
    }
}
