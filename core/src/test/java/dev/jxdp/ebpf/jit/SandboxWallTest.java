package dev.jxdp.ebpf.jit;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.interp.I;
import dev.jxdp.ebpf.isa.HelperIds;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;
import dev.jxdp.ebpf.maps.MapType;
import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.mem.Region;
import dev.jxdp.ebpf.mem.Sandbox;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfFault;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.verifier.Verifier;
import dev.jxdp.ebpf.verifier.VerifierResult;
import dev.jxdp.xdp.PagePool;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.InvokeInstruction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The second wall behind the verifier: code that trusts a proof reaches memory only inside the sandbox,
 * everything a program can reach lies in it, and a run with facts forged to be wrong neither crashes the
 * JVM nor touches memory outside it. {@code -Djxdp.props.forged=N} runs N programs per generator in the
 * forged run (default 500), {@code -Djxdp.props.seed=S} starts it from another seed.
 */
class SandboxWallTest {

    private static final Path BPF = Path.of(System.getProperty("jxdp.repo", "."), "core/src/test/bpf");
    private static final int FORGED = Integer.getInteger("jxdp.props.forged", 500);
    private static final long SEED = Long.getLong("jxdp.props.seed", 20261201L);

    @Test
    void theWallIsUpInTests() {
        assertTrue(Sandbox.ON);
        assertEquals(1, Long.bitCount(Sandbox.SIZE));
        assertEquals(0, Sandbox.BASE & (Sandbox.SIZE - 1), "aligned to its size");
    }

    /** Every test object compiled with every access claimed proven: no raw accessor outside the sandbox's. */
    @Test
    void trustingCodeTouchesMemoryOnlyThroughTheSandbox() throws IOException {
        int programs = 0;
        for (Path obj : objects()) {
            BpfCollection c;
            try {
                c = BpfCollection.load(ElfLoader.load(obj));
            } catch (BpfException e) {
                continue;  // objects the loader refuses on purpose
            }
            try (c) {
                for (BpfProgram p : c.programs()) {
                    List<String> calls = calls(JitCompiler.classBytes(p, ForgedProof.of(p)));
                    String at = obj.getFileName() + " " + p.name() + ": " + calls;
                    assertFalse(calls.stream().anyMatch(s -> s.startsWith("Mem.")), "a raw access outside the sandbox's: " + at);
                    long mapCalls = calls.stream().filter(s -> s.matches("[A-Za-z]+\\.(lookup|delete)")).count()
                            + 2 * calls.stream().filter(s -> s.matches("[A-Za-z]+\\.update")).count();
                    long checks = calls.stream().filter(s -> s.equals("JitRt.inSandbox")).count();
                    assertEquals(mapCalls, checks, "a direct map call's pointers go unchecked: " + at);
                    programs++;
                }
            }
        }
        assertTrue(programs > 50, "programs compiled: " + programs);
    }

    @Test
    void everythingAProgramCanReachLiesInTheSandbox() throws IOException {
        int regions = 0;
        for (Path obj : objects()) {
            BpfCollection c;
            try {
                c = BpfCollection.load(ElfLoader.load(obj));
            } catch (BpfException e) {
                continue;
            }
            try (c) {
                for (Region r : c.space().regions()) {
                    assertTrue(Sandbox.contains(r.segment()), obj.getFileName() + ": " + r);
                    regions++;
                }
                ExecState st = c.newExecState(0);
                assertTrue(Sandbox.contains(st.stackRegion().segment()) && Sandbox.contains(st.ctxRegion().segment()));
            }
        }
        assertTrue(regions > 100, "regions: " + regions);
        try (Harness h = new Harness(new Insn[] {I.exit()}); PagePool pool = new PagePool(64)) {
            assertTrue(Sandbox.contains(h.buff.frame()));
            assertTrue(Sandbox.contains(pool.memory()));
        }
    }

    /** Stores and loads through addresses far outside: folded into the sandbox, the JVM untouched. */
    @Test
    void aWrongProofStaysInTheSandbox() {
        long[] wild = {0x10, 8, Sandbox.BASE - 4096, Sandbox.BASE + Sandbox.SIZE + 8, Long.MIN_VALUE + 24,
                -8, 0x7fff_ffff_f000L, Sandbox.BASE ^ (1L << 46)};
        for (long addr : wild) {
            long value = 0x1122_3344_5566_7788L ^ addr;
            Insn[] prog = I.prog(I.lddw(1, addr), I.lddw(2, value), I.stx(Op.DW, 1, 2, 0), I.ldx(Op.DW, 0, 1, 0), I.exit());
            try (Harness h = new Harness(prog)) {
                h.buff.load(new byte[64]);
                h.st.begin(h.buff);
                assertEquals(value, ForgedProof.compiler().program(h.prog(0)).run(h.st), Long.toHexString(addr));
                assertEquals(value, Mem.getU64(Sandbox.mask(addr)), "the store landed on the folded address");
                assertTrue(Sandbox.contains(Sandbox.mask(addr), 8));
                // the same program checked: the interpreter's fault, no access
                assertThrows(BpfFault.class, () -> JitCompiler.compile(h.prog(0)).run(h.st));
            }
        }
    }

