package dev.jxdp.ebpf.maps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jxdp.ebpf.mem.Mem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HexFormat;

import static dev.jxdp.ebpf.maps.MapFixture.spec;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The helper calls of core/src/test/bpf/maps_codes.c, made on jxdp's maps from the program side, give the
 * return codes the kernel gave (recorded from the kernel in maps_codes.kernel.json).
 */
class MapsKernelCodesTest {

    private final MapFixture f = new MapFixture();
    private final BpfMap arr = Maps.create(spec("arr", MapType.ARRAY, 4, 8, 4, 0));
    private final BpfMap hash = Maps.create(spec("hash", MapType.HASH, 4, 8, 2, 0));
    private final BpfMap lpm = Maps.create(spec("lpm", MapType.LPM_TRIE, 8, 4, 2, MapFlags.BPF_F_NO_PREALLOC));
    private final RingBufMap ring = (RingBufMap) Maps.create(spec("ring", MapType.RINGBUF, 0, 0, 4096, 0));
    private final long[] rc = new long[32];

    @AfterEach
    void close() {
        arr.close();
        hash.close();
        lpm.close();
        ring.close();
        f.close();
    }

    private long v4(int len, int a, int b, int c, int d) {
        return f.bytes(len, 0, 0, 0, a, b, c, d);
    }

    private void run() {
        long v = f.u64(1);
        long lock = MapFlags.BPF_F_LOCK;
        rc[0] = arr.update(f.u32(9), v, lock, 0);
        rc[1] = arr.update(f.u32(1), v, lock, 0);
        rc[2] = arr.update(f.u32(1), v, MapFlags.BPF_NOEXIST, 0);
        rc[3] = arr.delete(f.u32(1), 0);
        rc[4] = hash.update(f.u32(1), v, lock, 0);
        rc[5] = hash.update(f.u32(1), v, MapFlags.BPF_EXIST, 0);
        rc[6] = hash.update(f.u32(1), v, MapFlags.BPF_ANY, 0);
        rc[7] = hash.update(f.u32(2), v, MapFlags.BPF_ANY, 0);
        rc[8] = hash.update(f.u32(3), v, MapFlags.BPF_ANY, 0);
        rc[9] = hash.update(f.u32(2), v, MapFlags.BPF_ANY, 0);
        rc[10] = hash.delete(f.u32(7), 0);
        rc[11] = lpm.update(v4(16, 10, 1, 0, 0), f.u32(16), MapFlags.BPF_EXIST, 0);
        rc[12] = lpm.update(v4(16, 10, 1, 0, 0), f.u32(16), MapFlags.BPF_ANY, 0);
        rc[13] = lpm.update(v4(24, 10, 1, 2, 0), f.u32(24), MapFlags.BPF_NOEXIST, 0);
        rc[14] = lpm.update(v4(8, 10, 0, 0, 0), f.u32(24), MapFlags.BPF_ANY, 0);
        rc[15] = lpm.update(v4(16, 10, 1, 9, 9), f.u32(160), MapFlags.BPF_ANY, 0);
        long found = lpm.lookup(v4(20, 10, 1, 2, 3), 0);
        rc[16] = found != 0 ? Mem.getU32(found) : -1;
        found = lpm.lookup(v4(32, 10, 1, 2, 3), 0);
        rc[17] = found != 0 ? Mem.getU32(found) : -1;
        rc[18] = lpm.update(v4(33, 10, 1, 2, 3), f.u32(160), MapFlags.BPF_ANY, 0);
        rc[19] = lpm.delete(v4(17, 10, 1, 0, 0), 0);
        long buf = f.bytes(new byte[16]);
        rc[20] = ring.output(buf, 10, 0);
        rc[21] = ring.output(buf, 10, 4);
        rc[22] = ring.query(MapFlags.BPF_RB_AVAIL_DATA);
        rc[23] = ring.query(MapFlags.BPF_RB_PROD_POS);
        rc[24] = ring.query(MapFlags.BPF_RB_RING_SIZE);
        rc[25] = ring.query(7);
        int n = 0;
        for (int i = 0; i < 400 && ring.output(buf, 10, 0) == 0; i++) {
            n++;
        }
        rc[26] = n;
        rc[27] = ring.output(buf, 10, 0);
    }

    @Test
    void returnCodesMatchTheKernel() throws Exception {
        run();
        JsonNode kernel = new ObjectMapper().readTree(
                Path.of(System.getProperty("jxdp.repo", "."), "core/src/test/bpf/maps_codes.kernel.json").toFile());
        for (JsonNode e : kernel.path("maps").path("rc")) {
            int slot = (int) MapFixture.readLe(HexFormat.of().parseHex(e.get("key").asText()), 0, 4);
            long want = MapFixture.readLe(HexFormat.of().parseHex(e.get("value").asText()), 0, 8);
            assertEquals(want, rc[slot], "slot " + slot + " (see maps_codes.c)");
        }
    }

    @Test
    void lpmDumpMatchesTheKernel() {
        run();
        // postorder: the /24 under the /16 first; the /16 carries the bytes of the last update (10.1.9.9),
        // as the kernel's replacement node does
        byte[] first = lpm.userNextKey(null);
        assertArrayEquals(HexFormat.of().parseHex("180000000a010200"), first);
        assertArrayEquals(HexFormat.of().parseHex("100000000a010909"), lpm.userNextKey(first));
        assertNull(lpm.userNextKey(HexFormat.of().parseHex("100000000a010909")));
    }
}
