package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.mem.Mem;

import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The 4-byte struct bpf_spin_lock in a map value as a test-and-set lock (0 free, 1 held), as the
 * kernel's generic bpf_spin_lock is (x86's is a queued spinlock; both exclude the same way). Workers
 * run on several threads, so it really excludes: acquire on the compare-and-set that takes it, release
 * on the store that frees it. Callers pass an address they checked, aligned to 4.
 */
public final class SpinLockWord {
    private SpinLockWord() {}

    private static final VarHandle WORD = ValueLayout.JAVA_INT.varHandle();

    /** Spins until the lock word at {@code addr} is taken. */
    public static void lock(long addr) {
        while (!WORD.compareAndSet(Mem.ALL, addr, 0, 1)) {
            // spin reading, not writing, until it looks free (atomic_cond_read_relaxed())
            while ((int) WORD.getOpaque(Mem.ALL, addr) != 0) {
                Thread.onSpinWait();
            }
        }
    }

    /** Frees the lock word at {@code addr}. */
    public static void unlock(long addr) {
        WORD.setRelease(Mem.ALL, addr, 0);
    }

    /**
     * copy_map_value(): a value written into a map keeps the destination's lock word, whoever holds it
     * (a program or a user-space update never overwrites a bpf_spin_lock).
     */
    static void copyValue(MapSpec spec, long src, long dst) {
        int lock = spec.spinLockOff();
        if (lock < 0) {
            Mem.copy(src, dst, spec.valueSize());
            return;
        }
        int after = lock + MapSpec.SPIN_LOCK_SIZE;
        Mem.copy(src, dst, lock);
        Mem.copy(src + after, dst + after, spec.valueSize() - after);
    }

    /** check_and_init_map_value(): a value copied out to user space shows its lock word as 0. */
    static byte[] hideLock(MapSpec spec, byte[] value) {
        int lock = spec.spinLockOff();
        if (lock >= 0 && value != null) {
            java.util.Arrays.fill(value, lock, lock + MapSpec.SPIN_LOCK_SIZE, (byte) 0);
        }
        return value;
    }

    /** copy_map_value_locked(): the copy made holding the destination value's own lock (BPF_F_LOCK). */
    static void copyValueLocked(MapSpec spec, long src, long dst) {
        long word = dst + spec.spinLockOff();
        lock(word);
        try {
            copyValue(spec, src, dst);
        } finally {
            unlock(word);
        }
    }
}
