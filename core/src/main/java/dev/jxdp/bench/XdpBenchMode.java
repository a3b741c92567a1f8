package dev.jxdp.bench;

/**
 * What {@code jxdp bench xdp MODE} runs on the benchmark datapath, as xdp-bench's commands: a built-in
 * program and where its frames go, or the floor (no program at all).
 */
public enum XdpBenchMode {
    /** no program: the driver loop reads each frame's first cache line and recycles it, the upper bound */
    FLOOR("floor", null),
    /** XDP_DROP: back to the page pool */
    DROP("drop", BuiltinProgram.DROP),
    /** XDP_PASS: the stack stage ({@link StackStage}) */
    PASS("pass", BuiltinProgram.PASS),
    /** XDP_TX with MACs swapped: bulk transmit on the receiving device */
    TX("tx", BuiltinProgram.TX),
    /** bpf_redirect() to a veth, whose peer takes the frames */
    REDIRECT("redirect", BuiltinProgram.REDIRECT),
    /** bpf_redirect_map() to a veth through DEVMAP slot 0 */
    REDIRECT_MAP("redirect-map", BuiltinProgram.REDIRECT_MAP),
    /** bpf_redirect_map() to another CPU through a CPUMAP, whose consumer hands frames to the stack stage */
    REDIRECT_CPU("redirect-cpu", BuiltinProgram.REDIRECT_CPU),
    /** 50% XDP_DROP, 30% XDP_PASS, 20% XDP_TX by UDP source port */
    MIXED("mixed", BuiltinProgram.MIXED);

    private final String label;
    private final BuiltinProgram program;

    XdpBenchMode(String label, BuiltinProgram program) {
        this.label = label;
        this.program = program;
    }

    /** The name on the command line and in results. */
    public String label() { return label; }

    /** The program it runs; null for {@link #FLOOR}. */
    public BuiltinProgram program() { return program; }

    /** The mode with this label, or null. */
    public static XdpBenchMode byLabel(String label) {
        for (XdpBenchMode m : values()) {
            if (m.label.equals(label)) {
                return m;
            }
        }
        return null;
    }

    /** Every label, comma-separated, for messages. */
    public static String labels() {
        StringBuilder b = new StringBuilder();
        for (XdpBenchMode m : values()) {
            b.append(b.isEmpty() ? "" : ", ").append(m.label);
        }
        return b.toString();
    }

    @Override
    public String toString() { return label; }
}
