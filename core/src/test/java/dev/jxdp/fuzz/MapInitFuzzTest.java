package dev.jxdp.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.testrun.Engine;
import dev.jxdp.ebpf.testrun.MapJson;
import dev.jxdp.ebpf.testrun.ProgTestRun;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.CharConversionException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code --map-init} documents on mutated JSON, against one of a set of objects with every kind of map jxdp
 * has (arrays, per-CPU and LRU hashes, LPM tries, PROG_ARRAY, DEVMAP, DEVMAP_HASH, CPUMAP and XSKMAP with
 * entry programs, global data, a ring buffer), doing what {@code jxdp test-run} does with it: parse,
 * apply to fresh maps, run a program of the object, dump every map. Each document is refused cleanly
 * (not JSON, or a one-line {@link BpfException}) or taken whole; then what the dump says must read back:
 * applied to fresh maps, it dumps the same (per-CPU maps, whose dump sums the CPUs, and frozen
 * {@code .rodata} left out).
 *
 * <p>Input: byte 0 picks the object, byte 1 its program, the rest is the JSON. Seeds: each object's dump
 * after a run on a UDP frame, and documents with program entries.
 */
class MapInitFuzzTest {

    /** The objects the documents are applied to, with the maps and programs named in the seeds. */
    static final List<String> OBJECTS = List.of("count_maps", "lpm_router", "maps_devmap_prog", "maps_cpumap_prog",
            "tail_dispatch", "global_data", "ringbuf_out", "maps_lru", "redirect_kinds", "conntrack", "helper_tailcall");
    private static final List<ObjectSpec> SPECS = OBJECTS.stream()
            .map(o -> ElfLoader.parse(SeedObjects.bytes(SeedObjects.object("core/src/test/bpf/" + o + ".o")), o + ".o"))
            .toList();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] FRAME = udpFrame();

    static Stream<byte[]> seedDocuments() {
        List<byte[]> seeds = new ArrayList<>();
        for (int o = 0; o < SPECS.size(); o++) {
            try (BpfCollection c = BpfCollection.load(SPECS.get(o))) {
                BpfProgram p = xdpPrograms(c).get(0);
                ProgTestRun.run(c, p, FRAME, 1, false, Engine.INTERP);
                ObjectNode doc = JSON.createObjectNode();
                doc.set("maps", MapJson.dump(c));
                seeds.add(input(o, 0, doc.toString()));
            }
        }
        seeds.add(input(OBJECTS.indexOf("tail_dispatch"), 4,
                "{\"maps\": {\"jmp_table\": [{\"key\": \"00000000\", \"prog\": \"xdp_stage_ipv4\"},"
                        + " {\"key\": \"01000000\", \"prog\": \"xdp_stage_udp\"}]}}"));
        seeds.add(input(OBJECTS.indexOf("maps_devmap_prog"), 0,
                "{\"maps\": {\"ports\": [{\"key\": \"01000000\", \"value\": \"05000000\", \"prog\": \"xdp_egress_mark\"}],"
                        + " \"ports_by_id\": [{\"key\": \"07000000\", \"value\": \"0700000000000000\"}]}}"));
        seeds.add(input(OBJECTS.indexOf("maps_cpumap_prog"), 0,
                "{\"maps\": {\"cpus\": [{\"key\": \"00000000\", \"value\": \"00020000\", \"prog\": \"xdp_cpu_stage\"}]}}"));
        return seeds.stream();
    }

    @MethodSource("seedDocuments")
    @DictionaryEntries({"{\"maps\": {", "\"key\": \"", "\"value\": \"", "\"prog\": \"", "00000000", "ffffffff"})
    @FuzzTest
    void appliesOrRefuses(byte[] input) {
        if (input.length < 2) {
            return;
        }
        JsonNode doc;
        try {
            doc = JSON.readTree(Arrays.copyOfRange(input, 2, input.length));
        } catch (JsonProcessingException | CharConversionException e) {
            return;  // not JSON text, or not in an encoding JSON may use: the CLI says "not JSON: ..."
        } catch (IOException e) {
            throw new AssertionError("reading JSON from memory", e);
        }
        ObjectSpec spec = SPECS.get((input[0] & 0xff) % SPECS.size());
        String dump;
        try (BpfCollection c = BpfCollection.load(spec)) {
            try {
                MapJson.applyInit(c, doc);
            } catch (BpfException e) {
                CleanRefusal.check(e);
                return;
            }
            List<BpfProgram> progs = xdpPrograms(c);
            ProgTestRun.run(c, progs.get((input[1] & 0xff) % progs.size()), FRAME, 1, false, Engine.INTERP);
            dump = readBack(c);
        }
        ObjectNode again = JSON.createObjectNode();
        try {
            again.set("maps", JSON.readTree(dump));
        } catch (JsonProcessingException e) {
            throw new AssertionError("the dump is not JSON: " + dump, e);
        }
        try (BpfCollection fresh = BpfCollection.load(spec)) {
            MapJson.applyInit(fresh, again);
            assertEquals(dump, readBack(fresh), "the dump, applied to fresh maps, dumps differently");
        }
    }

    /** The dump of the maps whose dump can be applied back as it is: not per-CPU, not frozen. */
    private static String readBack(BpfCollection c) {
        ObjectNode all = MapJson.dump(c);
        for (BpfMap m : c.maps()) {
            if (m.type().isPerCpu() || m.frozen()) {
                all.remove(MapJson.jsonName(m));
            }
        }
        return all.toString();
    }

    private static List<BpfProgram> xdpPrograms(BpfCollection c) {
        return c.programs().stream().filter(p -> p.spec().isXdp()).toList();
    }

    private static byte[] input(int object, int program, String json) {
        byte[] text = json.getBytes(StandardCharsets.UTF_8);
        byte[] in = new byte[2 + text.length];
        in[0] = (byte) object;
        in[1] = (byte) program;
        System.arraycopy(text, 0, in, 2, text.length);
        return in;
    }

    /** Ethernet, IPv4 10.0.0.1 to 10.0.0.2, UDP 1234 to 53, 22 bytes of payload: 64 bytes. */
    private static byte[] udpFrame() {
        return HexFormat.of().parseHex("02000000000202000000000108004500003200010000401166bb0a0000010a000002"
                + "04d20035001e0000" + "000102030405060708090a0b0c0d0e0f101112131415");
    }
}
