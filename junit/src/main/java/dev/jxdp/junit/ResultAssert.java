package dev.jxdp.junit;

import dev.jxdp.TestRunResult;
import dev.jxdp.XdpAction;
import java.util.Objects;
import org.opentest4j.AssertionFailedError;

/** Assertions on a {@link TestRunResult}; made by {@link XdpAssertions#assertThat(TestRunResult)}. */
public final class ResultAssert {
    private final TestRunResult result;

    ResultAssert(TestRunResult result) {
        this.result = result;
    }

    /**
     * The program returned XDP_PASS.
     *
     * @return this assertion
     */
    public ResultAssert isPass() {
        return hasAction(XdpAction.PASS);
    }

    /**
     * The program returned XDP_DROP.
     *
     * @return this assertion
     */
    public ResultAssert isDrop() {
        return hasAction(XdpAction.DROP);
    }

    /**
     * The program returned XDP_TX.
     *
     * @return this assertion
     */
    public ResultAssert isTx() {
        return hasAction(XdpAction.TX);
    }

    /**
     * The program returned XDP_REDIRECT.
     *
     * @return this assertion
     */
    public ResultAssert isRedirect() {
        return hasAction(XdpAction.REDIRECT);
    }

    /**
     * The program returned XDP_ABORTED.
     *
     * @return this assertion
     */
    public ResultAssert isAborted() {
        return hasAction(XdpAction.ABORTED);
    }

    /**
     * The program returned this action.
     *
     * @param expected the value wanted
     * @return this assertion
     */
    public ResultAssert hasAction(XdpAction expected) {
        if (result.action() != expected) {
            throw new AssertionFailedError("expected " + name(expected) + " but the program returned " + actual()
                    + "; frame out: " + summary(), name(expected), name(result.action()));
        }
        return this;
    }

    /**
     * The program's raw return value (r0's low 32 bits) was this.
     *
     * @param expected the value wanted
     * @return this assertion
     */
    public ResultAssert hasRetval(long expected) {
        if (result.retval() != expected) {
            throw new AssertionFailedError("expected return value " + expected + " but was " + result.retval(),
                    expected, result.retval());
        }
        return this;
    }

    /**
     * The run ended normally: no fault stopped it.
     *
     * @return this assertion
     */
    public ResultAssert hasNoFault() {
        if (result.fault() != null) {
            throw new AssertionFailedError("expected no fault but the run was stopped: " + result.fault());
        }
        return this;
    }

    /**
     * A {@code bpf_trace_printk} line of the run (with tracing on) contains this text.
     *
     * @param text the text
     * @return this assertion
     */
    public ResultAssert traced(String text) {
        for (String line : result.trace()) {
            if (line.contains(text)) {
                return this;
            }
        }
        throw new AssertionFailedError("expected a trace line containing \"" + text + "\" but the trace was "
                + (result.trace().isEmpty() ? "empty (was the run made with TestRunOptions trace(true)?)" : result.trace()));
    }

    /**
     * The output frame is exactly these bytes; a failure shows both as a hex dump with the differing rows marked.
     *
     * @param expected the value wanted
     * @return this assertion
     */
    public ResultAssert frameEquals(byte[] expected) {
        frame().isEqualTo(expected);
        return this;
    }

    /**
     * Assertions on the frame the program left (data_meta to data_end).
     *
     * @return the whole frame's assertions
     */
    public FrameAssert frame() {
        return new FrameAssert(Frame.parse(result.dataOut()));
    }

    /**
     * The result under test.
     *
     * @return the result
     */
    public TestRunResult result() {
        return result;
    }

    private String actual() {
        String s = name(result.action());
        if (result.action() == XdpAction.UNKNOWN) {
            s += " (return value " + result.retval() + ")";
        }
        if (result.fault() != null) {
            s += " (fault: " + result.fault() + ")";
        }
        return s;
    }

    private String summary() {
        return Frame.parse(result.dataOut()).toString();
    }

    static String name(XdpAction a) {
        return a == null ? "null" : a == XdpAction.UNKNOWN ? "an unknown action" : "XDP_" + a.name();
    }

    @Override
    public String toString() {
        return "ResultAssert[" + Objects.toString(result.action()) + "]";
    }
}
