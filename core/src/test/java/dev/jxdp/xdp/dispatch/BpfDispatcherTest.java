package dev.jxdp.xdp.dispatch;

import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.isa.Asm;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.jit.JitCode;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.ebpf.runtime.ExecState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dispatcher's slots and calls: every handle reaches its own program, with or without a slot; slots
 * are shared and refcounted; a freed slot goes to the program waiting longest.
 */
class BpfDispatcherTest {

    static final int PROGRAMS = BpfDispatcher.MAX + 1;
    static Harness h;
    // program i returns BASE + i, each its own compiled class
    static final long BASE = 1000;
    static JitProgram[] progs;

    @BeforeAll
    static void compile() {
        h = new Harness(distinct(PROGRAMS));
        JitCompiler jit = new JitCompiler();
        progs = new JitProgram[PROGRAMS];
        for (int i = 0; i < PROGRAMS; i++) {
            progs[i] = jit.program(h.prog(i));
        }
        h.buff.load(new byte[64]);
        h.st.begin(h.buff);
    }

    @AfterAll
    static void close() {
        h.close();
    }

    /** n programs, program i returning BASE + i. */
    static Insn[][] distinct(int n) {
        Insn[][] out = new Insn[n][];
        for (int i = 0; i < n; i++) {
            out[i] = Asm.assemble("r0 = " + (BASE + i) + "\nexit");
        }
        return out;
    }

    @Test
    void theProgramsAreDistinctClasses() {
        for (int i = 1; i < PROGRAMS; i++) {
            assertTrue(progs[i].code().getClass() != progs[0].code().getClass(), "program " + i);
            assertTrue(progs[i].code().id() != progs[i - 1].code().id(), "program " + i);
        }
    }

    @Test
    void everyHandleReachesItsOwnProgramFromOneToFortyNinePrograms() {
        for (int n = 1; n <= PROGRAMS; n++) {
            BpfDispatcher d = new BpfDispatcher(BpfDispatcher.MAX);
            List<XdpCall> calls = attachEach(d, n);
            assertEquals(Math.min(n, BpfDispatcher.MAX), d.slots(), n + " programs");
            assertEquals(n, d.programs(), n + " programs");
            for (int i = 0; i < n; i++) {
                assertEquals(BASE + i, calls.get(i).run(h.st), n + " programs, handle " + i);
            }
            // in reverse too: the search's path differs per id, and a leaf that fell through would show here
            for (int i = n - 1; i >= 0; i--) {
                assertEquals(BASE + i, calls.get(i).run(h.st), n + " programs, handle " + i);
            }
        }
    }

    @Test
    void theFortyNinthProgramTakesTheFallback() {
        BpfDispatcher d = new BpfDispatcher(BpfDispatcher.MAX);
        List<XdpCall> calls = attachEach(d, PROGRAMS);
        assertTrue(d.hasSlot(progs[BpfDispatcher.MAX - 1].code()));
        assertFalse(d.hasSlot(progs[BpfDispatcher.MAX].code()));
        assertEquals(BASE + BpfDispatcher.MAX, calls.get(BpfDispatcher.MAX).run(h.st));
    }

    @Test
    void aProgramNoUserAttachedIsReachedThroughTheFallback() {
        BpfDispatcher d = new BpfDispatcher(BpfDispatcher.MAX);
        attachEach(d, 3);
        assertEquals(BASE + 7, progs[7].runVia(d.invoker(), h.st));
    }

    @Test
    void anEmptyDispatcherStillRunsEveryProgram() {
        BpfDispatcher d = new BpfDispatcher(BpfDispatcher.MAX);
        assertEquals(BASE + 5, progs[5].runVia(d.invoker(), h.st));
    }

