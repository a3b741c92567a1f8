package dev.jxdp.ebpf.runtime;

/** The XDP program return codes (uapi enum xdp_action), and jxdp's {@link #REDIRECT_XSK}. */
public final class XdpAction {
    private XdpAction() {}

    public static final int ABORTED = 0;
    public static final int DROP = 1;
    public static final int PASS = 2;
    public static final int TX = 3;
    public static final int REDIRECT = 4;
    /**
     * XDP_REDIRECT_XSK (5): bpf_redirect_xsk found the queue's sole AF_XDP socket, and the driver puts the
     * frame straight into it, without bpf_redirect_info. The action of the unmerged RFC "bpf: add
     * bpf_redirect_xsk helper and XDP_REDIRECT_XSK action"; the kernel has no such action.
     */
    public static final int REDIRECT_XSK = 5;

    public static String name(long action) {
        return switch ((int) action) {
            case ABORTED -> "XDP_ABORTED";
            case DROP -> "XDP_DROP";
            case PASS -> "XDP_PASS";
            case TX -> "XDP_TX";
            case REDIRECT -> "XDP_REDIRECT";
            case REDIRECT_XSK -> "XDP_REDIRECT_XSK";
            default -> "unknown(" + action + ")";
        };
    }
}
