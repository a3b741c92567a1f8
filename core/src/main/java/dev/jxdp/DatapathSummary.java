package dev.jxdp;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a {@link Datapath} run did.
 *
 * @param total       the counters over every RX queue
 * @param queues      each RX queue's counters, queue 0 first
 * @param faults      runs a failed run-time check ended (counted in {@code aborted}; 0 for verified programs)
 * @param missed      frames the input dropped for want of a free page (a capture or the generator
 *                    outrunning the program, as a NIC's rx_missed); frames from memory wait instead
 * @param oversize    frames longer than a page holds (3520 bytes), dropped by the input
 * @param elapsed     how long the queues ran
 * @param passFrames  the {@code XDP_PASS} frames, when {@link Datapath.Builder#collectPass()} asked for
 *                    them (each queue's in order, queue 0's first), else empty
 * @param txFrames    the {@code XDP_TX} frames, when {@link Datapath.Builder#collectTx()} asked for them,
 *                    else empty
 * @param redirectFrames by ifindex, the frames each device of {@link Datapath.Builder#redirectTo(int)}
 *                    transmitted (redirected to it, whichever queue), in the order it sent them
 * @param chainRuns   with {@link Datapath.Builder#then(XdpProgram)}, each program of the chain by name and
 *                    how many frames it ran on, in run order; else empty
 */
public record DatapathSummary(DatapathStats total, List<DatapathStats> queues, long faults, long missed, long oversize,
                              Duration elapsed, List<byte[]> passFrames, List<byte[]> txFrames,
                              Map<Integer, List<byte[]>> redirectFrames, Map<String, Long> chainRuns) {

    /**
     * The average rate.
     *
     * @return millions of frames per second over {@link #elapsed()}
     */
    public double mpps() {
        return total.rx() * 1e3 / Math.max(elapsed.toNanos(), 1);
    }
}
