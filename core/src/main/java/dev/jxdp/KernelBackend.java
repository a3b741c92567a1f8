package dev.jxdp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.testrun.ProgTestRun;
import dev.jxdp.kernel.KernelMap;
import dev.jxdp.kernel.KernelObject;
import dev.jxdp.kernel.KernelProgram;
import dev.jxdp.kernel.KernelRejection;

/**
 * The real kernel behind the public API: the object loaded through bpf() (maps created, programs verified
 * by the kernel's verifier and JIT-compiled by it), test runs by BPF_PROG_TEST_RUN, map access by the
 * BPF_MAP_*_ELEM commands. Needs root (or CAP_BPF and CAP_NET_ADMIN).
 */
final class KernelBackend implements Backend {

    private final KernelObject kernel;

    private KernelBackend(KernelObject kernel) {
        this.kernel = kernel;
    }

    /**
     * Loads {@code spec} in the kernel and fills its maps from {@code init} (test-run's map-init JSON, or
     * null). A verifier rejection is a {@link VerifierException} carrying the kernel's own log.
     */
    static KernelBackend load(dev.jxdp.ebpf.elf.ObjectSpec spec, JsonNode init) {
        String why = KernelObject.unavailableReason();
        if (why != null) {
            throw new JxdpException("the kernel engine cannot run here: " + why);
        }
        KernelObject k;
        try {
            k = KernelObject.load(spec);
        } catch (KernelRejection e) {
            if (e.program() == null) {
                throw e;
            }
            throw rejection(spec, e);
        }
        try {
            if (init != null) {
                k.applyInit(init);
            }
        } catch (RuntimeException e) {
            k.close();
            throw e;
        }
        return new KernelBackend(k);
    }

    private static VerifierException rejection(dev.jxdp.ebpf.elf.ObjectSpec spec, KernelRejection e) {
        ProgramSpec p = spec.program(e.program());
        ProgramSpec.Line line = p != null && e.insn() >= 0 ? p.lineOf(e.insn()) : null;
        return new VerifierException(e.program(), e.insn(), e.reason(), e.log(), line == null ? null : line.toString());
    }

    @Override
    public Program program(String name) {
        KernelProgram p = kernel.program(name);
        return p == null ? null : (data, repeat, ingressIfindex, rxQueue, trace) ->
                p.testRun(data, repeat, ingressIfindex, rxQueue);
    }

    @Override
    public RawMap map(String name) {
        KernelMap m = kernel.map(name);
        return m == null ? null : new MapView(m);
    }

    @Override
    public void close() {
        kernel.close();
    }
}
