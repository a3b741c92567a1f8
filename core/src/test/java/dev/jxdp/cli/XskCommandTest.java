package dev.jxdp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jxdp.io.pcap.PcapWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jxdp xsk rxdrop}: every frame either reached a socket and came back to its fill ring, or is counted where it was dropped. */
@org.junit.jupiter.api.Timeout(value = 2, unit = java.util.concurrent.TimeUnit.MINUTES)  // a guard against a hang, not a measurement
class XskCommandTest {

    @TempDir
    Path tmp;

    @Test
    void rxdropAccountsForEveryFrame() throws Exception {
        for (String queues : new String[] {"1", "2"}) {
            JsonNode j = RunCommandTest.json(CliTest.jxdp("xsk", "rxdrop", "--in", "pktgen:flows=16", "--count", "20000",
                    "--queues", queues, "--batch", "16", "--frames", "256", "--ring", "128", "--json"));
            assertEquals("rxdrop", j.get("mode").asText());
            JsonNode d = j.get("datapath");
            assertEquals(20000, d.get("rx").asLong(), j.toString());
            assertEquals(d.get("rx").asLong(), d.get("redirect").asLong() + d.get("errors").asLong(), j.toString());
            assertEquals(d.get("redirect").asLong(), j.get("rx").asLong(), "every frame a socket received, its application took");
            assertEquals(d.get("errors").asLong(), j.get("rx_dropped").asLong() + j.get("rx_ring_full").asLong(),
                    "each drop counted by its socket");
            assertEquals(j.get("rx_dropped").asLong(), j.get("rx_fill_ring_empty").asLong(), "64-byte frames fit a chunk");
            assertTrue(j.get("rx").asLong() > 0, j.toString());
        }
    }

    @Test
    void everyRxPathDeliversTheSameWayAndOnlyTheFastOnesSkipTheGenericPath() throws Exception {
        for (String path : new String[] {"generic", "transparent", "redirect-xsk"}) {
            for (String rxMode : new String[] {"scalar", "vector"}) {
                JsonNode j = RunCommandTest.json(CliTest.jxdp("xsk", "rxdrop", "--in", "pktgen:flows=16", "--count", "20000",
                        "--mode", path, "--rx-mode", rxMode, "--batch", "16", "--frames", "256", "--ring", "128", "--json"));
                String what = path + " " + rxMode + ": " + j;
                assertEquals(path, j.get("rx_path").asText());
                assertEquals(rxMode, j.get("rx_mode").asText());
                JsonNode d = j.get("datapath");
                assertEquals(20000, d.get("rx").asLong(), what);
                assertEquals(d.get("rx").asLong(), d.get("redirect").asLong() + d.get("errors").asLong(), what);
                assertEquals(d.get("redirect").asLong(), j.get("rx").asLong(), what);
                assertEquals(d.get("errors").asLong(), j.get("rx_dropped").asLong() + j.get("rx_ring_full").asLong(), what);
                assertTrue(j.get("rx").asLong() > 0, what);
                // one socket per queue: every delivered frame took the fast path, except on the generic one
                assertEquals(path.equals("generic") ? 0 : d.get("redirect").asLong(), d.get("redirect_xsk").asLong(), what);
            }
        }
    }

