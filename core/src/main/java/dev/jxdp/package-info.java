/**
 * jxdp as a library: load the eBPF objects {@code clang -target bpf} builds for the kernel, verify them
 * with the kernel's rules, test-run their XDP programs on frames, read and write their maps, and drive
 * them over a userspace datapath, all inside the JVM. This package is the public API; every other
 * package of jxdp is internal and may change.
 *
 * <p>The API follows the spec/live split of cilium/ebpf and libbpf: an {@link dev.jxdp.ObjectSpec} is what
 * an object file declares, plain immutable data that can be adjusted before load ({@code const volatile}
 * globals, map sizes); {@link dev.jxdp.ObjectSpec#load()} makes an {@link dev.jxdp.XdpObject}, which owns
 * the live maps and verified, compiled programs until it is closed.
 *
 * <pre>{@code
 * try (XdpObject obj = ObjectSpec.read(Path.of("examples/xdp_demo.o")).load()) {
 *     XdpProgram prog = obj.program();                  // the object's only XDP program
 *     TestRunResult r = prog.testRun(frame);            // BPF_PROG_TEST_RUN
 *     if (r.action() == XdpAction.DROP) { ... }
 *     Object stats = obj.map("stats").lookupSummed(1);  // decoded through BTF, summed over CPUs
 * }
 * }</pre>
 *
 * <ul>
 * <li>{@link dev.jxdp.ObjectSpec}, {@link dev.jxdp.ProgramSpec}, {@link dev.jxdp.MapSpec}: the spec side.</li>
 * <li>{@link dev.jxdp.XdpObject}, {@link dev.jxdp.XdpProgram}, {@link dev.jxdp.XdpMap}: the live side, on the
 *     {@link dev.jxdp.Engine} chosen with {@link dev.jxdp.LoadOptions}.</li>
 * <li>{@link dev.jxdp.TestRunOptions} and {@link dev.jxdp.TestRunResult}: one test run.</li>
 * <li>{@link dev.jxdp.Datapath}: frames from a capture, the packet generator or memory through RX queues
 *     and worker threads, as {@code jxdp run} does.</li>
 * <li>{@link dev.jxdp.JxdpException} and {@link dev.jxdp.VerifierException}: what goes wrong, in one line,
 *     with the verifier's log, instruction and source line as fields.</li>
 * </ul>
 */
package dev.jxdp;
