package dev.jxdp.ebpf.verifier;

import dev.jxdp.ebpf.helpers.Helpers;
import dev.jxdp.ebpf.isa.HelperIds;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.InsnCheck;
import dev.jxdp.ebpf.isa.Op;

import java.util.Arrays;

/**
 * The structural passes the kernel runs before abstract interpretation: lddw pairs
 * (resolve_pseudo_ldimm64()), subprogram discovery from pseudo-call and function-address targets
 * (add_subprog_and_kfunc()), jumps kept inside their function and functions ending in exit or goto
 * (check_subprogs()), reachability and lddw halves (check_cfg()), opcode encodings (do_check()'s
 * reserved-field tests, via {@link InsnCheck}) and the static call depth. Back-edges are allowed, as
 * for a privileged loader: the abstract interpreter proves loops terminate.
 */
final class CfgCheck {
    private CfgCheck() {}

    /** MAX_CALL_FRAMES. */
    static final int MAX_CALL_FRAMES = 8;

    private static final int NONE = Integer.MIN_VALUE;

    /** Sorted first instructions of the program's functions; the main program is the first. */
    static int[] check(Insn[] insns, boolean callDepth) {
        int n = insns.length;
        if (n == 0) {
            throw new Rejection(-1, "empty program");
        }
        checkLddw(insns);
        int[] starts = subprogs(insns);
        checkSubprogs(insns, starts);
        checkReachable(insns);
        checkEncodings(insns);
        if (callDepth) {
            checkCallDepth(insns, starts);
        }
        return starts;
    }

    // mirrors resolve_pseudo_ldimm64()'s pairing test
    private static void checkLddw(Insn[] insns) {
        for (int i = 0; i < insns.length; i++) {
            if (insns[i].isLddw()) {
                if (i + 1 >= insns.length || InsnCheck.reason(insns, i) != null) {
                    throw new Rejection(i, "invalid bpf_ld_imm64 insn");
                }
                i++;
            }
        }
    }

    /** Whether the instruction names a function: a pseudo call or a function-address lddw. */
    static boolean definesSubprog(Insn in) {
        return (in.opcode() == (Op.JMP | Op.CALL) && in.src() == Op.PSEUDO_CALL)
                || (in.isLddw() && in.src() == Op.PSEUDO_FUNC);
    }

    // mirrors add_subprog_and_kfunc()
    static int[] subprogs(Insn[] insns) {
        int[] starts = new int[8];
        int count = 0;
        starts[count++] = 0;
        for (int i = 0; i < insns.length; i++) {
            Insn in = insns[i];
            if (definesSubprog(in)) {
                long target = (long) i + in.imm() + 1;
                if (target < 0 || target >= insns.length) {
                    throw new Rejection(i, "call to invalid destination");
                }
                if (Arrays.binarySearch(starts, 0, count, (int) target) < 0) {
                    if (count == starts.length) {
                        starts = Arrays.copyOf(starts, count * 2);
                    }
                    starts[count++] = (int) target;
                    Arrays.sort(starts, 0, count);
                }
            }
            if (in.isLddw()) {
                i++;
            }
        }
        return Arrays.copyOf(starts, count);
    }

    /** The function (index into {@code starts}) instruction {@code insn} belongs to. */
    static int subprogOf(int[] starts, int insn) {
        int at = Arrays.binarySearch(starts, insn);
        return at >= 0 ? at : -at - 2;
    }

    private static boolean isJump(Insn in) {
        int cls = in.cls();
        int op = Op.op(in.opcode());
        return (cls == Op.JMP || cls == Op.JMP32) && op != Op.CALL && op != Op.EXIT;
    }

    private static boolean isGoto(Insn in) {
        return in.opcode() == (Op.JMP | Op.JA) || in.opcode() == (Op.JMP32 | Op.JA);
    }

    static int jumpTarget(Insn in, int i) {
        return in.opcode() == (Op.JMP32 | Op.JA) ? i + in.imm() + 1 : i + in.off() + 1;
    }

