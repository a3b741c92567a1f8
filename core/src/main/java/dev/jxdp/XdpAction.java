package dev.jxdp;

/**
 * What an XDP program decided for a frame: the kernel's {@code enum xdp_action}.
 *
 * <p>{@link #of(long)} maps a program's return value to its action; a value the kernel does not
 * define (a program may return anything) maps to {@link #UNKNOWN}, and the raw value stays in
 * {@link TestRunResult#retval()}.
 */
public enum XdpAction {
    /** {@code XDP_ABORTED} (0): a program error; the frame is dropped and a trace point fires. */
    ABORTED(0),
    /** {@code XDP_DROP} (1): the frame is dropped. */
    DROP(1),
    /** {@code XDP_PASS} (2): the frame goes on to the network stack. */
    PASS(2),
    /** {@code XDP_TX} (3): the frame is sent back out of the device it arrived on. */
    TX(3),
    /** {@code XDP_REDIRECT} (4): the frame goes where {@code bpf_redirect} or {@code bpf_redirect_map} said. */
    REDIRECT(4),
    /**
     * {@code XDP_REDIRECT_XSK} (5), jxdp's: {@code bpf_redirect_xsk} found the AF_XDP socket that is the
     * only one bound to the RX queue, and the frame goes straight to it. The action of the unmerged RFC
     * "bpf: add bpf_redirect_xsk helper and XDP_REDIRECT_XSK action"; the kernel has no such action, and
     * libxdp's run configs cannot name it.
     */
    REDIRECT_XSK(5),
    /** A return value that is none of the above (the kernel treats it as a bad action). */
    UNKNOWN(-1);

    private final int code;

    XdpAction(int code) {
        this.code = code;
    }

    /**
     * The value a program returns for this action.
     *
     * @return 0 to 5, or -1 for {@link #UNKNOWN}
     */
    public int code() { return code; }

    /**
     * The action a program's return value stands for.
     *
     * @param retval the program's return value (r0; only its low 32 bits count, as in the kernel)
     * @return the action, {@link #UNKNOWN} for a value outside 0..5
     */
    public static XdpAction of(long retval) {
        long v = retval & 0xffffffffL;
        return v <= REDIRECT_XSK.code ? values()[(int) v] : UNKNOWN;
    }
}