    @Test
    void twoHandlesRunningOneProgramShareItsSlot() {
        BpfDispatcher d = new BpfDispatcher(BpfDispatcher.MAX);
        XdpCall a = new XdpCall(d);
        XdpCall b = new XdpCall(d);
        a.update(progs[3]);
        long afterFirst = d.generation();
        b.update(progs[3].forThread());
        assertEquals(1, d.slots());
        assertEquals(2, d.users(progs[3].code()));
        assertEquals(afterFirst, d.generation(), "a second user does not rebuild the dispatch code");
        assertEquals(BASE + 3, a.run(h.st));
        assertEquals(BASE + 3, b.run(h.st));
    }

    @Test
    void theLastUserLeavingFreesTheSlot() {
        BpfDispatcher d = new BpfDispatcher(BpfDispatcher.MAX);
        XdpCall a = new XdpCall(d);
        XdpCall b = new XdpCall(d);
        a.update(progs[3]);
        b.update(progs[3].forThread());
        a.update(null);
        assertTrue(d.hasSlot(progs[3].code()), "one user is left");
        assertEquals(1, d.users(progs[3].code()));
        b.update(null);
        assertFalse(d.hasSlot(progs[3].code()));
        assertEquals(0, d.slots());
        assertEquals(0, d.programs());
        assertNull(b.program());
    }

    @Test
    void aReplaceMovesTheSlotToTheNewProgram() {
        BpfDispatcher d = new BpfDispatcher(BpfDispatcher.MAX);
        XdpCall a = new XdpCall(d);
        a.update(progs[1]);
        long before = d.generation();
        a.update(progs[2]);
        assertFalse(d.hasSlot(progs[1].code()));
        assertTrue(d.hasSlot(progs[2].code()));
        assertEquals(before + 1, d.generation(), "one rebuild for the attach and the release together");
        assertEquals(BASE + 2, a.run(h.st));
    }

    @Test
    void aFreedSlotGoesToTheProgramWaitingLongest() {
        BpfDispatcher d = new BpfDispatcher(BpfDispatcher.MAX);
        List<XdpCall> calls = attachEach(d, PROGRAMS);
        calls.get(0).update(null);
        assertTrue(d.hasSlot(progs[BpfDispatcher.MAX].code()));
        assertEquals(BpfDispatcher.MAX, d.slots());
        assertEquals(BASE + BpfDispatcher.MAX, calls.get(BpfDispatcher.MAX).run(h.st));
        assertEquals(BASE + 1, calls.get(1).run(h.st));
    }

    @Test
    void aWaitingProgramLeavingChangesNoDispatchCode() {
        BpfDispatcher d = new BpfDispatcher(BpfDispatcher.MAX);
        List<XdpCall> calls = attachEach(d, PROGRAMS);
        long before = d.generation();
        calls.get(BpfDispatcher.MAX).update(null);
        assertEquals(before, d.generation());
        assertEquals(BpfDispatcher.MAX, d.programs());
    }

    @Test
    void releasingAProgramNobodyHoldsIsRefused() {
        BpfDispatcher d = new BpfDispatcher(BpfDispatcher.MAX);
        assertThrows(IllegalStateException.class, () -> d.change(progs[0].code(), null));
    }

    @Test
    void runningWithNothingAttachedPassesTheFrameUnrun() {
        // a driver whose xdp_prog is NULL hands every frame to the stack: a detach under traffic loses none
        XdpCall a = new XdpCall(new BpfDispatcher(BpfDispatcher.MAX));
        assertEquals(dev.jxdp.ebpf.runtime.XdpAction.PASS, a.run(h.st));
        assertEquals(0, a.runs(), "no program ran");
    }

    @Test
    void theSystemWideDispatcherRunsThroughItsConstantInvoker() {
        XdpCall a = new XdpCall();
        XdpCall b = new XdpCall();
        try {
            a.update(progs[10]);
            b.update(progs[11]);
            assertTrue(BpfDispatcher.xdp().hasSlot(progs[10].code()));
            assertEquals(BASE + 10, a.run(h.st));
            assertEquals(BASE + 11, b.run(h.st));
            assertEquals(1, a.runs());
        } finally {
            a.update(null);
            b.update(null);
        }
        assertFalse(BpfDispatcher.xdp().hasSlot(progs[10].code()));
    }

