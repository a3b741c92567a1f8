package dev.jxdp.ebpf.verifier;

import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.isa.Asm;
import dev.jxdp.ebpf.maps.MapSpec;
import dev.jxdp.ebpf.maps.MapType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * jxdp's bpf_redirect_xsk (0x10000) before the verifier: the prototype (ctx, an XSKMAP, anything,
 * anything; a scalar back), as the kernel would check a helper of its own, and XDP programs only.
 */
class RedirectXskVerifierTest {

    private static final List<MapSpec> MAPS = List.of(spec("xsks", MapType.XSKMAP), spec("devs", MapType.DEVMAP),
            spec("arr", MapType.ARRAY));

    private static MapSpec spec(String name, MapType type) {
        return new MapSpec(name, type.id(), 4, 4, 8, 0, null, false, null, "test");
    }

    private static VerifierResult verify(String section, String asm) {
        ProgramSpec p = new ProgramSpec("t", section, Asm.assemble(asm, name -> {
            for (int i = 0; i < MAPS.size(); i++) {
                if (MAPS.get(i).name().equals(name)) {
                    return i;
                }
            }
            return -1;
        }), List.of(), List.of());
        return Verifier.verify(p, MAPS, "GPL", Verifier.Mode.FULL, false);
    }

    private static VerifierResult call(String r1, String map) {
        return verify("xdp", r1 + "\nr2 = map[" + map + "] ll\nr3 = *(u32 *)(r1 +16)\nr4 = 2\n"
                + "call bpf_redirect_xsk\nexit");
    }

    private static void rejected(VerifierResult r, int insn, String message) {
        assertFalse(r.accepted(), "accepted");
        assertEquals(message, r.message());
        assertEquals(insn, r.insn());
    }

    @Test
    void theCProgramIsAccepted() {
        VerifierResult r = AbstractInterpTest.object("xsk_redirect_xsk.o");
        assertTrue(r.accepted(), r::describe);
    }

    @Test
    void anXskMapWithTheContextIsAcceptedAndTheResultIsAScalar() {
        // r0 is a number: the program may compute with it and return it
        VerifierResult r = verify("xdp", "r2 = map[xsks] ll\nr3 = 0\nr4 = 0\ncall bpf_redirect_xsk\nr0 &= 7\nexit");
        assertTrue(r.accepted(), r::describe);
    }

    @Test
    void aDevmapIsRejectedAsTheKernelRejectsAWrongMapType() {
        rejected(call("", "devs"), 4, "cannot pass map_type 14 into func bpf_redirect_xsk#65536");
    }

    @Test
    void anArrayIsRejected() {
        rejected(call("", "arr"), 4, "cannot pass map_type 2 into func bpf_redirect_xsk#65536");
    }

    @Test
    void aMapThatIsNotAConstantIsRejected() {
        rejected(verify("xdp", "r2 = 7\nr3 = 0\nr4 = 0\ncall bpf_redirect_xsk\nexit"), 3,
                "R2 type=scalar expected=map_ptr");
    }

    @Test
    void aMapValueForTheMapIsRejected() {
        rejected(verify("xdp", "*(u32 *)(r10 -4) = 0\nr2 = r10\nr2 += -4\nr3 = 0\nr4 = 0\ncall bpf_redirect_xsk\nexit"),
                5, "R2 type=fp expected=map_ptr");
    }

    @Test
    void aFirstArgumentThatIsNotTheContextIsRejected() {
        rejected(verify("xdp", "r6 = r1\nr1 = 0\nr2 = map[xsks] ll\nr3 = 0\nr4 = 0\ncall bpf_redirect_xsk\nexit"),
                6, "R1 type=scalar expected=ctx");
    }

    @Test
    void thePacketForTheContextIsRejected() {
        rejected(verify("xdp", "r1 = *(u32 *)(r1 +0)\nr2 = map[xsks] ll\nr3 = 0\nr4 = 0\ncall bpf_redirect_xsk\nexit"),
                5, "R1 type=pkt expected=ctx");
    }

    @Test
    void aProgramThatIsNotXdpIsRejected() {
        VerifierResult r = verify("tc", "r2 = map[xsks] ll\nr3 = 0\nr4 = 0\ncall bpf_redirect_xsk\nexit");
        assertFalse(r.accepted());
        assertEquals("jxdp verifies XDP programs only; section tc is not one", r.message());
    }

    @Test
    void anXskMapIsStillRejectedForHelpersThatTakeNoSocketMap() {
        // check_map_func_compatibility()'s map-to-helper direction: adding the helper adds only itself
        rejected(verify("xdp", "r1 = map[xsks] ll\nr2 = 0\ncall bpf_ringbuf_query\nexit"), 3,
                "cannot pass map_type 17 into func bpf_ringbuf_query#134");
    }
}
