package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.BpfException;
import org.junit.jupiter.api.Test;

import static dev.jxdp.ebpf.maps.MapFixture.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A map's values and keys may take at most {@link MapMath#MAX_MAP_BYTES}, its index at most half the heap,
 * both checked before anything is allocated. Found by ElfLoaderFuzzTest, whose mutated objects declared
 * arrays of billions of entries that jxdp then spent minutes zeroing, gigabytes at a time (and program
 * arrays and devmaps whose per-slot tables would not fit the heap at all).
 */
class MapMemoryLimitTest {

    private static String refusal(MapType type, int keySize, int valueSize, int maxEntries) {
        return assertThrows(BpfException.class, () -> Maps.create(spec("m", type, keySize, valueSize, maxEntries, 0)))
                .getMessage();
    }

    @Test
    void anArrayOfTwoBillionEntriesIsRefused() {
        assertEquals("map m: max_entries 2147483647 needs 137438953408 bytes of values and keys, more than jxdp's limit"
                + " of 1073741824 (1 GiB) per map", refusal(MapType.ARRAY, 4, 64, Integer.MAX_VALUE));
    }

    @Test
    void perCpuCopiesCountToo() {
        assertTrue(refusal(MapType.PERCPU_ARRAY, 4, 4096, 1 << 20).startsWith("map m: max_entries 1048576 needs "));
    }

    @Test
    void aHashJustPastTheLimitIsRefusedWhereOneWithinItIsNot() {
        // 16M entries of 8-byte keys and 64-byte values take 1.1 GiB; 1M of them 72 MiB
        assertTrue(refusal(MapType.HASH, 8, 64, 1 << 24).contains("more than jxdp's limit"));
        BpfMap fits = Maps.create(spec("fits", MapType.HASH, 8, 64, 1 << 20, 0));
        try {
            assertEquals(0, fits.userUpdate(new byte[8], new byte[64], 0));
        } finally {
            fits.close();
        }
    }

    @Test
    void aRingBufferOfTwoGigabytesIsRefused() {
        assertTrue(refusal(MapType.RINGBUF, 0, 0, 1 << 30).contains("needs 2147483648 bytes"));
    }

    @Test
    void slotTablesThatCannotFitTheHeapAreRefused() {
        for (MapType t : new MapType[] {MapType.PROG_ARRAY, MapType.DEVMAP, MapType.XSKMAP}) {
            assertTrue(refusal(t, 4, 4, Integer.MAX_VALUE).contains("of index, more than half the JVM heap"), t.name());
        }
        assertTrue(refusal(MapType.DEVMAP_HASH, 4, 4, 1 << 30).contains("of index, more than half the JVM heap"));
    }
}
