package dev.jxdp.ebpf.helpers;

import dev.jxdp.ebpf.interp.Interpreter;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.runtime.BpfFault;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpBuff;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bpf_spin_lock at run time: spin_lock.c counts under the lock its value holds (cnt += 1 and sum += 3,
 * two separate read-modify-writes), so workers racing on one value lose no update only if the lock
 * excludes. The single-threaded results are the kernel's (oracle/spin_lock.json).
 */
class SpinLockTest {

    private static final int THREADS = 4;
    private static final int RUNS = 20_000;

    /** spin_count's value: cnt u64 at 0, the lock at 8, last_len at 12, sum u64 at 16. */
    private static long cnt(ObjectRun o, String map) {
        return o.s64(map, 0);
    }

    private static long sum(ObjectRun o, String map) {
        byte[] v = o.value(map, 0);
        long x = 0;
        for (int i = 23; i >= 16; i--) {
            x = x << 8 | (v[i] & 0xff);
        }
        return x;
    }

    @Test
    void workersOnSeveralThreadsLoseNoUpdate() throws Exception {
        try (ObjectRun o = new ObjectRun("spin_lock.o"); Arena arena = Arena.ofShared()) {
            JitProgram jit = JitCompiler.verifying().program(o.coll.program("spin_count"));
            CyclicBarrier start = new CyclicBarrier(THREADS);
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int cpu = t;
                // half the workers JIT-compiled, half interpreted: both engines take the same lock
                Thread th = new Thread(() -> {
                    try {
                        ExecState st = o.coll.newExecState(cpu);
                        XdpBuff buff = XdpBuff.allocate(arena);
                        JitProgram mine = jit.forThread();
                        Interpreter interp = new Interpreter();
                        start.await();
                        for (int i = 0; i < RUNS; i++) {
                            buff.load(new byte[64]);
                            st.begin(buff);
                            long act = cpu % 2 == 0 ? mine.run(st) : interp.run(o.coll.program("spin_count"), st);
                            assertEquals(2, act);
                        }
                    } catch (Throwable e) {
                        synchronized (failures) {
                            failures.add(e);
                        }
                    }
                });
                threads.add(th);
                th.start();
            }
            for (Thread th : threads) {
                th.join();
            }
            assertEquals(List.of(), failures);
            long n = (long) THREADS * RUNS;
            assertEquals(n, cnt(o, "locked"), "array value: runs counted");
            assertEquals(3 * n, sum(o, "locked"), "array value: sum, updated under the same lock");
            assertEquals(n, cnt(o, "hlocked"), "hash value: runs counted");
            assertEquals(3 * n, sum(o, "hlocked"), "hash value: sum");
        }
    }

    @Test
    void countsAsTheKernelDoes() {
        try (ObjectRun o = new ObjectRun("spin_lock.o")) {
            for (int i = 0; i < 7; i++) {
                assertEquals(2, o.run("spin_count", new byte[64]));
            }
            // oracle/spin_lock.json, len64_x7: cnt 7, last_len 64, sum 21, the lock word shown as 0
            assertEquals("070000000000000000000000400000001500000000000000", hex(o.value("locked", 0)));
            assertEquals("070000000000000000000000400000001500000000000000", hex(o.value("hlocked", 0)));
        }
    }

    @Test
    void aFaultWhileHoldingTheLockFreesIt() {
        try (ObjectRun o = new ObjectRun("spin_lock.o")) {
            long value = o.coll.map("locked").lookup(keyZero(o), 0);
            long lock = value + 8;
            Helpers.spinLock(o.st, lock);
            assertEquals(1, Mem.getU32(lock), "held");
            Helpers.releaseSpinLock(o.st);
            assertEquals(0, Mem.getU32(lock), "freed by the engine's fault path");
            assertEquals(0, o.st.heldSpinLock());
            assertEquals(2, o.run("spin_count", new byte[64]), "the next run takes it again");
        }
    }

    @Test
    void anUnverifiedRunEndingHoldingTheLockFaultsAndFreesIt() {
        // verify_spin_lock_exit.c returns holding the lock when cnt > 10: the verifier refuses it, the
        // interpreter runs it unverified; without the engine freeing the lock the second run would spin
        try (ObjectRun o = new ObjectRun("verify_spin_lock_exit.o")) {
            byte[] eleven = new byte[16];
            eleven[0] = 11;
            assertEquals(0, o.coll.map("locked").userUpdate(new byte[4], eleven, 0));
            assertTimeoutPreemptively(java.time.Duration.ofSeconds(30), () -> {
                for (int i = 0; i < 2; i++) {
                    BpfFault f = assertThrows(BpfFault.class, () -> o.run(new byte[64]));
                    assertTrue(f.getMessage().contains(Helpers.ENDED_HOLDING_LOCK), f.getMessage());
                }
            });
            assertEquals(0, o.st.heldSpinLock());
        }
    }

    @Test
    void anUnverifiedSecondLockFaultsInsteadOfSpinning() {
        try (ObjectRun o = new ObjectRun("spin_lock.o")) {
            long lock = o.coll.map("locked").lookup(keyZero(o), 0) + 8;
            Helpers.spinLock(o.st, lock);
            assertThrows(BpfFault.class, () -> Helpers.spinLock(o.st, lock));
            Helpers.spinUnlock(o.st, lock);
            assertThrows(BpfFault.class, () -> Helpers.spinUnlock(o.st, lock), "not held any more");
            assertEquals(0, Mem.getU32(lock));
        }
    }

    // a key 0 in memory the map may read: the stack of the worker
    private static long keyZero(ObjectRun o) {
        long key = o.st.stackTop() - 8;
        Mem.putU32(key, 0);
        return key;
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", x));
        }
        return s.toString();
    }
}