    @Test
    void theDispatchClassIsABinarySearchInMethodsC2Inlines() {
        int[] ids = new int[BpfDispatcher.MAX];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 10 * i + 1;
        }
        StringBuilder code = new StringBuilder();
        for (java.lang.classfile.MethodModel m : java.lang.classfile.ClassFile.of().parse(BpfDispatcher.classBytes(ids)).methods()) {
            java.lang.classfile.CodeModel body = m.code().orElseThrow();
            body.elementStream().forEach(e -> code.append(e).append('\n'));
            // FreqInlineSize: C2 inlines a hot method up to this many bytes of bytecode
            assertTrue(((java.lang.classfile.attribute.CodeAttribute) body).codeLength() <= 325,
                    m.methodName() + " is too large to inline");
        }
        // one compare per inner node and one per leaf; one call per leaf and the fallback's
        assertEquals(BpfDispatcher.MAX - 1, count(code.toString(), "IF_ICMPGT"));
        assertEquals(BpfDispatcher.MAX, count(code.toString(), "IF_ICMPNE"));
        assertEquals(BpfDispatcher.MAX + 1, count(code.toString(), "enter"));
    }

    /**
     * Compiled code that records where it was called from: the dispatch method's bytecode index of the
     * call tells a slot's direct call from the fallback's virtual one, which return the same value.
     */
    static final class Probe extends JitCode {
        String caller;

        @Override
        public long enter(JitProgram cx, ExecState st, long r1, long r2, long r3, long r4, long r5, int depth) {
            StackWalker.StackFrame f = StackWalker.getInstance(StackWalker.Option.SHOW_HIDDEN_FRAMES)
                    .walk(s -> s.skip(1).findFirst()).orElseThrow();
            caller = f.getMethodName() + "@" + f.getByteCodeIndex();
            return id();
        }

        @Override
        public boolean bounded() { return true; }

        @Override
        public long callFn(int insn, JitProgram cx, ExecState st, long r1, long r2, long r3, long r4, long r5, int depth) {
            throw new UnsupportedOperationException();
        }

        // calls this code through d's invoker; returns the dispatch class's method and bytecode index it
        // was called from
        String callThrough(BpfDispatcher d) throws Throwable {
            long r0 = (long) d.invoker().invokeExact((JitCode) this, progs[0], h.st, 0L, 0L, 0L, 0L, 0L, 0);
            assertEquals(id(), r0);
            return caller;
        }
    }

    @Test
    void aProgramWithASlotIsCalledDirectlyAndOnlyTheFortyNinthFallsBack() throws Throwable {
        for (int n : new int[] {1, 2, 3, 5, 8, 16, 47, 48, 49}) {
            BpfDispatcher d = new BpfDispatcher(BpfDispatcher.MAX);
            Probe[] probes = new Probe[n];
            for (int i = 0; i < n; i++) {
                probes[i] = new Probe();
                d.change(null, probes[i]);
            }
            String fallback = new Probe().callThrough(d);
            assertTrue(fallback.startsWith("fallback@"), fallback);
            java.util.Set<String> leaves = new java.util.HashSet<>();
            for (int i = 0; i < Math.min(n, BpfDispatcher.MAX); i++) {
                String leaf = probes[i].callThrough(d);
                assertFalse(leaf.startsWith("fallback@"), n + " programs: program " + i + " took the fallback");
                assertTrue(leaves.add(leaf), n + " programs: program " + i + " shares a leaf: " + leaf);
            }
            if (n > BpfDispatcher.MAX) {
                assertEquals(fallback, probes[BpfDispatcher.MAX].callThrough(d), "the 49th");
            }
        }
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    // handles 0..n-1 of d, handle i running program i
    static List<XdpCall> attachEach(BpfDispatcher d, int n) {
        List<XdpCall> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            XdpCall c = new XdpCall(d);
            c.update(progs[i]);
            calls.add(c);
        }
        return calls;
    }
}
