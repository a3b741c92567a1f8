package dev.jxdp.kernel;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.elf.ObjectSpec;
import java.nio.file.Path;
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

    static ObjectSpec object(String file) {
        return ElfLoader.load(BPF_DIR.resolve(file));
    }
}
