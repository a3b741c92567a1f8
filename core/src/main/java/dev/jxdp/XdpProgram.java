package dev.jxdp;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.testrun.ProgTestRun;

/**
 * A program of a loaded {@link XdpObject}, ready to test-run as the kernel's {@code BPF_PROG_TEST_RUN}
 * runs it: the frame after 256 bytes of headroom in a 4 KiB buffer, arriving on loopback's queue 0 unless
 * the options say otherwise, with the object's maps, which keep what each run leaves in them.
 *
 * <pre>{@code
 * TestRunResult r = obj.program("xdp_demo").testRun(frame);
 * assertEquals(XdpAction.DROP, r.action());
 * }</pre>
 *
 * <p>A test run costs the run itself and its result: the program was verified and compiled at load, and
 * its buffer and execution state are reused. Calls on one program are serialised; use one object per
 * thread to run in parallel.
 */
public final class XdpProgram {

    private final XdpObject owner;
    private final ProgramSpec spec;
    private final Backend.Program backend;

    XdpProgram(XdpObject owner, ProgramSpec spec, Backend.Program backend) {
        this.owner = owner;
        this.spec = spec;
        this.backend = backend;
    }

    /**
     * The program's name.
     *
     * @return its function name in the object
     */
    public String name() { return spec.name(); }

    /**
     * The ELF section it came from.
     *
     * @return the section name ({@code xdp}, {@code xdp.frags}, ...)
     */
    public String section() { return spec.section(); }

    /** The object this program belongs to. */
    XdpObject owner() { return owner; }

    /**
     * What the object file declares for this program.
     *
     * @return the program's spec
     */
    public ProgramSpec spec() { return spec; }

    /**
     * Runs the program once on a frame.
     *
     * @param frame the packet, 14 to 3520 bytes (an Ethernet frame without FCS)
     * @return the verdict, the output frame and the time taken
     * @throws JxdpException for a frame the kernel's test run refuses, or a program that cannot run
     *                       (not an XDP one, or one using what jxdp lacks)
     */
    public TestRunResult testRun(byte[] frame) {
        return testRun(TestRunOptions.of(frame));
    }

    /**
     * Runs the program as the options say.
     *
     * @param options the frame, repeat count, receive queue and whether to collect the trace
     * @return the last run's verdict and output frame, the average time per run
     * @throws JxdpException for a frame or receive queue the kernel's test run refuses, or a program that
     *                       cannot run
     */
    public TestRunResult testRun(TestRunOptions options) {
        return owner.use(() -> run(options));
    }

    private TestRunResult run(TestRunOptions options) {
        if (backend == null) {
            throw new JxdpException("program " + name() + ": the " + owner.engine().name().toLowerCase(java.util.Locale.ROOT)
                    + " engine did not load it");
        }
        ProgTestRun.Result r;
        try {
            r = backend.testRun(options.frame(), options.repeat(), options.ingressIfindex(), options.rxQueueIndex(),
                    options.trace());
        } catch (BpfException e) {
            throw new JxdpException("program " + name() + ": " + e.getMessage(), e);
        }
        return new TestRunResult(XdpAction.of(r.retval()), r.retval() & 0xffffffffL, r.dataOut(), r.durationNs(),
                r.fault() == null ? null : r.fault().getMessage(), r.trace());
    }

    @Override
    public String toString() {
        return "XdpProgram[" + name() + ", section " + section() + "]";
    }
}
