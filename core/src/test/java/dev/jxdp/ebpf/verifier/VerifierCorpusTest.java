package dev.jxdp.ebpf.verifier;

import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.elf.ProgramSpec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every test object the kernel accepts is accepted too. */
class VerifierCorpusTest {

    static final Path BPF = Path.of(System.getProperty("jxdp.repo", "."), "core/src/test/bpf");

    /**
     * The objects kernel 6.18 loads, as record-verifier recorded them (oracle/verifier.json), less those
     * jxdp's loader refuses on purpose (CO-RE against the kernel's BTF) and those jxdp knowingly refuses
     * ({@link VerifierDifferentialTest#ALLOWED}: a helper it does not implement, a pointer returned).
     */
    static List<Path> kernelAccepted() throws IOException {
        Path repo = Path.of(System.getProperty("jxdp.repo", "."));
        JsonNode rec = new ObjectMapper().readTree(repo.resolve("core/src/test/resources/oracle/verifier.json").toFile());
        List<Path> out = new ArrayList<>();
        for (JsonNode o : rec.path("objects")) {
            Path p = repo.resolve(o.path("obj").asText());
            String n = p.getFileName().toString();
            boolean allowed = VerifierDifferentialTest.ALLOWED.keySet().stream().anyMatch(k -> k.startsWith(n + " "));
            if (o.path("accepted").asBoolean() && p.startsWith(BPF) && !n.startsWith("elf_core") && !allowed) {
                out.add(p);
            }
        }
        return out;
    }

    @Test
    void everyKernelAcceptedProgramPassesTheStructuralChecks() throws IOException {
        List<Path> objs = kernelAccepted();
        assertTrue(objs.size() >= 35, "found " + objs.size() + " objects in " + BPF);
        List<String> failures = new ArrayList<>();
        int programs = 0;
        for (Path obj : objs) {
            ObjectSpec o = ElfLoader.load(obj);
            for (ProgramSpec p : o.programs()) {
                programs++;
                VerifierResult r = Verifier.verify(p, o.maps(), Verifier.Mode.CFG_ONLY, false);
                if (!r.accepted()) {
                    failures.add(obj.getFileName() + " " + p.name() + ": " + r.describe());
                }
            }
        }
        assertEquals(List.of(), failures);
        assertTrue(programs >= 60, programs + " programs");
    }

    @Test
    void callToAnUnknownHelperIsRejectedWithItsSourceLine() {
        ObjectSpec o = ElfLoader.load(BPF.resolve("elf_bad_helper.o"));
        VerifierResult r = Verifier.verify(o.programs().get(0), o.maps(), Verifier.Mode.CFG_ONLY, false);
        assertFalse(r.accepted());
        assertEquals("invalid func unknown#999", r.message());
        assertEquals("; return no_such_helper() ? XDP_DROP : XDP_PASS; @ elf_bad_helper.c:10\n0: (85) call unknown#999",
                r.context());
    }
}
