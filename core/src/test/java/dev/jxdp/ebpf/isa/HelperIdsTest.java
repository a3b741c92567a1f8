package dev.jxdp.ebpf.isa;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Helper names by id: the kernel's, and jxdp's own from 0x10000, kept apart from the kernel's table. */
class HelperIdsTest {

    @Test
    void jxdpsRedirectXskIsNamedAndFoundByName() {
        assertEquals("bpf_redirect_xsk", HelperIds.name(0x10000));
        assertEquals(0x10000, HelperIds.byName("bpf_redirect_xsk"));
        assertEquals(0x10000, HelperIds.byName("redirect_xsk"));
        assertTrue(HelperIds.isJxdpExtension(HelperIds.JXDP_REDIRECT_XSK));
    }

    @Test
    void idsAroundTheExtensionsHaveNoName() {
        assertNull(HelperIds.name(212));
        assertNull(HelperIds.name(0xffff));
        assertNull(HelperIds.name(0x10001));
        assertNull(HelperIds.name(Integer.MAX_VALUE));
        assertNull(HelperIds.name(Integer.MIN_VALUE));
        assertFalse(HelperIds.isJxdpExtension(HelperIds.REDIRECT_MAP));
    }

    @Test
    void theAssemblerAndTheDisassemblerKnowIt() {
        Insn call = Asm.assemble("call bpf_redirect_xsk")[0];
        assertEquals(new Insn(0x85, 0, 0, 0, 0x10000), call);
        assertEquals("call bpf_redirect_xsk#65536", Disasm.insn(new Insn[] {call}, 0));
    }
}
