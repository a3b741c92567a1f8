package dev.jxdp.ebpf.jit;

import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;

import static java.lang.constant.ConstantDescs.CD_boolean;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;

/** Descriptors of the classes and methods generated code refers to. */
final class Descs {
    private Descs() {}

    static final ClassDesc CODE = ClassDesc.of("dev.jxdp.ebpf.jit.JitCode");
    static final ClassDesc CX = ClassDesc.of("dev.jxdp.ebpf.jit.JitProgram");
    static final ClassDesc RT = ClassDesc.of("dev.jxdp.ebpf.jit.JitRt");
    static final ClassDesc ST = ClassDesc.of("dev.jxdp.ebpf.runtime.ExecState");
    static final ClassDesc PROG = ClassDesc.of("dev.jxdp.ebpf.runtime.BpfProgram");
    static final ClassDesc FAULT_CD = ClassDesc.of("dev.jxdp.ebpf.runtime.BpfFault");
    static final ClassDesc LONGS = CD_long.arrayType();
    static final ClassDesc HELPERS = ClassDesc.of("dev.jxdp.ebpf.helpers.Helpers");
    static final ClassDesc SANDBOX_MEM = ClassDesc.of("dev.jxdp.ebpf.mem.SandboxMem");
    static final ClassDesc MAP = ClassDesc.of("dev.jxdp.ebpf.maps.BpfMap");
    static final ClassDesc MAPS = MAP.arrayType();
    static final ClassDesc LONG = ClassDesc.of("java.lang.Long");
    static final ClassDesc XDP_BUFF = ClassDesc.of("dev.jxdp.ebpf.runtime.XdpBuff");

    /** A function: (cx, st, r1..r5, depth) -> r0. */
    static final MethodTypeDesc FN = MethodTypeDesc.of(CD_long, CX, ST, CD_long, CD_long, CD_long, CD_long, CD_long, CD_int);
    static final MethodTypeDesc ENTER = MethodTypeDesc.of(CD_long, CX, ST, CD_long, CD_long, CD_long, CD_long, CD_long, CD_int);
    static final MethodTypeDesc CALL_FN = MethodTypeDesc.of(CD_long, CD_int, CX, ST, CD_long, CD_long, CD_long, CD_long, CD_long, CD_int);
    static final MethodTypeDesc FAULT = MethodTypeDesc.of(FAULT_CD, CD_int, ConstantDescs.CD_String);
    static final MethodTypeDesc LOAD = MethodTypeDesc.of(CD_long, ST, CD_long, PROG, CD_int);
    static final MethodTypeDesc STORE = MethodTypeDesc.of(ConstantDescs.CD_void, ST, CD_long, CD_long, PROG, CD_int);
    static final MethodTypeDesc ATOMIC = MethodTypeDesc.of(CD_long, ST, CD_long, CD_long, CD_long, CD_int, CD_boolean, PROG, CD_int);
    static final MethodTypeDesc TICK = MethodTypeDesc.of(ConstantDescs.CD_void, CX, PROG, CD_int);
    static final MethodTypeDesc LOAD_ACQ = MethodTypeDesc.of(CD_long, ST, CD_long, CD_int, PROG, CD_int);
    static final MethodTypeDesc STORE_REL = MethodTypeDesc.of(ConstantDescs.CD_void, ST, CD_long, CD_int, CD_long, PROG, CD_int);
    static final MethodTypeDesc MAY_GOTO = MethodTypeDesc.of(ConstantDescs.CD_boolean, CX, CD_int);
    static final MethodTypeDesc MAY_GOTO_RESET = MethodTypeDesc.of(ConstantDescs.CD_void, CX, CD_int);
    static final MethodTypeDesc AT = MethodTypeDesc.of(ConstantDescs.CD_void, CX, PROG, CD_int, CD_int);
    static final MethodTypeDesc TAIL = MethodTypeDesc.of(CODE, CX, ST, CD_long, CD_long, PROG, CD_int);
    static final MethodTypeDesc CALLX = MethodTypeDesc.of(CD_long, CX, ST, CD_long, CD_int, CD_long, CD_long, CD_long,
            CD_long, CD_long, CD_int, PROG, CD_int);
    static final MethodTypeDesc MAP_VALUE = MethodTypeDesc.of(CD_long, CX, ST, PROG, CD_int, CD_long, CD_int);
    static final MethodTypeDesc FUNC_ADDR = MethodTypeDesc.of(CD_long, CX, PROG, CD_int);
    static final MethodTypeDesc TAIL_MAP = MethodTypeDesc.of(CODE, CX, ST, MAP, CD_long, PROG, CD_int);
    static final MethodTypeDesc IN_SANDBOX = MethodTypeDesc.of(CD_long, CD_long, CD_int, PROG, CD_int);
    /** redirectMapTo and redirectXskTo: the state, the resolved map, the key and the flags. */
    static final MethodTypeDesc REDIRECT_MAP_TO = MethodTypeDesc.of(CD_long, ST, MAP, CD_long, CD_long);
    /** redirectXskMapTo: the state, the XSKMAP, the key and the flags. */
    static final MethodTypeDesc REDIRECT_XSK_MAP_TO = MethodTypeDesc.of(CD_long, ST,
            java.lang.constant.ClassDesc.of("dev.jxdp.ebpf.maps.XskMap"), CD_long, CD_long);
    static final MethodTypeDesc JI_I = MethodTypeDesc.of(CD_int, CD_long, CD_int);
    static final MethodTypeDesc JI_J = MethodTypeDesc.of(CD_long, CD_long, CD_int);
    static final MethodTypeDesc JIJ_V = MethodTypeDesc.of(ConstantDescs.CD_void, CD_long, CD_int, CD_long);
    static final MethodTypeDesc V_I = MethodTypeDesc.of(CD_int);
    static final MethodTypeDesc JJ_J = MethodTypeDesc.of(CD_long, CD_long, CD_long);
    static final MethodTypeDesc II_I = MethodTypeDesc.of(CD_int, CD_int, CD_int);
    static final MethodTypeDesc JJ_I = MethodTypeDesc.of(CD_int, CD_long, CD_long);
    static final MethodTypeDesc J_J = MethodTypeDesc.of(CD_long, CD_long);
    static final MethodTypeDesc J_V = MethodTypeDesc.of(ConstantDescs.CD_void, CD_long);
    static final MethodTypeDesc LOOP_AT = MethodTypeDesc.of(CD_long, ST, PROG, CD_int, CD_long, CD_long, CD_long, CD_long);
    static final MethodTypeDesc I_J = MethodTypeDesc.of(CD_long, CD_int);
}
