package dev.jxdp.ebpf.jit;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;
import dev.jxdp.ebpf.runtime.BpfProgram;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.instruction.IncrementInstruction;
import java.lang.classfile.instruction.LoadInstruction;
import java.lang.classfile.instruction.StoreInstruction;
import java.lang.classfile.Label;
import java.lang.classfile.instruction.SwitchCase;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.function.Function;
import dev.jxdp.ebpf.verifier.Verifier;
import dev.jxdp.ebpf.verifier.VerifierFacts;
import dev.jxdp.ebpf.verifier.VerifierResult;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Set;
import java.lang.classfile.Attributes;
import java.lang.classfile.MethodModel;

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

    // by program spec: collections loaded from one object share their compiled code (map handles and
    // everything else per collection come from the JitProgram at run time)
    private final Map<ProgramSpec, JitCode> cache = new IdentityHashMap<>();
    // what the JIT may rely on for a program (null: nothing, every access checked at run time)
    private final Function<BpfProgram, Proof> proofOf;

    /** A compiler whose code checks every access at run time (programs no verifier has seen). */
    public JitCompiler() {
        this(p -> null);
    }

    private JitCompiler(Function<BpfProgram, Proof> proofOf) {
        this.proofOf = proofOf;
    }

    /**
     * A compiler that takes each program's facts from {@code factsOf} (e.g. verdicts already reached at
     * load time; null for a program compiles it with every check kept).
     */
    public static JitCompiler using(Function<BpfProgram, VerifierFacts> factsOf) {
        return new JitCompiler(p -> Proof.of(factsOf.apply(p)));
    }

    /**
     * Tests: a compiler that relies on whatever {@code proofOf} claims, true or not (forged facts), to
     * show that no proof, however wrong, lets code reach memory outside the sandbox.
     */
    static JitCompiler trusting(Function<BpfProgram, Proof> proofOf) {
        return new JitCompiler(proofOf);
    }

    /**
     * A compiler that verifies every program it compiles ({@link Verifier.Mode#FULL}) and drops the checks
     * the proof covers; a program the verifier rejects is compiled with every check kept.
     */
    public static JitCompiler verifying() {
        return new JitCompiler(p -> Proof.of(verifiedFacts(p)));
    }

    private static VerifierFacts verifiedFacts(BpfProgram p) {
        if (p.collection() == null || !p.spec().isXdp()) {
            return null;
        }
        VerifierResult r = Verifier.verify(p, Verifier.Mode.FULL, false);
        return r.accepted() ? r.facts() : null;
    }

    /** Compiles {@code prog} with a compiler of its own (tail-call targets are compiled on first use). */
    public static JitProgram compile(BpfProgram prog) {
        return new JitCompiler().program(prog);
    }

    /**
     * Compiles {@code prog} using what the verifier proved about it ({@code facts} from an accepted
     * {@link VerifierResult}; null compiles checked code); tail-call targets are verified on first use.
     */
    public static JitProgram compile(BpfProgram prog, VerifierFacts facts) {
        return new JitCompiler(p -> Proof.of(p == prog ? facts : verifiedFacts(p))).program(prog);
    }

    /** Compiles {@code prog}, or takes it from this compiler's cache, and gives it a per-thread runner. */
    public JitProgram program(BpfProgram prog) {
        prog.requireLoaded();
        long t0 = System.nanoTime();
        JitCode c = code(prog);
        return new JitProgram(this, prog, c, System.nanoTime() - t0);
    }

    /** The compiled code of {@code prog}; compiles it on first use. Allocation-free when cached. */
    synchronized JitCode code(BpfProgram prog) {
        JitCode c = cache.get(prog.spec());
        if (c == null) {
            c = generate(prog, proofOf.apply(prog));
            cache.put(prog.spec(), c);
        }
        return c;
    }

    /** The bytes of the class {@code prog} compiles to without verifier facts (for dumps and tests). */
    public static byte[] classBytes(BpfProgram prog) {
        return classBytes(prog, (Proof) null);
    }

    /** The bytes of the class {@code prog} compiles to with {@code facts} (null: every access checked). */
    public static byte[] classBytes(BpfProgram prog, VerifierFacts factsOrNull) {
        return classBytes(prog, Proof.of(factsOrNull));
    }

    // the bytes of the class prog compiles to relying on facts (null: every access checked)
    static byte[] classBytes(BpfProgram prog, Proof facts) {
        ClassDesc self = classDesc(prog);
        int[] fns = functions(prog);
        Set<Integer> split = new HashSet<>();
        byte[] bytes = null;
        try {
            bytes = build(prog, self, split, 0, facts);
            for (Map.Entry<String, Integer> m : methodSizes(bytes).entrySet()) {
                if (m.getValue() > SPLIT_ABOVE && m.getKey().startsWith("f")) {
                    split.add(Integer.parseInt(m.getKey().substring(1)));
                } else if (m.getValue() > SPLIT_ABOVE && m.getKey().equals("enter")) {
                    split.add(0);  // the main function, emitted as enter's body
                }
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            // some function overflows the class file's 64 KiB: split every one that might
            for (int f : fns) {
                if (estimate(prog, f) > SPLIT_ABOVE) {
                    split.add(f);
                }
            }
        }
        if (split.isEmpty() && bytes != null) {
            return bytes;
        }
        // cut into regions of about budget bytes; halve the budget until every method is compilable
        String why = "";
        for (int budget = REGION_BUDGET; budget >= 250; budget /= 2) {
            try {
                bytes = build(prog, self, split, budget, facts);
                int max = 0;
                for (int size : methodSizes(bytes).values()) {
                    max = Math.max(max, size);
                }
                if (max <= HUGE_METHOD_LIMIT) {
                    return bytes;
                }
                why = "a method of " + max + " bytes";
            } catch (IllegalArgumentException | IllegalStateException e) {
                why = e.getMessage();
            }
        }
        throw new BpfException("program " + prog.name() + " too large for the JIT: " + prog.insns().length
                + " instructions (" + why + ")");
    }

    /** HotSpot compiles no method with more bytecode than this (-XX:+DontCompileHugeMethods). */
    public static final int HUGE_METHOD_LIMIT = 8000;
    // a function whose method would exceed this becomes regions of about REGION_BUDGET estimated bytes
    private static final int SPLIT_ABOVE = 7000;
    private static final int REGION_BUDGET = 5000;

    /** Bytecode length of every method of a class, by name, in class-file order. */
    public static Map<String, Integer> methodSizes(byte[] classBytes) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (MethodModel m : ClassFile.of().parse(classBytes).methods()) {
            m.findAttribute(Attributes.code()).ifPresent(code -> out.put(m.methodName().stringValue(), code.codeLength()));
        }
        return out;
    }

    private static int estimate(BpfProgram prog, int entry) {
        FunctionEmitter fe = new FunctionEmitter(prog, null, null, entry, null);
        boolean[] reach = fe.reach();
        int sum = 0;
        for (int pc = 0; pc < reach.length; pc++) {
            if (reach[pc]) {
                sum += fe.cost(pc);
            }
        }
        return sum;
    }

    private static JitCode generate(BpfProgram prog, Proof facts) {
        byte[] bytes = classBytes(prog, facts);
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

    private static byte[] build(BpfProgram prog, ClassDesc self, Set<Integer> split, int budget, Proof facts) {
        int[] fns = functions(prog);
        {
            return CF.build(self, cb -> {
                cb.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SUPER);
                cb.withSuperclass(Descs.CODE);
                cb.withMethodBody(ConstantDescs.INIT_NAME, ConstantDescs.MTD_void, ClassFile.ACC_PUBLIC,
                        c -> c.aload(0).invokespecial(Descs.CODE, ConstantDescs.INIT_NAME, ConstantDescs.MTD_void).return_());
                boolean mainInEnter = !split.contains(0);
                for (int f : fns) {
                    if (split.contains(f)) {
                        splitFunction(cb, prog, self, f, budget, facts);
                    } else if (f != 0) {
                        cb.withMethodBody(FunctionEmitter.methodName(f), Descs.FN, ClassFile.ACC_STATIC | ClassFile.ACC_PRIVATE,
                                c -> new FunctionEmitter(prog, self, c, f, facts).mainInEnter(mainInEnter).emit());
                    }
                }
                cb.withMethodBody("enter", Descs.ENTER, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL, c -> {
                    if (mainInEnter) {
                        // the main function's body itself, not a call of a static f0: a caller that inlines
                        // enter (the dispatcher's leaves, a monomorphic call) gets the program without a
                        // second inlining decision, which C2 takes from enter's own call profile, and that
                        // profile is missing when enter was compiled at tier 2 (C1 without profiling, as
                        // the tiered policy does when C2's queue is long: many programs compiled at once)
                        c.transforming(AFTER_RECEIVER, b -> new FunctionEmitter(prog, self, b, 0, facts).mainInEnter(true).emit());
                    } else {
                        loadArgs(c, 1);
                        c.invokestatic(self, FunctionEmitter.methodName(0), Descs.FN).lreturn();
                    }
                });
                boolean bounded = facts != null && facts.bounded();
                cb.withMethodBody("bounded", MethodTypeDesc.of(ConstantDescs.CD_boolean), ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL,
                        c -> c.loadConstant(bounded ? 1 : 0).ireturn());
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
                        if (fns[i] == 0 && mainInEnter) {
                            c.aload(0);
                            loadArgs(c, 2);
                            c.invokevirtual(self, "enter", Descs.ENTER).lreturn();
                        } else {
                            loadArgs(c, 2);
                            c.invokestatic(self, FunctionEmitter.methodName(fns[i]), Descs.FN).lreturn();
                        }
                    }
                    c.labelBinding(miss);
                    c.loadConstant(-1).ldc("callback: instruction is not a function entry the JIT compiled")
                            .invokestatic(Descs.RT, "fault", Descs.FAULT).athrow();
                });
            });
        }
    }

    /**
     * One eBPF function as a dispatcher plus region methods: reachable instructions in address order cut
     * into runs of about {@code budget} estimated bytes; a jump or fall-through into another region returns
     * to the dispatcher, which calls that region (registers travel in cx.regs).
     */
    private static void splitFunction(java.lang.classfile.ClassBuilder cb, BpfProgram prog, ClassDesc self, int f, int budget,
                                      Proof facts) {
        FunctionEmitter probe = new FunctionEmitter(prog, null, null, f, null);
        boolean[] reach = probe.reach();
        int[] regionOf = new int[reach.length];
        java.util.Arrays.fill(regionOf, -1);
        int k = 0;
        int used = 0;
        for (int pc = 0; pc < reach.length; pc++) {
            if (!reach[pc]) {
                continue;
            }
            int cost = probe.cost(pc);
            if (used > 0 && used + cost > budget) {
                k++;
                used = 0;
            }
            regionOf[pc] = k;
            used += cost;
        }
        int regions = k + 1;
        List<TreeSet<Integer>> entries = new ArrayList<>();
        for (int i = 0; i < regions; i++) {
            entries.add(new TreeSet<>());
        }
        entries.get(regionOf[f]).add(f);
        for (int pc = 0; pc < reach.length; pc++) {
            if (!reach[pc] || probe.staticFault(pc) != null) {
                continue;
            }
            for (int s : probe.successors(pc)) {
                if (s >= 0 && s < reach.length && regionOf[s] != regionOf[pc]) {
                    entries.get(regionOf[s]).add(s);
                }
            }
        }
        cb.withMethodBody(FunctionEmitter.methodName(f), Descs.FN, ClassFile.ACC_STATIC | ClassFile.ACC_PRIVATE,
                c -> FunctionEmitter.emitDispatcher(c, self, f, regionOf[f], regions, probe.usesMayGoto(reach)));
        for (int i = 0; i < regions; i++) {
            int region = i;
            int[] in = entries.get(i).stream().mapToInt(Integer::intValue).toArray();
            cb.withMethodBody(FunctionEmitter.regionName(f, i), Descs.FN, ClassFile.ACC_STATIC | ClassFile.ACC_PRIVATE,
                    c -> new FunctionEmitter(prog, self, c, f, facts).emitRegion(regionOf, region, in));
        }
    }

    // FunctionEmitter writes a static method's locals (cx in 0); in the instance method enter, 0 is this
    private static final CodeTransform AFTER_RECEIVER = (b, e) -> {
        switch (e) {
            case LoadInstruction i -> b.loadLocal(i.typeKind(), i.slot() + 1);
            case StoreInstruction i -> b.storeLocal(i.typeKind(), i.slot() + 1);
            case IncrementInstruction i -> b.iinc(i.slot() + 1, i.constant());
            default -> b.with(e);
        }
    };

    // (cx, st, r1..r5, depth) from the locals of enter/callFn starting at slot first
    private static void loadArgs(CodeBuilder c, int first) {
        c.aload(first).aload(first + 1);
        for (int i = 0; i < 5; i++) {
            c.lload(first + 2 + 2 * i);
        }
        c.iload(first + 12);
    }
}
