package dev.jxdp.ebpf.runtime;

/** The XDP program return codes (uapi enum xdp_action). */
public final class XdpAction {
    private XdpAction() {}

    public static final int ABORTED = 0;
    public static final int DROP = 1;
    public static final int PASS = 2;
    public static final int TX = 3;
    public static final int REDIRECT = 4;
    /**
     * XDP_REDIRECT_XSK (5), seed 002's action, a jxdp extension: the frame goes to the AF_XDP socket bound
     * to its RX queue when it is the only one, as {@code bpf_redirect_xsk} found.
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
