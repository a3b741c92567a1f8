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

    /** A successful run's JSON summary. */
    static JsonNode json(CliTest.Run r) throws Exception {
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

    // ---- several RX queues, RX modes, veth and --devmap ----

    private static void assumeTwoCpus() {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.jxdp.ebpf.maps.Cpus.possible() >= 2, "two possible CPUs for two queues");
    }

    private static long outcomes(JsonNode j) {
        long out = 0;
        for (String k : new String[] {"drop", "aborted", "tx", "redirect", "pass", "errors"}) {
            out += j.get(k).asLong();
        }
        return out;
    }

    @Test
    void twoQueuesSplitThePktgenStreamByRssAndEachQueueAddsUp() throws Exception {
        assumeTwoCpus();
        JsonNode j = json(CliTest.jxdp("run", "--obj", DEMO.toString(), "--in", "pktgen:flows=16,size=64", "--count", "5000",
                "--queues", "2", "--json"));
        assertEquals(5000, j.get("rx").asLong(), j.toString());
        assertEquals(5000, outcomes(j), j.toString());
        JsonNode qs = j.get("queues");
        assertEquals(2, qs.size(), j.toString());
        try (dev.jxdp.io.pktgen.PktGen gen = new dev.jxdp.io.pktgen.PktGen(dev.jxdp.io.pktgen.PktGenSpec.parse("flows=16,size=64"))) {
            long rx = 0;
            for (int q = 0; q < 2; q++) {
                JsonNode e = qs.get(q);
                assertEquals(q, e.get("queue").asInt());
                assertEquals(gen.packetsOnQueue(5000, q, 2), e.get("rx").asLong(), "queue " + q + ": its flows' share");
                assertEquals(e.get("rx").asLong(), outcomes(e), "queue " + q + " accounts for its frames");
                assertTrue(e.get("mpps").isNumber());
                rx += e.get("rx").asLong();
            }
            assertEquals(5000, rx);
        }
        assertEquals("scalar", j.get("rx_mode").asText());
        assertEquals(16, j.get("redirect_bulk").asInt());
    }

    @Test
    void aPcapOverTwoQueuesPassesAndSendsTheSameFramesAsOverOne() throws Exception {
        assumeTwoCpus();
        Path in = tmp.resolve("in.pcap");
        try (PcapWriter w = PcapWriter.open(in, PcapWriter.Resolution.MICROSECONDS)) {
            long t = 1_700_000_000_000_000_000L;
            for (int i = 0; i < 200; i++) {
                byte[] src = Frames.ipv4(10, 0, i / 50, i % 50 + 1);
                byte[] p = switch (i % 4) {
                    case 0 -> Frames.icmpEcho(src, B, i, 1);        // XDP_TX
                    case 1 -> Frames.udp(src, B, 5000 + i, 53, "q"); // XDP_PASS
                    case 2 -> Frames.udp(src, B, 5000 + i, 9, "x");  // XDP_DROP
                    default -> Frames.tcpSyn(src, B, 6000 + i, 80);  // XDP_PASS
                };
                w.write(p, t += 1000);
            }
        }
        List<List<String>> passed = new ArrayList<>();
        List<List<String>> sent = new ArrayList<>();
        for (String queues : new String[] {"1", "2"}) {
            Path pass = tmp.resolve("pass" + queues + ".pcap");
            Path tx = tmp.resolve("tx" + queues + ".pcap");
            JsonNode j = json(CliTest.jxdp("run", "--obj", DEMO.toString(), "--in", "pcap:" + in, "--queues", queues,
                    "--pass-out", "pcap:" + pass, "--tx-out", "pcap:" + tx, "--json"));
            assertEquals(200, j.get("rx").asLong(), j.toString());
            assertEquals(50, j.get("tx").asLong(), j.toString());
            assertEquals(100, j.get("pass").asLong(), j.toString());
            assertEquals(50, j.get("drop").asLong(), j.toString());
            if (queues.equals("2")) {
                assertTrue(j.get("queues").get(0).get("rx").asLong() > 20 && j.get("queues").get(1).get("rx").asLong() > 20,
                        "RSS spreads 200 flows over both queues: " + j);
            }
            passed.add(hexSorted(packets(pass)));
            sent.add(hexSorted(packets(tx)));
        }
        assertEquals(100, passed.get(1).size());
        assertEquals(passed.get(0), passed.get(1), "the same PASS frames, in one file from two queues");
        assertEquals(sent.get(0), sent.get(1), "the same TX frames");
    }

    private static List<String> hexSorted(List<byte[]> frames) {
        List<String> out = new ArrayList<>();
        for (byte[] f : frames) {
            out.add(java.util.HexFormat.of().formatHex(f));
        }
        java.util.Collections.sort(out);
        return out;
    }

    @Test
    void scalarVectorAndAutoModesAndBulkSizesCountTheSame() throws Exception {
        JsonNode first = null;
        for (String[] opts : new String[][] {{"--rx-mode", "scalar"}, {"--rx-mode", "vector"}, {"--rx-mode", "AUTO"},
                {"--redirect-bulk", "1"}}) {
            JsonNode j = json(CliTest.jxdp("run", "--obj", DEMO.toString(), "--in", "pktgen:flows=32,proto=icmp", "--count",
                    "3000", opts[0], opts[1], "--json"));
            assertEquals(3000, j.get("tx").asLong(), "echo requests all go back out: " + j);
            if (opts[0].equals("--rx-mode")) {
                assertEquals(opts[1].toLowerCase(java.util.Locale.ROOT), j.get("rx_mode").asText());
            } else {
                assertEquals(1, j.get("redirect_bulk").asInt());
            }
            if (first == null) {
                first = j;
            }
            for (String k : new String[] {"rx", "drop", "aborted", "tx", "redirect", "pass", "errors"}) {
                assertEquals(first.get(k).asLong(), j.get(k).asLong(), k + " with " + String.join(" ", opts));
            }
        }
    }

    @Test
    void aVethPairAndDevmapEntriesTakeRedirectsBothWays() throws Exception {
        // redirect_kinds.o: byte 14 picks bpf_redirect (0), the DEVMAP (1) or the DEVMAP_HASH (2), byte 15 the key
        Path in = tmp.resolve("in.pcap");
        try (PcapWriter w = PcapWriter.open(in, PcapWriter.Resolution.MICROSECONDS)) {
            int[][] picks = {{0, 7}, {1, 2}, {0, 9}, {1, 3}, {2, 8}};
            for (int[] pick : picks) {
                byte[] f = new byte[60];
                f[12] = 0x08;
                f[14] = (byte) pick[0];
                f[15] = (byte) pick[1];
                w.write(f, 1000);
            }
        }
        JsonNode j = json(CliTest.jxdp("run", "--obj", CliTest.REPO.resolve("core/src/test/bpf/redirect_kinds.o").toString(),
                "--in", "pcap:" + in, "--veth", "7", "--devmap", "ports:2=8", "--devmap", "ports_by_id:8=8", "--json"));
        // bpf_redirect(7) -> veth0; DEVMAP slot 2 -> 8 = veth1; no device 9: an error; DEVMAP slot 3 empty: the
        // flags' action, XDP_ABORTED; DEVMAP_HASH key 8 -> veth1
        assertEquals(3, j.get("redirect").asLong(), j.toString());
        assertEquals(1, j.get("errors").asLong(), j.toString());
        assertEquals(1, j.get("aborted").asLong(), j.toString());
        JsonNode veth0 = j.get("veth").get(0);
        JsonNode veth1 = j.get("veth").get(1);
        assertEquals("veth0", veth0.get("name").asText());
        assertEquals(7, veth0.get("ifindex").asInt());
        assertEquals(8, veth1.get("ifindex").asInt());
        assertEquals(1, veth0.get("tx").asLong(), "bpf_redirect(7)");
        assertEquals(1, veth1.get("rx").asLong(), "what veth0 sent arrived on veth1");
        assertEquals(2, veth1.get("tx").asLong(), "the two devmap redirects");
        assertEquals(2, veth0.get("rx").asLong());
        assertEquals(0, veth0.get("ring_full").asLong() + veth1.get("ring_full").asLong());
    }

    @Test
    void badDevmapEntriesAreOneLineNamingMapAndKey() {
        String obj = CliTest.REPO.resolve("core/src/test/bpf/redirect_kinds.o").toString();
        CliTest.assertOneLineError(CliTest.jxdp("run", "--obj", obj, "--in", "pktgen:", "--veth", "7", "--devmap", "nope:1=7"),
                "no map nope (maps: ");
        CliTest.assertOneLineError(CliTest.jxdp("run", "--obj", obj, "--in", "pktgen:", "--veth", "7", "--devmap", "seen:1=7"),
                "map seen is a ARRAY, not a DEVMAP or DEVMAP_HASH");
        CliTest.assertOneLineError(CliTest.jxdp("run", "--obj", obj, "--in", "pktgen:", "--veth", "7", "--devmap", "ports:1=9"),
                "map ports key 1: no device with ifindex 9");
        CliTest.assertOneLineError(CliTest.jxdp("run", "--obj", obj, "--in", "pktgen:", "--veth", "7", "--devmap", "ports:4=7"),
                "map ports key 4: update failed: E2BIG");
    }

    @Test
    void aMapInitEntryForAMissingDeviceIsRefusedAsTheKernelDoes() throws Exception {
        String obj = CliTest.REPO.resolve("core/src/test/bpf/redirect_kinds.o").toString();
        Path init = tmp.resolve("init.json");
        Files.writeString(init, "{\"maps\": {\"ports\": [{\"key\": \"02000000\", \"value\": \"0900000000000000\"}]}}");
        CliTest.Run r = CliTest.jxdp("run", "--obj", obj, "--in", "pktgen:", "--veth", "7", "--map-init", init.toString());
        CliTest.assertOneLineError(r, "EINVAL");
        assertTrue(r.err().contains(init.toString()), r.err());
        Files.writeString(init, "{\"maps\": {\"ports\": [{\"key\": \"02000000\", \"value\": \"0800000000000000\"}]}}");
        JsonNode j = json(CliTest.jxdp("run", "--obj", obj, "--in", "pktgen:", "--count", "10", "--veth", "7", "--map-init",
                init.toString(), "--json"));
        assertEquals(10, j.get("rx").asLong(), "veth1 (ifindex 8) exists: the entry is taken");
    }

    @Test
    void badDevmapSyntaxIsOneLine() {
        String obj = CliTest.REPO.resolve("core/src/test/bpf/redirect_kinds.o").toString();
        for (String bad : new String[] {"ports", "ports:1", "ports=7", ":1=7", "ports:x=7", "ports:1=0", "ports:-1=7",
                "ports:4294967296=7"}) {
            CliTest.assertOneLineError(CliTest.jxdp("run", "--obj", obj, "--in", "pktgen:", "--devmap", bad),
                    "--devmap " + bad + ": want MAP:KEY=IFINDEX");
        }
    }

    @Test
    void badQueueModeBulkAndVethValuesAreOneLine() {
        String d = DEMO.toString();
        CliTest.assertOneLineError(CliTest.jxdp("run", "--obj", d, "--in", "pktgen:", "--queues", "0"), "--queues 0: want 1..");
        CliTest.assertOneLineError(CliTest.jxdp("run", "--obj", d, "--in", "pktgen:", "--queues", "999"), "--queues 999: want 1..");
        CliTest.assertOneLineError(CliTest.jxdp("run", "--obj", d, "--in", "pktgen:", "--queues", "two"), "--queues");
        CliTest.assertOneLineError(CliTest.jxdp("run", "--obj", d, "--in", "pktgen:", "--rx-mode", "fast"),
                "--rx-mode fast: want scalar, vector or auto");
        CliTest.assertOneLineError(CliTest.jxdp("run", "--obj", d, "--in", "pktgen:", "--redirect-bulk", "0"),
                "--redirect-bulk 0: want 1..16");
        CliTest.assertOneLineError(CliTest.jxdp("run", "--obj", d, "--in", "pktgen:", "--redirect-bulk", "17"),
                "--redirect-bulk 17: want 1..16");
        CliTest.assertOneLineError(CliTest.jxdp("run", "--obj", d, "--in", "pktgen:", "--veth", "0"), "--veth 0: want an ifindex");
        CliTest.assertOneLineError(CliTest.jxdp("run", "--obj", d, "--in", "pktgen:", "--veth", "7", "--redirect-out",
                "8=pcap:x.pcap"), "ifindex 8 belongs to --veth 7");
    }

    @Test
    void theTextSummaryHasAPerQueueTable() {
        assumeTwoCpus();
        CliTest.Run r = CliTest.jxdp("run", "--obj", DEMO.toString(), "--in", "pktgen:flows=16", "--count", "2000",
                "--queues", "2", "--veth", "5");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("2 RX queues (scalar)"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("queue ") && l.contains("Mpps")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("0 ")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("1 ")), r.out());
        assertTrue(r.out().contains("veth0    ifindex 5: tx 0"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("rx       2000")), r.out());
    }

    @Test
    void aTruncatedPcapOverTwoQueuesIsOneLineAndLeavesNoOutputBehind() throws Exception {
        assumeTwoCpus();
        Path in = tmp.resolve("in.pcap");
        try (PcapWriter w = PcapWriter.open(in, PcapWriter.Resolution.MICROSECONDS)) {
            for (int i = 0; i < 100; i++) {
                w.write(Frames.udp(Frames.ipv4(10, 0, 0, i + 1), B, 5353 + i, 53, "query"), 1000 + i);
            }
        }
        byte[] all = Files.readAllBytes(in);
        Files.write(in, Arrays.copyOf(all, all.length - 10));
        Path passed = tmp.resolve("pass.pcap");
        CliTest.Run r = CliTest.jxdp("run", "--obj", DEMO.toString(), "--in", "pcap:" + in, "--queues", "2",
                "--pass-out", "pcap:" + passed);
        CliTest.assertOneLineError(r, "truncated");
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(in), files.toList(), "no pass-out file, finished or temporary");
        }
    }

    @Test
    void cpumapEntriesHandTheirFramesToTheStackThroughTheirConsumers() throws Exception {
        // pktgen UDP frames have byte 15 (the IPv4 TOS) 0: xdp_to_cpu redirects every frame to CPU 0, whose
        // entry has no program, so its consumer passes each to the stack, here the --pass-out file
        Path init = tmp.resolve("cpus.json");
        Files.writeString(init, "{\"maps\": {\"cpus\": [{\"key\": \"00000000\", \"value\": \"0001000000000000\"}]}}");
        Path passed = tmp.resolve("passed.pcap");
        JsonNode j = json(CliTest.jxdp("run", "--obj", CliTest.BPF.resolve("maps_cpumap_prog.o").toString(), "--prog",
                "xdp_to_cpu", "--in", "pktgen:flows=8,size=64", "--count", "3000", "--map-init", init.toString(),
                "--pass-out", "pcap:" + passed, "--json"));
        assertEquals(3000, j.get("rx").asLong());
        assertEquals(3000, j.get("redirect").asLong() + j.get("errors").asLong(), j.toString());
        assertTrue(j.get("redirect").asLong() > 0, j.toString());
        JsonNode c = j.get("cpumap").get(0);
        assertEquals("cpus", c.get("map").asText());
        assertEquals(j.get("redirect").asLong(), c.get("enqueued").asLong(), j.toString());
        assertEquals(c.get("enqueued").asLong(), c.get("pass").asLong() + c.get("drop").asLong(), j.toString());
        assertEquals(c.get("pass").asLong(), packets(passed).size(), "the stack stage's frames are in the file");
        assertEquals(0, j.get("pass").asLong(), "nothing passed on the RX queue itself");
    }
}
