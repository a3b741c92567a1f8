package dev.jxdp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * A loaded object: its maps created, its programs verified and ready to run on the {@link Engine} it
 * was loaded with. It owns their memory (or, with {@link Engine#KERNEL}, their file descriptors) until
 * {@link #close()}; its programs and maps are usable only until then.
 *
 * <pre>{@code
 * try (XdpObject obj = ObjectSpec.read(Path.of("prog.o")).load()) {
 *     TestRunResult r = obj.program().testRun(frame);
 *     Optional<Object> v = obj.map("stats").lookupDecoded(2);
 * }
 * }</pre>
 *
 * <p>Maps persist across test runs, as in the kernel: what one run counts, the next sees. An object may
 * be used from several threads; {@link #close()} waits for test runs and map accesses under way.
 */
public final class XdpObject implements AutoCloseable {

    private final ObjectSpec spec;
    private final Engine engine;
    private final Backend backend;
    private final Map<String, XdpProgram> programs = new LinkedHashMap<>();
    private final Map<String, XdpMap> maps = new LinkedHashMap<>();
    private volatile boolean closed;
    // test runs and map accesses hold it shared, close() exclusively: nothing touches freed memory
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    XdpObject(ObjectSpec spec, Engine engine, Backend backend) {
        this.spec = spec;
        this.engine = engine;
        this.backend = backend;
        dev.jxdp.ebpf.elf.ObjectSpec internal = spec.internal();
        for (dev.jxdp.ebpf.elf.ProgramSpec p : internal.programs()) {
            programs.put(p.name(), new XdpProgram(this, ProgramSpec.of(p), backend.program(p.name())));
        }
        for (dev.jxdp.ebpf.maps.MapSpec m : internal.maps()) {
            Backend.RawMap raw = backend.map(m.name());
            if (raw != null) {
                maps.put(m.name(), new XdpMap(this, m, internal.btf(), raw));
            }
        }
    }

    /**
     * The spec this object was loaded from.
     *
     * @return the spec, with the constants and sizes it was loaded with
     */
    public ObjectSpec spec() { return spec; }

    /**
     * The engine that runs this object's programs.
     *
     * @return the engine
     */
    public Engine engine() { return engine; }

    /**
     * Every program, in the object's order (section, then offset).
     *
     * @return the programs
     */
    public List<XdpProgram> programs() {
        checkOpen();
        return Collections.unmodifiableList(new ArrayList<>(programs.values()));
    }

    /**
     * The program with this name.
     *
     * @param name the program's function name
     * @return the program
     * @throws JxdpException when the object has none by that name (the message lists those it has)
     */
    public XdpProgram program(String name) {
        checkOpen();
        XdpProgram p = programs.get(name);
        if (p == null) {
            throw new JxdpException(spec.name() + ": no program " + name + " (programs: "
                    + (programs.isEmpty() ? "none" : String.join(", ", programs.keySet())) + ")");
        }
        return p;
    }

    /**
     * The object's only XDP program, for the common one-program object.
     *
     * @return the program
     * @throws JxdpException when the object has no XDP program or several (the message names them)
     */
    public XdpProgram program() {
        checkOpen();
        List<String> xdp = new ArrayList<>();
        for (XdpProgram p : programs.values()) {
            if (p.spec().xdp()) {
                xdp.add(p.name());
            }
        }
        if (xdp.size() != 1) {
            throw new JxdpException(spec.name() + ": " + (xdp.isEmpty() ? "has no XDP program"
                    : "has several XDP programs (" + String.join(", ", xdp) + "): choose one with program(name)"));
        }
        return programs.get(xdp.getFirst());
    }

    /**
     * Every map, in the object's order: {@code SEC(".maps")} ones, then global data sections.
     *
     * @return the maps
     */
    public List<XdpMap> maps() {
        checkOpen();
        return Collections.unmodifiableList(new ArrayList<>(maps.values()));
    }

    /**
     * The map with this name.
     *
     * @param name the map's name ({@link MapSpec#name()})
     * @return the map
     * @throws JxdpException when the object has none by that name (the message lists those it has)
     */
    public XdpMap map(String name) {
        checkOpen();
        XdpMap m = maps.get(name);
        if (m == null) {
            throw new JxdpException(spec.name() + ": no map " + name + " (maps: "
                    + (maps.isEmpty() ? "none" : String.join(", ", maps.keySet())) + ")");
        }
        return m;
    }

    /** The backend: the datapath runs its programs over the same maps. */
    Backend backend() {
        checkOpen();
        return backend;
    }

    /**
     * Frees the maps and programs. Closing twice does nothing; using the object, its programs or maps
     * afterwards throws a {@link JxdpException}.
     */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                backend.close();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Runs {@code op} on the open object; close() waits for it. */
    <T> T use(Supplier<T> op) {
        lock.readLock().lock();
        try {
            checkOpen();
            return op.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    void checkOpen() {
        if (closed) {
            throw new JxdpException(spec.name() + ": the object is closed");
        }
    }

    @Override
    public String toString() {
        return "XdpObject[" + spec.name() + ", " + engine + (closed ? ", closed" : "") + "]";
    }
}
