/**
 * The real kernel as an engine: jxdp's own loaded objects (maps, programs, BTF) created in the running
 * kernel through the {@code bpf()} system call, called through the foreign function API, with no libbpf,
 * bpftool or subprocess. {@link dev.jxdp.kernel.KernelObject} loads an object as libbpf would,
 * {@link dev.jxdp.kernel.KernelProgram} runs BPF_PROG_TEST_RUN and {@link dev.jxdp.kernel.KernelMap}
 * reads and writes maps with the semantics of jxdp's own maps. Needs root (or CAP_BPF and CAP_NET_ADMIN).
 *
 * <p>Internal: not part of jxdp's public API ({@code dev.jxdp}); it may change without notice.
 */
package dev.jxdp.kernel;
