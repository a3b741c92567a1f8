package dev.jxdp.ebpf.interp;

import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.runtime.BpfFault;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/** Whatever a program does, the interpreter returns or faults: random programs never crash the JVM. */
class InterpreterFuzzTest {

    // opcodes valid programs use, so most random programs get past the first instruction
    static final int[] OPCODES = {
            0x07, 0x0f, 0x17, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x47, 0x4f, 0x57, 0x5f, 0x67, 0x6f, 0x77, 0x7f, 0x87,
            0x97, 0x9f, 0xa7, 0xaf, 0xb7, 0xbf, 0xc7, 0xcf, 0xd4, 0xdc, 0xd7, 0x04, 0x0c, 0x34, 0x3c, 0x94, 0x9c,
            0xb4, 0xbc, 0x05, 0x06, 0x15, 0x1d, 0x25, 0x2d, 0x45, 0x55, 0x65, 0x6d, 0xa5, 0xad, 0x16, 0x1e, 0x85,
            0x8d, 0x95, 0x18, 0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91, 0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73,
            0x7b, 0xc3, 0xdb, 0x20, 0x40, 0xff, 0x00};

    @Test
    void randomProgramsReturnOrFault() {
        Random rnd = new Random(42);
        int faults = 0;
        for (int n = 0; n < 3000; n++) {
            Insn[] p = new Insn[1 + rnd.nextInt(24)];
            for (int i = 0; i < p.length; i++) {
                int opc = OPCODES[rnd.nextInt(OPCODES.length)];
                int imm = switch (rnd.nextInt(4)) {
                    case 0 -> rnd.nextInt(16) - 8;
                    case 1 -> rnd.nextInt(200);
                    case 2 -> new int[] {0x00, 0x01, 0x40, 0x41, 0x50, 0xa0, 0xe1, 0xf1, 16, 32, 64, 5, 12, 181}[rnd.nextInt(14)];
                    default -> rnd.nextInt();
                };
                p[i] = new Insn(opc, rnd.nextInt(12), rnd.nextInt(12), rnd.nextInt(64) - 48, imm);
            }
            p[p.length - 1] = I.exit();
            try (Harness h = new Harness(p)) {
                h.run(64);
            } catch (BpfFault expected) {
                if (expected.getMessage().contains("internal error")) {
                    fail("program " + n + ": " + expected.getMessage() + "\n" + java.util.Arrays.toString(p));
                }
                faults++;
            } catch (dev.jxdp.ebpf.BpfException refusedAtLoad) {
                // an unknown helper or lddw kind: the loader said no, which is fine too
            } catch (Throwable t) {
                fail("program " + n + " threw " + t + "\n" + java.util.Arrays.toString(p));
            }
        }
        if (faults == 0) {
            fail("no program faulted: the generator is not exercising the checks");
        }
    }
}
