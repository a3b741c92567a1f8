package dev.jxdp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpBuff;
import dev.jxdp.ebpf.testrun.MapJson;
import dev.jxdp.ebpf.testrun.ProgTestRun;
import dev.jxdp.ebpf.verifier.Verifier;
import dev.jxdp.ebpf.verifier.VerifierFacts;

import java.lang.foreign.Arena;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * jxdp's own engines behind the public API: one {@link BpfCollection} whose maps live as long as the
 * object, every XDP program verified at load (as the kernel's load does) and, for the JIT, compiled then
 * with the verifier's facts. Each program keeps one buffer and one execution state (CPU 0, as the
 * kernel's test run) for all its test runs, so a call costs the run and its result, nothing else.
 */
final class JxdpBackend implements Backend {

    private final dev.jxdp.ebpf.elf.ObjectSpec spec;
    private final BpfCollection collection;
    private final JsonNode init;
    private final Arena arena = Arena.ofShared();
    private final Map<String, Runner> runners = new HashMap<>();
    private final Map<String, MapView> maps = new HashMap<>();
    private Map<ProgramSpec, VerifierFacts> facts = Map.of();

    private JxdpBackend(dev.jxdp.ebpf.elf.ObjectSpec spec, BpfCollection collection, JsonNode init) {
        this.spec = spec;
        this.collection = collection;
        this.init = init;
    }

    /**
     * Loads {@code spec}: maps created and filled from {@code init} (test-run's map-init JSON, or null),
     * every XDP program verified unless {@code verify} is false, compiled when {@code jit}. A
     * {@link VerifierException} for a rejected program; a {@link dev.jxdp.ebpf.BpfException} for what no
     * kernel would load.
     */
    static JxdpBackend load(dev.jxdp.ebpf.elf.ObjectSpec spec, boolean jit, boolean verify, JsonNode init) {
        BpfCollection c = BpfCollection.load(spec);
        JxdpBackend b = new JxdpBackend(spec, c, init);
        try {
            Map<ProgramSpec, VerifierFacts> facts = Map.of();
            if (verify) {
                Verifier.Verdicts v = Verifier.verifyAll(c);
                if (v.rejected() != null) {
                    throw rejection(v.rejected(), v.rejection());
                }
                facts = v.facts();
            }
            if (init != null) {
                MapJson.applyInit(c, init);
            }
            b.facts = facts;
            Map<ProgramSpec, VerifierFacts> proven = facts;
            JitCompiler compiler = jit ? JitCompiler.using(p -> proven.get(p.spec())) : null;
            for (BpfProgram p : c.programs()) {
                // compiled now, not at the first run: load is where the kernel's JIT runs too
                JitProgram code = compiler != null && p.runnable() ? compiler.program(p) : null;
                b.runners.put(p.name(), b.new Runner(p, code));
            }
            for (BpfMap m : c.maps()) {
                b.maps.put(m.name(), new MapView(m));
            }
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
        return b;
    }

    private static VerifierException rejection(BpfProgram p, dev.jxdp.ebpf.verifier.VerifierResult r) {
        // the log as the kernel's ends: the state walk, then the instruction and the message
        String log = Verifier.verify(p, Verifier.Mode.FULL, true).log();
        String tail = r.describe();
        String full = log.isEmpty() ? tail : log.endsWith("\n") ? log + tail : log + "\n" + tail;
        ProgramSpec.Line line = r.insn() >= 0 ? p.spec().lineOf(r.insn()) : null;
        return new VerifierException(p.name(), r.insn(), r.message(), full, line == null ? null : line.toString());
    }

    /** The live collection: the datapath runs its programs over the same maps. */
    BpfCollection collection() { return collection; }

    /** A compiler using what the verifier proved at load (the datapath runs compiled code, whatever the engine). */
    JitCompiler compiler() {
        Map<ProgramSpec, VerifierFacts> proven = facts;
        return JitCompiler.using(p -> proven.get(p.spec()));
    }

    @Override
    public Program program(String name) {
        return runners.get(name);
    }

    @Override
    public Backend.RawMap map(String name) {
        return maps.get(name);
    }

    @Override
    public void close() {
        collection.close();
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    /** One program's test runs: its compiled code (null: the interpreter), buffer and state made once. */
    private final class Runner implements Program {
        private final BpfProgram prog;
        private final JitProgram jit;
        private XdpBuff buff;
        private ExecState st;

        Runner(BpfProgram prog, JitProgram jit) {
            this.prog = prog;
            this.jit = jit;
        }

        @Override
        public synchronized ProgTestRun.Result testRun(byte[] data, int repeat, int ingressIfindex, int rxQueue,
                                                       boolean trace) {
            ProgTestRun.checkFrame(prog, data.length);
            if (buff == null) {
                buff = XdpBuff.allocate(arena);
                st = collection.newExecState(0);
            }
            // repeat > 1 warms the JIT up on a throwaway collection (same object and map-init), never on
            // the object's own maps
            Supplier<BpfCollection> warm = () -> {
                BpfCollection w = BpfCollection.load(spec);
                if (init != null) {
                    MapJson.applyInit(w, init);
                }
                return w;
            };
            return ProgTestRun.run(collection, prog, jit, buff, st, data, repeat, trace, warm, ingressIfindex, rxQueue);
        }
    }
}