    @Test
    void aDirectMapCallWithAKeyOutsideTheSandboxFaults() {
        Insn[] prog = I.prog(I.lddw(1, Op.PSEUDO_MAP_IDX, 0, 0), I.lddw(2, Sandbox.BASE + Sandbox.SIZE - 4),
                I.call(HelperIds.MAP_LOOKUP_ELEM), I.exit());
        try (Harness h = new Harness(List.of(Harness.spec("hash", MapType.HASH, 8, 8, 4)), prog)) {
            h.buff.load(new byte[64]);
            h.st.begin(h.buff);
            BpfFault f = assertThrows(BpfFault.class, () -> ForgedProof.compiler().program(h.prog(0)).run(h.st));
            assertTrue(f.getMessage().contains("(8 bytes) is outside the memory programs can reach"), f.getMessage());
            VerifierResult v = Verifier.verify(h.prog(0), Verifier.Mode.FULL, false);
            assertFalse(v.accepted(), "the verifier refuses it, of course");
        }
    }

    @Test
    void forgedFactsNeitherCrashNorLeaveTheSandbox() throws Exception {
        String summary = forgedRun(true, FORGED);
        assertTrue(summary.contains(" 0 escaped") && summary.contains("canaries intact"), summary);
        Matcher m = Pattern.compile("audited (\\d+) accesses, (\\d+) redirected").matcher(summary);
        assertTrue(m.find(), summary);
        assertTrue(Long.parseLong(m.group(2)) > 1000, "the wall was hardly exercised: " + summary);
        assertTrue(summary.contains("sandbox check"), "no direct map call was refused: " + summary);
    }

    @Test
    void forgedFactsOnTheForeignMemoryPath() throws Exception {
        String summary = forgedRun(false, true, Math.max(1, FORGED / 5));
        assertTrue(summary.contains(" 0 escaped") && summary.contains("canaries intact"), summary);
    }

    /** The control experiment: the same forged run without the wall crashes the JVM (so the run has teeth). */
    @Test
    void forgedFactsCrashTheJvmWithoutTheWall() throws Exception {
        Run r = forked(true, false, Math.max(1, FORGED / 5));
        // HotSpot reports a fatal error on standard output
        assertTrue(r.status != 0 && (r.out + r.log).contains("SIGSEGV"), "status " + r.status + "\n" + r.out + tail(r.log));
    }

    private static String forgedRun(boolean unsafe, boolean wall, int count) throws Exception {
        Run r = forked(unsafe, wall, count);
        System.out.print(r.out);
        assertEquals(0, r.status, "the forged run failed (a crash is 134):\n" + r.out + tail(r.log));
        return r.out;
    }

    private static String forgedRun(boolean unsafe, int count) throws Exception {
        return forgedRun(unsafe, true, count);
    }

    private record Run(int status, String out, String log) {}

    // runs ForgedFactsMain in a JVM of its own: a crash there is this test's failure, not the suite's end
    private static Run forked(boolean unsafe, boolean wall, int count) throws Exception {
        Path err = Files.createTempFile("jxdp-forged-", ".log");
        Path hsErr = err.resolveSibling(err.getFileName() + ".hs_err");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Djxdp.sandbox.audit=true", "-XX:-CreateCoredumpOnCrash",
                "-XX:ErrorFile=" + hsErr));
        if (unsafe) {
            cmd.addAll(List.of("--sun-misc-unsafe-memory-access=allow", "-Djxdp.mem=unsafe"));
        }
        if (!wall) {
            cmd.add("-Djxdp.sandbox=off");
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ForgedFactsMain.class.getName(),
                Integer.toString(count), Long.toString(SEED)));
        try {
            Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(10, TimeUnit.MINUTES), "the forged run did not end");
            return new Run(p.exitValue(), out, Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
            Files.deleteIfExists(hsErr);
        }
    }

    private static String tail(String log) {
        String[] lines = log.split("\n");
        return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 40), lines.length));
    }

    private static List<Path> objects() throws IOException {
        try (Stream<Path> s = Files.list(BPF)) {
            return s.filter(f -> f.toString().endsWith(".o")).sorted().toList();
        }
    }

    /** "Owner.name" of every method the class's code invokes. */
    private static List<String> calls(byte[] classBytes) {
        List<String> out = new ArrayList<>();
        for (MethodModel m : ClassFile.of().parse(classBytes).methods()) {
            m.code().ifPresent((CodeModel code) -> code.forEach(e -> {
                if (e instanceof InvokeInstruction i) {
                    out.add(i.owner().asInternalName().replaceAll(".*/", "") + "." + i.name().stringValue());
                }
            }));
        }
        return out;
    }
}
