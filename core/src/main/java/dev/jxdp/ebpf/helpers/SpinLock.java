package dev.jxdp.ebpf.helpers;

import dev.jxdp.ebpf.maps.MapSpec;
import dev.jxdp.ebpf.maps.SpinLockWord;
import dev.jxdp.ebpf.runtime.BpfFault;
import dev.jxdp.ebpf.runtime.ExecState;

/**
 * bpf_spin_lock and bpf_spin_unlock: the 4-byte struct bpf_spin_lock inside a map value, taken and freed
 * as a {@link SpinLockWord}. The verifier lets a program hold one lock at a time, call nothing while it
 * does and never end holding it; a run that faults while holding one frees it
 * ({@link Helpers#releaseSpinLock}), so no other worker spins forever.
 */
final class SpinLock {
    private SpinLock() {}

    static long lock(ExecState st, long addr) {
        check(st, addr, "bpf_spin_lock");
        if (st.heldSpinLock() != 0) {
            // the verifier allows one lock at a time; unverified, a second would spin forever
            throw new BpfFault("bpf_spin_lock: this run already holds the lock at 0x" + Long.toHexString(st.heldSpinLock()));
        }
        SpinLockWord.lock(addr);
        st.heldSpinLock(addr);
        return 0;
    }

    static long unlock(ExecState st, long addr) {
        check(st, addr, "bpf_spin_unlock");
        if (st.heldSpinLock() != addr) {
            // unverified: freeing a lock this run does not hold would break another worker's exclusion
            throw new BpfFault("bpf_spin_unlock: this run does not hold the lock at 0x" + Long.toHexString(addr));
        }
        SpinLockWord.unlock(addr);
        st.heldSpinLock(0);
        return 0;
    }

    /** Frees the lock word at {@code addr}: a run ended by a fault while it held it. */
    static void release(long addr) {
        SpinLockWord.unlock(addr);
    }

    // the verifier proved a map value's lock; the engines still check it is writable memory of the
    // program, aligned for an atomic access
    private static void check(ExecState st, long addr, String helper) {
        st.checkArg(addr, MapSpec.SPIN_LOCK_SIZE, true, helper, "lock");
        if ((addr & 3) != 0) {
            throw new BpfFault(helper + ": lock 0x" + Long.toHexString(addr) + " is not aligned to 4 bytes");
        }
    }
}
