package dev.jxdp.ebpf.runtime;

/** The XDP program return codes (uapi enum xdp_action). */
public final class XdpAction {
    private XdpAction() {}

    public static final int ABORTED = 0;
    public static final int DROP = 1;
    public static final int PASS = 2;
    public static final int TX = 3;
    public static final int REDIRECT = 4;

    public static String name(long action) {
        return switch ((int) action) {
            case ABORTED -> "XDP_ABORTED";
            case DROP -> "XDP_DROP";
            case PASS -> "XDP_PASS";
            case TX -> "XDP_TX";
            case REDIRECT -> "XDP_REDIRECT";
            default -> "unknown(" + action + ")";
        };
    }
}
