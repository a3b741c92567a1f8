package dev.jxdp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jxdp.io.pcap.PcapReader;
import dev.jxdp.io.pcap.PcapWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jxdp run --dispatcher on}: the same datapath, the program entered through the BPF dispatcher. */
class RunDispatcherTest {

    private static final byte[] B = Frames.ipv4(10, 0, 0, 2);

    @TempDir
    Path tmp;

    // every action of the demo program: echo requests go back out, DNS and TCP pass, the discard port drops
    private Path capture() throws Exception {
        Path in = tmp.resolve("in.pcap");
        try (PcapWriter w = PcapWriter.open(in, PcapWriter.Resolution.MICROSECONDS)) {
            long t = 1_700_000_000_000_000_000L;
            for (int i = 0; i < 200; i++) {
                byte[] src = Frames.ipv4(10, 0, i / 50, i % 50 + 1);
                byte[] p = switch (i % 4) {
                    case 0 -> Frames.icmpEcho(src, B, i, 1);
                    case 1 -> Frames.udp(src, B, 5000 + i, 53, "q");
                    case 2 -> Frames.udp(src, B, 5000 + i, 9, "x");
                    default -> Frames.tcpSyn(src, B, 6000 + i, 80);
                };
                w.write(p, t += 1000);
            }
        }
        return in;
    }

    private static List<String> frames(Path pcap) {
        List<String> out = new ArrayList<>();
        try (PcapReader r = PcapReader.open(pcap)) {
            while (r.next()) {
                byte[] b = new byte[r.capturedLength()];
                MemorySegment.copy(MemorySegment.NULL.reinterpret(Long.MAX_VALUE), ValueLayout.JAVA_BYTE, r.dataAddress(),
                        b, 0, b.length);
                out.add(HexFormat.of().formatHex(b));
            }
        }
        return out;
    }

    @Test
    void onCountsAndSendsTheSameFramesAsOffAndReportsEachQueuesRuns() throws Exception {
        Path in = capture();
        JsonNode[] runs = new JsonNode[2];
        List<List<String>> passed = new ArrayList<>();
        List<List<String>> sent = new ArrayList<>();
        String[] modes = {"off", "on"};
        for (int i = 0; i < 2; i++) {
            Path pass = tmp.resolve("pass-" + modes[i] + ".pcap");
            Path tx = tmp.resolve("tx-" + modes[i] + ".pcap");
            runs[i] = RunCommandTest.json(CliTest.jxdp("run", "--obj", CliTest.DEMO.toString(), "--in", "pcap:" + in, "--dispatcher",
                    modes[i], "--pass-out", "pcap:" + pass, "--tx-out", "pcap:" + tx, "--json"));
            passed.add(frames(pass));
            sent.add(frames(tx));
        }
        JsonNode off = runs[0];
        JsonNode on = runs[1];
        assertEquals(200, on.get("rx").asLong(), on.toString());
        for (String k : new String[] {"rx", "drop", "aborted", "tx", "redirect", "pass", "errors", "faults"}) {
            assertEquals(off.get(k).asLong(), on.get(k).asLong(), k + ": " + off + " / " + on);
        }
        assertEquals(100, passed.get(1).size());
        assertEquals(passed.get(0), passed.get(1), "the same PASS frames, in the same order");
        assertEquals(sent.get(0), sent.get(1), "the same TX frames, rewritten the same way");
        assertFalse(off.has("dispatcher"), "no dispatcher counters when it is off: " + off);
        JsonNode entries = on.get("dispatcher").get("entries");
        assertEquals(1, entries.size(), on.toString());
        assertEquals(0, entries.get(0).get("queue").asInt());
        assertEquals("xdp_demo", entries.get(0).get("program").asText());
        assertEquals(200, entries.get(0).get("runs").asLong(), "one run per frame through the dispatcher");
    }