    @Test
    void anAfXdpProgramOfOnesOwnGetsTheSocketsInItsXskmapAndTheFastPath() throws Exception {
        // looks the queue's slot up, checks the socket's queue id, then bpf_redirect_map: the shape of
        // xdp-tutorial's and libxdp's AF_XDP programs
        String obj = CliTest.BPF.resolve("verify_ok_xsk_queue.o").toString();
        for (String path : new String[] {"transparent", "generic"}) {
            JsonNode j = RunCommandTest.json(CliTest.jxdp("xsk", "rxdrop", "--obj", obj, "--mode", path, "--in",
                    "pktgen:flows=16", "--count", "20000", "--queues", "2", "--batch", "16", "--frames", "256", "--ring",
                    "128", "--json"));
            JsonNode d = j.get("datapath");
            assertEquals(20000, d.get("rx").asLong(), j.toString());
            assertEquals(d.get("rx").asLong(), d.get("redirect").asLong() + d.get("errors").asLong(), j.toString());
            assertEquals(d.get("redirect").asLong(), j.get("rx").asLong(), j.toString());
            assertEquals(0, d.get("pass").asLong(), "every queue's slot holds a socket bound to it: " + j);
            assertEquals(path.equals("generic") ? 0 : d.get("redirect").asLong(), d.get("redirect_xsk").asLong(), j.toString());
        }
        CliTest.assertOneLineError(CliTest.jxdp("xsk", "rxdrop", "--obj", CliTest.DEMO.toString(), "--count", "10"),
                "has no XSKMAP for the sockets");
        CliTest.assertOneLineError(CliTest.jxdp("xsk", "rxdrop", "--obj", obj, "--xskmap", "nope", "--count", "10"),
                "--xskmap nope: " + obj + " has no XSKMAP of that name (XSKMAPs: xsks)");
        CliTest.assertOneLineError(CliTest.jxdp("xsk", "rxdrop", "--obj", obj, "--mode", "redirect-xsk", "--count", "10"),
                "--mode redirect-xsk runs the built-in bpf_redirect_xsk program");
        CliTest.assertOneLineError(CliTest.jxdp("xsk", "rxdrop", "--obj", obj + ":nope", "--count", "10"), "nope");
    }

    @Test
    void rxdropZeroCopyAccountsForEveryFrame() throws Exception {
        for (String queues : new String[] {"1", "2"}) {
            JsonNode j = RunCommandTest.json(CliTest.jxdp("xsk", "rxdrop", "--zero-copy", "--in", "pktgen:flows=16",
                    "--count", "20000", "--queues", queues, "--batch", "16", "--frames", "256", "--ring", "128", "--json"));
            assertFalse(j.get("copy").asBoolean(), j.toString());
            JsonNode d = j.get("datapath");
            // a frame the fill ring had no chunk for never became a frame: the input missed it
            assertEquals(20000, d.get("rx").asLong() + d.get("missed").asLong(), j.toString());
            assertEquals(d.get("rx").asLong(), d.get("redirect").asLong() + d.get("errors").asLong(), j.toString());
            assertEquals(d.get("redirect").asLong(), j.get("rx").asLong(), "every frame a socket received, its application took");
            assertEquals(d.get("errors").asLong(), j.get("rx_ring_full").asLong(), "only a full RX ring drops a frame");
            assertEquals(0, j.get("rx_dropped").asLong(), "a frame without a chunk was never made");
            assertEquals(d.get("missed").asLong(), j.get("rx_fill_ring_empty").asLong(), "each miss an empty fill ring");
            assertTrue(j.get("rx").asLong() > 0, j.toString());
        }
    }

    @Test
    void aPcapInputReceivesIntoEachQueuesUmemInZeroCopy() throws Exception {
        Path in = tmp.resolve("in.pcap");
        byte[] a = Frames.ipv4(10, 0, 0, 1);
        try (PcapWriter w = PcapWriter.open(in, PcapWriter.Resolution.MICROSECONDS)) {
            long t = 1_700_000_000_000_000_000L;
            for (int i = 0; i < 50; i++) {
                w.write(Frames.udp(a, Frames.ipv4(10, 0, 1, i), 1000 + i, 53, "query " + i), t += 1000);
            }
        }
        JsonNode j = RunCommandTest.json(CliTest.jxdp("xsk", "rxdrop", "--zero-copy", "--in", "pcap:" + in, "--queues", "2",
                "--frames", "256", "--ring", "128", "--json"));
        JsonNode d = j.get("datapath");
        assertEquals(50, d.get("rx").asLong(), "each queue's reader, each frame in a chunk of its queue's UMEM: " + j);
        assertEquals(50, j.get("rx").asLong(), j.toString());
        assertEquals(0, d.get("missed").asLong() + d.get("errors").asLong(), j.toString());
    }

