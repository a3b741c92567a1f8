package dev.jxdp;

import java.util.List;

/**
 * What one test run gave, as the kernel's {@code BPF_PROG_TEST_RUN} answers it: the last run's action
 * and return value, the frame as the program left it, the average time per run.
 *
 * @param action     the last run's verdict ({@link XdpAction#UNKNOWN} for a value outside 0..4)
 * @param retval     the last run's raw return value (r0's low 32 bits)
 * @param dataOut    the output frame: the bytes from {@code data_meta} to {@code data_end} after the
 *                   last run (metadata the program added first, then the packet)
 * @param durationNs average nanoseconds per run, as the kernel reports it
 * @param fault      why the run was stopped, or null: a program the verifier did not check (loaded
 *                   with {@link LoadOptions#verify(boolean) verify(false)}) that made a bad access ends
 *                   with {@link XdpAction#ABORTED} and this explanation instead of crashing
 * @param trace      the {@code bpf_trace_printk} lines of the last call, in order, when
 *                   {@link TestRunOptions.Builder#trace(boolean)} asked for them (else empty)
 */
public record TestRunResult(XdpAction action, long retval, byte[] dataOut, long durationNs, String fault,
                            List<String> trace) {

    /**
     * Whether the program asked for this action.
     *
     * @param a the action
     * @return true when {@link #action()} is {@code a}
     */
    public boolean is(XdpAction a) {
        return action == a;
    }
}
