package dev.jxdp.ebpf.testrun;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.maps.AttachType;
import dev.jxdp.ebpf.maps.CpuMap;
import dev.jxdp.ebpf.maps.DevMap;
import dev.jxdp.ebpf.maps.DevMapHash;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfProgram;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Map-init JSON naming a DEVMAP, DEVMAP_HASH or CPUMAP entry's program, and the dump of such entries. */
class MapJsonEntryProgramTest {

    private static final Path BPF = Path.of(System.getProperty("jxdp.repo", "."), "core/src/test/bpf");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static BpfCollection load(String obj) {
        return BpfCollection.load(ElfLoader.load(BPF.resolve(obj)));
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text.replace('\'', '"'));
    }

    @Test
    void devmapEntriesTakeTheirEgressProgramByName() throws Exception {
        try (BpfCollection c = load("maps_devmap_prog.o")) {
            MapJson.applyInit(c, json("{'maps': {'ports': [{'key': '00000000', 'value': '05000000', 'prog': 'xdp_egress_mark'},"
                    + " {'key': '01000000', 'value': '0600000000000000'}],"
                    + " 'ports_by_id': [{'key': '07000000', 'value': '0700000000000000', 'prog': 'xdp_egress_mark'}]}}"));
            BpfProgram egress = c.program("xdp_egress_mark");
            DevMap ports = (DevMap) c.map("ports");
            assertSame(egress, ports.entryProgram(0));
            assertEquals(5, ports.ifindex(0));
            assertNull(ports.entryProgram(1));
            assertSame(egress, ((DevMapHash) c.map("ports_by_id")).entryProgram(7));
            byte[] v = ports.userLookup(new byte[4]);
            assertEquals(egress.id(), (v[4] & 0xff) | (v[5] & 0xff) << 8 | (v[6] & 0xff) << 16 | (v[7] & 0xff) << 24,
                    "a user-space lookup reports the program's id in the second u32");
            assertTrue(egress.id() > 0);

            JsonNode dump = MapJson.dump(c);
            assertEquals(json("[{'key': '00000000', 'value': '05000000', 'prog': 'xdp_egress_mark'},"
                    + " {'key': '01000000', 'value': '0600000000000000'}]"), dump.get("ports"),
                    "an entry with a program as map-init takes it; one without as before");
            assertEquals(json("[{'key': '07000000', 'value': '07000000', 'prog': 'xdp_egress_mark'}]"), dump.get("ports_by_id"));
        }
    }

    @Test
    void cpumapEntriesTakeTheirProgramByName() throws Exception {
        try (BpfCollection c = load("maps_cpumap_prog.o")) {
            MapJson.applyInit(c, json("{'maps': {'cpus': [{'key': '00000000', 'value': '40000000', 'prog': 'xdp_cpu_stage'}]}}"));
            CpuMap cpus = (CpuMap) c.map("cpus");
            assertSame(c.program("xdp_cpu_stage"), cpus.entryProgram(0));
            assertEquals(64, cpus.qsize(0));
            assertEquals(json("[{'key': '00000000', 'value': '40000000', 'prog': 'xdp_cpu_stage'}]"), MapJson.dump(c).get("cpus"));
        }
    }

    @Test
    void aProgramFromAnotherSectionIsRefusedByName() throws Exception {
        try (BpfCollection c = load("maps_devmap_prog.o")) {
            BpfException e = assertThrows(BpfException.class, () -> MapJson.applyInit(c,
                    json("{'maps': {'ports': [{'key': '00000000', 'value': '05000000', 'prog': 'xdp_to_port'}]}}")));
            assertEquals("map ports key 00000000: program xdp_to_port is in section xdp, but a DEVMAP entry takes a program"
                    + " from SEC(\"xdp/devmap\") (expected_attach_type BPF_XDP_DEVMAP), as the kernel requires", e.getMessage());
        }
        try (BpfCollection c = load("maps_cpumap_prog.o")) {
            BpfException e = assertThrows(BpfException.class, () -> MapJson.applyInit(c,
                    json("{'maps': {'cpus': [{'key': '00000000', 'value': '40000000', 'prog': 'xdp_to_cpu'}]}}")));
            assertTrue(e.getMessage().contains("SEC(\"xdp/cpumap\")"), e.getMessage());
        }
    }

    @Test
    void badEntryProgramInputGetsOneClearLine() throws Exception {
        try (BpfCollection c = load("maps_devmap_prog.o")) {
            BpfException unknown = assertThrows(BpfException.class, () -> MapJson.applyInit(c,
                    json("{'maps': {'ports': [{'key': '00000000', 'value': '05000000', 'prog': 'nope'}]}}")));
            assertEquals("map ports key 00000000: \"prog\" must name one of the programs (xdp_to_port, xdp_egress_mark)",
                    unknown.getMessage());
            BpfException value = assertThrows(BpfException.class, () -> MapJson.applyInit(c,
                    json("{'maps': {'ports': [{'key': '00000000', 'value': '0500', 'prog': 'xdp_egress_mark'}]}}")));
            assertEquals("map ports key 00000000 value \"0500\": want 4 bytes (the ifindex) or 8 bytes as hex", value.getMessage());
            BpfException zero = assertThrows(BpfException.class, () -> MapJson.applyInit(c,
                    json("{'maps': {'ports': [{'key': '00000000', 'value': '00000000', 'prog': 'xdp_egress_mark'}]}}")));
            assertEquals("map ports key 00000000: update failed: EINVAL", zero.getMessage(), "no program without a device");
        }
    }

    @Test
    void aDevmapEntryNamingAMissingDeviceIsRefused() throws Exception {
        try (BpfCollection c = load("maps_devmap_prog.o")) {
            ((DevMap) c.map("ports")).setDeviceCheck(ifindex -> ifindex == 5);
            ((DevMapHash) c.map("ports_by_id")).setDeviceCheck(ifindex -> ifindex == 5);
            MapJson.applyInit(c, json("{'maps': {'ports': [{'key': '00000000', 'value': '0500000000000000'}]}}"));
            BpfException e = assertThrows(BpfException.class, () -> MapJson.applyInit(c,
                    json("{'maps': {'ports': [{'key': '01000000', 'value': '0900000000000000'}]}}")));
            assertEquals("map ports key 01000000: update failed: EINVAL: no device has ifindex 9 (dev_get_by_index)",
                    e.getMessage());
            BpfException h = assertThrows(BpfException.class, () -> MapJson.applyInit(c,
                    json("{'maps': {'ports_by_id': [{'key': '09000000', 'value': '09000000', 'prog': 'xdp_egress_mark'}]}}")));
            assertEquals("map ports_by_id key 09000000: update failed: EINVAL: no device has ifindex 9 (dev_get_by_index)",
                    h.getMessage());
        }
    }

    @Test
    void sectionsGiveLibbpfsAttachTypes() {
        try (BpfCollection d = load("maps_devmap_prog.o"); BpfCollection cp = load("maps_cpumap_prog.o")) {
            assertEquals(AttachType.XDP, d.program("xdp_to_port").expectedAttachType());
            assertEquals(AttachType.XDP_DEVMAP, d.program("xdp_egress_mark").expectedAttachType());
            assertEquals(AttachType.XDP_CPUMAP, cp.program("xdp_cpu_stage").expectedAttachType());
            assertNotEquals(d.program("xdp_to_port").id(), d.program("xdp_egress_mark").id(), "program ids are unique");
        }
        String[][] table = {{"xdp.frags/devmap", "XDP_DEVMAP"}, {"xdp.frags/cpumap", "XDP_CPUMAP"}, {"xdp.frags", "XDP"},
                {"xdp/devmap/x", "XDP"}, {"xdp_devmap/x", "XDP_DEVMAP"}, {"xdp_cpumap/x", "XDP_CPUMAP"},
                {"xdp_router", "XDP"}, {"tc", "NONE"}};
        for (String[] row : table) {
            ProgramSpec p = new ProgramSpec("p", row[0], new Insn[0], List.of(), List.of());
            assertEquals(AttachType.valueOf(row[1]), p.expectedAttachType(), row[0]);
        }
    }
}
