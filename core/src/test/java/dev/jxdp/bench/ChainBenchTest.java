package dev.jxdp.bench;

import dev.jxdp.ebpf.maps.ProgArray;
import dev.jxdp.xdp.RxQueueStats;
import dev.jxdp.xdp.dispatch.LoadedChain;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chain bench's datapath and cases: what each case sets up, not how fast it runs. */
class ChainBenchTest {

    private static final long SLICE = 20_000_000L;

    @Test
    void theCaseNamesAreTheIssuesExactlyInOrder() {
        assertEquals(List.of("single-drop", "tailcall", "chain-dynamic", "chain-compiled", "chain-compiled-10",
                "chain-compiled-64"), List.of(ChainCase.values()).stream().map(ChainCase::label).toList());
        assertEquals(ChainCase.CHAIN_COMPILED_64, BenchCase.byLabel("chain-compiled-64"), "a child JVM finds it by its label");
        assertNull(ChainCase.byLabel("chain-compiled-2"));
    }

    @Test
    void singleDropDropsEveryFrameWithOneProgram() {
        try (ChainBench b = ChainCase.SINGLE_DROP.open()) {
            long n = b.run(SLICE, () -> false);
            RxQueueStats s = b.worker().stats();
            assertTrue(n > 0);
            assertEquals(s.rx, s.drop, "XDP_DROP, every frame: " + s);
            assertNull(b.chain());
            assertEquals(1, b.loaded().size());
            assertEquals(BuiltinProgram.DROP, b.loaded().getFirst().which());
        }
    }

    @Test
    void tailcallDropsInTheCallee() {
        try (ChainBench b = ChainCase.TAILCALL.open()) {
            b.run(SLICE, () -> false);
            RxQueueStats s = b.worker().stats();
            assertTrue(s.rx > 0);
            assertEquals(s.rx, s.drop, "every frame dropped: " + s);
            BuiltinProgram.Loaded p = b.loaded().getFirst();
            assertEquals(BuiltinProgram.TAIL_CALL, p.which());
            ProgArray slots = (ProgArray) p.collection().map(BuiltinProgram.TAIL_CALLS);
            assertEquals(BuiltinProgram.TAIL_CALLEE, slots.get(0).name());
            slots.set(0, null);
            long dropped = s.drop;
            b.run(SLICE, () -> false);
            assertEquals(dropped, s.drop, "with the slot empty the caller falls through: the drops were the callee's");
            assertEquals(s.rx - dropped, s.pass, "to XDP_PASS: " + s);
        }
    }

    @Test
    void chainsRunEachPartAsAProgramOfItsOwnAndDropInTheLast() {
        for (ChainCase c : List.of(ChainCase.CHAIN_DYNAMIC, ChainCase.CHAIN_COMPILED, ChainCase.CHAIN_COMPILED_10,
                ChainCase.CHAIN_COMPILED_64)) {
            try (ChainBench b = c.open()) {
                LoadedChain chain = b.chain();
                assertEquals(c.executor(), chain.executor(), c.label());
                assertEquals(c.programs(), chain.plan().size(), c.label());
                Set<Class<?>> classes = new HashSet<>();
                for (int i = 0; i < c.programs(); i++) {
                    BuiltinProgram.Loaded p = b.loaded().get(i);
                    assertEquals(i == c.programs() - 1 ? BuiltinProgram.DROP : BuiltinProgram.PASS, p.which(), c + " part " + i);
                    assertEquals(p.jit().code(), chain.parts().get(i).code());
                    classes.add(p.jit().code().getClass());
                }
                assertEquals(c.programs(), classes.size(), c + ": each part compiled on its own");
                b.run(SLICE, () -> false);
                RxQueueStats s = b.worker().stats();
                assertTrue(s.rx > 0, c.label());
                assertEquals(s.rx, s.drop, c + ": the PASS parts went on, the last dropped: " + s);
            }
        }
        assertEquals(64, ChainCase.CHAIN_COMPILED_64.programs());
        assertEquals(10, ChainCase.CHAIN_COMPILED_10.programs());
        assertEquals(2, ChainCase.CHAIN_DYNAMIC.programs());
    }

    @Test
    void closingTwiceDoesNothing() {
        ChainBench b = ChainCase.CHAIN_COMPILED.open();
        b.close();
        b.close();
        assertFalse(b.loaded().isEmpty());
    }

    @Test
    void aSuiteInThisJvmGivesRowsTheSeedsColumnsAndTheTargetsOfTheCasesThatRan() {
        ChainSuite.Result r = ChainSuite.run(List.of(ChainCase.CHAIN_COMPILED, ChainCase.TAILCALL, ChainCase.SINGLE_DROP),
                1, 0.01, 0, false, null);
        assertEquals(List.of("single-drop", "tailcall", "chain-compiled"), r.rows().stream().map(ChainSuite.Row::label).toList());
        double base = r.row("single-drop").nsPerPkt();
        assertEquals(r.row("chain-compiled").nsPerPkt() - base, r.overhead("chain-compiled"), 1e-9);
        assertEquals(r.row("chain-compiled").nsPerPkt() - r.row("tailcall").nsPerPkt(), r.additional(2), 1e-9,
                "the additional overhead is over the row before");
        assertTrue(r.table().contains("Add. overhead"), r.table());
        assertTrue(r.table().contains("overhead(chain-compiled) <= 1 x overhead(tailcall)"), r.table());
        assertFalse(r.table().contains("chain-dynamic"), "no target of a case that did not run: " + r.table());
        String json = r.json();
        assertTrue(json.startsWith("{\"suite\":\"chain\",\"rows\":[{\"case\":\"single-drop\""), json);
        assertTrue(json.contains("\"num\":\"chain-compiled\",\"den\":\"tailcall\""), json);
        assertTrue(json.contains("\"num\":\"chain-compiled\",\"den\":null,\"factor\":0.5"), json);
        assertFalse(json.contains("chain-compiled-64"), json);
    }
}
