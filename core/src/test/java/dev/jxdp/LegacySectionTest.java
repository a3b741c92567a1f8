package dev.jxdp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jxdp.cli.Main;
import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.maps.AttachType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Section names of the libbpf 0.x era (xdp-tutorial's SEC("xdp_patch_ports"), SEC("xdp_pass")): libbpf 1.x
 * cannot guess their type, bpftool loads them with {@code type xdp}; jxdp loads them as XDP with a note,
 * and the run agrees with the kernel's ({@code test-run --engine kernel} loads them as XDP too, as bpftool's
 * {@code prog loadall ... type xdp} does).
 */
final class LegacySectionTest {

    static final Path OBJ = KernelDifferentialTest.BPF_DIR.resolve("elf_legacy_sections.o");
    /** IPv4 UDP 10.0.0.1:40000 > 10.0.0.2:5000. */
    static final byte[] UDP = HexFormat.of().parseHex(
            "02000000000202000000000108004500002812344000401100000a0000010a0000029c4013880014000068656c6c6f68656c6c6f68656c");

    @TempDir
    Path tmp;

    record Run(int status, String out, String err) {}

    static Run jxdp(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void legacyNamesAreXdpAndLibbpf1NamesExact() {
        ObjectSpec o = ElfLoader.load(OBJ);
        assertTrue(o.program("xdp_patch_ports_func").isXdp());
        assertTrue(o.program("xdp_patch_ports_func").legacyXdp());
        assertEquals(AttachType.XDP, o.program("xdp_pass_func").expectedAttachType());
        assertEquals(List.of("xdp_patch_ports", "xdp_pass"), o.legacyXdpSections());
        assertEquals(List.of(), o.asXdp().legacyXdpSections(), "--type xdp: no longer legacy, typed by the user");
        assertTrue(ElfLoader.load(KernelDifferentialTest.BPF_DIR.resolve("elf_multi.o")).legacyXdpSections().isEmpty());
    }

    @Test
    void testRunLoadsThemWithOneNote() throws IOException {
        Path frame = Files.write(tmp.resolve("udp.bin"), UDP);
        Run r = jxdp("test-run", "--obj", OBJ.toString(), "--prog", "xdp_patch_ports_func", "--data-in", frame.toString(), "--json");
        assertEquals(0, r.status(), r.err());
        assertEquals(List.of("jxdp: " + OBJ + ": note: loading sections xdp_patch_ports, xdp_pass as XDP by libbpf 0.x's"
                + " xdp* prefix rule; libbpf 1.x needs SEC(\"xdp\"), bpftool 'prog load ... type xdp' (jxdp: --type xdp)"),
                r.err().lines().toList());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(3, j.get("retval").asInt(), "XDP_TX");
        Run typed = jxdp("test-run", "--obj", OBJ.toString(), "--prog", "xdp_patch_ports_func", "--data-in", frame.toString(),
                "--json", "--type", "xdp");
        assertEquals(0, typed.status(), typed.err());
        assertEquals("", typed.err(), "--type xdp: the user said so, no note");
        assertEquals(r.out().replaceAll("\"(duration_ns|jit_ns)\":\\d+", ""), typed.out().replaceAll("\"(duration_ns|jit_ns)\":\\d+", ""));
    }

    @Test
    void typeTakesOnlyXdp() {
        Run r = jxdp("verify", OBJ.toString(), "--type", "tc");
        assertEquals(2, r.status());
        assertEquals("jxdp: --type tc: want xdp (jxdp runs XDP programs only)\n", r.err());
    }

    @Test
    void typeXdpMakesATcSectionRunnable() throws IOException {
        // bpftool's type xdp sets every program's type, whatever its section: elf_multi.o's tc_prog is then verified as
        // an XDP program (its verdict is the verifier's, whichever it is), no longer skipped as another type
        Run r = jxdp("verify", KernelDifferentialTest.BPF_DIR.resolve("elf_multi.o").toString(), "--type", "xdp", "--prog", "tc_prog");
        assertTrue(r.status() == 0 || r.status() == 1, r.err());
        assertTrue(r.out().startsWith("tc_prog: "), r.out());
        assertTrue(!r.out().contains("not verified"), r.out());
    }

    @Test
    void theKernelAgreesLoadingThemAsXdp() throws Exception {
        String whyNot = dev.jxdp.kernel.KernelObject.unavailableReason();
        if (whyNot != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true but the kernel cannot be asked: " + whyNot);
            }
            Assumptions.abort("the kernel cannot be asked: " + whyNot);
        }
        Path frame = Files.write(tmp.resolve("udp.bin"), UDP);
        Run k = jxdp("test-run", "--obj", OBJ.toString(), "--prog", "xdp_patch_ports_func", "--data-in", frame.toString(),
                "--json", "--engine", "kernel");
        assertEquals(0, k.status(), k.err());
        JsonNode kernel = new ObjectMapper().readTree(k.out());
        Run r = jxdp("test-run", "--obj", OBJ.toString(), "--prog", "xdp_patch_ports_func", "--data-in", frame.toString(),
                "--json", "--engine", "interp");
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(kernel.get("retval").asInt(), j.get("retval").asInt());
        assertEquals(kernel.get("data_out").asText(), j.get("data_out").asText());
        assertEquals(kernel.get("maps"), j.get("maps"));
    }
}
