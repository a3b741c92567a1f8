package dev.jxdp.jmh;

import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.interp.Interpreter;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpBuff;
import dev.jxdp.ebpf.testrun.MapJson;
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
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The reference interpreter's speed: ns per program run on one frame; divide by the instructions one run
 * executes (printed at setup as "insns/run") for ns per eBPF instruction.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Djxdp.mem=unsafe"})
public class InterpreterBench {

    @Param({"parser", "counter", "csum"})
    public String program;

    private Arena arena;
    private BpfCollection collection;
    private BpfProgram prog;
    private ExecState st;
    private XdpBuff buff;
    private Interpreter interp;
    private byte[] frame;

    @Setup(Level.Trial)
    public void setup() {
        BenchPrograms.Case c = BenchPrograms.get(program);
        collection = BpfCollection.load(ElfLoader.load(c.object()));
        if (c.mapInit() != null) {
            MapJson.applyInit(collection, c.mapInit());
        }
        prog = collection.program(c.prog());
        arena = Arena.ofConfined();
        buff = XdpBuff.allocate(arena);
        frame = c.frame();
        buff.load(frame);
        buff.ingressIfindex = 1;
        st = collection.newExecState(0);
        interp = new Interpreter();
        st.caller(interp);
        st.begin(buff);
        interp.run(prog, st);
        System.out.println("# " + program + ": insns/run " + interp.executedInstructions());
    }

    @Benchmark
    public long run() {
        buff.load(frame);  // the program may rewrite the frame: every run starts from the same bytes
        st.begin(buff);
        return interp.run(prog, st);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        collection.close();
        arena.close();
    }

    static Path repo() {
        return Path.of(System.getProperty("jxdp.repo", "."));
    }
}
