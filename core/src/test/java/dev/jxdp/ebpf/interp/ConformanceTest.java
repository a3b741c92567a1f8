package dev.jxdp.ebpf.interp;

import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.isa.Asm;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.mem.Region;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.testrun.Engine;
import dev.jxdp.ebpf.runtime.BpfFault;
import dev.jxdp.ebpf.runtime.ExecState;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * jxdp's own ISA conformance cases (core/src/test/resources/conformance, format in its README), each
 * run through the reference interpreter as the conformance plugin runs a raw program: r1 = a fresh copy
 * of the case's memory, r2 = its length.
 */
class ConformanceTest {

    private static final Path DIR = Path.of(System.getProperty("jxdp.repo", "."),
            "core/src/test/resources/conformance");

    /** One case file, parsed. {@code error} is null when the case expects a result. */
    record Case(String name, String what, byte[] mem, long result, String error, String program) {

        static Case parse(Path file) {
            String name = file.getFileName().toString().replaceFirst("\\.txt$", "");
            List<String> lines;
            try {
                lines = Files.readAllLines(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String what = null;
            byte[] mem = new byte[0];
            Long result = null;
            String error = null;
            StringBuilder program = new StringBuilder();
            for (String raw : lines) {
                String line = raw.strip();
                if (line.isEmpty()) {
                    continue;
                }
                if (!line.startsWith("#")) {
                    program.append(line).append('\n');
                    continue;
                }
                String body = line.substring(1).strip();
                if (body.startsWith("mem:")) {
                    mem = hexBytes(body.substring(4));
                } else if (body.startsWith("result:")) {
                    result = Long.parseUnsignedLong(body.substring(7).strip().replaceFirst("^0x", ""), 16);
                } else if (body.startsWith("error:")) {
                    error = body.substring(6).strip();
                } else if (what == null) {
                    what = body;
                }
            }
            if ((result == null) == (error == null)) {
                throw new IllegalArgumentException(file + ": want exactly one of '# result:' and '# error:'");
            }
            return new Case(name, what, mem, result == null ? 0 : result, error, program.toString());
        }

        private static byte[] hexBytes(String text) {
            String[] parts = text.strip().split("\\s+");
            if (parts.length == 1 && parts[0].isEmpty()) {
                return new byte[0];
            }
            byte[] out = new byte[parts.length];
            for (int i = 0; i < parts.length; i++) {
                out[i] = (byte) Integer.parseInt(parts[i], 16);
            }
            return out;
        }
    }

    static List<Case> cases() {
        try (Stream<Path> files = Files.list(DIR)) {
            List<Case> out = new ArrayList<>();
            files.filter(p -> p.toString().endsWith(".txt")).sorted().forEach(p -> out.add(Case.parse(p)));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @TestFactory
    Stream<DynamicTest> conformance() {
        List<Case> all = cases();
        assertTrue(all.size() >= 150, "expected the conformance cases in " + DIR + ", found " + all.size());
        return all.stream().flatMap(c -> Stream.of(
                DynamicTest.dynamicTest(c.name() + ": " + c.what(), () -> check(c, Engine.INTERP)),
                DynamicTest.dynamicTest(c.name() + " [jit]: " + c.what(), () -> check(c, Engine.JIT))));
    }

    private static void check(Case c, Engine engine) {
        long r0;
        try {
            r0 = run(c.name(), Asm.assemble(c.program()), c.mem(), engine);
        } catch (BpfFault | BpfException e) {
            if (c.error() == null) {
                fail(c.name() + ": unexpected fault: " + e.getMessage(), e);
            }
            assertTrue(e.getMessage() != null && e.getMessage().contains(c.error()),
                    c.name() + ": fault '" + e.getMessage() + "' does not contain '" + c.error() + "'");
            return;
        }
        if (c.error() != null) {
            fail(c.name() + ": expected a fault (" + c.error() + "), got r0 = 0x" + Long.toHexString(r0));
        }
        assertEquals("0x" + Long.toHexString(c.result()), "0x" + Long.toHexString(r0), c.name() + ": r0");
    }

    /**
     * Runs raw instructions as the conformance plugin (dev.jxdp.cli.BpfConformancePlugin) does; returns
     * r0. Kept in-process so a failing case names the instruction, not a hex dump on a pipe.
     */
    static long run(String name, Insn[] insns, byte[] mem) {
        return run(name, insns, mem, Engine.INTERP);
    }

    /** As {@link #run(String, Insn[], byte[])}, with the engine given. */
    static long run(String name, Insn[] insns, byte[] mem, Engine engine) {
        ObjectSpec spec = new ObjectSpec("conformance/" + name, List.of(),
                List.of(new ProgramSpec(name, "raw", insns, List.of(new ProgramSpec.Func(0, name)), List.of())), "GPL");
        try (BpfCollection coll = BpfCollection.load(spec); Arena arena = Arena.ofConfined()) {
            ExecState st = coll.newExecState(0);
            st.begin(null);
            long r1 = 0;
            Region region = null;
            if (mem.length > 0) {
                MemorySegment seg = arena.allocate(mem.length, 8);
                MemorySegment.copy(MemorySegment.ofArray(mem), 0, seg, 0, mem.length);
                region = new Region("mem", Region.Kind.OTHER, seg, true, null);
                coll.space().add(region);
                r1 = seg.address();
            }
            try {
                var prog = coll.programs().getFirst();
                return engine == Engine.JIT ? JitCompiler.compile(prog).runRaw(st, r1, mem.length)
                        : new Interpreter().runRaw(prog, st, r1, mem.length);
            } finally {
                if (region != null) {
                    coll.space().remove(region);
                }
            }
        }
    }
}
