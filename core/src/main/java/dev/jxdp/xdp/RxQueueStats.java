package dev.jxdp.xdp;

/**
 * Per RX queue counters, written by the queue's worker only (plain fields, read racily by stats readers
 * as the kernel's per-CPU counters are). Every received frame ends in exactly one outcome:
 * {@code rx = drop + aborted + tx + redirect + pass + errors}.
 */
public final class RxQueueStats {
    public long rx;
    public long drop;
    public long aborted;
    public long tx;
    public long redirect;
    public long pass;
    /** frames that could not take their action: TX ring full, redirect without a target, unknown action... */
    public long errors;
    public long polls;
    /**
     * Of {@link #redirect}, frames pushed straight to the queue's only AF_XDP socket: XDP_REDIRECT_XSK, or
     * a {@code bpf_redirect_map} recognised as it (seed 002's fast path).
     */
    public long redirectXsk;

    /** The accounting identity; an exception naming the numbers when it does not hold. */
    public void checkAccounting() {
        long out = drop + aborted + tx + redirect + pass + errors;
        if (rx != out) {
            throw new IllegalStateException("rx " + rx + " != drop " + drop + " + aborted " + aborted + " + tx " + tx
                    + " + redirect " + redirect + " + pass " + pass + " + errors " + errors + " = " + out);
        }
    }

    @Override
    public String toString() {
        return "rx=" + rx + " drop=" + drop + " aborted=" + aborted + " tx=" + tx + " redirect=" + redirect
                + " pass=" + pass + " errors=" + errors;
    }
}
