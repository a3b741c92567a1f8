package dev.jxdp.xdp.dispatch;

import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.isa.Asm;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.ebpf.maps.MapType;
import dev.jxdp.ebpf.runtime.XdpAction;
import dev.jxdp.xdp.chain.ChainCallMap;
import dev.jxdp.xdp.chain.ChainPlan;
import dev.jxdp.xdp.chain.ChainProgram;
import dev.jxdp.xdp.chain.XdpMultiProg;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Chains of programs from collections of their own, run by both executors: each program sees the frame
 * the one before left, the return codes route as the plan says, the end of a libxdp list returns
 * XDP_PASS, a redirect made by a later program reaches the worker's state, a fault ends its program only.
 */
class LoadedChainTest {

    private final List<Harness> harnesses = new ArrayList<>();

    @AfterEach
    void close() {
        harnesses.forEach(Harness::close);
    }

    // a program of its own collection, with a counter map (array of one u64) when counted
    private JitProgram program(String asm, boolean counted) {
        Harness h = counted ? new Harness(List.of(Harness.spec("count", MapType.ARRAY, 4, 8, 1)), Asm.assemble(asm))
                : new Harness(Asm.assemble(asm));
        harnesses.add(h);
        return JitCompiler.verifying().program(h.prog(0));
    }

    // counts the run in map 0 key 0, then returns code
    private static String counting(String body, int code) {
        return """
                r6 = r1
                r1 = 0
                *(u32 *)(r10 -4) = r1
                r2 = r10
                r2 += -4
                r1 = map[idx:0] ll
                call bpf_map_lookup_elem
                if r0 == 0 goto out
                r1 = *(u64 *)(r0 +0)
                r1 += 1
                *(u64 *)(r0 +0) = r1
                out:
                r1 = r6
                %s
                r0 = %d
                exit""".formatted(body, code);
    }

    // r0 = the frame's first payload byte (0 for a frame too short), then the instructions in then
    private static String firstPayloadByte(String then) {
        return """
                r2 = *(u32 *)(r1 +0)
                r3 = *(u32 *)(r1 +4)
                r4 = r2
                r4 += 15
                r0 = 0
                if r4 > r3 goto out
                r0 = *(u8 *)(r2 +14)
                %s
                out:
                exit""".formatted(then);
    }

