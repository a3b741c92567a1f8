package dev.jxdp.ebpf.runtime;

import dev.jxdp.ebpf.fib.Fib;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.maps.MapSpec;
import dev.jxdp.ebpf.maps.Maps;
import dev.jxdp.ebpf.maps.OuterMap;
import dev.jxdp.ebpf.maps.ProgArray;
import dev.jxdp.ebpf.mem.AddressSpace;
import dev.jxdp.ebpf.mem.Region;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The live half of an {@link ObjectSpec}: its maps created (global data filled in, PROG_ARRAY slots set
 * from {@code __array(values, ...)}), its programs linked against them, and one address space holding
 * every region a program of the collection can reach. Closing it frees all of their memory.
 *
 * <p>A program that uses what jxdp lacks (a helper, a kfunc) does not stop the others: it is kept with
 * its reason ({@link BpfProgram#unsupported()}), as libbpf keeps a program whose autoload is off, and
 * refused only where it is chosen.
 */
public final class BpfCollection implements AutoCloseable {

    private final ObjectSpec spec;
    private final Arena arena = Arena.ofShared();
    private final AddressSpace space = new AddressSpace();
    private final List<BpfMap> maps = new ArrayList<>();
    private final List<BpfProgram> programs = new ArrayList<>();

    private BpfCollection(ObjectSpec spec) {
        this.spec = spec;
    }

    /**
     * Creates the maps and programs of an object; throws {@link BpfException} for what no kernel would load
     * (a bad map, a malformed program, a PROG_ARRAY slot naming a program jxdp cannot load).
     */
    public static BpfCollection load(ObjectSpec spec) {
        BpfCollection c = new BpfCollection(spec);
        try {
            for (MapSpec m : spec.maps()) {
                BpfMap map = Maps.create(m);
                if (m.readOnly()) {
                    map.freeze();  // as libbpf does for .rodata once its initial value is in
                }
                c.maps.add(map);
                for (Region r : map.regions()) {
                    c.space.add(r);
                }
            }
            for (ProgramSpec p : spec.programs()) {
                BpfProgram prog = new BpfProgram(p, c, c.arena, ProgramLinker.unsupported(p, c.maps.size()));
                c.programs.add(prog);
                c.space.add(prog.codeRegion());
            }
            c.fillProgArrays();
            c.fillOuterMaps();
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void fillProgArrays() {
        for (BpfMap map : maps) {
            List<MapSpec.Slot> slots = map.spec().initialSlots();
            if (slots == null || slots.isEmpty() || !(map instanceof ProgArray)) {
                continue;
            }
            for (MapSpec.Slot s : slots) {
                BpfProgram target = program(s.target());
                if (target == null) {
                    throw new BpfException("map " + map.name() + ": slot " + s.slot() + " names program "
                            + s.target() + ", which the object does not have");
                }
                if (target.unsupported() != null) {
                    // libbpf's init_prog_array_slots() puts the fd of a program it did not load: the update
                    // fails and so does the object's load
                    throw new BpfException("map " + map.name() + ": slot " + s.slot() + " names program "
                            + s.target() + ", which jxdp cannot load: " + target.unsupported());
                }
                ((ProgArray) map).set(s.slot(), target);
            }
        }
    }

    // mirrors init_map_in_map_slots(): once every map exists, slot i of each outer map gets its inner map
    // (key i, a u32), which the kernel checks against the outer map's template
    private void fillOuterMaps() {
        for (BpfMap map : maps) {
            if (!(map instanceof OuterMap outer)) {
                continue;
            }
            for (MapSpec.Slot s : map.spec().initialSlots()) {
                BpfMap inner = map(s.target());
                if (inner == null) {
                    throw new BpfException("map " + map.name() + ": slot " + s.slot() + " names map " + s.target()
                            + ", which the object does not have");
                }
                String why = outer.mismatch(inner);
                if (why != null) {
                    throw new BpfException("map " + map.name() + ": slot [" + s.slot() + "] cannot hold map "
                            + inner.name() + ": " + why + " (the kernel says EINVAL)");
                }
                int rc = outer.put(new byte[] {(byte) s.slot(), (byte) (s.slot() >>> 8), (byte) (s.slot() >>> 16),
                        (byte) (s.slot() >>> 24)}, inner, 0);
                if (rc != 0) {
                    throw new BpfException("map " + map.name() + ": slot [" + s.slot() + "] cannot hold map "
                            + inner.name() + ": errno " + -rc);
                }
            }
        }
    }

    public ObjectSpec spec() { return spec; }
    public AddressSpace space() { return space; }
    public List<BpfMap> maps() { return Collections.unmodifiableList(maps); }
    public List<BpfProgram> programs() { return Collections.unmodifiableList(programs); }

    public BpfMap map(String name) {
        for (BpfMap m : maps) {
            if (m.name().equals(name)) {
                return m;
            }
        }
        return null;
    }

    public BpfProgram program(String name) {
        for (BpfProgram p : programs) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }

    /** A new per-CPU execution state over this collection's address space, its memory from this collection. */
    public ExecState newExecState(int cpu) {
        ExecState st = new ExecState(space, cpu, arena);
        st.fib(fib);
        return st;
    }

    // the network namespace the programs run in, as far as bpf_fib_lookup sees it
    private volatile Fib fib = Fib.EMPTY;

    /** The FIB bpf_fib_lookup() consults in execution states made after this call ({@link Fib#EMPTY} by default). */
    public void fib(Fib f) { this.fib = f == null ? Fib.EMPTY : f; }
    public Fib fib() { return fib; }

    @Override
    public void close() {
        for (BpfMap m : maps) {
            m.close();
        }
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
