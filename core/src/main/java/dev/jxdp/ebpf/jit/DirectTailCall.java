package dev.jxdp.ebpf.jit;

import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.maps.ProgArray;
import dev.jxdp.ebpf.maps.ProgramRef;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.runtime.ExecState;

import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DirectMethodHandleDesc;
import java.lang.constant.DynamicCallSiteDesc;
import java.lang.constant.DynamicConstantDesc;
import java.lang.constant.MethodHandleDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.CallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;

/**
 * A bpf_tail_call whose index the verifier proved constant, into a program array it knows: the kernel's
 * direct tail call (a poke descriptor, emit_bpf_tail_call_direct()). The site is an invokedynamic whose
 * call site, a {@link ProgArray.Site}, the program array tracks; linked, its target hands back the slot's compiled
 * code as a constant, so the generated code's {@code enter} call has a constant receiver and HotSpot can
 * inline the called program. A change of the slot unlinks the site; its next call links it again. The
 * semantics are the indirect call's: the run's count checked (33, MAX_TAIL_CALL_CNT), an empty slot falls
 * through without counting, a slot holding a program no engine here runs faults.
 *
 * <p>One site per hidden class and instruction, as the kernel keeps one descriptor per instruction; code
 * shared by several collections loaded from one object links to the program array of the collection it
 * was compiled for, and the generated code takes the indirect call when the running collection's map is
 * another ({@link #arrayConstant}).
 */
final class DirectTailCall extends ProgArray.Site {

    /** The site's type: (cx, st, the calling program, pc) -> the code to enter, or null to fall through. */
    static final MethodType TYPE = MethodType.methodType(JitCode.class, JitProgram.class, ExecState.class,
            BpfProgram.class, int.class);

    private static final ClassDesc SELF = ClassDesc.of(DirectTailCall.class.getName());
    private static final ClassDesc CD_CALL_SITE = ClassDesc.of(CallSite.class.getName());
    private static final ClassDesc CD_PROG_ARRAY = ClassDesc.of(ProgArray.class.getName());
    private static final DirectMethodHandleDesc BOOTSTRAP = MethodHandleDesc.ofMethod(
            DirectMethodHandleDesc.Kind.STATIC, SELF, "bootstrap", MethodTypeDesc.of(CD_CALL_SITE,
                    ConstantDescs.CD_MethodHandles_Lookup, ConstantDescs.CD_String, ConstantDescs.CD_MethodType,
                    ConstantDescs.CD_int, ConstantDescs.CD_int));
    private static final DirectMethodHandleDesc ARRAY = MethodHandleDesc.ofMethod(
            DirectMethodHandleDesc.Kind.STATIC, SELF, "array", MethodTypeDesc.of(CD_PROG_ARRAY,
                    ConstantDescs.CD_MethodHandles_Lookup, ConstantDescs.CD_String, ConstantDescs.CD_Class,
                    ConstantDescs.CD_int));
    private static final MethodTypeDesc SITE_TYPE = MethodTypeDesc.of(Descs.CODE, Descs.CX, Descs.ST, Descs.PROG,
            ConstantDescs.CD_int);

    private static final MethodHandle LINK;
    private static final MethodHandle ENTER;
    private static final MethodHandle FOREIGN;

    static {
        MethodHandles.Lookup l = MethodHandles.lookup();
        try {
            LINK = l.findVirtual(DirectTailCall.class, "link", TYPE);
            ENTER = l.findStatic(DirectTailCall.class, "enter", TYPE.insertParameterTypes(0, JitCode.class));
            FOREIGN = l.findStatic(DirectTailCall.class, "foreign", TYPE.insertParameterTypes(0, long.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ProgArray array;
    private final MethodHandle unlinked = LINK.bindTo(this);

    private DirectTailCall(ProgArray array, int slot) {
        super(TYPE, slot);
        this.array = array;
    }

    @Override
    protected MethodHandle unlinked() {
        return unlinked;
    }

    /**
     * Whether the call at a site may be direct: the map the verifier knows is a program array of the
     * program's collection and the constant index is one of its slots (a forged proof may claim others).
     */
    static boolean fits(BpfProgram prog, int mapIndex, long key) {
        List<BpfMap> maps = prog.collection() == null ? List.of() : prog.collection().maps();
        return mapIndex >= 0 && mapIndex < maps.size() && maps.get(mapIndex) instanceof ProgArray a
                && key >= 0 && key < a.maxEntries();
    }

    /** The invokedynamic of a direct call to {@code slot} of the program array at {@code mapIndex}. */
    static DynamicCallSiteDesc site(int mapIndex, long slot) {
        return DynamicCallSiteDesc.of(BOOTSTRAP, "tailCall", SITE_TYPE, mapIndex, (int) slot);
    }

    /** The program array the sites of the generated class link to, as a constant the code compares with. */
    static DynamicConstantDesc<ProgArray> arrayConstant(int mapIndex) {
        return DynamicConstantDesc.ofNamed(ARRAY, ConstantDescs.DEFAULT_NAME, CD_PROG_ARRAY, mapIndex);
    }

    static CallSite bootstrap(MethodHandles.Lookup l, String name, MethodType type, int mapIndex, int slot)
            throws IllegalAccessException {
        DirectTailCall d = new DirectTailCall(array(l, name, ProgArray.class, mapIndex), slot);
        d.array.track(d);
        return d;
    }

    static ProgArray array(MethodHandles.Lookup l, String name, Class<?> type, int mapIndex)
            throws IllegalAccessException {
        BpfProgram prog = MethodHandles.classData(l, ConstantDescs.DEFAULT_NAME, BpfProgram.class);
        return (ProgArray) prog.collection().maps().get(mapIndex);
    }

    // the unlinked target: links the site to the slot's program as it is now, then answers as linked
    private JitCode link(JitProgram cx, ExecState st, BpfProgram prog, int pc) throws Throwable {
        while (true) {
            ProgramRef ref = array.get(slot());
            MethodHandle target = targetFor(ref, cx);
            if (array.link(this, ref, target)) {
                return (JitCode) target.invokeExact(cx, st, prog, pc);
            }
        }
    }

    private MethodHandle targetFor(ProgramRef ref, JitProgram cx) {
        if (ref == null) {
            return MethodHandles.dropArguments(MethodHandles.constant(JitCode.class, null), 0, TYPE.parameterList());
        }
        if (ref instanceof BpfProgram p) {
            return MethodHandles.insertArguments(ENTER, 0, cx.compiler().code(p));
        }
        return MethodHandles.insertArguments(FOREIGN, 0, (long) slot());
    }

    // a populated slot, as ExecState.tailCallTarget counts it: the limit first, then the call counts
    private static JitCode enter(JitCode target, JitProgram cx, ExecState st, BpfProgram prog, int pc) {
        if (st.tailCalls >= ExecState.MAX_TAIL_CALLS) {
            return null;
        }
        st.tailCalls++;
        return target;
    }

    private static JitCode foreign(long slot, JitProgram cx, ExecState st, BpfProgram prog, int pc) {
        if (st.tailCalls >= ExecState.MAX_TAIL_CALLS) {
            return null;
        }
        throw JitFaults.fault(prog, pc, "bpf_tail_call: slot " + slot + " holds a program this engine cannot run");
    }
}