    // libxdp's list of these programs in this order (run_prio 1, 2, ...), each continuing on its mask
    private static ChainPlan sequence(List<String> names, int[] masks) {
        List<XdpMultiProg.Program> ps = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            ps.add(new XdpMultiProg.Program(Path.of(names.get(i) + ".o"), names.get(i), i + 1, masks[i]));
        }
        return XdpMultiProg.of(ps).toChain();
    }

    private static long count(JitProgram p) {
        byte[] v = p.program().collection().maps().get(0).userLookup(new byte[4]);
        return ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    // the frame the worker's state holds: a harness of its own (the first part's collection, as a worker's)
    private Harness frameOn(LoadedChain chain, byte[] frame) {
        Harness h = new Harness(Asm.assemble("r0 = 2\nexit"));
        harnesses.add(h);
        h.buff.load(frame);
        h.st.begin(h.buff);
        return h;
    }

    private static byte[] frame(int firstPayloadByte) {
        byte[] f = new byte[64];
        f[14] = (byte) firstPayloadByte;
        return f;
    }

    @ParameterizedTest
    @EnumSource(LoadedChain.Executor.class)
    void aLibxdpListRunsEachProgramOnPassAndStopsOnAnythingElse(LoadedChain.Executor ex) {
        JitProgram a = program(counting("", XdpAction.PASS), true);
        JitProgram b = program(counting("", XdpAction.DROP), true);
        JitProgram c = program(counting("", XdpAction.TX), true);
        int pass = 1 << XdpAction.PASS;
        LoadedChain chain = LoadedChain.of(sequence(List.of("a", "b", "c"), new int[] {pass, pass, pass}), List.of(a, b, c), ex);
        JitProgram run = chain.runner(0);
        for (int i = 0; i < 5; i++) {
            Harness w = frameOn(chain, frame(0));
            assertEquals(XdpAction.DROP, run.run(w.st));
        }
        assertEquals(5, count(a));
        assertEquals(5, count(b));
        assertEquals(0, count(c), "b dropped: c never ran");
    }

    @ParameterizedTest
    @EnumSource(LoadedChain.Executor.class)
    void whenTheLastProgramContinuesTheChainReturnsPassAsLibxdpsDispatcherDoes(LoadedChain.Executor ex) {
        JitProgram a = program(counting("", XdpAction.DROP), true);
        JitProgram b = program(counting("", XdpAction.TX), true);
        int dropTx = 1 << XdpAction.DROP | 1 << XdpAction.TX;
        LoadedChain chain = LoadedChain.of(sequence(List.of("a", "b"), new int[] {dropTx, dropTx}), List.of(a, b), ex);
        assertEquals(XdpAction.PASS, chain.runner(0).run(frameOn(chain, frame(0)).st));
        assertEquals(1, count(a));
        assertEquals(1, count(b));
    }

    @ParameterizedTest
    @EnumSource(LoadedChain.Executor.class)
    void everyReturnCodeTakesItsOwnRouteAndTheWildcardTakesTheRest(LoadedChain.Executor ex) {
        // r0 = the first payload byte | 0xffffffff00000000 (the upper half is not part of the action)
        JitProgram first = program(firstPayloadByte("r5 = -1\nr5 <<= 32\nr0 |= r5"), false);
        JitProgram seven = program("r0 = 7\nexit", false);
        JitProgram eight = program("r0 = 8\nexit", false);
        List<ChainProgram> loaded = List.of(new ChainProgram(Path.of("a.o"), "first"),
                new ChainProgram(Path.of("b.o"), "seven"), new ChainProgram(Path.of("c.o"), "eight"));
        // the chain-call map: ABORTED -> seven, PASS -> eight, TX -> seven, any other code -> eight (the
        // wildcard: every code without an entry of its own, as the RFC's act[code] ?: wildcard)
        ChainPlan wild = ChainCallMap.builder("first")
                .on("first", dev.jxdp.XdpAction.ABORTED, "seven").on("first", dev.jxdp.XdpAction.PASS, "eight")
                .on("first", dev.jxdp.XdpAction.TX, "seven").onAny("first", "eight").build().resolve(loaded);
        // without a wildcard, a code without an entry is the chain's action, upper half and all
        ChainPlan bare = ChainCallMap.builder("first").on("first", dev.jxdp.XdpAction.PASS, "eight")
                .on("first", dev.jxdp.XdpAction.TX, "seven").build().resolve(loaded);
        long hi = 0xffffffff00000000L;
        long[][] want = {{7, 8, 8, 7, 8, 8, 8, 8}, {hi, hi | 1, 8, 7, hi | 4, hi | 5, hi | 6, hi | 7}};
        ChainPlan[] plans = {wild, bare};
        for (int k = 0; k < plans.length; k++) {
            JitProgram run = LoadedChain.of(plans[k], List.of(first, seven, eight), ex).runner(0);
            for (int code = 0; code < want[k].length; code++) {
                assertEquals(want[k][code], run.run(frameOn(null, frame(code)).st), "plan " + k + ", first returned " + code);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(LoadedChain.Executor.class)
    void aLaterProgramSeesTheFrameAsTheOneBeforeLeftIt(LoadedChain.Executor ex) {
        JitProgram shrink = program("r2 = 4\ncall bpf_xdp_adjust_head\nr0 = 2\nexit", false);
        // XDP_DROP if the frame is 60 bytes long (64 less the 4 the first took), XDP_TX otherwise
        JitProgram measure = program("""
                r2 = *(u32 *)(r1 +0)
                r3 = *(u32 *)(r1 +4)
                r3 -= r2
                r0 = 1
                if r3 == 60 goto out
                r0 = 3
                out:
                exit""", false);
        int pass = 1 << XdpAction.PASS;
        LoadedChain chain = LoadedChain.of(sequence(List.of("shrink", "measure"), new int[] {pass, pass}),
                List.of(shrink, measure), ex);
        Harness w = frameOn(chain, frame(0));
        assertEquals(XdpAction.DROP, chain.runner(0).run(w.st));
        assertEquals(60, w.buff.length());
    }

    @ParameterizedTest
    @EnumSource(LoadedChain.Executor.class)
    void aRedirectMadeByALaterProgramReachesTheWorkersState(LoadedChain.Executor ex) {
        JitProgram a = program("r0 = 2\nexit", false);
        JitProgram b = program("r1 = 7\nr2 = 0\ncall bpf_redirect\nexit", false);
        int pass = 1 << XdpAction.PASS;
        LoadedChain chain = LoadedChain.of(sequence(List.of("a", "b"), new int[] {pass, pass}), List.of(a, b), ex);
        Harness w = frameOn(chain, frame(0));
        assertEquals(XdpAction.REDIRECT, chain.runner(0).run(w.st));
        assertEquals(7, w.st.redirectIfindex);
    }

    @ParameterizedTest
    @EnumSource(LoadedChain.Executor.class)
    void aFaultEndsItsProgramAsAbortedAndTheChainGoesOnAsItsActionsSay(LoadedChain.Executor ex) {
        // a read past the context the verifier cannot see: only without it (JitCompiler.compile) does it fault
        Harness h = new Harness(Asm.assemble("r2 = 1\nr2 <<= 40\nr0 = *(u8 *)(r2 +0)\nr0 = 2\nexit"));
        harnesses.add(h);
        JitProgram faulting = JitCompiler.compile(h.prog(0));
        JitProgram after = program(counting("", XdpAction.DROP), true);
        int abortedOrPass = 1 << XdpAction.ABORTED | 1 << XdpAction.PASS;
        LoadedChain go = LoadedChain.of(sequence(List.of("f", "after"), new int[] {abortedOrPass, abortedOrPass}),
                List.of(faulting, after), ex);
        JitProgram run = go.runner(0);
        assertEquals(XdpAction.DROP, run.run(frameOn(go, frame(0)).st));
        assertEquals(1, run.part(0).faults());
        assertEquals(1, count(after));
        int passOnly = 1 << XdpAction.PASS;
        LoadedChain stop = LoadedChain.of(sequence(List.of("f", "after"), new int[] {passOnly, passOnly}),
                List.of(faulting, after), ex);
        assertEquals(XdpAction.ABORTED, stop.runner(0).run(frameOn(stop, frame(0)).st));
        assertEquals(1, count(after), "aborted is not a continue action by default");
    }

    @Test
    void aCompiledChainIsOneClassOfItsOwnAndEachWorkerGetsItsOwnRunners() {
        JitProgram a = program("r0 = 2\nexit", false);
        JitProgram b = program("r0 = 1\nexit", false);
        int pass = 1 << XdpAction.PASS;
        LoadedChain chain = LoadedChain.of(sequence(List.of("a", "b"), new int[] {pass, pass}), List.of(a, b),
                LoadedChain.Executor.COMPILED);
        assertTrue(chain.code().getClass().isHidden());
        JitProgram r0 = chain.runner(0);
        JitProgram r1 = chain.runner(1);
        assertTrue(r0.part(0) != r1.part(0) && r0.partState(1) != r1.partState(1), "per worker");
        assertEquals(chain.code(), r0.code());
        assertEquals(2, r0.parts());
    }

    @Test
    void eachPartsRunStateNamesItsRunnerAsCallerBeforeAndAfterARun() {
        JitProgram a = program("r0 = 2\nexit", false);
        JitProgram b = program("r0 = 1\nexit", false);
        int pass = 1 << XdpAction.PASS;
        LoadedChain chain = LoadedChain.of(sequence(List.of("a", "b"), new int[] {pass, pass}), List.of(a, b),
                LoadedChain.Executor.COMPILED);
        JitProgram r = chain.runner(0);
        for (int i = 0; i < 2; i++) {
            assertSame(r.part(i), r.partState(i).caller(), "part " + i + ": runPart stores no caller per frame");
        }
        assertEquals(XdpAction.DROP, r.run(frameOn(chain, frame(0)).st));
        for (int i = 0; i < 2; i++) {
            assertSame(r.part(i), r.partState(i).caller(), "part " + i + " after a run");
        }
    }

    @Test
    void aLongChainWithJumpsAcrossChunksRunsTheSamePartsCompiledAsDynamic() {
        // 20 parts (three of the compiled chain's methods): the first returns the frame's first payload
        // byte and jumps by it (XDP_DROP to part 17, XDP_PASS to 1, XDP_TX to 9); every other part passes to
        // the next, the last returns 7
        JitProgram first = program(firstPayloadByte(""), false);
        List<JitProgram> parts = new ArrayList<>(List.of(first));
        List<ChainProgram> names = new ArrayList<>(List.of(new ChainProgram(Path.of("p.o"), "p0")));
        ChainCallMap.Builder map = ChainCallMap.builder("p0").on("p0", dev.jxdp.XdpAction.PASS, "p1")
                .on("p0", dev.jxdp.XdpAction.DROP, "p17").on("p0", dev.jxdp.XdpAction.TX, "p9");
        for (int i = 1; i < 20; i++) {
            parts.add(program(i < 19 ? "r0 = 2\nexit" : "r0 = 7\nexit", false));
            names.add(new ChainProgram(Path.of("p.o"), "p" + i));
            if (i < 19) {
                map.on("p" + i, dev.jxdp.XdpAction.PASS, "p" + (i + 1));
            }
        }
        ChainPlan plan = map.build().resolve(names);
        assertTrue(plan.size() > 2 * CompiledChain.CHUNK);
        JitProgram compiled = LoadedChain.of(plan, parts, LoadedChain.Executor.COMPILED).runner(0);
        JitProgram dynamic = LoadedChain.of(plan, parts, LoadedChain.Executor.DYNAMIC).runner(0);
        for (int code : new int[] {1, 2, 3, 4, 0}) {
            for (JitProgram r : List.of(compiled, dynamic)) {
                assertEquals(code == 1 || code == 2 || code == 3 ? 7 : code, r.run(frameOn(null, frame(code)).st), "code " + code);
            }
        }
        for (int i = 0; i < 20; i++) {
            assertEquals(dynamic.part(i).partRuns(), compiled.part(i).partRuns(), "part " + i);
        }
        assertEquals(5, compiled.part(0).partRuns());
        assertEquals(1, compiled.part(1).partRuns(), "only XDP_PASS goes to p1");
        assertEquals(2, compiled.part(9).partRuns(), "XDP_TX starts at p9, XDP_PASS passes it");
        assertEquals(3, compiled.part(18).partRuns(), "every path but the stopped ones reaches the end");
    }

    @ParameterizedTest
    @EnumSource(LoadedChain.Executor.class)
    void asTailCallsAChainStopsAfter33StepsAsTheKernelsLimitWould(LoadedChain.Executor ex) {
        // 40 programs, each counting its runs and passing on: the first and 33 tail calls run, and the
        // 34th program's XDP_PASS, a tail call that would be the 34th, ends the chain; the other executors
        // run all 40
        List<JitProgram> parts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        int[] masks = new int[40];
        for (int i = 0; i < 40; i++) {
            parts.add(program(counting("", XdpAction.PASS), true));
            names.add("p" + i);
            masks[i] = 1 << XdpAction.PASS;
        }
        JitProgram run = LoadedChain.of(sequence(names, masks), parts, ex).runner(0);
        assertEquals(XdpAction.PASS, run.run(frameOn(null, frame(0)).st));
        int ran = ex == LoadedChain.Executor.TAILCALL ? 1 + dev.jxdp.ebpf.runtime.ExecState.MAX_TAIL_CALLS : 40;
        for (int i = 0; i < 40; i++) {
            assertEquals(i < ran ? 1 : 0, count(parts.get(i)), "program " + i);
        }
    }
}
