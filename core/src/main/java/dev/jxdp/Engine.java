package dev.jxdp;

/**
 * What runs a loaded object's programs.
 *
 * @see ObjectSpec#load(Engine)
 */
public enum Engine {
    /** The reference interpreter: the executable specification the JIT is tested against; slow. */
    INTERPRETER,
    /**
     * eBPF compiled to JVM bytecode, one hidden class per program, using what the verifier proved to
     * drop checks: the default, and what the datapath runs.
     */
    JIT,
    /**
     * The Linux kernel itself, through the {@code bpf()} system call ({@code BPF_PROG_LOAD},
     * {@code BPF_PROG_TEST_RUN}): needs root (CAP_BPF) and a kernel with BPF; where it is not available,
     * loading with it throws a {@link JxdpException} saying why.
     */
    KERNEL;

    /**
     * Why this engine cannot run in this process, or null when it can. Only {@link #KERNEL} may not: it
     * needs Linux's {@code bpf()} and the right to load programs (root, or CAP_BPF with CAP_NET_ADMIN),
     * which it checks once by asking the kernel for a one-entry map.
     *
     * @return the reason in one line, or null
     */
    public String unavailableReason() {
        return this == KERNEL ? dev.jxdp.kernel.KernelObject.unavailableReason() : null;
    }

    /**
     * Whether this engine can run here.
     *
     * @return true when {@link #unavailableReason()} is null
     */
    public boolean available() {
        return unavailableReason() == null;
    }
}
