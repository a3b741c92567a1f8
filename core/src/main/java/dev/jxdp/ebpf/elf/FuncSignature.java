package dev.jxdp.ebpf.elf;

import dev.jxdp.ebpf.elf.ProgramSpec.Arg;
import dev.jxdp.ebpf.elf.ProgramSpec.ArgKind;

import java.util.ArrayList;
import java.util.List;

/**
 * A function's signature from BTF (func_info and its FUNC and FUNC_PROTO types), as the kernel's
 * btf_prepare_func_args() reads it for a global function: its linkage, and each argument as the context
 * (a pointer to struct xdp_md, or one tagged {@code arg:ctx}), a number, or memory of the pointed-to
 * type's size (NULL allowed unless tagged {@code arg:nonnull}).
 */
final class FuncSignature {
    private FuncSignature() {}

    /** BTF_FUNC_GLOBAL, in a FUNC type's vlen field */
    private static final int BTF_FUNC_GLOBAL = 1;
    /** MAX_BPF_FUNC_REG_ARGS */
    private static final int MAX_ARGS = 5;

    static ProgramSpec.Func of(Btf btf, BtfExt ext, String section, int secInsnOff, int base, String name) {
        if (btf == null) {
            return new ProgramSpec.Func(base, name);
        }
        List<BtfExt.FuncInfo> infos = ext.funcInfo.get(section);
        if (infos == null) {
            return new ProgramSpec.Func(base, name);
        }
        int typeId = -1;
        for (BtfExt.FuncInfo fi : infos) {
            if (fi.insnOff() / 8 == secInsnOff) {
                typeId = fi.typeId();
            }
        }
        if (typeId <= 0 || typeId >= btf.typeCount()) {
            return new ProgramSpec.Func(base, name);
        }
        Btf.Type fn = btf.type(typeId);
        if (fn.kind() != Btf.KIND_FUNC) {
            return new ProgramSpec.Func(base, name);
        }
        boolean global = fn.vlen() == BTF_FUNC_GLOBAL;
        if (!global) {
            return new ProgramSpec.Func(base, name, false, List.of(), null);
        }
        Btf.Type proto = btf.type(fn.sizeOrType());
        if (proto.kind() != Btf.KIND_FUNC_PROTO) {
            return new ProgramSpec.Func(base, name, true, List.of(), "Invalid type of function " + fn.name() + "()");
        }
        if (proto.members().size() > MAX_ARGS) {
            return new ProgramSpec.Func(base, name, true, List.of(), "Global function " + fn.name() + "() with "
                    + proto.members().size() + " > " + MAX_ARGS + " args. Buggy compiler.");
        }
        Btf.Type ret = btf.skipModsAndTypedefs(proto.sizeOrType());
        if (ret.kind() != Btf.KIND_INT && ret.kind() != Btf.KIND_ENUM && ret.kind() != Btf.KIND_ENUM64) {
            return new ProgramSpec.Func(base, name, true, List.of(), "Global function " + fn.name()
                    + "() doesn't return scalar. Only those are supported.");
        }
        List<Arg> args = new ArrayList<>();
        for (int i = 0; i < proto.members().size(); i++) {
            Btf.Member m = proto.members().get(i);
            List<String> tags = argTags(btf, typeId, i);
            Btf.Type t = btf.skipModsAndTypedefs(m.type());
            if (t.kind() == Btf.KIND_PTR) {
                Btf.Type to = btf.skipModsAndTypedefs(t.sizeOrType());
                if (tags.contains("ctx") || to.kind() == Btf.KIND_STRUCT && to.name().equals("xdp_md")) {
                    args.add(new Arg(ArgKind.CTX, 0, false));
                    continue;
                }
                long size = btf.resolveSize(t.sizeOrType());
                if (size < 0) {
                    return new ProgramSpec.Func(base, name, true, List.of(), "arg#" + i + " reference type('"
                            + to.kindName() + " " + to.name() + "') size cannot be determined: -22");
                }
                args.add(new Arg(ArgKind.MEM, (int) size, !tags.contains("nonnull")));
                continue;
            }
            if (!tags.isEmpty()) {
                return new ProgramSpec.Func(base, name, true, List.of(), "arg#" + i
                        + " has pointer tag, but is not a pointer type");
            }
            if (t.kind() == Btf.KIND_INT || t.kind() == Btf.KIND_ENUM || t.kind() == Btf.KIND_ENUM64) {
                args.add(new Arg(ArgKind.SCALAR, 0, false));
                continue;
            }
            return new ProgramSpec.Func(base, name, true, List.of(), "Arg#" + i + " type " + t.kindName()
                    + " in " + fn.name() + "() is not supported yet.");
        }
        return new ProgramSpec.Func(base, name, true, List.copyOf(args), null);
    }

    // the "arg:<tag>" decl tags on argument i of the function
    private static List<String> argTags(Btf btf, int funcId, int i) {
        List<String> tags = new ArrayList<>();
        for (Btf.Type t : btf.types()) {
            if (t.kind() == Btf.KIND_DECL_TAG && t.sizeOrType() == funcId && t.extra() == i
                    && t.name().startsWith("arg:")) {
                tags.add(t.name().substring(4));
            }
        }
        return tags;
    }
}
