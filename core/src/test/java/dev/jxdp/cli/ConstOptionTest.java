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

/**
 * --const NAME=VALUE: a const volatile global set before load, as a libbpf skeleton sets it. global_data.o
 * drops TCP/UDP to blocked_port (23 in the object) and frames longer than max_len (1500).
 */
final class ConstOptionTest {
    private static final Path OBJ = CliTest.REPO.resolve("core/src/test/bpf/global_data.o");
    // Ethernet, IPv4, TCP 10.0.0.1:1234 > 10.0.0.2:23
    private static final String TCP_23 = "020000000002020000000001080045000028000100004006"
            + "00000a0000010a00000204d200170000000000000000500203e800000000";

    @TempDir
    Path tmp;

    private CliTest.Run run(String... extra) throws Exception {
        Path frame = tmp.resolve("tcp.bin");
        Files.write(frame, HexFormat.of().parseHex(TCP_23));
        List<String> a = new ArrayList<>(List.of("test-run", "--obj", OBJ.toString(), "--data-in", frame.toString(),
                "--json", "--maps", "global_d_rodata"));
        a.addAll(List.of(extra));
        return jxdp(a.toArray(String[]::new));
    }

    private static JsonNode answer(CliTest.Run r) throws Exception {
        assertEquals(0, r.status(), r.err());
        return new ObjectMapper().readTree(r.out());
    }

    @Test
    void theProgramSeesTheValueSetBeforeLoad() throws Exception {
        assertEquals(1, answer(run()).get("retval").asInt(), "port 23 is blocked as built: XDP_DROP");
        JsonNode moved = answer(run("--const", "blocked_port=80"));
        assertEquals(2, moved.get("retval").asInt(), "blocked_port=80 lets port 23 through: XDP_PASS");
        // the .rodata value holds the new port where the object had 23 (0x17), little-endian
        String rodata = moved.get("maps").get("global_d_rodata").get(0).get("value").asText();
        assertEquals(true, rodata.contains("5000"), rodata);
        assertEquals(1, answer(run("--const", "blocked_port=0x17", "--const", "max_len=1500")).get("retval").asInt());
        assertEquals(1, answer(run("--const", "max_len=20")).get("retval").asInt(), "a 54-byte frame over max_len");
    }

    @Test
    void whatCannotBeSetIsOneLine() throws Exception {
        assertOneLineError(run("--const", "nope=1"), "no const volatile global nope in the object's .rodata; it has: ");
        assertOneLineError(run("--const", "packets=1"), "packets is in .bss, a writable global");
        assertOneLineError(run("--const", "bytes=1"), "bytes is in .data, a writable global");
        assertOneLineError(run("--const", "blocked_port=65536"), "blocked_port=65536: out of range for its 2-byte");
        assertOneLineError(run("--const", "blocked_port=-32769"), "out of range");
        assertOneLineError(run("--const", "max_len=ten"), "max_len=ten: not an integer");
        assertOneLineError(run("--const", "banner=1"), "banner is a ");
    }
}
