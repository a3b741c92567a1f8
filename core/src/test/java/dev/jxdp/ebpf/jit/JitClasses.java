package dev.jxdp.ebpf.jit;

import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.verifier.Verifier;

import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.util.List;

/** Tests: what the JIT's class for a program holds. */
public final class JitClasses {

    private JitClasses() {}

    /** The class {@code p} compiles to with its verifier facts. */
    public static byte[] verified(BpfProgram p) {
        return JitCompiler.classBytes(p, Verifier.verify(p, Verifier.Mode.FULL, false).facts());
    }

    /** The direct tail calls in the class {@code p} compiles to with its verifier facts. */
    public static int directTailCalls(BpfProgram p) {
        int n = 0;
        for (MethodModel m : ClassFile.of().parse(verified(p)).methods()) {
            for (var e : m.code().map(CodeModel::elementList).orElse(List.of())) {
                if (e instanceof InvokeDynamicInstruction indy && indy.name().stringValue().equals("tailCall")) {
                    n++;
                }
            }
        }
        return n;
    }
}