    @Test
    void l2fwdAndTxonlyZeroCopySendTheChunksAndGetThemBack() throws Exception {
        JsonNode j = RunCommandTest.json(CliTest.jxdp("xsk", "l2fwd", "--zero-copy", "--in", "pktgen:flows=16", "--count",
                "20000", "--batch", "16", "--frames", "256", "--ring", "128", "--json"));
        JsonNode d = j.get("datapath");
        assertEquals(20000, d.get("rx").asLong() + d.get("missed").asLong(), j.toString());
        assertEquals(d.get("redirect").asLong(), j.get("rx").asLong(), j.toString());
        assertTrue(j.get("tx").asLong() > 0 && j.get("tx").asLong() <= j.get("rx").asLong(), j.toString());
        assertTrue(j.get("rx").asLong() - j.get("tx").asLong() <= 128 + 256, j.toString());
        JsonNode t = RunCommandTest.json(CliTest.jxdp("xsk", "txonly", "--zero-copy", "--duration", "0.3", "--frames", "256",
                "--ring", "128", "--json"));
        assertTrue(t.get("tx").asLong() > 0, t.toString());
        assertEquals(0, t.get("tx_invalid_descs").asLong());
        assertFalse(t.get("copy").asBoolean());
    }

    @Test
    void l2fwdSendsWhatItReceivedAndGivesTheChunksBack() throws Exception {
        // for a while, not a count: 20,000 frames take 15 ms, and on a loaded machine the application may not
        // have run by then
        JsonNode j = RunCommandTest.json(CliTest.jxdp("xsk", "l2fwd", "--in", "pktgen:flows=16", "--duration", "0.3",
                "--batch", "16", "--frames", "256", "--ring", "128", "--json"));
        assertEquals("l2fwd", j.get("mode").asText());
        JsonNode d = j.get("datapath");
        assertTrue(d.get("rx").asLong() > 0, j.toString());
        assertEquals(d.get("rx").asLong(), d.get("redirect").asLong() + d.get("errors").asLong(), j.toString());
        assertEquals(d.get("redirect").asLong(), j.get("rx").asLong(), j.toString());
        // what was still on the TX ring when the datapath stopped was not sent: at most a ring's worth
        assertTrue(j.get("tx").asLong() > 0 && j.get("tx").asLong() <= j.get("rx").asLong(), j.toString());
        assertTrue(j.get("rx").asLong() - j.get("tx").asLong() <= 128 + 256, j.toString());
        assertEquals(0, j.get("tx_invalid_descs").asLong());
    }

    @Test
    void txonlySendsFromEveryChunkAndGetsThemBack() throws Exception {
        JsonNode j = RunCommandTest.json(CliTest.jxdp("xsk", "txonly", "--duration", "0.3", "--frames", "256",
                "--ring", "128", "--json"));
        assertEquals("txonly", j.get("mode").asText());
        assertTrue(j.get("tx").asLong() > 0, j.toString());
        assertEquals(0, j.get("rx").asLong());
        assertEquals(0, j.get("datapath").get("rx").asLong(), "nothing received");
        assertEquals(0, j.get("tx_invalid_descs").asLong());
        assertEquals(2, CliTest.jxdp("xsk", "txonly", "--count", "5").status());
    }

    @Test
    void badArgumentsAreOneLineAndStatus2() {
        String[][] bad = {{"--ring", "1000"}, {"--chunk-size", "1000"}, {"--queues", "0"}, {"--batch", "0"},
            {"--in", "tap:eth0"}, {"--headroom", "4000"}, {"--mode", "fast"}, {"--rx-mode", "sideways"},
            {"--zero-copy", "--chunk-size", "2048"}, {"--zero-copy", "--headroom", "128"}, {"--zero-copy", "--copy"}};
        for (String[] a : bad) {
            String[] args = new String[a.length + 4];
            args[0] = "xsk";
            args[1] = "rxdrop";
            System.arraycopy(a, 0, args, 2, a.length);
            args[a.length + 2] = "--count";
            args[a.length + 3] = "10";
            CliTest.Run r = CliTest.jxdp(args);
            assertEquals(2, r.status(), String.join(" ", a) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
        assertEquals(2, CliTest.jxdp("xsk").status());
    }
}
