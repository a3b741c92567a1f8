package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.BpfException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import static dev.jxdp.ebpf.maps.MapFixture.le32;
import static dev.jxdp.ebpf.maps.MapFixture.spec;
import static org.junit.jupiter.api.Assertions.*;

class ProgArrayTest {

    private final MapFixture f = new MapFixture();
    private final ProgArray m = (ProgArray) Maps.create(spec("jmp", MapType.PROG_ARRAY, 4, 4, 4, 0));

    private record Prog(String name, int id) implements ProgramRef {}

    @AfterEach
    void close() {
        m.close();
        f.close();
    }

    // a direct tail-call site whose targets answer which program they were linked for
    private static final class TestSite extends ProgArray.Site {
        final MethodHandle unlinked = MethodHandles.constant(String.class, "unlinked");

        TestSite(int slot) {
            super(MethodType.methodType(String.class), slot);
        }

        @Override
        protected MethodHandle unlinked() { return unlinked; }

        String call() throws Throwable { return (String) dynamicInvoker().invokeExact(); }
    }

    private static MethodHandle linkedTo(String name) {
        return MethodHandles.constant(String.class, name);
    }

    @Test
    void aChangeOfItsSlotUnlinksATrackedSiteAndNoOther() throws Throwable {
        Prog a = new Prog("a", 1);
        m.set(1, a);
        TestSite s1 = new TestSite(1);
        TestSite s2 = new TestSite(2);
        m.track(s1);
        m.track(s2);
        assertEquals("unlinked", s1.call(), "a site starts unlinked");
        assertTrue(m.link(s1, a, linkedTo("a")));
        assertTrue(m.link(s2, null, linkedTo("empty")));
        assertEquals("a", s1.call());
        m.set(1, new Prog("b", 2));
        assertEquals("unlinked", s1.call(), "set: the slot's sites relink on their next call");
        assertEquals("empty", s2.call(), "another slot's site keeps its target");
        assertTrue(m.link(s2, null, linkedTo("empty")));
        m.set(2, a);
        assertEquals(0, m.userDelete(le32(2)));
        assertEquals("unlinked", s2.call(), "delete too");
    }

    @Test
    void aSiteIsNotLinkedForAProgramItsSlotNoLongerHolds() throws Throwable {
        Prog a = new Prog("a", 1);
        m.set(0, a);
        TestSite s = new TestSite(0);
        m.track(s);
        m.set(0, new Prog("b", 2));
        assertFalse(m.link(s, a, linkedTo("a")), "chosen for a, but the slot holds b now");
        assertEquals("unlinked", s.call());
    }

    @Test
    void setAndGet() {
        Prog p = new Prog("stage1", 17);
        m.set(2, p);
        assertSame(p, m.get(2));
        assertNull(m.get(1));
        assertNull(m.get(4));
        assertNull(m.get(-1));
        m.set(2, null);
        assertNull(m.get(2));
    }

    @Test
    void getUsesTheLow32BitsOfTheIndex() {
        Prog p = new Prog("a", 1);
        m.set(1, p);
        assertSame(p, m.get(0x1_0000_0001L), "bpf_tail_call reads the index as a u32");
    }

    @Test
    void setOutOfRangeIsAnError() {
        assertEquals("map jmp: slot 4 out of range (max_entries 4)",
                assertThrows(BpfException.class, () -> m.set(4, new Prog("a", 1))).getMessage());
    }

    @Test
    void userLookupGivesProgramId() {
        assertNull(m.userLookup(le32(0)));
        m.set(0, new Prog("a", 42));
        assertArrayEquals(le32(42), m.userLookup(le32(0)));
        assertNull(m.userLookup(le32(9)));
    }

    @Test
    void userUpdateWithBytesIsRefused() {
        assertEquals(-Errno.EINVAL, m.userUpdate(le32(0), le32(3), MapFlags.BPF_ANY));
        assertEquals(-Errno.EINVAL, m.userUpdate(le32(0), le32(3), MapFlags.BPF_NOEXIST));
        assertEquals(-Errno.E2BIG, m.userUpdate(le32(4), le32(3), MapFlags.BPF_ANY));
    }

    @Test
    void userDelete() {
        assertEquals(-Errno.ENOENT, m.userDelete(le32(1)));
        m.set(1, new Prog("a", 1));
        assertEquals(0, m.userDelete(le32(1)));
        assertNull(m.get(1));
        assertEquals(-Errno.E2BIG, m.userDelete(le32(4)));
    }

    @Test
    void programSideMapOpsAreRefused() {
        m.set(0, new Prog("a", 1));
        assertEquals(0, m.lookup(f.u32(0), 0));
        assertEquals(-Errno.EINVAL, m.update(f.u32(0), f.u32(0), 0, 0));
        assertEquals(-Errno.EINVAL, m.delete(f.u32(0), 0));
        assertEquals(-Errno.EINVAL, m.forEachElem(0, (k, v) -> true));
    }

    @Test
    void nextKeyInIndexOrder() {
        assertArrayEquals(le32(0), m.userNextKey(null));
        assertArrayEquals(le32(3), m.userNextKey(le32(2)));
        assertNull(m.userNextKey(le32(3)));
    }

    @Test
    void onlyTheMapObjectRegion() {
        assertEquals(1, m.regions().size());
        assertEquals(m.handle(), m.regions().get(0).base());
    }

    @Test
    void creationChecks() {
        assertThrows(BpfException.class, () -> Maps.create(spec("p", MapType.PROG_ARRAY, 4, 8, 4, 0)));
        assertThrows(BpfException.class, () -> Maps.create(spec("p", MapType.PROG_ARRAY, 4, 4, 4, MapFlags.BPF_F_RDONLY_PROG)));
        assertThrows(BpfException.class, () -> Maps.create(spec("p", MapType.PROG_ARRAY, 8, 4, 4, 0)));
    }
}
