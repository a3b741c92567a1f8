package dev.jxdp.kernel;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jxdp.cli.Main;
import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.elf.ObjectSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * What the kernel engine's tests share: the repository's test programs, and the rule for a machine where
 * bpf() does not work (not root): the tests abort there, except under CI=true, where they must run.
 */
final class KernelTests {
    private KernelTests() {}

    static final Path REPO = Path.of(System.getProperty("jxdp.repo", "."));
    static final Path BPF_DIR = REPO.resolve("core/src/test/bpf");
    static final Path ORACLE_DIR = REPO.resolve("core/src/test/resources/oracle");
    static final ObjectMapper JSON = new ObjectMapper();

    /** Aborts the test where the kernel cannot load programs; fails it instead when CI=true. */
    static void requireKernel() {
        String why = KernelObject.unavailableReason();
        if (why == null) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("CI=true but the kernel cannot load programs here: " + why);
        }
        Assumptions.abort("the kernel cannot load programs here: " + why);
    }

    /** What one jxdp command line gave: its exit status, and stdout and stderr (stderr stripped). */
    record Cli(int exit, String out, String err) {}

    /** Runs a jxdp command line in this JVM, as the launcher would. */
    static Cli jxdp(List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = Main.run(args.toArray(String[]::new), o, e);
        }
        return new Cli(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8).strip());
    }

    static ObjectSpec object(String file) {
        return ElfLoader.load(BPF_DIR.resolve(file));
    }
}
