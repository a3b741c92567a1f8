package dev.jxdp.jmh;

import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpBuff;
import dev.jxdp.ebpf.testrun.MapJson;
import dev.jxdp.ebpf.verifier.Verifier;
import dev.jxdp.ebpf.verifier.VerifierResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;

/**
 * The JIT's speed: ns per packet of the programs of jmh/cases.json called from Java, the way
 * BPF_PROG_TEST_RUN's repeats run them (one buffer and one set of maps for every run, so a program
 * that rewrites the frame sees its own output: bin/bench-jit-vs-kernel times the same thing in the
 * kernel). {@code code=verified} is what the verifier's proof lets the JIT drop
 * ({@code JitCompiler.verifying()}), {@code code=checked} every access checked at run time
 * ({@code JitCompiler.compile}, what test-run uses). Run with {@code -prof gc}: a run allocates nothing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Djxdp.mem=unsafe"})
public class JitBench {

    @Param({"empty", "firewall", "counters", "lpm_router", "tail_calls", "encap", "csum_nat", "loops", "conntrack",
            "atomics", "reflect", "bpf_loop", "acl_calls", "map_walk", "unrolled"})
    public String program;

    @Param({"verified", "checked"})
    public String code;

    private Arena arena;
    private BpfCollection collection;
    private JitProgram jit;
    private ExecState st;
    private XdpBuff buff;

    @Setup(Level.Trial)
    public void setup() {
        BenchPrograms.Case c = BenchPrograms.get(program);
        collection = BpfCollection.load(ElfLoader.load(c.object()));
        if (c.mapInit() != null) {
            MapJson.applyInit(collection, c.mapInit());
        }
        BpfProgram prog = collection.program(c.prog());
        if (prog == null) {
            throw new IllegalArgumentException(c.object() + ": no program " + c.prog());
        }
        jit = switch (code) {
            case "verified" -> {
                // verifying() quietly keeps every check of a program its verifier rejects: say which it was
                VerifierResult v = Verifier.verify(prog, Verifier.Mode.FULL, false);
                System.out.println("# " + program + ": verifier " + (v.accepted() ? "accepted" : "rejected ("
                        + v.message() + "): the code is checked"));
                yield JitCompiler.verifying().program(prog);
            }
            case "checked" -> JitCompiler.compile(prog);
            default -> throw new IllegalArgumentException("code " + code + ": want verified or checked");
        };
        arena = Arena.ofConfined();
        buff = XdpBuff.allocate(arena);
        buff.load(c.frame());
        buff.ingressIfindex = dev.jxdp.ebpf.fib.Fib.LOOPBACK_IFINDEX;
        buff.rxQueueIndex = 0;
        st = collection.newExecState(0);
        st.caller(jit);
    }

    /** One packet, as one of test-run's repeats: the per-run state reset, then the program. */
    @Benchmark
    public long run() {
        st.begin(buff);
        return jit.run(st);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        collection.close();
        arena.close();
    }
}
