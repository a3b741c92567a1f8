package dev.jxdp.ebpf.maps;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.jxdp.ebpf.maps.MapFixture.le32;
import static dev.jxdp.ebpf.maps.MapFixture.spec;
import static org.junit.jupiter.api.Assertions.*;

/**
 * DEVMAP, DEVMAP_HASH and CPUMAP entries with a second program, and the DEVMAP device check: the kernel's
 * codes as a kernel 6.18 gave them for the same updates with program fds (__dev_map_alloc_node(),
 * __cpu_map_entry_alloc()).
 */
class EntryProgramTest {

    private record Prog(String name, int id, AttachType expectedAttachType) implements ProgramRef {}

    private static final Prog EGRESS = new Prog("egress", 102, AttachType.XDP_DEVMAP);
    private static final Prog STAGE = new Prog("stage", 105, AttachType.XDP_CPUMAP);
    private static final Prog MAIN = new Prog("main", 101, AttachType.XDP);

    private final List<BpfMap> maps = new ArrayList<>();

    private <M extends BpfMap> M create(MapType t, int valueSize, int max) {
        BpfMap m = Maps.create(spec("r", t, 4, valueSize, max, 0));
        maps.add(m);
        @SuppressWarnings("unchecked")
        M typed = (M) m;
        return typed;
    }

    @AfterEach
    void close() {
        maps.forEach(BpfMap::close);
    }

    private static byte[] val(long first, long second) {
        byte[] b = new byte[8];
        System.arraycopy(le32(first), 0, b, 0, 4);
        System.arraycopy(le32(second), 0, b, 4, 4);
        return b;
    }

    // ---- DEVMAP ----

    @Test
    void devmapEntryKeepsItsEgressProgramAndReportsItsId() {
        DevMap m = create(MapType.DEVMAP, 8, 4);
        assertEquals(0, m.updateWithProgram(le32(0), 1, EGRESS, 0));
        assertSame(EGRESS, m.entryProgram(0));
        assertArrayEquals(val(1, 102), m.userLookup(le32(0)), "the second u32 reads back as the program's id");
        assertEquals(1, m.ifindex(0));
        assertNull(m.entryProgram(1));
        assertNull(m.entryProgram(4), "out of range");
    }

    @Test
    void devmapTakesOnlyDevmapPrograms() {
        DevMap m = create(MapType.DEVMAP, 8, 4);
        assertEquals(-Errno.EINVAL, m.updateWithProgram(le32(1), 1, MAIN, 0));
        assertEquals(-Errno.EINVAL, m.updateWithProgram(le32(1), 1, STAGE, 0));
        assertNull(m.userLookup(le32(1)), "a refused update leaves the slot as it was");
        assertEquals(-Errno.EINVAL, m.updateWithProgram(le32(0), 0, EGRESS, 0), "no program without a device");
        assertEquals(-Errno.E2BIG, m.updateWithProgram(le32(4), 1, EGRESS, 0));
        assertEquals(-Errno.EEXIST, m.updateWithProgram(le32(0), 1, EGRESS, MapFlags.BPF_NOEXIST));
    }

    @Test
    void devmapWithFourByteValuesHasNoRoomForAProgram() {
        DevMap m = create(MapType.DEVMAP, 4, 4);
        assertEquals(-Errno.EINVAL, m.updateWithProgram(le32(0), 1, EGRESS, 0));
        assertEquals(0, m.updateWithProgram(le32(0), 1, null, 0));
    }

    @Test
    void devmapUpdateOrDeleteDropsTheProgram() {
        DevMap m = create(MapType.DEVMAP, 8, 4);
        m.updateWithProgram(le32(2), 3, EGRESS, 0);
        assertEquals(0, m.userUpdate(le32(2), val(3, 0), 0));
        assertNull(m.entryProgram(2), "a new entry without a program");
        assertArrayEquals(val(3, 0), m.userLookup(le32(2)));
        m.updateWithProgram(le32(2), 3, EGRESS, 0);
        assertEquals(0, m.userDelete(le32(2)));
        assertNull(m.entryProgram(2));
        assertEquals(0, m.updateWithProgram(le32(2), 0, null, 0), "ifindex 0 empties the slot");
    }

    // ---- DEVMAP_HASH ----

    @Test
    void devmapHashEntryKeepsItsEgressProgram() {
        DevMapHash m = create(MapType.DEVMAP_HASH, 8, 2);
        assertEquals(0, m.updateWithProgram(le32(7), 1, EGRESS, 0));
        assertSame(EGRESS, m.entryProgram(7));
        assertArrayEquals(val(1, 102), m.userLookup(le32(7)));
        assertEquals(-Errno.EINVAL, m.updateWithProgram(le32(8), 1, MAIN, 0));
        assertNull(m.userLookup(le32(8)));
        assertEquals(0, m.updateWithProgram(le32(7), 2, null, 0));
        assertNull(m.entryProgram(7), "replaced by an entry without a program");
        m.updateWithProgram(le32(7), 1, EGRESS, 0);
        assertEquals(0, m.userDelete(le32(7)));
        assertNull(m.entryProgram(7));
    }

