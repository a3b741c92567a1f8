package dev.jxdp.ebpf.mem;

import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The raw accessors of code that trusts the verifier (the JIT's proven loads, stores and atomics). A load
 * or store takes the instruction's base register and its 16-bit offset apart: the base is folded into the
 * {@link Sandbox} ({@link Sandbox#mask}), then the offset added, which the sandbox's guards on both sides
 * absorb. So a wrong proof cannot reach memory outside the sandbox, and C2 masks a register once for
 * every access through it and folds each offset into the addressing mode. For an address inside the
 * sandbox (every address a correct proof allows) the access is exactly {@link Mem}'s. Checked code (the
 * interpreter, the JIT's run-time checks, helpers) uses {@link Mem}: it has already matched the address
 * against its region.
 *
 * <p>{@code -Djxdp.sandbox.audit=true} (tests) also counts every access and the ones whose address lay
 * outside the sandbox, and checks the address it touched; off, C2 folds the test away.
 */
public final class SandboxMem {
    private SandboxMem() {}

    /** Test mode: count accesses and check every folded address ({@code -Djxdp.sandbox.audit=true}). */
    public static final boolean AUDIT = Boolean.getBoolean("jxdp.sandbox.audit");

    private static final AtomicLong ACCESSES = new AtomicLong();
    private static final AtomicLong REDIRECTED = new AtomicLong();
    private static final AtomicLong ESCAPED = new AtomicLong();

    private static final VarHandle ATOMIC64 = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle ATOMIC32 = ValueLayout.JAVA_INT.varHandle();

    // the address an access of `size` bytes at base + off touches; off is cut to an instruction's 16 bits,
    // which the guards cover whatever the caller passes
    private static long at(long base, int off, int size) {
        long a = Sandbox.mask(base) + (short) off;
        if (AUDIT) {
            audit(base + (short) off, a, size);
        }
        return a;
    }

    public static int getU8(long base, int off) { return Mem.getU8(at(base, off, 1)); }
    public static int getU16(long base, int off) { return Mem.getU16(at(base, off, 2)); }
    public static long getU32(long base, int off) { return Mem.getU32(at(base, off, 4)); }
    public static long getU64(long base, int off) { return Mem.getU64(at(base, off, 8)); }

    public static void putU8(long base, int off, long v) { Mem.putU8(at(base, off, 1), v); }
    public static void putU16(long base, int off, long v) { Mem.putU16(at(base, off, 2), v); }
    public static void putU32(long base, int off, long v) { Mem.putU32(at(base, off, 4), v); }
    public static void putU64(long base, int off, long v) { Mem.putU64(at(base, off, 8), v); }

    // 64-bit atomics at an address (8-byte aligned: masking keeps it so, the sandbox being aligned)
    public static long getAndAdd64(long addr, long v) { return (long) ATOMIC64.getAndAdd(Sandbox.SEGMENT, offset(addr), v); }
    public static long getAndOr64(long addr, long v) { return (long) ATOMIC64.getAndBitwiseOr(Sandbox.SEGMENT, offset(addr), v); }
    public static long getAndAnd64(long addr, long v) { return (long) ATOMIC64.getAndBitwiseAnd(Sandbox.SEGMENT, offset(addr), v); }
    public static long getAndXor64(long addr, long v) { return (long) ATOMIC64.getAndBitwiseXor(Sandbox.SEGMENT, offset(addr), v); }
    public static long getAndSet64(long addr, long v) { return (long) ATOMIC64.getAndSet(Sandbox.SEGMENT, offset(addr), v); }
    public static long compareAndExchange64(long addr, long expected, long v) {
        return (long) ATOMIC64.compareAndExchange(Sandbox.SEGMENT, offset(addr), expected, v);
    }

    // 32-bit atomics at an address (4-byte aligned, likewise): the old value as the int it was
    public static int getAndAdd32(long addr, int v) { return (int) ATOMIC32.getAndAdd(Sandbox.SEGMENT, offset32(addr), v); }
    public static int getAndOr32(long addr, int v) { return (int) ATOMIC32.getAndBitwiseOr(Sandbox.SEGMENT, offset32(addr), v); }
    public static int getAndAnd32(long addr, int v) { return (int) ATOMIC32.getAndBitwiseAnd(Sandbox.SEGMENT, offset32(addr), v); }
    public static int getAndXor32(long addr, int v) { return (int) ATOMIC32.getAndBitwiseXor(Sandbox.SEGMENT, offset32(addr), v); }
    public static int getAndSet32(long addr, int v) { return (int) ATOMIC32.getAndSet(Sandbox.SEGMENT, offset32(addr), v); }
    public static int compareAndExchange32(long addr, int expected, int v) {
        return (int) ATOMIC32.compareAndExchange(Sandbox.SEGMENT, offset32(addr), expected, v);
    }

    // the offset into Sandbox.SEGMENT (the address itself when the wall is off and SEGMENT is every address)
    private static long offset(long addr) {
        return at(addr, 0, 8) - Sandbox.BASE;
    }

    private static long offset32(long addr) {
        return at(addr, 0, 4) - Sandbox.BASE;
    }

    private static void audit(long addr, long touched, int size) {
        ACCESSES.incrementAndGet();
        if (!Sandbox.contains(addr, size)) {
            REDIRECTED.incrementAndGet();
        }
        if (Sandbox.ON && (touched < Sandbox.BASE - Sandbox.GUARD
                || touched - Sandbox.BASE > Sandbox.SIZE + Sandbox.GUARD - size)) {
            ESCAPED.incrementAndGet();
        }
    }

    /** Audit mode: accesses made through these accessors. */
    public static long audited() { return ACCESSES.get(); }

    /** Audit mode: accesses whose address lay outside the sandbox, so that masking moved them into it. */
    public static long redirected() { return REDIRECTED.get(); }

    /** Audit mode: accesses that touched memory outside the sandbox and its guards (must stay 0). */
    public static long escaped() { return ESCAPED.get(); }
}
