package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.mem.Mem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.jxdp.ebpf.maps.MapFixture.le32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Values holding a bpf_spin_lock (at offset 8 of 16 bytes here, as BTF would place it): updates copy
 * around the lock word (copy_map_value()), BPF_F_LOCK copies holding it, user lookups show it as 0.
 */
class SpinLockValueTest {

    private final MapFixture f = new MapFixture();
    private BpfMap map;

    @AfterEach
    void close() {
        map.close();
        f.close();
    }

    private BpfMap locked(MapType type) {
        map = Maps.create(new MapSpec("locked", type.id(), 4, 16, 4, 0, null, false, List.of(), ".maps", 8));
        return map;
    }

    // 16 bytes: 0x11.. before the lock, the lock word ff ff ff ff, 0x22.. after it
    private long value() {
        return f.bytes(0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0xff, 0xff, 0xff, 0xff, 0x22, 0x22, 0x22, 0x22);
    }

    private static final byte[] SEEN = {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0, 0, 0, 0, 0x22, 0x22, 0x22, 0x22};

    @Test
    void arrayUpdateLeavesTheLockWord() {
        BpfMap m = locked(MapType.ARRAY);
        long slot = m.lookup(f.u32(1), 0);
        Mem.putU32(slot + 8, 1); // held by some program
        assertEquals(0, m.update(f.u32(1), value(), 0, 0));
        assertEquals(1, Mem.getU32(slot + 8), "the holder still holds it");
        assertEquals(0x1111111111111111L, Mem.getU64(slot));
        assertArrayEquals(SEEN, m.userLookup(le32(1)), "user space sees the lock as 0");
    }

    @Test
    void hashUpdateLeavesTheLockWord() {
        BpfMap m = locked(MapType.HASH);
        assertEquals(0, m.update(f.u32(1), value(), 0, 0));
        long slot = m.lookup(f.u32(1), 0);
        assertEquals(0, Mem.getU32(slot + 8), "a new element's lock is free");
        assertEquals(0, m.userUpdate(le32(1), SEEN.clone(), 0));
        assertArrayEquals(SEEN, m.userLookup(le32(1)));
    }

    @Test
    void bpfFLockCopiesHoldingTheValuesLock() {
        BpfMap m = locked(MapType.ARRAY);
        long slot = m.lookup(f.u32(2), 0);
        assertEquals(0, m.update(f.u32(2), value(), MapFlags.BPF_F_LOCK, 0));
        assertEquals(0, Mem.getU32(slot + 8), "taken and freed");
        assertEquals(0x22222222L, Mem.getU32(slot + 12));
        BpfMap h = Maps.create(new MapSpec("h", MapType.HASH.id(), 4, 16, 4, 0, null, false, List.of(), ".maps", 8));
        try {
            assertEquals(-Errno.ENOENT, h.update(f.u32(3), value(), MapFlags.BPF_F_LOCK | MapFlags.BPF_EXIST, 0));
            assertEquals(0, h.update(f.u32(3), value(), MapFlags.BPF_F_LOCK, 0), "a new element, as without the flag");
            assertEquals(0, h.update(f.u32(3), value(), MapFlags.BPF_F_LOCK | MapFlags.BPF_EXIST, 0), "in place");
        } finally {
            h.close();
        }
    }

    @Test
    void bpfFLockWithoutALockIsEinval() {
        map = Maps.create(MapFixture.spec("plain", MapType.ARRAY, 4, 16, 4, 0));
        assertEquals(-Errno.EINVAL, map.update(f.u32(0), value(), MapFlags.BPF_F_LOCK, 0));
        assertEquals(-Errno.EINVAL, map.userUpdate(le32(0), SEEN.clone(), MapFlags.BPF_F_LOCK));
    }
}
