package dev.jxdp;

import java.util.Objects;

/**
 * How to test-run a program: the frame and what {@code BPF_PROG_TEST_RUN}'s {@code ctx_in} and
 * {@code repeat} say. Immutable; made with {@link #builder()} or {@link #of(byte[])}.
 *
 * <pre>{@code
 * TestRunResult r = prog.testRun(TestRunOptions.builder().frame(frame).repeat(1000).build());
 * }</pre>
 */
public final class TestRunOptions {

    private final byte[] frame;
    private final int repeat;
    private final int ingressIfindex;
    private final int rxQueueIndex;
    private final boolean trace;

    private TestRunOptions(Builder b) {
        this.frame = b.frame;
        this.repeat = b.repeat;
        this.ingressIfindex = b.ingressIfindex;
        this.rxQueueIndex = b.rxQueueIndex;
        this.trace = b.trace;
    }

    /**
     * Options that run {@code frame} once, everything else default.
     *
     * @param frame the packet, 14 to 3520 bytes (an Ethernet frame without FCS)
     * @return the options
     */
    public static TestRunOptions of(byte[] frame) {
        return builder().frame(frame).build();
    }

    /**
     * A builder with the defaults: one run, loopback's receive queue, no trace.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The frame.
     *
     * @return the packet bytes (the array given, not a copy)
     */
    public byte[] frame() { return frame; }

    /**
     * Runs on the same buffer and maps.
     *
     * @return 1 or more
     */
    public int repeat() { return repeat; }

    /**
     * {@code ctx_in}'s {@code ingress_ifindex}.
     *
     * @return the device the frame arrives on; 0 for loopback
     */
    public int ingressIfindex() { return ingressIfindex; }

    /**
     * {@code ctx_in}'s {@code rx_queue_index}.
     *
     * @return the receive queue of that device
     */
    public int rxQueueIndex() { return rxQueueIndex; }

    /**
     * Whether {@code bpf_trace_printk} lines are collected into {@link TestRunResult#trace()}.
     *
     * @return true to collect them
     */
    public boolean trace() { return trace; }

    /** Builds {@link TestRunOptions}; not thread-safe. */
    public static final class Builder {
        private byte[] frame;
        private int repeat = 1;
        private int ingressIfindex;
        private int rxQueueIndex;
        private boolean trace;

        private Builder() {}

        /**
         * The packet to run on (required).
         *
         * @param frame 14 to 3520 bytes, as the kernel's test run takes them
         * @return this builder
         */
        public Builder frame(byte[] frame) {
            this.frame = Objects.requireNonNull(frame, "frame");
            return this;
        }

        /**
         * Runs the program this many times on one buffer and the object's maps (default 1): the
         * result is the last run's, the duration the average. More than one run with the JIT engine
         * warms the compiled code up first on a throwaway copy of the state, so the time is steady
         * state's (that warm-up takes up to a few hundred milliseconds).
         *
         * @param repeat 1 or more
         * @return this builder
         */
        public Builder repeat(int repeat) {
            if (repeat < 1) {
                throw new JxdpException("repeat must be at least 1 (got " + repeat + ")");
            }
            this.repeat = repeat;
            return this;
        }

        /**
         * The device the frame arrives on ({@code ctx_in}'s {@code ingress_ifindex}; default 0, loopback).
         *
         * @param ifindex the device's index
         * @return this builder
         */
        public Builder ingressIfindex(int ifindex) {
            this.ingressIfindex = ifindex;
            return this;
        }

        /**
         * The receive queue the frame arrives on (default 0); a queue other than 0 needs an
         * {@link #ingressIfindex(int)} whose device has it, as in the kernel.
         *
         * @param queue the queue index
         * @return this builder
         */
        public Builder rxQueueIndex(int queue) {
            this.rxQueueIndex = queue;
            return this;
        }

        /**
         * Collects the program's {@code bpf_trace_printk} output (default false).
         *
         * @param trace true to collect it
         * @return this builder
         */
        public Builder trace(boolean trace) {
            this.trace = trace;
            return this;
        }

        /**
         * The options.
         *
         * @return immutable options
         * @throws JxdpException when no frame was given
         */
        public TestRunOptions build() {
            if (frame == null) {
                throw new JxdpException("test-run options: no frame given");
            }
            return new TestRunOptions(this);
        }
    }
}
