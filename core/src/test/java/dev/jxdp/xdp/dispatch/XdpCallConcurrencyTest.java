package dev.jxdp.xdp.dispatch;

import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.isa.Asm;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpBuff;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live updates: calls while programs are swapped (the text poke under traffic) and updates racing each
 * other. Each call must run exactly one program version, and the dispatcher's books must match the
 * handles' state when the updates stop.
 */
class XdpCallConcurrencyTest {

    static final int SWAPS = 1000;
    static final long A = 1000;
    static final long B = 2000;

    /** One queue: its handle, its worker's run state and its own runners of versions A and B. */
    private static final class Queue {
        final XdpCall call;
        final ExecState st;
        final XdpBuff buff;
        final JitProgram a;
        final JitProgram b;
        long calls;
        long ranA;
        long ranB;
        long ranOther;

        Queue(XdpCall call, Harness h, JitProgram a, JitProgram b, int cpu) {
            this.call = call;
            this.st = h.coll.newExecState(cpu);
            this.buff = XdpBuff.allocate(Arena.ofAuto());
            buff.load(new byte[64]);
            this.a = a;
            this.b = b;
        }

        void runUntil(CountDownLatch started, AtomicBoolean stop) {
            started.countDown();
            while (!stop.get()) {
                st.begin(buff);
                long r0 = call.run(st);
                calls++;
                if (r0 == A) {
                    ranA++;
                } else if (r0 == B) {
                    ranB++;
                } else {
                    ranOther++;
                }
            }
        }
    }

    @Test
    void everyCallRunsExactlyOneVersionWhileAThousandSwapsGoOn() throws Exception {
        // through the system-wide dispatcher, as a driver's queues would call it
        try (Harness h = new Harness(Asm.assemble("r0 = " + A + "\nexit"), Asm.assemble("r0 = " + B + "\nexit"))) {
            JitCompiler jit = new JitCompiler();
            JitProgram a = jit.program(h.prog(0));
            JitProgram b = jit.program(h.prog(1));
            List<Queue> queues = new ArrayList<>();
            for (int q = 0; q < 2; q++) {
                XdpCall call = new XdpCall();
                JitProgram qa = a.forThread();
                JitProgram qb = b.forThread();
                call.update(qa);
                queues.add(new Queue(call, h, qa, qb, q));
            }
            long generationBefore = BpfDispatcher.xdp().generation();
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch started = new CountDownLatch(queues.size());
            AtomicReference<Throwable> failed = new AtomicReference<>();
            List<Thread> workers = new ArrayList<>();
            for (Queue q : queues) {
                Thread t = new Thread(() -> q.runUntil(started, stop), "queue");
                t.setUncaughtExceptionHandler((th, e) -> failed.set(e));
                workers.add(t);
                t.start();
            }
            started.await();
            for (int s = 0; s < SWAPS; s++) {
                for (Queue q : queues) {
                    q.call.update(s % 2 == 0 ? q.b : q.a);
                }
            }
            stop.set(true);
            for (Thread t : workers) {
                t.join();
            }
            assertNull(failed.get(), () -> "a worker failed: " + failed.get());
            for (Queue q : queues) {
                assertEquals(0, q.ranOther, "calls that ran neither version");
                assertEquals(q.calls, q.ranA + q.ranB, "per-version counts add up to the calls");
                assertEquals(q.calls, q.call.runs(), "the handle's run counter");
                assertTrue(q.calls > 0);
            }
            // every swap moved both queues between A and B: the slots changed at least once per swap
            assertTrue(BpfDispatcher.xdp().generation() - generationBefore >= SWAPS,
                    "dispatch code rebuilt " + (BpfDispatcher.xdp().generation() - generationBefore) + " times");
            for (Queue q : queues) {
                q.call.update(null);
            }
            assertEquals(0, BpfDispatcher.xdp().users(a.code()));
            assertEquals(0, BpfDispatcher.xdp().users(b.code()));
        }
    }

    @Test
    void twoThreadsUpdatingTheirHandlesLeaveTheBooksConsistent() throws Exception {
        BpfDispatcher d = new BpfDispatcher(8);  // fewer slots than programs: waiting and promotion race too
        try (Harness h = new Harness(BpfDispatcherTest.distinct(12))) {
            JitCompiler jit = new JitCompiler();
            JitProgram[] progs = new JitProgram[12];
            for (int i = 0; i < progs.length; i++) {
                progs[i] = jit.program(h.prog(i));
            }
            int handlesPerThread = 5;
            List<List<XdpCall>> perThread = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            CountDownLatch go = new CountDownLatch(1);
            for (int t = 0; t < 2; t++) {
                List<XdpCall> mine = new ArrayList<>();
                for (int i = 0; i < handlesPerThread; i++) {
                    mine.add(new XdpCall(d));
                }
                perThread.add(mine);
                long seed = 17 + t;
                Thread th = new Thread(() -> {
                    java.util.Random rnd = new java.util.Random(seed);
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    for (int k = 0; k < 2000; k++) {
                        XdpCall c = mine.get(rnd.nextInt(mine.size()));
                        int p = rnd.nextInt(progs.length + 1);
                        c.update(p == progs.length ? null : progs[p]);  // attach, replace or detach
                    }
                });
                th.setUncaughtExceptionHandler((x, e) -> failed.set(e));
                threads.add(th);
                th.start();
            }
            go.countDown();
            for (Thread th : threads) {
                th.join();
            }
            assertNull(failed.get(), () -> "an updater failed: " + failed.get());
            Map<dev.jxdp.ebpf.jit.JitCode, Integer> held = new HashMap<>();
            ExecState st = h.st;
            for (List<XdpCall> mine : perThread) {
                for (XdpCall c : mine) {
                    JitProgram p = c.program();
                    if (p != null) {
                        held.merge(p.code(), 1, Integer::sum);
                        assertEquals(BpfDispatcherTest.BASE + indexOf(progs, p), c.run(st), "a handle runs its own program");
                    }
                }
            }
            assertEquals(held.size(), d.programs(), "programs held");
            assertEquals(Math.min(held.size(), 8), d.slots(), "slots in use");
            for (JitProgram p : progs) {
                assertEquals(held.getOrDefault(p.code(), 0), d.users(p.code()), "users of " + p.program().name());
            }
        }
    }

    private static int indexOf(JitProgram[] progs, JitProgram p) {
        for (int i = 0; i < progs.length; i++) {
            if (progs[i] == p) {
                return i;
            }
        }
        throw new AssertionError("not one of the programs");
    }
}
