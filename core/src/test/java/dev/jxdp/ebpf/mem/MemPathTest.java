package dev.jxdp.ebpf.mem;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jxdp.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two implementations of Mem's raw accessors give the same answers: the tests run with Unsafe's
 * (-Djxdp.mem=unsafe, as ./jxdp does), a child JVM without the property runs the FFM path.
 */
class MemPathTest {

    private static final Path BPF = Path.of(System.getProperty("jxdp.repo", "."), "core/src/test/bpf");
    private static final String UDP = "020000000002020000000001080045000032000100004011"
            + "00000a0000010a00000204d20035001e0000000000000000000000000000000000000000000000000000";

    @TempDir
    Path tmp;

    @Test
    void unsafeAndForeignMemoryPathsAgree() throws Exception {
        assertTrue(Mem.RAW, "the test JVM should run the Unsafe path (surefire passes -Djxdp.mem=unsafe)");
        Path frame = tmp.resolve("udp.bin");
        Files.write(frame, HexFormat.of().parseHex(UDP));
        String[][] runs = {
                {"rewrite_tx.o", "xdp_reflect"}, {"csum_nat.o", "xdp_snat"}, {"encap_head.o", "xdp_encap_ipip"},
                {"count_maps.o", "xdp_count"}, {"conntrack.o", "xdp_conntrack"}};
        for (String engine : new String[] {"jit", "interp"}) {
            for (String[] r : runs) {
                List<String> args = List.of("test-run", "--obj", BPF.resolve(r[0]).toString(), "--prog", r[1],
                        "--data-in", frame.toString(), "--repeat", "3", "--engine", engine, "--json");
                assertEquals(inProcess(args), child(args), r[0] + " " + r[1] + " " + engine);
            }
        }
    }

    private static String stable(String json) throws Exception {
        ObjectNode o = (ObjectNode) new ObjectMapper().readTree(json);
        o.remove("duration_ns");
        o.remove("jit_ns");
        return o.toString();
    }

    private static String inProcess(List<String> args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        return stable(out.toString(StandardCharsets.UTF_8));
    }

    private static String child(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), err);
        assertFalse(err.contains("sun.misc.Unsafe"), "the FFM path touched Unsafe: " + err);
        return stable(out);
    }
}
