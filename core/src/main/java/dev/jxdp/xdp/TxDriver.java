package dev.jxdp.xdp;

/**
 * The transmit half of a driver: ndo_xdp_xmit() with a bulk of frames. Takes ownership of the frames it
 * accepts (it returns them to their pool once "on the wire"); the caller drops and counts the rest as TX
 * errors, as the kernel's xdp_do_flush path does for a full TX ring.
 */
public interface TxDriver {

    /** Transmits frames {@code ids[from..from+n)}; returns how many it took (the first ones). */
    int transmit(int[] ids, int from, int n);
}
