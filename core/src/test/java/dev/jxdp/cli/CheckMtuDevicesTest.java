package dev.jxdp.cli;

import static dev.jxdp.cli.CliTest.jxdp;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bpf_check_mtu asks the devices bpf_fib_lookup sees: loopback alone without --fib, the FIB's with it. */
final class CheckMtuDevicesTest {
    private static final Path OBJ = CliTest.REPO.resolve("core/src/test/bpf/check_mtu.o");
    private static final String FIB = """
            {"interfaces": [{"ifindex": 1, "name": "lo", "mtu": 65536},
                            {"ifindex": 7, "name": "eth0", "mac": "02:00:00:00:00:07", "mtu": 1400}]}
            """;

    @TempDir
    Path tmp;

    // check_mtu.c's question after a 14-byte Ethernet header: ifindex, mtu_len, len_diff, flags
    private JsonNode ask(int ifindex, String... fib) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(14 + 16 + 34).order(ByteOrder.LITTLE_ENDIAN);
        b.position(14);
        b.putInt(ifindex).putInt(0).putInt(0).putInt(0);
        Path frame = Files.write(tmp.resolve("ask.bin"), b.array());
        String[] base = {"test-run", "--obj", OBJ.toString(), "--data-in", frame.toString(), "--json"};
        String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(base), java.util.Arrays.stream(fib))
                .toArray(String[]::new);
        CliTest.Run r = jxdp(args);
        assertEquals(0, r.status(), r.err());
        return new ObjectMapper().readTree(r.out()).get("maps").get("answer");
    }

    private static long lane(JsonNode answer, int key) {
        byte[] v = java.util.HexFormat.of().parseHex(answer.get(key).get("value").asText());
        return ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Test
    void withoutAFibOnlyLoopbackHasAnMtu() throws Exception {
        JsonNode lo = ask(0);
        assertEquals(0, lane(lo, 0));
        assertEquals(65536, lane(lo, 1));
        assertEquals(-19, lane(ask(7), 0));  // -ENODEV
    }

    @Test
    void aFibsDevicesAnswerWithTheirOwnMtu() throws Exception {
        Path fib = Files.writeString(tmp.resolve("fib.json"), FIB);
        JsonNode eth0 = ask(7, "--fib", fib.toString());
        assertEquals(0, lane(eth0, 0));
        assertEquals(1400, lane(eth0, 1));
        assertEquals(-19, lane(ask(8, "--fib", fib.toString()), 0));
    }
}
