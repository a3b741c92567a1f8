package dev.jxdp.xdp.dispatch;

import dev.jxdp.ebpf.jit.JitCode;
import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.ebpf.runtime.XdpAction;
import dev.jxdp.xdp.chain.ChainPlan;

import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.classfile.instruction.SwitchCase;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DynamicConstantDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;

import static java.lang.constant.ConstantDescs.CD_boolean;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;

/**
 * A chain compiled into one class (issue 17's compiled chain; the kernel's freplace of libxdp's dispatcher
 * without a trampoline per program): a hidden class extending {@link JitCode} whose {@code enter} runs
 * each part with a call on that part's code as a constant (class data), so the JVM can inline every
 * program into the chain, and branches on the part's return code to the next part or out. The chain is a
 * program to whoever runs it: one dispatcher slot, one {@link XdpCall#update} to swap it in.
 *
 * <p>Its runner is {@link JitProgram#chain}: the parts' runners and run states for one worker thread.
 */
public final class CompiledChain {

    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    private static final ClassFile CF = CodeDescs.CF;
    private static final ClassDesc CD_CODE = CodeDescs.CD_CODE;
    private static final ClassDesc CD_CX = CodeDescs.CD_CX;
    private static final ClassDesc CD_ST = CodeDescs.CD_ST;
    private static final MethodTypeDesc ENTER = CodeDescs.ENTER;
    private static final MethodTypeDesc CALL_FN = MethodTypeDesc.of(CD_long, CD_int, CD_CX, CD_ST, CD_long, CD_long,
            CD_long, CD_long, CD_long, CD_int);
    private static final MethodTypeDesc RUN_PART = MethodTypeDesc.of(CD_long, CD_CODE, CD_ST, CD_ST);
    private static final MethodTypeDesc PART = MethodTypeDesc.of(CD_CX, CD_int);
    private static final MethodTypeDesc PART_STATE = MethodTypeDesc.of(CD_ST, CD_int);
    // enter's locals: 0 this, 1 cx, 2 st, 3..12 r1..r5, 13 depth; then the part's code as an int
    private static final int CODE_LOCAL = 14;

    private CompiledChain() {}

    /**
     * The compiled form of {@code plan} over {@code codes} (part i's compiled code at index i): an
     * instance of a new hidden class. Allocates and defines a class; once per chain (not per worker).
     */
    public static JitCode compile(ChainPlan plan, List<JitCode> codes) {
        if (codes.size() != plan.size()) {
            throw new IllegalArgumentException(plan.size() + " parts, " + codes.size() + " codes");
        }
        boolean bounded = true;
        for (JitCode c : codes) {
            bounded &= c.bounded();
        }
        byte[] bytes = classBytes(plan, bounded);
        try {
            MethodHandles.Lookup l = LOOKUP.defineHiddenClassWithClassData(bytes, List.copyOf(codes), true);
            return (JitCode) l.findConstructor(l.lookupClass(), MethodType.methodType(void.class)).invoke();
        } catch (Throwable e) {
            throw new IllegalStateException("the chain's class does not load: " + e, e);
        }
    }

    static byte[] classBytes(ChainPlan plan, boolean bounded) {
        ClassDesc self = ClassDesc.of(CompiledChain.class.getPackageName() + ".Chain" + plan.size());
        return CF.build(self, cb -> {
            cb.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SUPER);
            cb.withSuperclass(CD_CODE);
            cb.withMethodBody(ConstantDescs.INIT_NAME, ConstantDescs.MTD_void, ClassFile.ACC_PUBLIC,
                    c -> c.aload(0).invokespecial(CD_CODE, ConstantDescs.INIT_NAME, ConstantDescs.MTD_void).return_());
            cb.withMethodBody("enter", ENTER, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL, c -> enter(c, plan));
            cb.withMethodBody("bounded", MethodTypeDesc.of(CD_boolean), ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL,
                    c -> c.loadConstant(bounded ? 1 : 0).ireturn());
            // a chain has no functions of its own: a callback runs in its part's code, which its part's
            // run state names as the caller
            cb.withMethodBody("callFn", CALL_FN, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL, c -> c
                    .new_(ClassDesc.of(IllegalStateException.class.getName())).dup()
                    .ldc("a chain's code has no functions to call back")
                    .invokespecial(ClassDesc.of(IllegalStateException.class.getName()), ConstantDescs.INIT_NAME,
                            MethodTypeDesc.of(ConstantDescs.CD_void, ConstantDescs.CD_String))
                    .athrow());
        });
    }

    // the parts in an order where a part comes before the parts it continues to, so every jump goes
    // forward: r0 = cx.part(i).runPart(code_i, st, cx.partState(i)), then a switch on its code
    private static void enter(CodeBuilder c, ChainPlan plan) {
        int n = plan.size();
        Label[] at = new Label[n];
        for (int i = 0; i < n; i++) {
            at[i] = c.newLabel();
        }
        Label ret = c.newLabel();
        Label pass = c.newLabel();
        for (int i : plan.order()) {  // the reachable ones; an unreachable program gets no code
            c.labelBinding(at[i]);
            c.aload(1).loadConstant(i).invokevirtual(CD_CX, "part", PART);
            c.ldc(DynamicConstantDesc.ofNamed(ConstantDescs.BSM_CLASS_DATA_AT, ConstantDescs.DEFAULT_NAME, CD_CODE, i));
            c.aload(2);
            c.aload(1).loadConstant(i).invokevirtual(CD_CX, "partState", PART_STATE);
            c.invokevirtual(CD_CX, "runPart", RUN_PART).lstore(3);  // r0 in r1's local: r1 is not read again
            branch(c, plan, i, at, ret, pass);
        }
        c.labelBinding(pass);
        c.loadConstant((long) XdpAction.PASS).lreturn();
        c.labelBinding(ret);
        c.lload(3).lreturn();
    }

    // after part i: where each return code goes, one jump when they all go to one place
    private static void branch(CodeBuilder c, ChainPlan plan, int i, Label[] at, Label ret, Label pass) {
        Label[] to = new Label[ChainPlan.SLOTS];
        boolean same = true;
        for (int col = 0; col < ChainPlan.SLOTS; col++) {
            int t = plan.next(i, col);
            to[col] = t == ChainPlan.RETURN_RETVAL ? ret : t == ChainPlan.RETURN_PASS ? pass : at[t];
            same &= to[col] == to[0];
        }
        if (same) {
            c.goto_(to[0]);
            return;
        }
        // the code's low 32 bits, as the kernel reads an action; above XDP_REDIRECT (unsigned): OTHER
        c.lload(3).l2i().istore(CODE_LOCAL);
        c.iload(CODE_LOCAL).loadConstant(ChainPlan.OTHER)
                .invokestatic(ClassDesc.of(Integer.class.getName()), "compareUnsigned", MethodTypeDesc.of(CD_int, CD_int, CD_int))
                .ifge(to[ChainPlan.OTHER]);
        List<SwitchCase> cases = new ArrayList<>();
        for (int col = 0; col < ChainPlan.OTHER; col++) {
            cases.add(SwitchCase.of(col, to[col]));
        }
        c.iload(CODE_LOCAL).tableswitch(0, ChainPlan.OTHER - 1, to[ChainPlan.OTHER], cases);
    }
}
