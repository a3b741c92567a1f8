package dev.jxdp.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * The test programs the benchmarks run, and the frame each gets: the cases of jmh/cases.json, which
 * bin/bench-jit-vs-kernel runs against the kernel too, plus InterpreterBench's three original names.
 */
final class BenchPrograms {
    private BenchPrograms() {}

    /** An object, its entry program, the frame and the --map-init document (null: none). */
    record Case(Path object, String prog, byte[] frame, JsonNode mapInit) {
        Case(Path object, String prog, byte[] frame) {
            this(object, prog, frame, null);
        }
    }

    static Path repo() {
        return Path.of(System.getProperty("jxdp.repo", "."));
    }

    static Case get(String name) {
        Path bpf = repo().resolve("core/src/test/bpf");
        return switch (name) {
            // an Ethernet/VLAN/IPv4/IPv6/UDP/TCP parser with verdicts, no maps
            case "parser" -> new Case(bpf.resolve("fw_parse.o"), "xdp_firewall", udp64());
            // the same frame counted in six maps: array, per-CPU array, hash, per-CPU hash, two LRU hashes
            case "counter" -> new Case(bpf.resolve("count_maps.o"), "xdp_count", udp64());
            // source NAT with bpf_csum_diff fixing the IP and UDP checksums
            case "csum" -> new Case(bpf.resolve("csum_nat.o"), "xdp_snat", udp64());
            default -> shared(name);
        };
    }

    /** A case of jmh/cases.json, the file bin/bench-jit-vs-kernel reads. */
    static Case shared(String name) {
        Path file = repo().resolve("jmh/cases.json");
        JsonNode doc;
        try {
            doc = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        for (JsonNode c : doc.path("cases")) {
            if (c.path("name").asText().equals(name)) {
                JsonNode init = c.get("map_init");
                return new Case(repo().resolve(c.path("obj").asText()), c.path("prog").asText(),
                        HexFormat.of().parseHex(c.path("frame").asText()), init);
            }
        }
        throw new IllegalArgumentException("no benchmark program " + name + " in " + file);
    }

    /** A 64-byte Ethernet/IPv4/UDP frame 10.0.0.1:1234 > 10.0.0.2:5678 with a non-zero UDP checksum. */
    static byte[] udp64() {
        ByteBuffer b = ByteBuffer.allocate(64);
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) 50).putShort((short) 1).putShort((short) 0)
                .put((byte) 64).put((byte) 17).putShort((short) 0).putInt(0x0a000001).putInt(0x0a000002);
        b.putShort((short) 1234).putShort((short) 5678).putShort((short) 30).putShort((short) 0x1234);
        while (b.hasRemaining()) {
            b.put((byte) 'x');
        }
        byte[] f = b.array();
        int sum = 0;
        for (int i = 14; i < 34; i += 2) {
            sum += ((f[i] & 0xff) << 8) | (f[i + 1] & 0xff);
        }
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = ~((sum & 0xffff) + (sum >>> 16)) & 0xffff;
        f[24] = (byte) (sum >>> 8);
        f[25] = (byte) sum;
        return f;
    }
}
