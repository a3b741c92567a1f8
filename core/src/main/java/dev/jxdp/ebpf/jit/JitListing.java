package dev.jxdp.ebpf.jit;

import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.Instruction;
import java.lang.classfile.Label;
import java.lang.classfile.MethodModel;
import java.lang.classfile.PseudoInstruction;
import java.lang.classfile.attribute.CodeAttribute;
import java.lang.classfile.instruction.BranchInstruction;
import java.lang.classfile.instruction.ConstantInstruction;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.IncrementInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.LoadInstruction;
import java.lang.classfile.instruction.LookupSwitchInstruction;
import java.lang.classfile.instruction.StoreInstruction;
import java.lang.classfile.instruction.SwitchCase;
import java.lang.classfile.instruction.TableSwitchInstruction;
import java.lang.classfile.instruction.TypeCheckInstruction;
import java.util.Locale;

/**
 * A javap-like listing of a JIT class: one summary line per method (name, bytecode size, whether
 * HotSpot will compile it) and, when asked, each method's instructions with their bytecode offsets.
 */
public final class JitListing {
    private JitListing() {}

    /** The summary line of every method, and with {@code code} the instructions under each. */
    public static String of(byte[] classBytes, boolean code) {
        ClassModel cm = ClassFile.of().parse(classBytes);
        StringBuilder sb = new StringBuilder();
        sb.append("class ").append(cm.thisClass().asInternalName().replace('/', '.')).append(", ")
                .append(cm.methods().size()).append(" methods, ").append(classBytes.length).append(" bytes\n");
        for (MethodModel m : cm.methods()) {
            CodeAttribute ca = m.findAttribute(Attributes.code()).orElse(null);
            int size = ca == null ? 0 : ca.codeLength();
            sb.append(summary(m.methodName().stringValue() + m.methodType().stringValue(), size)).append('\n');
            if (code && ca != null) {
                listCode(sb, ca);
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /** {@code  f0(...)J  1234 bytes  compiled (<= 8000)}. */
    public static String summary(String method, int size) {
        return String.format("  %-72s %6d bytes  %s", method, size, size <= JitCompiler.HUGE_METHOD_LIMIT
                ? "compiled (<= " + JitCompiler.HUGE_METHOD_LIMIT + ")"
                : "NOT compiled by HotSpot (> " + JitCompiler.HUGE_METHOD_LIMIT + ", DontCompileHugeMethods)");
    }

    private static void listCode(StringBuilder sb, CodeAttribute ca) {
        int bci = 0;
        for (CodeElement e : ca) {
            if (e instanceof Instruction in) {
                sb.append(String.format("    %5d: %s%n", bci, insn(in, ca)));
                bci += in.sizeInBytes();
            } else if (e instanceof PseudoInstruction) {
                continue;
            }
        }
    }

    private static String insn(Instruction in, CodeAttribute ca) {
        String op = in.opcode().name().toLowerCase(Locale.ROOT);
        return switch (in) {
            case LoadInstruction l -> op.contains("_") ? op : op + " " + l.slot();
            case StoreInstruction s -> op.contains("_") ? op : op + " " + s.slot();
            case IncrementInstruction i -> op + " " + i.slot() + ", " + i.constant();
            case ConstantInstruction c -> op.contains("const_") ? op : op + " " + constant(c.constantValue());
            case BranchInstruction b -> op + " " + at(ca, b.target());
            case InvokeInstruction i -> op + " " + i.owner().asInternalName() + "." + i.name().stringValue()
                    + i.type().stringValue();
            case FieldInstruction f -> op + " " + f.owner().asInternalName() + "." + f.name().stringValue()
                    + ":" + f.type().stringValue();
            case TypeCheckInstruction t -> op + " " + t.type().asInternalName();
            case LookupSwitchInstruction s -> op + " {" + cases(s.cases(), ca) + " default: " + at(ca, s.defaultTarget()) + "}";
            case TableSwitchInstruction s -> op + " {" + cases(s.cases(), ca) + " default: " + at(ca, s.defaultTarget()) + "}";
            default -> op;
        };
    }

    private static String constant(Object v) {
        return v instanceof String s ? "\"" + (s.length() > 60 ? s.substring(0, 57) + "..." : s) + "\"" : String.valueOf(v);
    }

    private static int at(CodeAttribute ca, Label l) {
        return ca.labelToBci(l);
    }

    private static String cases(java.util.List<SwitchCase> cases, CodeAttribute ca) {
        StringBuilder sb = new StringBuilder();
        int n = 0;
        for (SwitchCase c : cases) {
            if (n++ == 8) {
                sb.append(" ... ").append(cases.size() - 8).append(" more;");
                break;
            }
            sb.append(' ').append(c.caseValue()).append(": ").append(at(ca, c.target())).append(';');
        }
        return sb.toString();
    }
}
