package dev.jxdp.xdp;

/**
 * An XDP program written in plain Java: one method that looks at the frame and returns the action
 * ({@link dev.jxdp.ebpf.runtime.XdpAction}: XDP_ABORTED 0, XDP_DROP 1, XDP_PASS 2, XDP_TX 3, XDP_REDIRECT 4).
 * A {@link NapiWorker} runs it where it would run a compiled eBPF program, with the same actions,
 * bulking, redirect targets and counters.
 *
 * <p>The context is the worker's own and points at the current frame only for the call: keep no
 * reference to it. Like eBPF, the program runs on the worker thread for every frame, so it should not
 * allocate, lock or block. An exception it throws ends the run with XDP_ABORTED (counted, as a failed
 * run-time check of an eBPF program).
 */
@FunctionalInterface
public interface XdpJavaProgram {

    int run(XdpContext ctx);
}
