package dev.jxdp.xdp.dispatch;

import dev.jxdp.ebpf.jit.JitCode;
import dev.jxdp.ebpf.jit.JitProgram;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;

import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;

/** What the classes this package generates (the dispatcher's, a compiled chain's) name of the JIT's types. */
final class CodeDescs {

    private CodeDescs() {}

    /** The class-file writer, resolving the JIT's classes through this package's loader. */
    static final ClassFile CF = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
            ClassHierarchyResolver.defaultResolver().orElse(
                    ClassHierarchyResolver.ofClassLoading(CodeDescs.class.getClassLoader()))));
    static final ClassDesc CD_CODE = ClassDesc.of(JitCode.class.getName());
    static final ClassDesc CD_CX = ClassDesc.of(JitProgram.class.getName());
    static final ClassDesc CD_ST = ClassDesc.of("dev.jxdp.ebpf.runtime.ExecState");
    /** {@code JitCode.enter(cx, st, r1..r5, depth)}. */
    static final MethodTypeDesc ENTER = MethodTypeDesc.of(CD_long, CD_CX, CD_ST, CD_long, CD_long, CD_long,
            CD_long, CD_long, CD_int);
}
