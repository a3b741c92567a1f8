package dev.jxdp.xdp.chain;

import dev.jxdp.XdpAction;
import dev.jxdp.ebpf.BpfException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.jxdp.xdp.chain.ChainWalk.programs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChainCallMapTest {

    private static final int DROP = 1;
    private static final int PASS = 2;
    private static final int TX = 3;

    @Test
    void anActionsOwnEntryComesBeforeTheWildcard() {
        ChainCallMap m = ChainCallMap.builder("a").on("a", XdpAction.PASS, "b").onAny("a", "c").build();
        assertEquals("b", m.next("a", PASS));
        assertEquals("c", m.next("a", DROP));
        assertEquals("c", m.next("a", 7));
        assertNull(m.next("b", PASS));
    }

    @Test
    void theFirstProgramAndTheEntriesGiveTheSteps() {
        ChainPlan c = ChainCallMap.builder("fw").on("fw", XdpAction.PASS, "lb").on("lb", XdpAction.TX, "count").build()
                .resolve(programs("count", "fw", "lb"));
        assertEquals(1, c.first());
        assertEquals(new ChainWalk(List.of("fw", "lb", "count"), PASS), ChainWalk.of(c, Map.of("lb", TX)));
        assertEquals(new ChainWalk(List.of("fw"), DROP), ChainWalk.of(c, Map.of("fw", DROP)));
        assertEquals(3, c.maxRun());
    }

    @Test
    void aCodeWithNoEntryIsTheFramesAction() {
        ChainPlan c = ChainCallMap.builder("a").on("a", XdpAction.PASS, "b").build().resolve(programs("a", "b"));
        assertEquals(ChainPlan.RETURN_RETVAL, c.next(0, DROP));
        assertEquals(ChainPlan.RETURN_RETVAL, c.next(0, 99));
        assertEquals(ChainPlan.RETURN_RETVAL, c.next(1, PASS));
    }

    @Test
    void theWildcardTakesCodesThatAreNoAction() {
        ChainPlan c = ChainCallMap.builder("a").onAny("a", "b").build().resolve(programs("a", "b"));
        assertEquals(new ChainWalk(List.of("a", "b"), PASS), ChainWalk.of(c, Map.of("a", 1234)));
        assertEquals(1, c.next(0, -1));
    }

    @Test
    void aFirstProgramNotLoadedIsRefused() {
        BpfException e = assertThrows(BpfException.class,
                () -> ChainCallMap.builder("x").build().resolve(programs("a", "b")));
        assertEquals("chain-call map: first program x is not loaded (loaded: a, b)", e.getMessage());
    }

    @Test
    void anEntryForAProgramNotLoadedIsRefused() {
        BpfException e = assertThrows(BpfException.class, () -> ChainCallMap.builder("a")
                .on("ghost", XdpAction.PASS, "a").build().resolve(programs("a", "b")));
        assertEquals("chain-call map: entry for ghost, a program that is not loaded (loaded: a, b)", e.getMessage());
    }

    @Test
    void aNextProgramNotLoadedIsRefused() {
        BpfException e = assertThrows(BpfException.class, () -> ChainCallMap.builder("a")
                .on("a", XdpAction.DROP, "ghost").build().resolve(programs("a", "b")));
        assertEquals("chain-call map: a on XDP_DROP: next program ghost is not loaded (loaded: a, b)", e.getMessage());
    }

    @Test
    void aCycleReachableFromTheFirstProgramIsRefused() {
        BpfException e = assertThrows(BpfException.class, () -> ChainCallMap.builder("a")
                .on("a", XdpAction.PASS, "b").on("b", XdpAction.TX, "c").onAny("c", "b").build()
                .resolve(programs("a", "b", "c")));
        assertEquals("chain-call map: cycle b -XDP_TX-> c -any code-> b reachable from the first program a "
                + "(a frame would never leave it)", e.getMessage());
    }

    @Test
    void aCycleNamesEveryCodeOfItsStep() {
        BpfException e = assertThrows(BpfException.class, () -> ChainCallMap.builder("a")
                .on("a", XdpAction.PASS, "b").on("b", XdpAction.DROP, "a").on("b", XdpAction.TX, "a").build()
                .resolve(programs("a", "b")));
        assertEquals("chain-call map: cycle a -XDP_PASS-> b -XDP_DROP|XDP_TX-> a reachable from the first program a "
                + "(a frame would never leave it)", e.getMessage());
    }

    @Test
    void aProgramChainedToItselfIsACycle() {
        BpfException e = assertThrows(BpfException.class, () -> ChainCallMap.builder("a")
                .on("a", XdpAction.REDIRECT, "a").build().resolve(programs("a")));
        assertEquals("chain-call map: cycle a -XDP_REDIRECT-> a reachable from the first program a "
                + "(a frame would never leave it)", e.getMessage());
    }

    @Test
    void aCycleNoFrameReachesIsAllowed() {
        ChainPlan c = ChainCallMap.builder("a").on("b", XdpAction.PASS, "c").on("c", XdpAction.PASS, "b").build()
                .resolve(programs("a", "b", "c"));
        assertTrue(c.reachable(0));
        assertFalse(c.reachable(1));
        assertFalse(c.reachable(2));
        assertEquals(1, c.maxRun());
    }

    @Test
    void aDiamondIsNoCycle() {
        ChainPlan c = ChainCallMap.builder("a").on("a", XdpAction.PASS, "b").on("a", XdpAction.DROP, "c")
                .onAny("b", "d").onAny("c", "d").build().resolve(programs("a", "b", "c", "d"));
        assertEquals(3, c.maxRun());
    }

    @Test
    void twoLoadedProgramsOfOneNameAreRefused() {
        BpfException e = assertThrows(BpfException.class,
                () -> ChainCallMap.builder("a").build().resolve(programs("a", "a")));
        assertEquals("chain-call map: two programs named a (t.o:a, t.o:a); a chain names its programs by name",
                e.getMessage());
    }

    @Test
    void anEntryGivenTwiceIsRefused() {
        BpfException e = assertThrows(BpfException.class,
                () -> ChainCallMap.builder("a").on("a", XdpAction.PASS, "b").on("a", XdpAction.PASS, "c"));
        assertEquals("chain-call map: a on XDP_PASS: given twice (b, c)", e.getMessage());
    }

    @Test
    void theUnknownActionHasNoEntryOfItsOwn() {
        assertThrows(BpfException.class, () -> ChainCallMap.builder("a").on("a", XdpAction.UNKNOWN, "b"));
    }

    @Test
    void jxdpsRedirectXskHasNoEntryOfItsOwn() {
        // code 5 is in the wildcard's slot, as for libxdp's dispatcher: an entry of its own would replace it
        BpfException e = assertThrows(BpfException.class,
                () -> ChainCallMap.builder("a").on("a", XdpAction.REDIRECT_XSK, "b"));
        assertEquals("chain-call map: a: a code that is no action of libxdp's has no entry of its own; use the "
                + "wildcard", e.getMessage());
    }

    @Test
    void theBuiltMapDoesNotChangeWithItsBuilder() {
        ChainCallMap.Builder b = ChainCallMap.builder("a").on("a", XdpAction.PASS, "b");
        ChainCallMap m = b.build();
        b.on("a", XdpAction.DROP, "c");
        assertNull(m.next("a", DROP));
        assertEquals("ChainCallMap[first a; a:pass=b]", m.toString());
    }

    @Test
    void theOtherSlotIsWhatEveryCodeBeyondRedirectGets() {
        ChainPlan c = ChainCallMap.builder("a").on("a", XdpAction.PASS, "b").onAny("a", "c").build()
                .resolve(programs("a", "b", "c"));
        assertEquals(c.next(0, 1234), c.next(0, ChainPlan.OTHER));
        assertEquals(2, c.next(0, ChainPlan.OTHER));
    }

    @Test
    void moreThanSixtyFourLoadedProgramsAreRefused() {
        String[] names = new String[65];
        for (int i = 0; i < names.length; i++) {
            names[i] = "p" + i;
        }
        assertEquals("chain-call map: 65 programs, more than jxdp's 64", assertThrows(BpfException.class,
                () -> ChainCallMap.builder("p0").build().resolve(programs(names))).getMessage());
    }

    @Test
    void noProgramsLoadedIsRefused() {
        assertEquals("chain-call map: first program a is not loaded (no programs loaded)", assertThrows(
                BpfException.class, () -> ChainCallMap.builder("a").build().resolve(List.of())).getMessage());
    }
}
