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
    KERNEL
}
