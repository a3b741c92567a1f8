package dev.jxdp.ebpf.verifier;

import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.isa.Asm;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The structural passes, each rejection with the message kernel 6.18 printed for the same code. */
class CfgCheckTest {

    static VerifierResult cfg(String asm) {
        ProgramSpec p = new ProgramSpec("t", "xdp", Asm.assemble(asm), List.of(), List.of());
        return Verifier.verify(p, List.of(), Verifier.Mode.CFG_ONLY, false);
    }

    static void rejected(String asm, int insn, String message) {
        VerifierResult r = cfg(asm);
        assertFalse(r.accepted(), "accepted: " + asm);
        assertEquals(message, r.message());
        assertEquals(insn, r.insn());
    }

    @Test
    void straightLineProgramIsAccepted() {
        assertTrue(cfg("r0 = 2\nexit").accepted());
    }

    @Test
    void boundedLoopBackEdgeIsAccepted() {
        assertTrue(cfg("r0 = 0\nloop: r0 += 1\nif r0 < 10 goto loop\nexit").accepted());
    }

    @Test
    void unreachableInstructionIsRejected() {
        rejected("r0 = 1\nexit\nr0 = 2\nexit", 2, "unreachable insn 2");
    }

    @Test
    void jumpOutOfRangeIsRejected() {
        rejected("if r1 == 0 goto +40\nr0 = 0\nexit", 0, "jump out of range from insn 0 to 41");
    }

    @Test
    void fallingOffTheEndIsRejected() {
        rejected("r0 = 1\nr0 = 2", 1, "last insn is not an exit or jmp");
    }

    @Test
    void conditionalJumpPastTheEndIsReportedBeforeTheFallOff() {
        rejected("r0 = 1\nif r0 == 0 goto +1\nr0 = 2", 1, "jump out of range from insn 1 to 3");
    }

    @Test
    void jumpIntoTheMiddleOfLddwIsRejected() {
        rejected("if r1 == 0 goto +1\nr0 = 0 ll\nexit", 1, "jump into the middle of ldimm64 insn 1");
    }

    @Test
    void jumpFromOneFunctionIntoAnotherIsRejected() {
        rejected("call f\ngoto +2\nexit\nf: r0 = 1\nexit", 1, "jump out of range from insn 1 to 4");
    }

    @Test
    void functionFallingIntoTheNextIsRejected() {
        rejected("call f\nr0 = 0\nf: r0 = 1\nexit", 1, "last insn is not an exit or jmp");
    }

    @Test
    void callOutsideTheProgramIsRejected() {
        rejected("call pc+10\nr0 = 0\nexit", 0, "call to invalid destination");
    }

    @Test
    void recursionRunsOutOfFramesAsInTheKernel() {
        // kernel 6.18 accepts the cycle in check_cfg() and stops when the ninth frame would be pushed
        rejected("call f\nr0 = 2\nexit\nf: call f\nr0 = 1\nexit", 3, "the call stack of 9 frames is too deep");
    }

    @Test
    void eightFramesAreAllowedNineAreNot() {
        StringBuilder ok = new StringBuilder("call f1\nexit\n");
        for (int i = 1; i < 7; i++) {
            ok.append("f").append(i).append(": call f").append(i + 1).append("\nexit\n");
        }
        ok.append("f7: r0 = 0\nexit\n");
        assertTrue(cfg(ok.toString()).accepted());
        String deep = ok.toString().replace("f7: r0 = 0\nexit\n", "f7: call f8\nexit\nf8: r0 = 0\nexit\n");
        rejected(deep, 14, "the call stack of 9 frames is too deep");
    }

    @Test
    void unknownOpcodeIsRejected() {
        rejected(".insn 0x8e dst=0 src=0 off=0 imm=0\nexit", 0, "unknown opcode 8e");
    }

    @Test
    void unknownHelperIsRejected() {
        rejected("call 999\nexit", 0, "invalid func unknown#999");
    }

    @Test
    void rejectionCarriesTheDisassembly() {
        VerifierResult r = cfg("r0 = 1\nexit\nr0 = 2\nexit");
        assertEquals("2: (b7) r0 = 2", r.context());
        assertEquals("2: (b7) r0 = 2\nunreachable insn 2", r.describe());
    }
}
