package dev.jxdp.xdp.chain;

import dev.jxdp.ebpf.BpfException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class XdpMultiProgTest {

    private static final int DROP = 1 << 1;
    private static final int PASS = 1 << 2;
    private static final int TX = 1 << 3;

    private static XdpMultiProg.Program prog(String name, long prio, int actions) {
        return new XdpMultiProg.Program(Path.of(name + ".o"), name, prio, actions);
    }

    private static List<String> order(XdpMultiProg l) {
        return l.programs().stream().map(XdpMultiProg.Program::name).toList();
    }

    @Test
    void lowerPriorityRunsFirst() {
        XdpMultiProg l = XdpMultiProg.of(List.of(prog("a", 60, PASS), prog("b", 10, PASS), prog("c", 50, PASS)));
        assertEquals(List.of("b", "c", "a"), order(l));
    }

    @Test
    void priorityComparesUnsigned() {
        XdpMultiProg l = XdpMultiProg.of(List.of(prog("top", 4294967295L, PASS), prog("zero", 0, PASS)));
        assertEquals(List.of("zero", "top"), order(l));
    }

    @Test
    void aTieGoesToTheNameAsStrcmpOrdersIt() {
        // strcmp compares bytes: 'B' (0x42) and '_' (0x5f) come before 'a' (0x61)
        XdpMultiProg l = XdpMultiProg.of(List.of(prog("a", 50, PASS), prog("_x", 50, PASS), prog("B", 50, PASS),
                prog("ab", 50, PASS)));
        assertEquals(List.of("B", "_x", "a", "ab"), order(l));
    }

    @Test
    void anEmptyListIsRefused() {
        assertEquals("multi-program list: no programs",
                assertThrows(BpfException.class, () -> XdpMultiProg.of(List.of())).getMessage());
    }

    @Test
    void sixtyFourProgramsAreTaken() {
        assertEquals(64, XdpMultiProg.of(many(64)).toChain().maxRun());
    }

    @Test
    void sixtyFiveAreRefused() {
        assertEquals("multi-program list: 65 programs, more than jxdp's 64 (libxdp's dispatcher takes 10)",
                assertThrows(BpfException.class, () -> XdpMultiProg.of(many(65))).getMessage());
    }

    private static List<XdpMultiProg.Program> many(int n) {
        List<XdpMultiProg.Program> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(prog("p" + i, i, PASS));
        }
        return out;
    }

    @Test
    void twoProgramsOfOneNameAreRefused() {
        BpfException e = assertThrows(BpfException.class, () -> XdpMultiProg.of(List.of(
                new XdpMultiProg.Program(Path.of("a.o"), "xdp_prog", 50, PASS),
                new XdpMultiProg.Program(Path.of("b.o"), "xdp_prog", 10, PASS))));
        assertEquals("multi-program list: two programs named xdp_prog (a.o, b.o); the list names its programs by name",
                e.getMessage());
    }

    @Test
    void aPriorityOutOfRangeIsRefusedNamingTheProgram() {
        BpfException e = assertThrows(BpfException.class, () -> prog("big", 1L << 32, PASS));
        assertEquals("program big: run_prio 4294967296 out of range 0..4294967295 (libxdp keeps it in an unsigned int)",
                e.getMessage());
        assertThrows(BpfException.class, () -> prog("neg", -1, PASS));
    }

    @Test
    void aContinuingActionGoesToTheNextProgram() {
        ChainPlan c = XdpMultiProg.of(List.of(prog("a", 1, PASS), prog("b", 2, PASS))).toChain();
        assertEquals(new ChainWalk(List.of("a", "b"), 1), ChainWalk.of(c, Map.of("a", 2, "b", 1)));
    }

    @Test
    void anyOtherActionStopsAndIsTheFramesAction() {
        ChainPlan c = XdpMultiProg.of(List.of(prog("a", 1, PASS), prog("b", 2, PASS))).toChain();
        assertEquals(new ChainWalk(List.of("a"), 3), ChainWalk.of(c, Map.of("a", 3)));
    }

    @Test
    void aCodeThatIsNoActionStops() {
        ChainPlan c = XdpMultiProg.of(List.of(prog("a", 1, 0x1f), prog("b", 2, PASS))).toChain();
        assertEquals(new ChainWalk(List.of("a"), 7), ChainWalk.of(c, Map.of("a", 7)));
        assertEquals(new ChainWalk(List.of("a"), -1), ChainWalk.of(c, Map.of("a", -1)));
    }

    @Test
    void theLastProgramContinuingEndsWithPassAsTheDispatcherDoes() {
        // xdp-dispatcher.c falls out of its slots to "return XDP_PASS", whatever the last program returned
        ChainPlan c = XdpMultiProg.of(List.of(prog("a", 1, PASS), prog("b", 2, DROP | TX))).toChain();
        assertEquals(new ChainWalk(List.of("a", "b"), 2), ChainWalk.of(c, Map.of("b", 1)));
        assertEquals(ChainPlan.RETURN_PASS, c.next(1, 1));
        assertEquals(ChainPlan.RETURN_RETVAL, c.next(1, 2));
    }

    @Test
    void theChainKeepsRunOrderAsItsIndexes() {
        ChainPlan c = XdpMultiProg.of(List.of(prog("late", 90, PASS), prog("early", 5, PASS))).toChain();
        assertEquals(0, c.first());
        assertEquals(List.of("early", "late"), c.programs().stream().map(ChainProgram::name).toList());
        assertEquals(1, c.indexOf("late"));
    }

    @Test
    void aProgramWithNoChainActionsMakesTheRestUnreachable() {
        ChainPlan c = XdpMultiProg.of(List.of(prog("a", 1, 0), prog("b", 2, PASS))).toChain();
        assertEquals(false, c.reachable(1));
        assertEquals(1, c.maxRun());
    }

    @Test
    void describeListsEachProgramsSteps() {
        ChainPlan c = XdpMultiProg.of(List.of(prog("a", 1, PASS), prog("b", 2, DROP))).toChain();
        assertEquals("""
                0 a (first): XDP_PASS -> 1 b; else return the code
                1 b: XDP_DROP -> return XDP_PASS; else return the code
                """, c.describe());
    }
}
