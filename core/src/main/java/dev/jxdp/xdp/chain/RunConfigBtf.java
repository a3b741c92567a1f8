package dev.jxdp.xdp.chain;

import dev.jxdp.XdpAction;
import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.Btf;
import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.maps.AttachType;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a program's run config from its object's BTF, as libxdp's xdp_program__parse_btf() does: the
 * struct variable {@code _PROG} of DATASEC {@code .xdp_run_config}, whose members are {@code __uint(name,
 * value)} fields ({@code int (*name)[value]}): {@code priority} sets run_prio, an action name
 * ({@code XDP_ABORTED} .. {@code XDP_REDIRECT}) turns chain calls on that action on (non-zero) or off (0).
 *
 * <p>As in libxdp, an object without BTF, without that DATASEC or without the program's variable gives the
 * defaults (priority 50, go on after XDP_PASS), and members start from the defaults; a variable that is
 * there but malformed (not a struct, an unknown member, a member that is not {@code __uint}) is an error,
 * because libxdp refuses to open such a program rather than run it in an order its author did not ask for.
 */
public final class RunConfigBtf {

    /** The DATASEC libxdp reads (XDP_RUN_CONFIG_SEC). */
    public static final String SECTION = ".xdp_run_config";

    private static final String PRIORITY = "priority";
    // BTF_VAR_STATIC and BTF_VAR_GLOBAL_ALLOCATED; libxdp refuses an extern (EOPNOTSUPP)
    private static final int VAR_STATIC = 0;
    private static final int VAR_GLOBAL_ALLOCATED = 1;

    private RunConfigBtf() {}

    /**
     * The run config of every program of {@code obj} that runs on an interface (an XDP program whose
     * expected attach type is BPF_XDP, not a DEVMAP or CPUMAP entry's), in the object's program order.
     */
    public static Map<String, XdpRunConfig> readAll(ObjectSpec obj) {
        Map<String, XdpRunConfig> out = new LinkedHashMap<>();
        for (ProgramSpec p : interfacePrograms(obj)) {
            out.put(p.name(), read(obj, p.name()));
        }
        return Collections.unmodifiableMap(out);
    }

    /** The programs of {@code obj} that may be a member of an interface's list, in the object's order. */
    public static List<ProgramSpec> interfacePrograms(ObjectSpec obj) {
        List<ProgramSpec> out = new ArrayList<>();
        for (ProgramSpec p : obj.programs()) {
            if (p.isXdp() && p.expectedAttachType() == AttachType.XDP) {
                out.add(p);
            }
        }
        return List.copyOf(out);
    }

    /**
     * The run config of {@code program} (which need not be in the object: its absence gives the defaults,
     * as libxdp's lookup by name does); a malformed one is a BpfException naming the program and member.
     */
    public static XdpRunConfig read(ObjectSpec obj, String program) {
        Btf btf = obj.btf();
        Btf.Type sec = btf == null ? null : btf.datasec(SECTION);
        if (sec == null) {
            return XdpRunConfig.DEFAULT;
        }
        String varName = "_" + program;
        for (Btf.Member vi : sec.members()) {
            Btf.Type var = btf.type(vi.type());
            if (var.name().equals(varName)) {
                return parse(btf, program, varName, var);
            }
        }
        return XdpRunConfig.DEFAULT;
    }

    // mirrors btf_get_section_var() and the member loop of xdp_program__parse_btf()
    private static XdpRunConfig parse(Btf btf, String program, String varName, Btf.Type var) {
        String where = "program " + program + ": " + SECTION + " " + varName;
        if (var.kind() != Btf.KIND_VAR) {
            throw new BpfException(where + ": kind " + var.kindName() + ", want a variable");
        }
        if (var.extra() != VAR_STATIC && var.extra() != VAR_GLOBAL_ALLOCATED) {
            throw new BpfException(where + ": linkage " + var.extra() + " (extern?), want a static or global "
                    + "variable");
        }
        Btf.Type def = btf.skipModsAndTypedefs(var.sizeOrType());
        if (def.kind() != Btf.KIND_STRUCT) {
            throw new BpfException(where + ": kind " + def.kindName() + ", want a struct of __uint() fields");
        }
        long prio = XdpRunConfig.DEFAULT_RUN_PRIO;
        int actions = XdpRunConfig.DEFAULT_CHAIN_CALL_ACTIONS;
        for (Btf.Member m : def.members()) {
            if (m.name().equals(PRIORITY)) {
                prio = fieldInt(btf, where, m);
                continue;
            }
            XdpAction a = action(m.name());
            if (a == null) {
                throw new BpfException(where + ": unknown member '" + m.name() + "' (want priority or "
                        + "XDP_ABORTED, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT)");
            }
            actions = fieldInt(btf, where, m) != 0 ? actions | 1 << a.code() : actions & ~(1 << a.code());
        }
        return new XdpRunConfig(prio, actions);
    }

    // get_field_int(): __uint(name, val) is "int (*name)[val]", so the value is the array's element count
    private static long fieldInt(Btf btf, String where, Btf.Member m) {
        Btf.Type p = btf.skipModsAndTypedefs(m.type());
        if (p.kind() != Btf.KIND_PTR) {
            throw new BpfException(where + ": member '" + m.name() + "': kind " + p.kindName()
                    + ", want __uint(" + m.name() + ", value) (a PTR to an ARRAY)");
        }
        // libxdp does not skip modifiers here: the pointee must be the array itself
        Btf.Type a = btf.type(p.sizeOrType());
        if (a.kind() != Btf.KIND_ARRAY) {
            throw new BpfException(where + ": member '" + m.name() + "': PTR to " + a.kindName()
                    + ", want __uint(" + m.name() + ", value) (a PTR to an ARRAY)");
        }
        return Integer.toUnsignedLong(a.extra());
    }

    private static XdpAction action(String name) {
        for (XdpAction a : XdpAction.values()) {
            if (XdpRunConfig.chainable(a) && XdpRunConfig.kernelName(a).equals(name)) {
                return a;
            }
        }
        return null;
    }
}
