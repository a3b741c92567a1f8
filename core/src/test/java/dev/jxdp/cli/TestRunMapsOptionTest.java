package dev.jxdp.cli;

import static dev.jxdp.cli.CliTest.assertOneLineError;
import static dev.jxdp.cli.CliTest.jxdp;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** test-run --maps: which maps the run's answer dumps (all by default, as the kernel engine's dump does). */
final class TestRunMapsOptionTest {
    private static final Path OBJ = CliTest.REPO.resolve("core/src/test/bpf/count_maps.o");

    @TempDir
    Path tmp;

    private CliTest.Run run(String... maps) throws Exception {
        Path frame = tmp.resolve("udp.bin");
        Files.write(frame, HexFormat.of().parseHex(TestRunWarmUpTest.UDP));
        List<String> a = new ArrayList<>(List.of("test-run", "--obj", OBJ.toString(), "--prog", "xdp_count",
                "--data-in", frame.toString(), "--json"));
        a.addAll(List.of(maps));
        return jxdp(a.toArray(String[]::new));
    }

    private static List<String> names(CliTest.Run r) throws Exception {
        assertEquals(0, r.status(), r.err());
        JsonNode maps = new ObjectMapper().readTree(r.out()).get("maps");
        List<String> out = new ArrayList<>();
        maps.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void allIsTheDefaultAndNoneDumpsNothing() throws Exception {
        List<String> all = names(run());
        assertEquals(all, names(run("--maps", "all")));
        assertEquals(List.of(), names(run("--maps", "none")));
        assertEquals(true, all.contains("cnt_array"), all.toString());
    }

    @Test
    void namedMapsAreTheOnlyOnesDumpedWithTheSameEntries() throws Exception {
        CliTest.Run full = run();
        CliTest.Run one = run("--maps", "cnt_array");
        assertEquals(List.of("cnt_array"), names(one));
        ObjectMapper m = new ObjectMapper();
        assertEquals(m.readTree(full.out()).get("maps").get("cnt_array"), m.readTree(one.out()).get("maps").get("cnt_array"));
    }

    @Test
    void anUnknownMapIsOneLineNamingTheKnownOnes() throws Exception {
        assertOneLineError(run("--maps", "cnt_array,no_such_map"), "has no map 'no_such_map' (maps: ");
    }
}
