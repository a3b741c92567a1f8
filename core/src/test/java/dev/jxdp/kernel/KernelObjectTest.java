package dev.jxdp.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.maps.Cpus;
import dev.jxdp.ebpf.maps.Errno;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.testrun.Engine;
import dev.jxdp.ebpf.testrun.MapJson;
import dev.jxdp.ebpf.testrun.ProgTestRun;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The kernel engine on the repository's test programs, fact by fact, against jxdp where both answer. */
final class KernelObjectTest {

    private static final HexFormat HEX = HexFormat.of();
    /** A UDP/IPv4 frame, 10.0.0.1:1234 -> 10.0.0.2:53. */
    static final byte[] UDP = HEX.parseHex("02000000000202000000000108004500002112344000401114960a0000010a00000204d2"
            + "0035000d0000686578000000000000000000000000000000000000");

    @BeforeEach
    void kernel() {
        KernelTests.requireKernel();
    }

    @Test
    void mapInitAndDumpGiveWhatMapJsonGivesForJxdpsMaps() throws Exception {
        int compared = 0;
        for (var file : KernelReplayTest.recordings()) {
            JsonNode rec = KernelTests.JSON.readTree(file.toFile());
            for (JsonNode c : rec.path("cases")) {
                if (!c.hasNonNull("map_init")) {
                    continue;
                }
                ObjectSpec spec = KernelTests.object(rec.path("obj").asText());
                try (KernelObject k = KernelObject.load(spec); BpfCollection jxdp = BpfCollection.load(spec)) {
                    k.applyInit(c.get("map_init"));
                    MapJson.applyInit(jxdp, c.get("map_init"));
                    assertEquals(MapJson.dump(jxdp), k.dump(n -> true), file.getFileName() + " " + c.path("name").asText());
                }
                compared++;
                break;
            }
        }
        assertTrue(compared >= 10, "recordings with map_init compared: " + compared);
    }

    @Test
    void userCallsAnswerAsJxdpsMapsDo() {
        ObjectSpec spec = KernelTests.object("count_maps.o");
        try (KernelObject k = KernelObject.load(spec); BpfCollection jxdp = BpfCollection.load(spec)) {
            KernelMap km = k.map("tiny_hash");
            BpfMap jm = jxdp.maps().stream().filter(m -> m.name().equals("tiny_hash")).findFirst().orElseThrow();
            List<String> kernel = new ArrayList<>();
            List<String> ours = new ArrayList<>();
            byte[] v = HEX.parseHex("0102030405060708");
            for (int i = 0; i < 4; i++) {
                byte[] key = KernelObject.le32(i);
                kernel.add("update " + i + " " + km.userUpdate(key, v, 0));
                ours.add("update " + i + " " + jm.userUpdate(key, v, 0));
            }
            kernel.add("noexist " + km.userUpdate(KernelObject.le32(0), v, 1));
            ours.add("noexist " + jm.userUpdate(KernelObject.le32(0), v, 1));
            kernel.add("exist " + km.userUpdate(KernelObject.le32(9), v, 2));
            ours.add("exist " + jm.userUpdate(KernelObject.le32(9), v, 2));
            kernel.add("delete " + km.userDelete(KernelObject.le32(1)) + " again " + km.userDelete(KernelObject.le32(1)));
            ours.add("delete " + jm.userDelete(KernelObject.le32(1)) + " again " + jm.userDelete(KernelObject.le32(1)));
            kernel.add("lookup " + HEX.formatHex(km.userLookup(KernelObject.le32(0))) + " missing " + km.userLookup(KernelObject.le32(1)));
            ours.add("lookup " + HEX.formatHex(jm.userLookup(KernelObject.le32(0))) + " missing " + jm.userLookup(KernelObject.le32(1)));
            assertEquals(ours, kernel);
            assertEquals(List.of("update 0 0", "update 1 0", "update 2 " + -Errno.E2BIG, "update 3 " + -Errno.E2BIG,
                    "noexist " + -Errno.EEXIST, "exist " + -Errno.ENOENT, "delete 0 again " + -Errno.ENOENT,
                    "lookup 0102030405060708 missing null"), kernel);
            List<String> keys = new ArrayList<>();
            for (byte[] key = km.userNextKey(null); key != null; key = km.userNextKey(key)) {
                keys.add(HEX.formatHex(key));
            }
            assertEquals(List.of("00000000"), keys);
        }
    }

    @Test
    void perCpuValuesAreEveryPossibleCpusAndDumpSumsThem() {
        ObjectSpec spec = KernelTests.object("count_maps.o");
        try (KernelObject k = KernelObject.load(spec)) {
            KernelMap m = k.map("cnt_percpu_array");
            assertEquals(16 * Cpus.kernelPossible(), m.userValueSize());
            byte[] all = new byte[m.userValueSize()];
            for (int cpu = 0; cpu < Cpus.kernelPossible(); cpu++) {
                all[cpu * 16] = 3;       // packets: 3 on every CPU
                all[cpu * 16 + 8] = 100; // bytes: 100 on every CPU
            }
            assertEquals(0, m.userUpdate(KernelObject.le32(2), all, 0));
            assertArrayEquals(all, m.userLookup(KernelObject.le32(2)));
            String want = HEX.formatHex(MapJson.sumPerCpu(all, 16));
            JsonNode entries = k.dump("cnt_percpu_array"::equals).get("cnt_percpu_array");
            assertEquals(8, entries.size(), "an array shows every index");
            assertEquals(want, entries.get(2).get("value").asText());
            byte[] sum = HEX.parseHex(entries.get(2).get("value").asText());
            assertEquals(3 * Cpus.kernelPossible(), KernelObject.le32(sum, 0), "packets summed over CPUs");
            assertEquals(100 * Cpus.kernelPossible(), KernelObject.le32(sum, 8), "bytes summed over CPUs");
        }
    }