    // mirrors check_subprogs(): every slot is visited, lddw second halves included, as the kernel does
    private static void checkSubprogs(Insn[] insns, int[] starts) {
        int cur = 0;
        int start = 0;
        int end = starts.length > 1 ? starts[1] : insns.length;
        for (int i = 0; i < insns.length; i++) {
            Insn in = insns[i];
            if (isJump(in)) {
                int target = jumpTarget(in, i);
                if (target < start || target >= end) {
                    throw new Rejection(i, "jump out of range from insn " + i + " to " + target);
                }
            }
            if (i == end - 1) {
                if (in.opcode() != (Op.JMP | Op.EXIT) && !isGoto(in)) {
                    throw new Rejection(i, "last insn is not an exit or jmp");
                }
                cur++;
                start = end;
                end = cur + 1 < starts.length ? starts[cur + 1] : insns.length;
            }
        }
    }

    // mirrors check_cfg(): a depth-first walk from the entry; loops are the interpreter's business
    private static void checkReachable(Insn[] insns) {
        int n = insns.length;
        boolean[] seen = new boolean[n];
        int[] stack = new int[n];
        int sp = 0;
        stack[sp++] = 0;
        seen[0] = true;
        while (sp > 0) {
            int t = stack[--sp];
            Insn in = insns[t];
            int next = t + (in.isLddw() ? 2 : 1);
            int a = NONE;
            int b = NONE;
            if (in.opcode() == (Op.JMP | Op.EXIT)) {
                // no successor
            } else if (isGoto(in)) {
                a = jumpTarget(in, t);
            } else if (isJump(in)) {
                a = next;
                b = jumpTarget(in, t);
            } else if (definesSubprog(in)) {
                a = next;
                b = t + in.imm() + 1;
            } else {
                a = next;
            }
            sp = push(t, a, seen, stack, sp);
            sp = push(t, b, seen, stack, sp);
        }
        for (int i = 0; i < n; i++) {
            if (!seen[i]) {
                throw new Rejection(i, "unreachable insn " + i);
            }
            if (insns[i].isLddw()) {
                if (seen[i + 1]) {
                    throw new Rejection(i, "jump into the middle of ldimm64 insn " + i);
                }
                i++;
            }
        }
    }

    // mirrors push_insn(): an edge leaving the program is refused, a seen target is not walked again
    private static int push(int from, int to, boolean[] seen, int[] stack, int sp) {
        if (to == NONE) {
            return sp;
        }
        if (to < 0 || to >= seen.length) {
            throw new Rejection(from, "jump out of range from insn " + from + " to " + to);
        }
        if (!seen[to]) {
            seen[to] = true;
            stack[sp++] = to;
        }
        return sp;
    }

    // the encoding tests do_check() makes on each instruction, and the helper ids jxdp implements
    private static void checkEncodings(Insn[] insns) {
        for (int i = 0; i < insns.length; i++) {
            Insn in = insns[i];
            String why = InsnCheck.reason(in);
            if (why != null) {
                throw new Rejection(i, why);
            }
            if (in.opcode() == (Op.JMP | Op.CALL) && in.src() == Op.CALL_HELPER && !Helpers.isSupported(in.imm())) {
                String name = HelperIds.name(in.imm());
                throw new Rejection(i, name == null
                        ? "invalid func unknown#" + in.imm()
                        : "helper " + name + "#" + in.imm() + " is not supported by jxdp");
            }
            if (in.opcode() == (Op.JMP | Op.CALL) && in.src() == Op.PSEUDO_KFUNC_CALL) {
                throw new Rejection(i, "calling kernel function is not supported by jxdp");
            }
            if (in.isLddw()) {
                i++;
            }
        }
    }

    // the depth bound __check_func_call() meets when it walks the calls; a call cycle never ends, so it
    // reaches the bound too
    private static void checkCallDepth(Insn[] insns, int[] starts) {
        int[] depth = new int[starts.length];
        walk(insns, starts, 0, 1, depth);
    }

    private static void walk(Insn[] insns, int[] starts, int subprog, int frames, int[] deepest) {
        if (deepest[subprog] >= frames) {
            return;
        }
        deepest[subprog] = frames;
        int end = subprog + 1 < starts.length ? starts[subprog + 1] : insns.length;
        for (int i = starts[subprog]; i < end; i++) {
            Insn in = insns[i];
            if (definesSubprog(in)) {
                if (frames >= MAX_CALL_FRAMES) {
                    throw new Rejection(i, "the call stack of " + (frames + 1) + " frames is too deep");
                }
                walk(insns, starts, subprogOf(starts, i + in.imm() + 1), frames + 1, deepest);
            }
            if (in.isLddw()) {
                i++;
            }
        }
    }
}