    @Test
    void devmapHashChecksTheProgramBeforeItsRoom() {
        DevMapHash m = create(MapType.DEVMAP_HASH, 8, 1);
        assertEquals(0, m.updateWithProgram(le32(1), 1, EGRESS, 0));
        assertEquals(-Errno.EINVAL, m.updateWithProgram(le32(2), 1, STAGE, 0), "__dev_map_alloc_node() comes first");
        assertEquals(-Errno.E2BIG, m.updateWithProgram(le32(2), 1, EGRESS, 0));
    }

    // ---- CPUMAP ----

    @Test
    void cpumapEntryKeepsItsProgramAndReportsItsId() {
        CpuMap m = create(MapType.CPUMAP, 8, 2);
        assertEquals(0, m.updateWithProgram(le32(0), 64, STAGE, 0));
        assertSame(STAGE, m.entryProgram(0));
        assertArrayEquals(val(64, 105), m.userLookup(le32(0)));
        CpuMap.Entry e = m.entry(0);
        assertEquals(64, e.qsize());
        assertSame(STAGE, e.program());
        assertEquals(m.generation(0), e.generation());
    }

    @Test
    void cpumapRefusesOtherProgramsAsAFailedEntryAllocation() {
        CpuMap m = create(MapType.CPUMAP, 8, 1);
        assertEquals(-Errno.ENOMEM, m.updateWithProgram(le32(0), 64, MAIN, 0));
        assertEquals(-Errno.ENOMEM, m.updateWithProgram(le32(0), 64, EGRESS, 0));
        assertEquals(-Errno.ENOMEM, m.userUpdate(le32(0), val(64, 999), 0), "an fd that names no program");
        assertNull(m.userLookup(le32(0)));
        assertEquals(0, m.updateWithProgram(le32(0), 0, MAIN, 0), "qsize 0 deletes without looking at the program");
        assertEquals(-Errno.EOVERFLOW, m.updateWithProgram(le32(0), CpuMap.MAX_QSIZE + 1, STAGE, 0));
    }

    @Test
    void cpumapGenerationChangesWithEveryUpdateAndDelete() {
        CpuMap m = create(MapType.CPUMAP, 8, 1);
        int g0 = m.generation(0);
        m.updateWithProgram(le32(0), 64, null, 0);
        int g1 = m.generation(0);
        m.updateWithProgram(le32(0), 64, null, 0);
        int g2 = m.generation(0);
        m.userDelete(le32(0));
        int g3 = m.generation(0);
        assertNotEquals(g0, g1);
        assertNotEquals(g1, g2, "the same value again is still a new entry");
        assertNotEquals(g2, g3);
        assertEquals(0, m.entry(0).qsize());
        assertNull(m.entry(0).program());
    }

    // ---- the device check ----

    @Test
    void devmapRefusesAnIfindexNoDeviceHas() {
        DevMap m = create(MapType.DEVMAP, 8, 4);
        assertEquals(0, m.userUpdate(le32(0), val(9999, 0), 0), "no check: any ifindex (test-run has no devices)");
        m.setDeviceCheck(ifindex -> ifindex == 3);
        assertEquals(-Errno.EINVAL, m.userUpdate(le32(1), val(9999, 0), 0));
        assertEquals(-Errno.EINVAL, m.updateWithProgram(le32(1), 4, EGRESS, 0));
        assertNull(m.userLookup(le32(1)));
        assertEquals(0, m.userUpdate(le32(1), val(3, 0), 0));
        assertEquals(0, m.updateWithProgram(le32(2), 3, EGRESS, 0));
        assertEquals(0, m.userUpdate(le32(1), val(0, 0), 0), "ifindex 0 deletes whatever the devices");
        assertTrue(m.hasDevice(3));
        assertFalse(m.hasDevice(4));
        m.setDeviceCheck(null);
        assertEquals(0, m.userUpdate(le32(1), val(4, 0), 0));
    }

    @Test
    void devmapHashRefusesAnIfindexNoDeviceHas() {
        DevMapHash m = create(MapType.DEVMAP_HASH, 4, 1);
        m.setDeviceCheck(ifindex -> ifindex == 3);
        assertEquals(-Errno.EINVAL, m.userUpdate(le32(5), le32(5), 0));
        assertNull(m.userLookup(le32(5)));
        assertEquals(0, m.userUpdate(le32(3), le32(3), 0));
        assertEquals(-Errno.EINVAL, m.userUpdate(le32(4), le32(4), 0), "the device is checked before the room");
        assertFalse(m.hasDevice(5));
    }
}
