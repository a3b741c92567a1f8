package dev.jxdp.xdp;

/**
 * The receive half of a driver, as NAPI sees it: frames that arrived on one RX queue, already in pages of
 * the worker's {@link PagePool} with their {@link FrameMeta} set (xdp_prepare_buff()). Called only by the
 * queue's worker thread.
 */
public interface RxDriver {

    /**
     * Moves up to {@code max} received frame ids into {@code ids[from..]} and returns how many (0 when the
     * ring is empty now). The frames are the caller's from then on.
     */
    int receive(int[] ids, int from, int max);

    /**
     * Whether no frame will ever arrive again (the end of a capture, a generator's count reached), so the
     * queue's worker may stop; a live device never is. Called by the queue's worker thread only.
     */
    default boolean done() {
        return false;
    }
}
