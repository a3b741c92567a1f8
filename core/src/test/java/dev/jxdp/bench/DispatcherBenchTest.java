package dev.jxdp.bench;

import dev.jxdp.xdp.NapiWorker;
import dev.jxdp.xdp.RxQueueStats;
import dev.jxdp.xdp.dispatch.BpfDispatcher;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dispatcher bench's datapath and cases: what each case sets up, not how fast it runs. */
class DispatcherBenchTest {

    @Test
    void theCaseNamesAreTheTablesExactly() {
        StringBuilder b = new StringBuilder();
        for (DispatcherCase c : DispatcherCase.table()) {
            b.append(c.label()).append(' ');
        }
        assertEquals("baseline-1 dispatcher-1 baseline-2 dispatcher-2 baseline-4 dispatcher-4 baseline-8 dispatcher-8 "
                + "baseline-16 dispatcher-16 baseline-32 dispatcher-32 baseline-48 dispatcher-48 baseline-49 full ",
                b.toString());
        assertTrue(DispatcherCase.all().containsAll(DispatcherCase.table()));
        assertEquals(List.of("shared-2", "shared-4", "shared-8", "shared-16", "shared-32", "shared-48"),
                DispatcherCase.all().stream().filter(DispatcherCase::shared).map(DispatcherCase::label).toList(),
                "the control cases, run only when named");
        assertEquals(49, DispatcherCase.byLabel("full").programs());
        assertTrue(DispatcherCase.byLabel("full").dispatcher());
        assertFalse(DispatcherCase.byLabel("baseline-49").dispatcher());
        assertNull(DispatcherCase.byLabel("dispatcher-49"));
        assertEquals(DispatcherCase.byLabel("full"), BenchCase.byLabel("full"), "a child JVM finds it by its label");
    }

    @Test
    void fullGivesEachDeviceItsOwnProgramClassAndMeasuresTheOneWithoutASlot() {
        DispatcherBench b = DispatcherCase.byLabel("full").open();
        BpfDispatcher d = BpfDispatcher.xdp();
        BuiltinProgram.Loaded[] progs = b.programs();
        try {
            Set<Class<?>> classes = new HashSet<>();
            for (BuiltinProgram.Loaded p : progs) {
                classes.add(p.jit().code().getClass());
            }
            assertEquals(49, classes.size(), "49 compiled classes");
            for (int i = 0; i < 48; i++) {
                assertTrue(d.hasSlot(progs[i].jit().code()), "program " + i + " has a slot");
            }
            assertFalse(d.hasSlot(progs[48].jit().code()), "the 49th takes the fallback");
            NapiWorker[] ws = b.workers();
            long spread = ws[0].stats().rx;
            assertTrue(spread > 0, "every device got traffic while it was built");
            long measured = b.run(20_000_000L, () -> false);
            assertTrue(measured > 0);
            assertEquals(spread, ws[0].stats().rx, "the timed polls go to the last device only");
            RxQueueStats last = ws[48].stats();
            assertEquals(last.rx, last.drop, "XDP_DROP, every frame: " + last);
            assertEquals(last.rx, b.calls()[48].runs(), "entered through its xdp_call");
        } finally {
            b.close();
        }
        for (BuiltinProgram.Loaded p : progs) {
            assertFalse(d.hasSlot(p.jit().code()), "closing gives the slots back");
        }
    }

    @Test
    void sharedRunsOneProgramOnEveryDeviceThroughOneSlot() {
        BpfDispatcher d = BpfDispatcher.xdp();
        int before = d.programs();
        try (DispatcherBench b = DispatcherCase.byLabel("shared-8").open()) {
            assertEquals(before + 1, d.programs(), "one slot for the eight devices");
            long n = b.run(20_000_000L, () -> false);
            long sum = 0;
            for (int i = 0; i < 8; i++) {
                NapiWorker w = b.workers()[i];
                assertTrue(w.stats().rx > 0, "each device polled");
                assertEquals(w.stats().rx, w.stats().drop);
                assertEquals(w.stats().rx, b.calls()[i].runs());
                assertEquals(b.workers()[0].xdpCall().program(), w.xdpCall().program(), "the same program");
                sum += w.stats().rx;
            }
            assertEquals(n, sum);
        }
        assertEquals(before, d.programs(), "closing gives the slot back");
    }

    @Test
    void baselineSpreadsTheTrafficOverEveryDeviceWithoutTheDispatcher() {
        try (DispatcherBench b = DispatcherCase.byLabel("baseline-4").open()) {
            assertEquals(0, b.calls().length);
            long n = b.run(20_000_000L, () -> false);
            long sum = 0;
            for (NapiWorker w : b.workers()) {
                assertTrue(w.stats().rx > 0, "each device polled");
                assertEquals(w.stats().rx, w.stats().drop);
                assertNull(w.xdpCall());
                sum += w.stats().rx;
            }
            assertEquals(n, sum);
        }
    }

    @Test
    void aSuiteInThisJvmGivesARowPerCaseAndTheirRatio() {
        DispatcherSuite.Result r = DispatcherSuite.run(List.of(DispatcherCase.byLabel("dispatcher-2"),
                DispatcherCase.byLabel("dispatcher-1")), 1, 0.01, 0, false, null);
        assertEquals(List.of("dispatcher-1", "dispatcher-2"), r.rows().stream().map(DispatcherSuite.Row::label).toList());
        assertTrue(r.json().contains("\"num\":\"dispatcher-2\",\"den\":\"dispatcher-1\""), r.json());
        assertTrue(r.table().contains("dispatcher-2 / dispatcher-1"), r.table());
    }
}
