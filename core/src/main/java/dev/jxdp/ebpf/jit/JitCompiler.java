package dev.jxdp.ebpf.jit;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;
import dev.jxdp.ebpf.runtime.BpfProgram;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.classfile.instruction.SwitchCase;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * eBPF to JVM bytecode: each program becomes a hidden class extending {@link JitCode}, each of its
 * functions (the entry, every bpf-to-bpf call target, every callback a lddw names) a static method whose
 * long locals are the registers. The program object is the class data, so map handles, function
 * addresses and the program used in fault messages are constants. One compiler caches the code of every
 * program it compiled, so tail calls into another program of the collection reach compiled code.
 */
public final class JitCompiler {

    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    private static final ClassFile CF = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
            ClassHierarchyResolver.defaultResolver().orElse(
                    ClassHierarchyResolver.ofClassLoading(JitCompiler.class.getClassLoader()))));

    private final Map<BpfProgram, JitCode> cache = new IdentityHashMap<>();

    /** Compiles {@code prog} with a compiler of its own (tail-call targets are compiled on first use). */
    public static JitProgram compile(BpfProgram prog) {
        return new JitCompiler().program(prog);
    }

    /** Compiles {@code prog}, or takes it from this compiler's cache, and gives it a per-thread runner. */
    public JitProgram program(BpfProgram prog) {
        long t0 = System.nanoTime();
        JitCode c = code(prog);
        return new JitProgram(this, prog, c, System.nanoTime() - t0);
    }

    /** The compiled code of {@code prog}; compiles it on first use. Allocation-free when cached. */
    synchronized JitCode code(BpfProgram prog) {
        JitCode c = cache.get(prog);
        if (c == null) {
            c = generate(prog);
            cache.put(prog, c);
        }
        return c;
    }

    /** The bytes of the class {@code prog} compiles to (for dumps and tests). */
    public static byte[] classBytes(BpfProgram prog) {
        return build(prog, classDesc(prog));
    }

    private static JitCode generate(BpfProgram prog) {
        byte[] bytes = classBytes(prog);
        try {
            MethodHandles.Lookup l = LOOKUP.defineHiddenClassWithClassData(bytes, prog, true);
            return (JitCode) l.findConstructor(l.lookupClass(), MethodType.methodType(void.class)).invoke();
        } catch (Throwable e) {
            throw new BpfException("program " + prog.name() + ": the JIT's class does not load: " + e);
        }
    }

    private static ClassDesc classDesc(BpfProgram prog) {
        StringBuilder sb = new StringBuilder();
        for (char ch : prog.name().toCharArray()) {
            sb.append(Character.isJavaIdentifierPart(ch) ? ch : '_');
        }
        return ClassDesc.of("dev.jxdp.ebpf.jit.Jitted_" + sb);
    }

    /** Function entries: instruction 0, the declared functions, every call and PSEUDO_FUNC target. */
    static int[] functions(BpfProgram prog) {
        Insn[] code = prog.insns();
        TreeSet<Integer> fns = new TreeSet<>();
        fns.add(0);
        ProgramSpec spec = prog.spec();
        if (spec.funcs() != null) {
            for (ProgramSpec.Func f : spec.funcs()) {
                if (f.insn() >= 0 && f.insn() < code.length) {
                    fns.add(f.insn());
                }
            }
        }
        for (int pc = 0; pc < code.length; pc++) {
            Insn in = code[pc];
            int t = -1;
            if (in.opcode() == (Op.JMP | Op.CALL) && in.src() == Op.PSEUDO_CALL) {
                t = pc + in.imm() + 1;
            } else if (in.opcode() == Op.LDDW && in.src() == Op.PSEUDO_FUNC) {
                t = pc + in.imm() + 1;
            }
            if (t >= 0 && t < code.length) {
                fns.add(t);
            }
        }
        int[] out = new int[fns.size()];
        int i = 0;
        for (int f : fns) {
            out[i++] = f;
        }
        return out;
    }

    private static byte[] build(BpfProgram prog, ClassDesc self) {
        int[] fns = functions(prog);
        try {
            return CF.build(self, cb -> {
                cb.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SUPER);
                cb.withSuperclass(Descs.CODE);
                cb.withMethodBody(ConstantDescs.INIT_NAME, ConstantDescs.MTD_void, ClassFile.ACC_PUBLIC,
                        c -> c.aload(0).invokespecial(Descs.CODE, ConstantDescs.INIT_NAME, ConstantDescs.MTD_void).return_());
                for (int f : fns) {
                    cb.withMethodBody(FunctionEmitter.methodName(f), Descs.FN, ClassFile.ACC_STATIC | ClassFile.ACC_PRIVATE,
                            c -> new FunctionEmitter(prog, self, c, f).emit());
                }
                cb.withMethodBody("enter", Descs.ENTER, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL, c -> {
                    loadArgs(c, 1);
                    c.invokestatic(self, FunctionEmitter.methodName(0), Descs.FN).lreturn();
                });
                cb.withMethodBody("callFn", Descs.CALL_FN, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL, c -> {
                    Label miss = c.newLabel();
                    List<SwitchCase> cases = new ArrayList<>();
                    List<Label> labels = new ArrayList<>();
                    for (int f : fns) {
                        Label l = c.newLabel();
                        labels.add(l);
                        cases.add(SwitchCase.of(f, l));
                    }
                    c.iload(1).lookupswitch(miss, cases);
                    for (int i = 0; i < fns.length; i++) {
                        c.labelBinding(labels.get(i));
                        loadArgs(c, 2);
                        c.invokestatic(self, FunctionEmitter.methodName(fns[i]), Descs.FN).lreturn();
                    }
                    c.labelBinding(miss);
                    c.loadConstant(-1).ldc("callback: instruction is not a function entry the JIT compiled")
                            .invokestatic(Descs.RT, "fault", Descs.FAULT).athrow();
                });
            });
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new BpfException("program " + prog.name() + " too large for the JIT yet: " + prog.insns().length
                    + " instructions (" + e.getMessage() + ")");
        }
    }

    // (cx, st, r1..r5, depth) from the locals of enter/callFn starting at slot first
    private static void loadArgs(CodeBuilder c, int first) {
        c.aload(first).aload(first + 1);
        for (int i = 0; i < 5; i++) {
            c.lload(first + 2 + 2 * i);
        }
        c.iload(first + 12);
    }
}
