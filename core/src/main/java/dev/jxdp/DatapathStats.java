package dev.jxdp;

/**
 * Frame counters of the datapath, for one RX queue or all of them. Every frame that arrived left
 * through exactly one outcome: {@code rx = drop + aborted + tx + redirect + pass + errors}.
 *
 * @param rx       frames the program ran on
 * @param drop     {@code XDP_DROP}
 * @param aborted  {@code XDP_ABORTED}, and runs a failed run-time check ended
 * @param tx       {@code XDP_TX}, sent back out of the input device
 * @param redirect {@code XDP_REDIRECT} that reached its target
 * @param pass     {@code XDP_PASS}, handed to the stack stage
 * @param errors   frames that could not go where the program said (a redirect to no device, a full
 *                 queue, an unknown action)
 */
public record DatapathStats(long rx, long drop, long aborted, long tx, long redirect, long pass, long errors) {

    static DatapathStats of(dev.jxdp.xdp.RxQueueStats s) {
        return new DatapathStats(s.rx, s.drop, s.aborted, s.tx, s.redirect, s.pass, s.errors);
    }
}
