package dev.jxdp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jxdp.io.pcap.PcapReader;
import dev.jxdp.io.pcap.PcapWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jxdp run}: the datapath over pcap files and pktgen, with the demo program. */
class RunCommandTest {

    private static final Path DEMO = CliTest.DEMO;
    private static final byte[] A = Frames.ipv4(10, 0, 0, 1);
    private static final byte[] B = Frames.ipv4(10, 0, 0, 2);

    @TempDir
    Path tmp;

    private static JsonNode json(CliTest.Run r) throws Exception {
        assertEquals(0, r.status(), r.err());
        return new ObjectMapper().readTree(r.out());
    }

    private static List<byte[]> packets(Path pcap) {
        List<byte[]> out = new ArrayList<>();
        try (PcapReader r = PcapReader.open(pcap)) {
            while (r.next()) {
                byte[] b = new byte[r.capturedLength()];
                java.lang.foreign.MemorySegment.copy(java.lang.foreign.MemorySegment.NULL.reinterpret(Long.MAX_VALUE),
                        java.lang.foreign.ValueLayout.JAVA_BYTE, r.dataAddress(), b, 0, b.length);
                out.add(b);
            }
        }
        return out;
    }

    @Test
    void pktgenFramesAreAllAccountedFor() throws Exception {
        JsonNode j = json(CliTest.jxdp("run", "--obj", DEMO.toString(), "--in", "pktgen:flows=16,size=64", "--count",
                "5000", "--json"));
        assertEquals(5000, j.get("rx").asLong());
        long out = 0;
        for (String k : new String[] {"drop", "aborted", "tx", "redirect", "pass", "errors"}) {
            out += j.get(k).asLong();
        }
        assertEquals(5000, out, j.toString());
    }

    @Test
    void aPcapRunsThroughTheDemoAndEachActionLandsInItsFile() throws Exception {
        Path in = tmp.resolve("in.pcap");
        byte[] ping = Frames.icmpEcho(A, B, 7, 1);
        byte[] dns = Frames.udp(A, B, 5353, 53, "query");
        byte[] discard = Frames.udp(A, B, 4000, 9, "junk");
        byte[] cut = Arrays.copyOf(dns, 24);
        try (PcapWriter w = PcapWriter.open(in, PcapWriter.Resolution.MICROSECONDS)) {
            long t = 1_700_000_000_000_000_000L;
            for (byte[] p : new byte[][] {ping, dns, discard, ping, cut, dns, ping}) {
                w.write(p, t += 1000);
            }
        }
        Path passed = tmp.resolve("pass.pcap");
        Path sent = tmp.resolve("tx.pcap");
        JsonNode j = json(CliTest.jxdp("run", "--obj", DEMO.toString(), "--in", "pcap:" + in, "--pass-out",
                "pcap:" + passed, "--tx-out", "pcap:" + sent, "--json"));
        assertEquals(7, j.get("rx").asLong(), j.toString());
        assertEquals(3, j.get("tx").asLong(), j.toString());
        assertEquals(2, j.get("pass").asLong(), j.toString());
        assertEquals(1, j.get("drop").asLong(), j.toString());
        assertEquals(1, j.get("aborted").asLong(), j.toString());
        List<byte[]> tx = packets(sent);
        List<byte[]> pass = packets(passed);
        assertEquals(3, tx.size());
        assertEquals(2, pass.size());
        assertTrue(Arrays.equals(dns, pass.get(0)), "PASS frames leave unchanged");
        assertFalse(Arrays.equals(ping, tx.get(0)), "the echo request went out rewritten as a reply");
        assertEquals(ping.length, tx.get(0).length);
    }

    @Test
    void aTruncatedPcapIsOneLineAndLeavesNoOutputBehind() throws Exception {
        Path in = tmp.resolve("in.pcap");
        try (PcapWriter w = PcapWriter.open(in, PcapWriter.Resolution.MICROSECONDS)) {
            w.write(Frames.udp(A, B, 5353, 53, "query"), 1000);
            w.write(Frames.udp(A, B, 5353, 53, "query"), 2000);
        }
        byte[] all = Files.readAllBytes(in);
        Files.write(in, Arrays.copyOf(all, all.length - 10));
        Path passed = tmp.resolve("pass.pcap");
        CliTest.Run r = CliTest.jxdp("run", "--obj", DEMO.toString(), "--in", "pcap:" + in, "--pass-out", "pcap:" + passed);
        CliTest.assertOneLineError(r, "truncated");
        assertTrue(r.err().contains(in.toString()), r.err());
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(in), files.toList(), "no pass-out file, finished or temporary");
        }
    }

    @Test
    void badArgumentsAreOneLine() {
        CliTest.assertOneLineError(CliTest.jxdp("run", "--obj", DEMO.toString(), "--in", "tap:eth0"), "want pcap:FILE or pktgen:SPEC");
        CliTest.assertOneLineError(CliTest.jxdp("run", "--obj", DEMO.toString(), "--in", "pktgen:size=9000"), "pktgen: size=9000");
        CliTest.assertOneLineError(CliTest.jxdp("run", "--obj", DEMO.toString(), "--in", "pktgen:", "--tx-out", "x.pcap"),
                "want pcap:FILE");
        CliTest.assertOneLineError(CliTest.jxdp("run", "--obj", DEMO.toString(), "--in", "pcap:/no/such.pcap"), "/no/such.pcap");
    }

    @Test
    void redirectsReachTheirDevicesThroughBpfRedirectAndADevmap() throws Exception {
        // redirect_kinds.o: byte 14 picks bpf_redirect (0) or the DEVMAP (1), byte 15 the key, byte 16 the flags
        Path in = tmp.resolve("in.pcap");
        try (PcapWriter w = PcapWriter.open(in, PcapWriter.Resolution.MICROSECONDS)) {
            int[][] picks = {{0, 7}, {1, 2}, {0, 8}, {1, 3}};
            for (int[] pick : picks) {
                byte[] f = new byte[60];
                f[12] = 0x08;
                f[14] = (byte) pick[0];
                f[15] = (byte) pick[1];
                w.write(f, 1000);
            }
        }
        Path init = tmp.resolve("init.json");
        Files.writeString(init, "{\"maps\": {\"ports\": [{\"key\": \"02000000\", \"value\": \"0700000000000000\"}]}}");
        Path out7 = tmp.resolve("dev7.pcap");
        JsonNode j = json(CliTest.jxdp("run", "--obj", CliTest.REPO.resolve("core/src/test/bpf/redirect_kinds.o").toString(),
                "--in", "pcap:" + in, "--map-init", init.toString(), "--redirect-out", "7=pcap:" + out7, "--json"));
        // ifindex 7 twice (bpf_redirect, DEVMAP slot 2); ifindex 8 has no device: an error; DEVMAP slot 3 is
        // empty: bpf_redirect_map gives the flags' action, XDP_ABORTED
        assertEquals(2, j.get("redirect").asLong(), j.toString());
        assertEquals(1, j.get("errors").asLong(), j.toString());
        assertEquals(1, j.get("aborted").asLong(), j.toString());
        assertEquals(2, packets(out7).size());
        CliTest.assertOneLineError(CliTest.jxdp("run", "--obj", DEMO.toString(), "--in", "pktgen:", "--redirect-out",
                "x=pcap:a.pcap"), "want IFINDEX=pcap:FILE");
    }
}
