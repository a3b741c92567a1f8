package dev.jxdp.bench;

import dev.jxdp.xdp.RxMode;

/**
 * The cases of {@code jxdp bench xsk} (issue 18, seed 002's table), in the order they are printed: xdpsock
 * rxdrop on one queue with one socket, every frame redirected to it, through each RX path the seed compares
 * and jxdp's own; the application on a thread of its own (the setup), then the same five with the
 * application busy-polling on the worker's thread ({@value #BUSY_POLL} suffix: the seed's xdpsock -B, one
 * core).
 */
public enum XskCase implements BenchCase {
    /** bpf_redirect_map to the XSKMAP, the generic path: redirect info, the XSKMAP flush list, one frame at a time */
    GENERIC("generic", BuiltinProgram.XSK, RxMode.SCALAR, false),
    /** bpf_redirect_xsk returning XDP_REDIRECT_XSK: straight to the queue's socket, one frame at a time */
    REDIRECT_XSK("redirect-xsk", BuiltinProgram.XSK_REDIRECT_XSK, RxMode.SCALAR, true),
    /** the same, a vector at a time: one fill-ring peek and one RX-ring reservation per vector */
    REDIRECT_XSK_BATCHED("redirect-xsk-batched", BuiltinProgram.XSK_REDIRECT_XSK, RxMode.VECTOR, true),
    /** the unchanged bpf_redirect_map program, recognised by jxdp as the single-socket case */
    TRANSPARENT("transparent", BuiltinProgram.XSK, RxMode.SCALAR, true),
    /** the same, a vector at a time */
    TRANSPARENT_BATCHED("transparent-batched", BuiltinProgram.XSK, RxMode.VECTOR, true),
    GENERIC_BP(GENERIC),
    REDIRECT_XSK_BP(REDIRECT_XSK),
    REDIRECT_XSK_BATCHED_BP(REDIRECT_XSK_BATCHED),
    TRANSPARENT_BP(TRANSPARENT),
    TRANSPARENT_BATCHED_BP(TRANSPARENT_BATCHED);

    /** The label suffix of the cases whose application busy-polls on the worker's thread. */
    public static final String BUSY_POLL = "-busy-poll";

    private final String label;
    private final boolean busyPoll;
    private final BuiltinProgram program;
    private final RxMode mode;
    private final boolean fastPath;

    XskCase(String label, BuiltinProgram program, RxMode mode, boolean fastPath) {
        this.label = label;
        this.program = program;
        this.mode = mode;
        this.fastPath = fastPath;
        this.busyPoll = false;
    }

    // the busy-polling twin of a case
    XskCase(XskCase twin) {
        this.label = twin.label + BUSY_POLL;
        this.program = twin.program;
        this.mode = twin.mode;
        this.fastPath = twin.fastPath;
        this.busyPoll = true;
    }

    /** The five cases of one setup, in table order: the application on a thread of its own, or busy-polling. */
    public static java.util.List<XskCase> table(boolean busyPoll) {
        java.util.List<XskCase> out = new java.util.ArrayList<>();
        for (XskCase c : values()) {
            if (c.busyPoll == busyPoll) {
                out.add(c);
            }
        }
        return out;
    }

    /** The case named {@code label}, or null. */
    public static XskCase byLabel(String label) {
        for (XskCase c : values()) {
            if (c.label.equals(label)) {
                return c;
            }
        }
        return null;
    }

    /** Every label, comma-separated, for messages. */
    public static String labels() {
        StringBuilder b = new StringBuilder();
        for (XskCase c : values()) {
            b.append(b.isEmpty() ? "" : ", ").append(c.label);
        }
        return b.toString();
    }

    @Override
    public String label() { return label; }

    /** The program every frame runs. */
    public BuiltinProgram program() { return program; }

    /** Scalar, or vector (batched). */
    public RxMode mode() { return mode; }

    /** Whether the worker recognises a redirect_map to the queue's only socket as the fast path. */
    public boolean fastPath() { return fastPath; }

    /** Whether the application busy-polls on the worker's thread instead of running on its own. */
    public boolean busyPoll() { return busyPoll; }

    /** The case's label without the {@value #BUSY_POLL} suffix: the name for it. */
    public String baseLabel() { return busyPoll ? label.substring(0, label.length() - BUSY_POLL.length()) : label; }

    @Override
    public XskBench open() {
        return new XskBench(this);
    }

    @Override
    public String toString() { return label; }
}
