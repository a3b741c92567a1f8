package dev.jxdp.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.isa.Disasm;
import dev.jxdp.ebpf.runtime.BpfCollection;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

/**
 * The ELF, BTF and BTF.ext loader on mutated object files, as {@code jxdp test-run} and {@code jxdp disasm}
 * take them: parsed into an {@link ObjectSpec}, its programs listed, loaded into a {@link BpfCollection}
 * (maps created, programs linked). Every input either loads or is refused with a clean one-line
 * {@link BpfException}; anything else (an index out of bounds, a negative array size, an out-of-memory
 * from a length field, an exception of the FFM API, a hang) is a bug in the loader.
 *
 * <p>Seeds: every object file the repository commits ({@link SeedObjects}). {@code bin/fuzz elf} fuzzes;
 * a plain test run replays the seeds and the inputs under {@code ElfLoaderFuzzTestInputs/loadsOrRefuses}.
 */
class ElfLoaderFuzzTest {

    static Stream<byte[]> seedObjects() {
        return SeedObjects.all().stream().map(SeedObjects::bytes);
    }

    @MethodSource("seedObjects")
    @FuzzTest
    void loadsOrRefuses(byte[] elf) {
        ObjectSpec spec;
        try {
            spec = ElfLoader.parse(elf, "fuzz.o");
        } catch (BpfException e) {
            CleanRefusal.check(e);
            return;
        }
        for (ProgramSpec p : spec.programs()) {
            // what jxdp disasm prints: the linked program with its map names
            Disasm.listing(p.insns(), i -> i >= 0 && i < spec.maps().size() ? spec.maps().get(i).name() : null);
        }
        try (BpfCollection c = BpfCollection.load(spec)) {
            c.programs().forEach(p -> p.name());
        } catch (BpfException e) {
            CleanRefusal.check(e);
        }
    }
}