    @Test
    void globalDataHoldsItsSectionsAndRodataIsFrozen() {
        ObjectSpec spec = KernelTests.object("global_data.o");
        try (KernelObject k = KernelObject.load(spec)) {
            assertTrue(k.hasBtf(), "the kernel took the object's BTF: " + k.btfProblem());
            KernelMap rodata = k.map("global_d_rodata");
            assertNotNull(rodata, "maps: " + k.maps());
            assertTrue(rodata.hasBtf(), ".rodata created with its DATASEC as value type");
            assertArrayEquals(rodata.spec().initialData(), rodata.userLookup(new byte[4]));
            assertEquals(-Errno.EPERM, rodata.userUpdate(new byte[4], new byte[rodata.valueSize()], 0),
                    "frozen after load, as libbpf freezes .rodata");
            KernelMap hist = k.map(".data.hist");
            assertArrayEquals(hist.spec().initialData(), hist.userLookup(new byte[4]));
        }
    }

    @Test
    void aBpfLoopCallbackLoadsWithFuncInfoAndRunsAsTheJitDoes() {
        assertRunsAsTheJit("elf_loop.o", null, UDP);
    }

    @Test
    void tailCallsGoThroughProgArraySlotsFromTheObjectAndFromMapInit() throws Exception {
        ObjectSpec spec = KernelTests.object("tail_dispatch.o");
        try (KernelObject k = KernelObject.load(spec)) {
            JsonNode slots = k.dump("jmp_table"::equals).get("jmp_table");
            assertEquals("{\"key\":\"00000000\",\"prog\":\"xdp_stage_ipv4\"}", slots.get(0).toString());
            assertFalse(slots.toString().contains("xdp_stage_ipv6"));
            k.applyInit(KernelTests.JSON.readTree("{\"maps\":{\"jmp_table\":[{\"key\":\"01000000\",\"prog\":\"xdp_stage_ipv6\"}]}}"));
            assertEquals("{\"key\":\"01000000\",\"prog\":\"xdp_stage_ipv6\"}",
                    k.dump("jmp_table"::equals).get("jmp_table").get(1).toString());
            ProgTestRun.Result r = k.program("xdp_dispatch").testRun(UDP, 1, 0, 0);
            JsonNode hits = k.dump("stage_hits"::equals).get("stage_hits");
            assertEquals("0100000000000000", hits.get(0).get("value").asText(), "the dispatcher ran: " + r.retval());
            assertEquals("0100000000000000", hits.get(1).get("value").asText(), "and tail-called the IPv4 stage");
        }
    }

    @Test
    void aRejectedProgramCarriesTheVerifierLog() {
        ObjectSpec spec = KernelTests.object("elf_bad_verify_pkt.o");
        KernelRejection e = assertThrows(KernelRejection.class, () -> KernelObject.load(spec).close());
        assertEquals("xdp_short_check", e.program());
        assertEquals(Errno.EACCES, e.errno());
        assertTrue(e.getMessage().startsWith("program xdp_short_check: the kernel rejected it at insn 6 (EACCES): "
                + "invalid access to packet"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
        assertTrue(e.log().contains("6: (71) r1 = *(u8 *)(r1 +23)"), e.log());
        assertTrue(e.log().contains("@ elf_bad_verify_pkt.c:"), "line_info puts the C source in the log: " + e.log());
    }

    @Test
    void aFrameTheKernelRefusesIsAnError() {
        try (KernelObject k = KernelObject.load(KernelTests.object("xdp_empty.o"))) {
            KernelRejection e = assertThrows(KernelRejection.class, () -> k.programs().getFirst().testRun(new byte[10], 1, 0, 0));
            assertEquals(Errno.EINVAL, e.errno());
        }
    }

    @Test
    void verifyReportsEachProgramsVerdict() {
        List<KernelObject.Verdict> v = KernelObject.verify(KernelTests.object("tail_dispatch.o"), null, 1);
        assertTrue(v.size() > 3 && v.stream().allMatch(KernelObject.Verdict::accepted), v.toString());
        KernelObject.Verdict bad = KernelObject.verify(KernelTests.object("elf_bad_verify_pkt.o"), null, 1).getFirst();
        assertFalse(bad.accepted());
        assertEquals(6, bad.insn());
        assertNull(KernelObject.verify(KernelTests.object("elf_loop.o"), null, 1).getFirst().message());
    }

    static void assertRunsAsTheJit(String obj, String prog, byte[] frame) {
        ObjectSpec spec = KernelTests.object(obj);
        try (KernelObject k = KernelObject.load(spec); BpfCollection jxdp = BpfCollection.load(spec)) {
            KernelProgram kp = prog == null ? k.programs().getFirst() : k.program(prog);
            ProgTestRun.Result kr = kp.testRun(frame, 1, 0, 0);
            ProgTestRun.Result jr = ProgTestRun.run(jxdp, jxdp.program(kp.name()), frame, 1, false, Engine.JIT);
            assertEquals(jr.retval(), kr.retval(), "retval");
            assertEquals(HEX.formatHex(jr.dataOut()), HEX.formatHex(kr.dataOut()), "data_out");
            assertEquals(MapJson.dump(jxdp), k.dump(n -> true), "maps");
        }
    }
}
