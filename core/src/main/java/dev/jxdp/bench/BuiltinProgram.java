package dev.jxdp.bench;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.elf.RodataConstants;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.verifier.Verifier;
import dev.jxdp.ebpf.verifier.VerifierResult;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The XDP programs {@code jxdp bench} runs, written in C like xdp-bench's (core/src/main/bpf, rebuilt by
 * its build.sh) and shipped as objects in the jar (dev/jxdp/bench/*.o). {@link #load} reads one from the
 * class path, writes its .rodata constants (the redirect target) before loading, as a libbpf skeleton
 * does, then verifies and JIT-compiles it the way {@code jxdp run} does, so the bench measures the code
 * a user's object gets.
 */
public enum BuiltinProgram {
    /** reads the Ethernet header, XDP_DROP */
    DROP("xdp_bench_basic.o", "xdp_drop"),
    /** reads the Ethernet header, XDP_PASS */
    PASS("xdp_bench_basic.o", "xdp_pass"),
    /** swaps the MAC addresses, XDP_TX */
    TX("xdp_bench_basic.o", "xdp_tx"),
    /** the UDP source port modulo 10: 0-4 XDP_DROP, 5-7 XDP_PASS, 8-9 swap MACs and XDP_TX */
    MIXED("xdp_bench_basic.o", "xdp_mixed"),
    /** swaps the MAC addresses, bpf_redirect(ifindex_out) */
    REDIRECT("xdp_bench_redirect.o", "xdp_redirect"),
    /** swaps the MAC addresses, bpf_redirect_map(DEVMAP tx_port, 0) */
    REDIRECT_MAP("xdp_bench_redirect.o", "xdp_redirect_map"),
    /** reads the Ethernet header, bpf_redirect_map(CPUMAP cpu_map, cpu_dest) */
    REDIRECT_CPU("xdp_bench_redirect.o", "xdp_redirect_cpu"),
    /** bpf_redirect_map(XSKMAP xsks_map, rx_queue_index, XDP_PASS): every frame to its queue's AF_XDP socket */
    XSK("xdp_bench_xsk.o", "xdp_sock_prog"),
    /** bpf_redirect_xsk(XSKMAP xsks_map, rx_queue_index, XDP_PASS): seed 002's helper, the same target */
    XSK_REDIRECT_XSK("xdp_bench_redirect_xsk.o", "xdp_redirect_xsk"),
    /**
     * reads the Ethernet header, bpf_tail_call(PROG_ARRAY {@value #TAIL_CALLS}, 0), XDP_PASS when the slot
     * is empty; the slot is the caller's to fill, with {@value #TAIL_CALLEE} of the same collection
     */
    TAIL_CALL("xdp_bench_chain.o", "xdp_tailcall");

    /** Where the objects are on the class path. */
    static final String RESOURCE_DIR = "/dev/jxdp/bench/";
    /** The DEVMAP of {@link #REDIRECT_MAP}: slot 0 is the target device. */
    public static final String DEVMAP = "tx_port";
    /** The XSKMAP of {@link #XSK}: slot q holds RX queue q's socket. */
    public static final String XSKMAP = "xsks_map";
    /** The CPUMAP of {@link #REDIRECT_CPU}. */
    public static final String CPUMAP = "cpu_map";
    /** The PROG_ARRAY of {@link #TAIL_CALL}: slot 0 is the program it tail-calls. */
    public static final String TAIL_CALLS = "chain_jmp";
    /** The program in {@link #TAIL_CALL}'s object that reads the Ethernet header and drops. */
    public static final String TAIL_CALLEE = "xdp_tail_drop";

    private final String object;
    private final String program;

    BuiltinProgram(String object, String program) {
        this.object = object;
        this.program = program;
    }

    /** The object file's name (in core/src/main/bpf as .c, on the class path as .o). */
    public String object() { return object; }

    /** The program's name in its object. */
    public String programName() { return program; }

    /**
     * A loaded, verified and compiled program with its own maps.
     *
     * @param collection the object's maps and programs: the caller closes it
     */
    public record Loaded(BuiltinProgram which, BpfCollection collection, BpfProgram program, JitProgram jit)
            implements AutoCloseable {
        @Override
        public void close() {
            collection.close();
        }
    }

    /** Loads the program with no .rodata constants set (all zero). */
    public Loaded load() {
        return load(Map.of());
    }

    /**
     * Loads the program with the named .rodata constants ({@code ifindex_out}, {@code cpu_dest}: u32) set
     * before the maps are created, verifies it (a built-in the verifier rejects is a bug in jxdp: an
     * IllegalStateException) and compiles it with the verifier's facts; a tail-call target is verified and
     * compiled on its first call, as {@code jxdp run} compiles one.
     */
    public Loaded load(Map<String, Integer> rodata) {
        ObjectSpec spec = ElfLoader.parse(bytes(), "builtin:" + object);
        if (!rodata.isEmpty()) {
            spec = withRodata(spec, rodata);
        }
        BpfCollection c = BpfCollection.load(spec);
        try {
            BpfProgram p = c.program(program);
            if (p == null) {
                throw new IllegalStateException(object + ": no program " + program);
            }
            VerifierResult r = Verifier.verify(p, Verifier.Mode.FULL, false);
            if (!r.accepted()) {
                throw new IllegalStateException(object + ": the verifier rejects built-in program " + program
                        + " at insn " + r.insn() + ": " + r.message());
            }
            JitProgram jit = JitCompiler.compile(p, r.facts());
            return new Loaded(this, c, p, jit);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** The object's bytes from the class path. */
    byte[] bytes() {
        String path = RESOURCE_DIR + object;
        try (InputStream in = BuiltinProgram.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + ": not on the class path (core/src/main/bpf/build.sh builds it)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": " + e.getMessage(), e);
        }
    }

    /**
     * The spec with the named .rodata variables set to the given u32 values, as {@code --const} sets them
     * ({@link RodataConstants}: their offsets from the object's BTF, as libbpf's skeleton finds them).
     */
    static ObjectSpec withRodata(ObjectSpec spec, Map<String, Integer> values) {
        Map<String, String> text = new LinkedHashMap<>();
        values.forEach((name, v) -> text.put(name, Integer.toUnsignedString(v)));
        try {
            return RodataConstants.apply(spec, text);
        } catch (BpfException e) {
            throw new IllegalStateException(spec.path() + ": " + e.getMessage(), e);
        }
    }
}
