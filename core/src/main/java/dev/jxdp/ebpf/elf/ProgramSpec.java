package dev.jxdp.ebpf.elf;

import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.maps.AttachType;

import java.util.List;

/**
 * One program as the object declares it, after static linking the way libbpf does it: the subprograms it
 * calls (from {@code .text} or its own section) appended after its own code with every pseudo call's imm
 * fixed to the new layout, and every map reference rewritten to the kernel's pre-fd form: {@code lddw} with
 * src {@code PSEUDO_MAP_IDX} (imm = index into {@link ObjectSpec#maps()}) or {@code PSEUDO_MAP_IDX_VALUE}
 * (imm = map index, the second slot's imm = offset into the value). A function address loaded for
 * {@code bpf_loop} is {@code lddw} src {@code PSEUDO_FUNC} with imm = the relative insn offset, as the kernel
 * expects it.
 *
 * @param name    the program's symbol name
 * @param section the ELF section it came from ({@code xdp}, {@code xdp.frags}, {@code xdp_router}, {@code tc}, ...)
 * @param insns   the linked instructions
 * @param funcs   where each function starts (the program itself at 0), with its name
 * @param lines   source lines by instruction, from .BTF.ext line_info (may be empty)
 * @param typeXdp true when the loader was told the type (bpftool's {@code prog load ... type xdp}, jxdp's
 *                {@code --type xdp}): the program is XDP whatever its section says
 */
public record ProgramSpec(String name, String section, Insn[] insns, List<Func> funcs, List<Line> lines,
                          boolean typeXdp) {

    /** A program whose type comes from its section name. */
    public ProgramSpec(String name, String section, Insn[] insns, List<Func> funcs, List<Line> lines) {
        this(name, section, insns, funcs, lines, false);
    }

    /** This program loaded as XDP whatever its section, as {@code bpftool prog load ... type xdp} does. */
    public ProgramSpec asXdp() {
        return typeXdp ? this : new ProgramSpec(name, section, insns, funcs, lines, true);
    }

    /**
     * A function of the linked program: its first instruction and name, and what its BTF says of it
     * (func_info): whether it is global (BTF_FUNC_GLOBAL linkage: the kernel verifies it once on its own,
     * for any arguments its prototype allows, rather than at each call) and, for a global one, its
     * arguments as the kernel's btf_prepare_func_args() classifies them, or why it cannot.
     */
    public record Func(int insn, String name, boolean global, List<Arg> args, String problem) {
        public Func(int insn, String name) {
            this(insn, name, false, List.of(), null);
        }
    }

    /** What a global function's argument is to the verifier. */
    public enum ArgKind {
        /** the program's context (a pointer to struct xdp_md, or tagged arg:ctx) */
        CTX,
        /** any number (an integer or enum) */
        SCALAR,
        /** a pointer to {@code size} bytes the function may read and write, or NULL unless arg:nonnull */
        MEM
    }

    /** One argument of a global function. */
    public record Arg(ArgKind kind, int size, boolean nullable) {}

    /** A source line for the instructions from {@code insn} on (line_info). */
    public record Line(int insn, String file, int line, int column, String text) {
        @Override
        public String toString() {
            String base = file.contains("/") ? file.substring(file.lastIndexOf('/') + 1) : file;
            return "; " + text.strip() + " @ " + base + ":" + line;
        }
    }

    /** The source line covering instruction {@code insn}, or null when BTF has none. */
    public Line lineOf(int insn) {
        Line best = null;
        for (Line l : lines) {
            if (l.insn() <= insn && (best == null || l.insn() >= best.insn())) {
                best = l;
            }
        }
        return best;
    }

    /**
     * The expected_attach_type the program loads with. From the section as libbpf's section_defs give it:
     * {@code xdp/devmap} and {@code xdp.frags/devmap} make a DEVMAP entry program, {@code xdp/cpumap} and
     * {@code xdp.frags/cpumap} a CPUMAP entry program (and libbpf 0.x's {@code xdp_devmap/...},
     * {@code xdp_cpumap/...}), every other XDP section a device's program. A type given to the loader makes
     * every program a device's one, as bpftool's {@code type xdp} sets BPF_XDP on each.
     */
    public AttachType expectedAttachType() {
        if (typeXdp) {
            return AttachType.XDP;
        }
        return switch (section) {
            case "xdp/devmap", "xdp.frags/devmap" -> AttachType.XDP_DEVMAP;
            case "xdp/cpumap", "xdp.frags/cpumap" -> AttachType.XDP_CPUMAP;
            default -> section.startsWith("xdp_devmap/") ? AttachType.XDP_DEVMAP
                    : section.startsWith("xdp_cpumap/") ? AttachType.XDP_CPUMAP
                    : isXdp() ? AttachType.XDP : AttachType.NONE;
        };
    }

    /** True when the program is an XDP one: by its section (libbpf 1.x's names or a legacy one) or by type. */
    public boolean isXdp() {
        return typeXdp || libbpfXdpSection(section) || legacyXdpSection(section);
    }

    /**
     * True when the program is XDP only by libbpf 0.x's rule, that any section starting with {@code xdp} is
     * one (SEC_SLOPPY_PFX): xdp-tutorial's {@code SEC("xdp_pass")}, {@code SEC("xdp/foo")}. libbpf 1.x
     * refuses these ("failed to guess program type from ELF section"); bpftool loads them with {@code type xdp}.
     */
    public boolean legacyXdp() {
        return !typeXdp && legacyXdpSection(section);
    }

    /** The XDP section names libbpf 1.x's section_defs take, each an exact match. */
    static boolean libbpfXdpSection(String section) {
        return switch (section) {
            case "xdp", "xdp.frags", "xdp/devmap", "xdp.frags/devmap", "xdp/cpumap", "xdp.frags/cpumap" -> true;
            default -> false;
        };
    }

    private static boolean legacyXdpSection(String section) {
        return section.startsWith("xdp") && !libbpfXdpSection(section);
    }
}