    @Test
    void twoQueuesEachCountTheirOwnRuns() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.jxdp.ebpf.maps.Cpus.possible() >= 2, "two CPUs");
        JsonNode j = RunCommandTest.json(CliTest.jxdp("run", "--obj", CliTest.DEMO.toString(), "--in", "pktgen:flows=64", "--count",
                "4000", "--queues", "2", "--dispatcher", "on", "--json"));
        JsonNode entries = j.get("dispatcher").get("entries");
        assertEquals(2, entries.size(), j.toString());
        for (int q = 0; q < 2; q++) {
            assertEquals(j.get("queues").get(q).get("rx").asLong(), entries.get(q).get("runs").asLong(),
                    "queue " + q + ": a run per frame it received: " + j);
        }
    }

    @Test
    void theTextSummaryNamesEachQueuesXdpCall() {
        CliTest.Run r = CliTest.jxdp("run", "--obj", CliTest.DEMO.toString(), "--in", "pktgen:", "--count", "500",
                "--dispatcher", "on");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("xdp_call queue 0: xdp_demo entered through the BPF dispatcher, 500 runs"), r.out());
    }

    @Test
    void aBadValueIsOneLine() {
        CliTest.assertOneLineError(CliTest.jxdp("run", "--obj", CliTest.DEMO.toString(), "--in", "pktgen:",
                "--dispatcher", "yes"), "--dispatcher yes: want on or off");
    }

    @Test
    void devmapAndCpumapEntryProgramsGoThroughTheDispatcherTooAndGiveTheirSlotsBack() throws Exception {
        // a DEVMAP_HASH entry with an egress program (xdp_egress_mark) and a CPUMAP entry with a program
        // (xdp_cpu_stage): the same counters with the dispatcher on as off; after the run every slot is free
        Path devInit = tmp.resolve("dev.json");
        java.nio.file.Files.writeString(devInit, "{\"maps\": {\"ports_by_id\": [{\"key\": \"00000000\", "
                + "\"value\": \"05000000\", \"prog\": \"xdp_egress_mark\"}]}}");
        Path cpuInit = tmp.resolve("cpu.json");
        java.nio.file.Files.writeString(cpuInit, "{\"maps\": {\"cpus\": [{\"key\": \"00000000\", "
                + "\"value\": \"00010000\", \"prog\": \"xdp_cpu_stage\"}]}}");
        String[][] runs = {
            {"--obj", CliTest.BPF.resolve("maps_devmap_prog.o").toString(), "--prog", "xdp_to_port", "--map-init",
                devInit.toString(), "--redirect-out", "5=pcap:" + tmp.resolve("out5.pcap")},
            {"--obj", CliTest.BPF.resolve("maps_cpumap_prog.o").toString(), "--prog", "xdp_to_cpu", "--map-init",
                cpuInit.toString()},
        };
        dev.jxdp.xdp.dispatch.BpfDispatcher d = dev.jxdp.xdp.dispatch.BpfDispatcher.xdp();
        for (String[] r : runs) {
            JsonNode[] out = new JsonNode[2];
            long[] pokes = new long[2];
            for (int k = 0; k < 2; k++) {
                int held = d.programs();
                long generation = d.generation();
                List<String> args = new ArrayList<>(List.of("run"));
                args.addAll(List.of(r));
                args.addAll(List.of("--in", "pktgen:flows=8,size=64", "--count", "2000", "--dispatcher", k == 0 ? "off" : "on",
                        "--json"));
                out[k] = RunCommandTest.json(CliTest.jxdp(args.toArray(new String[0])));
                pokes[k] = d.generation() - generation;
                assertEquals(held, d.programs(), "every slot given back: " + String.join(" ", r));
            }
            boolean cpumap = out[1].has("cpumap");
            // a CPUMAP entry's queue takes what its consumer thread keeps up with, the rest are errors: how
            // many is the threads' timing, so there the split of redirect and errors may differ
            for (String k : cpumap ? new String[] {"rx", "drop", "aborted", "tx", "pass"}
                    : new String[] {"rx", "drop", "aborted", "tx", "redirect", "pass", "errors"}) {
                assertEquals(out[0].get(k).asLong(), out[1].get(k).asLong(), k + ": " + out[0] + " / " + out[1]);
            }
            assertEquals(0, pokes[0], "off: the dispatcher is not touched");
            // the queue's program and the entry's each take a slot and give it back: four new dispatch classes
            assertTrue(pokes[1] >= 4, "the entry program took a slot of its own: " + pokes[1] + " pokes");
            if (cpumap) {
                for (JsonNode o : out) {
                    JsonNode c = o.get("cpumap").get(0);
                    assertEquals(o.get("rx").asLong(), o.get("redirect").asLong() + o.get("errors").asLong(), o.toString());
                    assertTrue(c.get("enqueued").asLong() > 0, o.toString());
                    assertEquals(o.get("redirect").asLong(), c.get("enqueued").asLong(), o.toString());
                    assertEquals(c.get("enqueued").asLong(), c.get("pass").asLong(), "the entry's program passes every frame");
                }
            }
        }
    }
}
