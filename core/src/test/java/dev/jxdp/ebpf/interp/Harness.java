package dev.jxdp.ebpf.interp;

import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.maps.MapSpec;
import dev.jxdp.ebpf.mem.Region;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpBuff;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** A loaded set of test programs (p0, p1, ...) with an execution state, a packet buffer and an interpreter. */
public final class Harness implements AutoCloseable {
    public final Arena arena = Arena.ofShared();
    public final BpfCollection coll;
    public final ExecState st;
    public final XdpBuff buff;
    public final Interpreter interp = new Interpreter();
    public final List<String> trace = new ArrayList<>();

    public Harness(Insn[]... progs) {
        this(List.of(), progs);
    }

    public Harness(List<MapSpec> maps, Insn[]... progs) {
        List<ProgramSpec> specs = new ArrayList<>();
        for (int i = 0; i < progs.length; i++) {
            specs.add(new ProgramSpec("p" + i, "xdp", progs[i], List.of(new ProgramSpec.Func(0, "p" + i)), List.of()));
        }
        coll = BpfCollection.load(new ObjectSpec("test.o", maps, specs, "GPL"));
        st = coll.newExecState(0);
        st.traceTo(trace::add);
        buff = XdpBuff.allocate(arena);
    }

    public BpfMap map(int i) { return coll.maps().get(i); }

    /** A MapSpec for tests. */
    public static MapSpec spec(String name, dev.jxdp.ebpf.maps.MapType type, int keySize, int valueSize, int max) {
        return new MapSpec(name, type.id(), keySize, valueSize, max, 0, null, false, null, "test");
    }

    public BpfProgram prog(int i) { return coll.programs().get(i); }

    /** Runs p0 on a packet of the given bytes. */
    public long run(byte[] packet) {
        buff.load(packet);
        st.begin(buff);
        return interp.run(prog(0), st);
    }

    public long run(int packetLength) {
        return run(new byte[packetLength]);
    }

    /** Runs p0 as a raw program with r1 = a copy of mem and r2 = its length. */
    public long runRaw(byte[] mem) {
        MemorySegment m = memory(Math.max(1, mem.length));
        MemorySegment.copy(mem, 0, m, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, mem.length);
        st.begin(null);
        return interp.runRaw(prog(0), st, mem.length == 0 ? 0 : m.address(), mem.length);
    }

    /** Writable memory the programs may reach. */
    public MemorySegment memory(int size) {
        MemorySegment m = arena.allocate(size, 8);
        coll.space().add(new Region("mem", Region.Kind.OTHER, m, true, null));
        return m;
    }

    public <M extends BpfMap> M add(M map) {
        for (Region r : map.regions()) {
            coll.space().add(r);
        }
        return map;
    }

    @Override
    public void close() {
        coll.close();
        arena.close();
    }
}
