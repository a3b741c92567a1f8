package dev.jxdp.ebpf.elf;

import dev.jxdp.ebpf.maps.MapSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Where a map value's struct bpf_spin_lock is, read from the value's BTF type as the kernel's
 * btf_parse_fields() finds it, and when a map has none to find (no BTF value type, as the kernel's
 * map->btf is then NULL; a map type that may not hold a lock, which libbpf creates again without BTF;
 * an object whose BTF the kernel refuses, which libbpf loads without). Each case is one the kernel
 * answered (the objects' verdicts are in oracle/verifier.json).
 */
class SpinLockBtfTest {

    static final Path BPF = Path.of(System.getProperty("jxdp.repo", "."), "core/src/test/bpf");

    private static MapSpec map(String object, String name) {
        return ElfLoader.load(BPF.resolve(object)).maps().stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow();
    }

    @Test
    void lockOffsetComesFromTheValueType() {
        assertEquals(8, map("spin_lock.o", "locked").spinLockOff(), "array: after the u64 cnt");
        assertEquals(8, map("spin_lock.o", "hlocked").spinLockOff(), "hash");
    }

    @Test
    void aLockInANestedStructOrAnArrayOfOneCounts() {
        assertEquals(12, map("spin_lock_nested.o", "nest").spinLockOff(), "in a nested struct");
        assertEquals(12, map("spin_lock_nested.o", "nest_array").spinLockOff(), "in an array of one struct");
        assertEquals(8, map("spin_lock_nested.o", "lock_array").spinLockOff(), "an array of one lock");
    }

    @Test
    void locksInALongerArrayAreNotLookedFor() {
        assertEquals(MapSpec.NO_SPIN_LOCK, map("verify_spin_lock_array.o", "arr_lock").spinLockOff());
    }

    @Test
    void aStructWithTwoLocksCostsTheObjectItsBtf() {
        assertEquals(MapSpec.NO_BTF, map("verify_spin_lock_two.o", "two_locks").spinLockOff());
    }

    @Test
    void aValueTypeWithoutALockHasNone() {
        assertEquals(MapSpec.NO_SPIN_LOCK, map("verify_spin_lock_nolock.o", "plain").spinLockOff());
        assertEquals(MapSpec.NO_SPIN_LOCK, map("spin_lock.o", "res").spinLockOff());
    }

    @Test
    void sizesOnlyMeansNoBtf() {
        assertEquals(MapSpec.NO_BTF, map("verify_spin_lock_nobtf.o", "sized").spinLockOff());
    }

    @Test
    void perCpuArrayWithALockIsCreatedWithoutBtf() {
        assertEquals(MapSpec.NO_BTF, map("verify_spin_lock_percpu.o", "percpu_locked").spinLockOff());
    }
}
