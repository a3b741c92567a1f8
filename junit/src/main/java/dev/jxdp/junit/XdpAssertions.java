package dev.jxdp.junit;

import dev.jxdp.TestRunResult;

/**
 * Fluent assertions on what an XDP program did: its verdict, then the frame it left, header by header.
 *
 * <pre>{@code
 * import static dev.jxdp.junit.XdpAssertions.assertThat;
 *
 * assertThat(prog.testRun(frame)).isTx().frame()
 *         .ipv4().ttl(63).dst("10.0.0.1")
 *         .udp().dstPort(53)
 *         .checksumsValid();
 * }</pre>
 *
 * A failure names the field, the value wanted and the value found, and shows the frame's headers in one line
 * ({@link Frame#toString()}); a whole-frame comparison shows both frames as a hex dump with the differing rows marked.
 * Failures are {@link org.opentest4j.AssertionFailedError}s carrying expected and actual, so IDEs can diff them.
 */
public final class XdpAssertions {
    private XdpAssertions() {}

    /**
     * Assertions on a test run's verdict, return value, fault and output frame.
     *
     * @param result what the test run returned
     * @return assertions on the frame
     */
    public static ResultAssert assertThat(TestRunResult result) {
        if (result == null) {
            throw new org.opentest4j.AssertionFailedError("expected a test run result but was null");
        }
        return new ResultAssert(result);
    }

    /**
     * Assertions on a frame's bytes (e.g. one built with {@link Packets}).
     *
     * @param frame the frame
     * @return the whole frame's assertions
     */
    public static FrameAssert assertThat(byte[] frame) {
        return new FrameAssert(Frame.parse(frame));
    }

    /**
     * Assertions on a parsed frame.
     *
     * @param frame the frame
     * @return the whole frame's assertions
     */
    public static FrameAssert assertThat(Frame frame) {
        return new FrameAssert(frame);
    }
}
