package dev.jxdp.bench;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The swap bench's analysis of its throughput record, on records made up for it. */
class DispatcherSwapsTest {

    @Test
    void aReplaceThatRanPastTheRecordIsMeasuredOnWhatWasRecorded() {
        // 30 quiet buckets of 100 frames, then a dip to 0 for 2 buckets after each replace; the second
        // replace came so late (a busy machine) that its window runs past the last bucket
        long[] frames = new long[60];
        Arrays.fill(frames, 100);
        long t0 = 0;
        long b = DispatcherSwaps.BUCKET_NS;
        long[] at = {40 * b, 58 * b};
        frames[40] = 0;
        frames[41] = 0;
        frames[58] = 0;
        DispatcherSwaps.Result r = DispatcherSwaps.analyse(2, 2, 1.0, frames, 0, 30, at, t0, new double[] {10, 20}, 2, 0, 0);
        assertEquals(0, r.dipMin()[0]);
        assertEquals(0, r.dipMin()[1]);
        assertEquals(2 * b / 1e3, r.recoveryUs()[0], 1e-9, "two buckets down, then five in a row at the rate");
    }
}
