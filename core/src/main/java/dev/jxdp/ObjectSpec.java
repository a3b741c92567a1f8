package dev.jxdp;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.ElfLoader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An eBPF object file as plain data: its programs, maps, BTF and license, read from an {@code .o} that
 * {@code clang -target bpf} built. Nothing is allocated until {@link #load()}: a spec can be read once and
 * loaded many times, and changed before load the way a libbpf skeleton is between open and load
 * ({@code const volatile} globals, map sizes). Immutable: the {@code with} methods return a new spec.
 *
 * <pre>{@code
 * ObjectSpec spec = ObjectSpec.read(Path.of("fw.o"))
 *         .withConstant("blocked_port", 8080)
 *         .withMaxEntries("conns", 1 << 16);
 * try (XdpObject obj = spec.load()) {
 *     TestRunResult r = obj.program().testRun(frame);
 * }
 * }</pre>
 */
public final class ObjectSpec {

    private final String name;
    private final dev.jxdp.ebpf.elf.ObjectSpec spec;

    private ObjectSpec(String name, dev.jxdp.ebpf.elf.ObjectSpec spec) {
        this.name = name;
        this.spec = spec;
    }

    /**
     * Reads an object file.
     *
     * @param file the {@code .o}
     * @return its spec
     * @throws JxdpException when the file cannot be read or is not an eBPF object jxdp can load (the
     *                       message names the file and the problem)
     */
    public static ObjectSpec read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new JxdpException(file + ": no such file", e);
        } catch (IOException e) {
            throw new JxdpException(file + ": cannot read: " + e.getMessage(), e);
        }
        return read(bytes, file.toString());
    }

    /**
     * Reads an object file from memory.
     *
     * @param elf  the file's bytes
     * @param name its file name ({@code prog.o}): messages use it, and global-data maps are named after
     *             it as libbpf names them ({@code prog.bss})
     * @return its spec
     * @throws JxdpException when the bytes are not an eBPF object jxdp can load
     */
    public static ObjectSpec read(byte[] elf, String name) {
        try {
            return new ObjectSpec(name, ElfLoader.parse(elf, name));
        } catch (BpfException e) {
            throw new JxdpException(name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads an object file from the class path, as {@link Class#getResourceAsStream(String)} finds it:
     * relative to {@code anchor}'s package, or absolute with a leading {@code /}.
     *
     * @param anchor the class the name is relative to
     * @param name   the resource ({@code prog.o}, {@code /bpf/prog.o})
     * @return its spec
     * @throws JxdpException when there is no such resource or it is not an eBPF object jxdp can load
     */
    public static ObjectSpec fromResource(Class<?> anchor, String name) {
        byte[] bytes;
        try (InputStream in = anchor.getResourceAsStream(name)) {
            if (in == null) {
                throw new JxdpException(name + ": no such resource (relative to " + anchor.getName() + ")");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new JxdpException(name + ": cannot read: " + e.getMessage(), e);
        }
        return read(bytes, name.substring(name.lastIndexOf('/') + 1));
    }

    /**
     * The name the spec was read under.
     *
     * @return the path or file name given
     */
    public String name() { return name; }

    /**
     * The object's programs.
     *
     * @return every program, in section then offset order
     */
    public List<ProgramSpec> programs() {
        List<ProgramSpec> out = new ArrayList<>();
        spec.programs().forEach(p -> out.add(ProgramSpec.of(p)));
        return Collections.unmodifiableList(out);
    }

    /**
     * The program with this name.
     *
     * @param name the program's function name
     * @return the program's spec
     * @throws JxdpException when there is none (the message lists the programs)
     */
    public ProgramSpec program(String name) {
        dev.jxdp.ebpf.elf.ProgramSpec p = spec.program(name);
        if (p == null) {
            List<String> names = new ArrayList<>();
            spec.programs().forEach(q -> names.add(q.name()));
            throw new JxdpException(this.name + ": no program " + name + " (programs: "
                    + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
        }
        return ProgramSpec.of(p);
    }

    /**
     * The object's maps, global data included.
     *
     * @return every map, in the order libbpf creates them
     */
    public List<MapSpec> maps() {
        List<MapSpec> out = new ArrayList<>();
        spec.maps().forEach(m -> out.add(MapSpec.of(m, spec.btf())));
        return Collections.unmodifiableList(out);
    }

    /**
     * The map with this name.
     *
     * @param name the map's name
     * @return the map's spec
     * @throws JxdpException when there is none (the message lists the maps)
     */
    public MapSpec map(String name) {
        return MapSpec.of(spec.maps().get(mapIndex(name)), spec.btf());
    }

    /**
     * The object's license, which decides whether its programs may call GPL-only helpers.
     *
     * @return the {@code license} section's string, "" when the object has none
     */
    public String license() { return spec.license(); }

    /**
     * This spec with a {@code const volatile} global set before load, as a libbpf skeleton's
     * {@code rodata->NAME = VALUE}: the verifier then sees the new value as the constant it is.
     *
     * @param global the variable's name
     * @param value  its value; must fit the variable's size as a signed or an unsigned number
     * @return the changed spec
     * @throws JxdpException when the object has no such global in {@code .rodata}, or the value does not fit
     */
    public ObjectSpec withConstant(String global, long value) {
        return withConstants(Map.of(global, Long.toString(value)));
    }

    /**
     * This spec with a {@code const volatile} global set before load, the value as text.
     *
     * @param global the variable's name
     * @param value  an integer (decimal or {@code 0x} hex, may be negative), an enumerator's name, or
     *               {@code true}/{@code false}
     * @return the changed spec
     * @throws JxdpException when the object has no such global, or the value is not one it can hold
     */
    public ObjectSpec withConstant(String global, String value) {
        return withConstants(Map.of(global, value));
    }

    /**
     * This spec with several {@code const volatile} globals set, as {@link #withConstant(String, String)}.
     *
     * @param values variable name to value
     * @return the changed spec
     * @throws JxdpException naming the first that cannot be set
     */
    public ObjectSpec withConstants(Map<String, String> values) {
        try {
            return new ObjectSpec(name, spec.withConstants(new LinkedHashMap<>(values)));
        } catch (BpfException e) {
            throw new JxdpException(name + ": " + e.getMessage(), e);
        }
    }

    /**
     * This spec with a map's capacity changed before load, as libbpf's {@code bpf_map__set_max_entries()}.
     *
     * @param map     the map's name
     * @param entries its new {@code max_entries}, 1 or more
     * @return the changed spec
     * @throws JxdpException when there is no such map, it is global data (whose size is the section's), or
     *                       the count is below 1
     */
    public ObjectSpec withMaxEntries(String map, int entries) {
        int i = mapIndex(map);
        dev.jxdp.ebpf.maps.MapSpec m = spec.maps().get(i);
        if (entries < 1) {
            throw new JxdpException(name + ": map " + map + ": max_entries " + entries + ": want 1 or more");
        }
        if (m.initialData() != null) {
            throw new JxdpException(name + ": map " + map + " is global data (section " + m.section()
                    + "): it has exactly one entry");
        }
        List<dev.jxdp.ebpf.maps.MapSpec> maps = new ArrayList<>(spec.maps());
        maps.set(i, m.withMaxEntries(entries));
        return new ObjectSpec(name, new dev.jxdp.ebpf.elf.ObjectSpec(spec.path(), List.copyOf(maps), spec.programs(),
                spec.license(), spec.btf()));
    }

    /**
     * This spec with every program typed XDP whatever its section says, as {@code bpftool prog load ...
     * type xdp} loads them (for objects whose sections use libbpf 0.x's names, {@code SEC("xdp_pass")}).
     *
     * @return the changed spec
     */
    public ObjectSpec asXdp() {
        return new ObjectSpec(name, spec.asXdp());
    }

    /**
     * Loads the object with the JIT engine: maps created, every XDP program verified and compiled.
     *
     * @return the live object, to close when done
     * @throws VerifierException when the verifier rejects a program (as the kernel's load would fail)
     * @throws JxdpException     for anything else no kernel would load
     */
    public XdpObject load() {
        return load(LoadOptions.defaults());
    }

    /**
     * Loads the object with the engine given.
     *
     * @param engine the engine to run its programs
     * @return the live object, to close when done
     * @throws VerifierException when the verifier rejects a program
     * @throws JxdpException     for anything else no kernel would load, or an engine not available here
     */
    public XdpObject load(Engine engine) {
        return load(LoadOptions.defaults().engine(engine));
    }

    /**
     * Loads the object as the options say.
     *
     * @param options the engine, verification, initial map contents
     * @return the live object, to close when done
     * @throws VerifierException when the verifier rejects a program
     * @throws JxdpException     for anything else no kernel would load, or an engine not available here
     */
    public XdpObject load(LoadOptions options) {
        Backend backend;
        try {
            backend = switch (options.engine()) {
                case INTERPRETER, JIT -> JxdpBackend.load(spec, options.engine() == Engine.JIT, options.verify(),
                        options.mapInitJson());
                case KERNEL -> KernelBackend.load(spec, options.mapInitJson());
            };
        } catch (BpfException e) {
            throw new JxdpException(name + ": " + e.getMessage(), e);
        }
        return new XdpObject(this, options.engine(), backend);
    }

    /** The internal spec this one wraps. */
    dev.jxdp.ebpf.elf.ObjectSpec internal() { return spec; }

    private int mapIndex(String map) {
        int i = spec.mapIndex(map);
        if (i < 0) {
            List<String> names = new ArrayList<>();
            spec.maps().forEach(m -> names.add(m.name()));
            throw new JxdpException(name + ": no map " + map + " (maps: "
                    + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
        }
        return i;
    }

    @Override
    public String toString() {
        return "ObjectSpec[" + name + ", " + spec.programs().size() + " programs, " + spec.maps().size() + " maps]";
    }
}
