package dev.jxdp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatapathTest {

    // 3 discard-port (DROP), 2 DNS (PASS), 1 echo request (TX), 1 ARP (PASS)
    static List<byte[]> mix() {
        return List.of(Frames.udp(9), Frames.udp(53), Frames.udp(9), Frames.ipv4(Frames.ICMP, 0x0a000001, 0, 0, 8),
                Frames.udp(53), Frames.arp(), Frames.udp(9));
    }

    @Test
    void framesFromMemoryAreCountedAndCollected() {
        try (XdpObject obj = ObjectSpec.read(ApiTest.DEMO).load()) {
            DatapathSummary s = Datapath.builder(obj).rxFrames(mix()).collectPass().collectTx().run();
            assertEquals(new DatapathStats(7, 3, 0, 1, 0, 3, 0), s.total());
            assertEquals(List.of(s.total()), s.queues());
            assertEquals(3, s.passFrames().size());
            assertArrayEquals(Frames.udp(53), s.passFrames().getFirst());
            assertArrayEquals(Frames.arp(), s.passFrames().getLast());
            // the reply the program wrote in place, as test-run gives it
            byte[] reply = obj.program().testRun(Frames.ipv4(Frames.ICMP, 0x0a000001, 0, 0, 8)).dataOut();
            assertEquals(1, s.txFrames().size());
            assertArrayEquals(reply, s.txFrames().getFirst());
            // the object's own maps hold what the run counted (the worker is CPU 0; test-run above added one TX)
            assertEquals(Map.of("packets", 3L, "bytes", 3L * Frames.udp(9).length), obj.map("stats").lookupSummed(1).orElseThrow());
            assertEquals(Map.of("packets", 2L, "bytes", 2L * reply.length), obj.map("stats").lookupSummed(3).orElseThrow());
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Datapath.ChainExecutor.class)
    void aChainRunsTheNextProgramOnWhatTheFirstPasses(Datapath.ChainExecutor executor) {
        // xdp_demo, then chain_plain (another object, no run config: XDP_DROP every frame it gets); the demo
        // continues on XDP_PASS only, so its three passed frames reach chain_plain and are dropped
        Path plain = ApiTest.DEMO.getParent().getParent().resolve("core/src/test/bpf/chain_run_config.o");
        try (XdpObject demo = ObjectSpec.read(ApiTest.DEMO).load(); XdpObject other = ObjectSpec.read(plain).load()) {
            DatapathSummary s = Datapath.builder(demo).then(other.program("chain_plain")).chainExecutor(executor)
                    .rxFrames(mix()).run();
            assertEquals(new DatapathStats(7, 6, 0, 1, 0, 0, 0), s.total());
            assertEquals(Map.of("xdp_demo", 7L, "chain_plain", 3L), s.chainRuns());
            assertEquals(List.of("xdp_demo", "chain_plain"), List.copyOf(s.chainRuns().keySet()), "run order");
            assertEquals(Map.of("packets", 3L, "bytes", 3L * Frames.udp(9).length),
                    demo.map("stats").lookupSummed(1).orElseThrow(), "the first program counts in its own maps");
        }
    }

    @Test
    void aChainThatCannotBeIsAClearError() {
        try (XdpObject demo = ObjectSpec.read(ApiTest.DEMO).load()) {
            JxdpException e = assertThrows(JxdpException.class,
                    () -> Datapath.builder(demo).then(demo.program()).rxFrames(mix()).run());
            assertTrue(e.getMessage().contains("two programs named xdp_demo"), e.getMessage());
        }
    }

    @Test
    void severalQueuesShareTheFramesByRss() {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            frames.add(Frames.ipv4(Frames.UDP, 0x0a000001 + i, 1000 + i, i % 2 == 0 ? 9 : 53, 16));
        }
        try (XdpObject obj = ObjectSpec.read(ApiTest.DEMO).load()) {
            DatapathSummary s = Datapath.builder(obj).rxFrames(frames).queues(2).rxMode(Datapath.RxMode.VECTOR).run();
            assertEquals(new DatapathStats(200, 100, 0, 0, 0, 100, 0), s.total());
            assertEquals(2, s.queues().size());
            assertTrue(s.queues().get(0).rx() > 0 && s.queues().get(1).rx() > 0, s.queues().toString());
            assertEquals(200, s.queues().get(0).rx() + s.queues().get(1).rx());
        }
    }

    @Test
    void pcapInAndOut(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in.pcap");
        Path passOut = dir.resolve("pass.pcap");
        try (XdpObject obj = ObjectSpec.read(ApiTest.DEMO).load()) {
            // first a capture, written by the datapath itself from memory frames that all pass
            List<byte[]> mix = mix();
            Datapath.builder(obj).rxFrames(mix).program("xdp_demo").run();
            DatapathSummary all = Datapath.builder(obj).rxFrames(List.of(Frames.arp(), Frames.udp(53))).passPcap(in).run();
            assertEquals(2, all.total().pass());
            assertTrue(Files.size(in) > 24);
            DatapathSummary s = Datapath.builder(obj).rxPcap(in).passPcap(passOut).collectPass().run();
            assertEquals(new DatapathStats(2, 0, 0, 0, 0, 2, 0), s.total());
            assertArrayEquals(Frames.arp(), s.passFrames().get(0));
            assertArrayEquals(Frames.udp(53), s.passFrames().get(1));
            assertEquals(Files.size(in), Files.size(passOut));
        }
    }

    @Test
    void pktgenWithCountAndStats() {
        try (XdpObject obj = ObjectSpec.read(ApiTest.DEMO).load()) {
            List<DatapathStats> seen = new ArrayList<>();
            DatapathSummary s = Datapath.builder(obj).rxPktgen("flows=4,size=64").count(50_000)
                    .onStats(Duration.ofMillis(1), seen::add).run();
            assertEquals(50_000, s.total().rx() + s.missed(), s.toString());
            assertEquals(s.total().rx(), s.total().pass() + s.total().drop());
            assertTrue(s.mpps() > 0);
        }
    }

    @Test
    void badInputIsOneLine(@TempDir Path dir) {
        try (XdpObject obj = ObjectSpec.read(ApiTest.DEMO).load()) {
            JxdpException e = assertThrows(JxdpException.class, () -> Datapath.builder(obj).run());
            assertEquals("datapath: no input (rxPcap, rxPktgen or rxFrames)", e.getMessage());
            e = assertThrows(JxdpException.class, () -> Datapath.builder(obj).rxPcap(dir.resolve("none.pcap")).run());
            assertTrue(e.getMessage().endsWith("none.pcap: no such file"), e.getMessage());
            e = assertThrows(JxdpException.class, () -> Datapath.builder(obj).rxPktgen("flows=zero"));
            assertTrue(e.getMessage().startsWith("pktgen: "), e.getMessage());
            assertThrows(JxdpException.class, () -> Datapath.builder(obj).queues(0));
        }
    }

    static final Path REDIRECT = ApiTest.REPO.resolve("core/src/main/resources/dev/jxdp/bench/xdp_bench_redirect.o");

    /** {@code frame} with its two MAC addresses swapped, as the redirect programs send it. */
    static byte[] macsSwapped(byte[] frame) {
        byte[] out = frame.clone();
        System.arraycopy(frame, 0, out, 6, 6);
        System.arraycopy(frame, 6, out, 0, 6);
        return out;
    }

    @Test
    void redirectsReachTheDevicesGiven(@TempDir Path dir) throws Exception {
        List<byte[]> frames = mix();
        // bpf_redirect(ifindex_out): ifindex_out is a const volatile global, set before load
        try (XdpObject obj = ObjectSpec.read(REDIRECT).withConstant("ifindex_out", 5).load()) {
            Path out = dir.resolve("dev5.pcap");
            DatapathSummary s = Datapath.builder(obj).program("xdp_redirect").rxFrames(frames).redirectTo(5)
                    .redirectPcap(5, out).run();
            assertEquals(new DatapathStats(7, 0, 0, 0, 7, 0, 0), s.total());
            assertEquals(List.of(5), List.copyOf(s.redirectFrames().keySet()));
            assertEquals(7, s.redirectFrames().get(5).size());
            for (int i = 0; i < frames.size(); i++) {
                assertArrayEquals(macsSwapped(frames.get(i)), s.redirectFrames().get(5).get(i));
            }
            assertTrue(Files.size(out) > 24 + 7 * 16, "a pcap header and seven records");
        }
        // bpf_redirect_map(&tx_port, 0): the DEVMAP slot names the device
        try (XdpObject obj = ObjectSpec.read(REDIRECT).load()) {
            DatapathSummary s = Datapath.builder(obj).program("xdp_redirect_map").rxFrames(frames).redirectTo(7)
                    .devmap("tx_port", 0, 7).run();
            assertEquals(7, s.total().redirect());
            assertEquals(7, s.redirectFrames().get(7).size());
            // no device behind the slot: an error at build time, as the kernel's update says EINVAL
            JxdpException e = assertThrows(JxdpException.class, () -> Datapath.builder(obj).program("xdp_redirect_map")
                    .rxFrames(frames).devmap("tx_port", 0, 9).run());
            assertTrue(e.getMessage().startsWith("devmap: map tx_port key 0: no device with ifindex 9"), e.getMessage());
        }
    }
}
