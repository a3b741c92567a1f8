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
import static dev.jxdp.xdp.dispatch.CodeDescs.CD_CODE;
import static dev.jxdp.xdp.dispatch.CodeDescs.CD_CX;
import static dev.jxdp.xdp.dispatch.CodeDescs.CD_ST;
import static dev.jxdp.xdp.dispatch.CodeDescs.CF;
import static dev.jxdp.xdp.dispatch.CodeDescs.ENTER;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;

/**
 * A chain compiled into one class (issue 17's compiled chain; the kernel's freplace of libxdp's dispatcher
 * without a trampoline per program): a hidden class extending {@link JitCode} that runs each part with a
 * call on that part's code as a constant (class data), so the JVM can inline every program into the chain,
 * and branches on the part's return code to the next part or out. The parts are laid out in
 * {@link ChainPlan#order()}, {@link #CHUNK} to a method, every branch forward. The chain is a
 * program to whoever runs it: one dispatcher slot, one {@link XdpCall#update} to swap it in.
 *
 * <p>Its runner is {@link JitProgram#chain}: the parts' runners and run states for one worker thread.
 */
public final class CompiledChain {

    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    private static final MethodTypeDesc CALL_FN = MethodTypeDesc.of(CD_long, CD_int, CD_CX, CD_ST, CD_long, CD_long,
            CD_long, CD_long, CD_long, CD_int);
    private static final MethodTypeDesc RUN_PART = MethodTypeDesc.of(CD_long, CD_CODE, CD_ST, CD_ST);
    private static final MethodTypeDesc PART = MethodTypeDesc.of(CD_CX, CD_int);
    private static final MethodTypeDesc PART_STATE = MethodTypeDesc.of(CD_ST, CD_int);
    private static final MethodTypeDesc CHUNK_METHOD = MethodTypeDesc.of(CD_long, CD_CX, CD_ST, CD_int);
    // a chunk method's locals: 0 cx, 1 st, 2 the part to enter at, then r0 and the code's low half
    private static final int ENTRY_LOCAL = 2;
    private static final int R0_LOCAL = 3;
    private static final int CODE_LOCAL = 5;

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
            // enter runs the chunk of the first part; a chunk ends by returning or by calling a later chunk
            int[] order = plan.order();  // the reachable parts; an unreachable program gets no code
            int[] chunkOf = new int[plan.size()];
            for (int k = 0; k < order.length; k++) {
                chunkOf[order[k]] = k / CHUNK;
            }
            cb.withMethodBody("enter", ENTER, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL, c -> c.aload(1).aload(2)
                    .loadConstant(plan.first()).invokestatic(self, chunkName(chunkOf[plan.first()]), CHUNK_METHOD).lreturn());
            for (int from = 0; from < order.length; from += CHUNK) {
                int lo = from;
                int hi = Math.min(order.length, from + CHUNK);
                cb.withMethodBody(chunkName(lo / CHUNK), CHUNK_METHOD, ClassFile.ACC_PRIVATE | ClassFile.ACC_STATIC,
                        c -> chunk(c, self, plan, order, lo, hi, chunkOf));
            }
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

    private static String chunkName(int k) { return "chunk" + k; }

    /**
     * Parts per method. C2 inlines into one compilation at most DesiredMethodLimit (8,000) bytes of
     * bytecode: about twenty parts with their programs. One method for a longer chain left every part past
     * that an out-of-line runPart, whose code.enter had seen every part's class (a megamorphic call each);
     * a method per part nested the parts one inlining level each, and past MaxInlineLevel (15) the programs'
     * own helpers stopped inlining. Chunks of eight inline whole into their method, and a later chunk is a
     * direct call (inlined too while the budget lasts) of a method compiled with its programs inlined.
     */
    static final int CHUNK = 8;

    // parts order[lo..hi): a switch on the entry part, then each part in order: r0 = cx.part(i).runPart(
    // code_i, st, cx.partState(i)) and by its code a jump forward in this chunk, a call of a later chunk
    // (its result returned), or a return of the code or of XDP_PASS
    private static void chunk(CodeBuilder c, ClassDesc self, ChainPlan plan, int[] order, int lo, int hi, int[] chunkOf) {
        int here = lo / CHUNK;
        Label[] at = new Label[plan.size()];
        List<SwitchCase> entries = new ArrayList<>();
        for (int k = lo; k < hi; k++) {
            at[order[k]] = c.newLabel();
            entries.add(SwitchCase.of(order[k], at[order[k]]));
        }
        Label ret = c.newLabel();
        Label pass = c.newLabel();
        Label[] away = new Label[plan.size()];  // calls of a later chunk, by the part they enter at
        Label bad = c.newLabel();
        c.iload(ENTRY_LOCAL).lookupswitch(bad, entries);
        for (int k = lo; k < hi; k++) {
            int i = order[k];
            c.labelBinding(at[i]);
            c.aload(0).loadConstant(i).invokevirtual(CD_CX, "part", PART);
            c.ldc(DynamicConstantDesc.ofNamed(ConstantDescs.BSM_CLASS_DATA_AT, ConstantDescs.DEFAULT_NAME, CD_CODE, i));
            c.aload(1);
            c.aload(0).loadConstant(i).invokevirtual(CD_CX, "partState", PART_STATE);
            c.invokevirtual(CD_CX, "runPart", RUN_PART).lstore(R0_LOCAL);
            Label[] to = new Label[ChainPlan.SLOTS];
            boolean same = true;
            for (int col = 0; col < ChainPlan.SLOTS; col++) {
                int t = plan.next(i, col);
                if (t >= 0 && chunkOf[t] != here && away[t] == null) {
                    away[t] = c.newLabel();
                }
                to[col] = t == ChainPlan.RETURN_RETVAL ? ret : t == ChainPlan.RETURN_PASS ? pass
                        : chunkOf[t] == here ? at[t] : away[t];
                same &= to[col] == to[0];
            }
            if (same) {
                c.goto_(to[0]);
            } else {
                branch(c, to);
            }
        }
        c.labelBinding(ret);
        c.lload(R0_LOCAL).lreturn();
        c.labelBinding(pass);
        c.loadConstant((long) XdpAction.PASS).lreturn();
        for (int t = 0; t < away.length; t++) {
            if (away[t] != null) {
                c.labelBinding(away[t]);
                c.aload(0).aload(1).loadConstant(t).invokestatic(self, chunkName(chunkOf[t]), CHUNK_METHOD).lreturn();
            }
        }
        // entered at a part of another chunk: a bug of this class, never a program's doing
        c.labelBinding(bad);
        c.new_(ClassDesc.of(IllegalStateException.class.getName())).dup()
                .ldc("compiled chain: no part to enter at in chunk " + here)
                .invokespecial(ClassDesc.of(IllegalStateException.class.getName()), ConstantDescs.INIT_NAME,
                        MethodTypeDesc.of(ConstantDescs.CD_void, ConstantDescs.CD_String))
                .athrow();
    }

    // a switch on the code in R0_LOCAL to the six places of to (XDP_ABORTED..XDP_REDIRECT, any other)
    private static void branch(CodeBuilder c, Label[] to) {
        // the code's low 32 bits, as the kernel reads an action; above XDP_REDIRECT (unsigned): OTHER
        c.lload(R0_LOCAL).l2i().istore(CODE_LOCAL);
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
