package dev.jxdp.xdp.chain;

import dev.jxdp.XdpAction;
import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.elf.ProgramSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * The command line's words for a chain, parsed and checked, each error one line naming the word:
 * <ul>
 * <li>a member, {@code FILE[:PROG][@PRIO]}: the object, the program (which may be left out when the object
 *     has exactly one XDP program for an interface) and a run_prio replacing the object's;</li>
 * <li>{@code --chain-actions PROG=ACTION[,ACTION...]}: the actions after which the list goes on past PROG,
 *     replacing the object's ({@code none} for none); ACTION is {@code aborted}, {@code drop}, {@code pass},
 *     {@code tx} or {@code redirect}, in any case, with or without {@code XDP_};</li>
 * <li>a chain-call map entry, {@code PROG:ACTION=NEXT[,ACTION=NEXT...]}, ACTION as above or {@code *} for
 *     the wildcard.</li>
 * </ul>
 * The ':' and '@' separators count only after the last '/', so a directory name may hold them.
 */
public final class ChainArgs {

    private ChainArgs() {}

    /**
     * One member as written: {@code FILE[:PROG][@PRIO]}.
     *
     * @param object  the object file
     * @param program the program's name, or null when left out
     * @param runPrio the priority given, replacing the one in the object, or empty
     */
    public record Member(Path object, String program, OptionalLong runPrio) {

        /** Parses {@code FILE[:PROG][@PRIO]}. */
        public static Member parse(String arg) {
            int slash = arg.lastIndexOf('/');
            String rest = arg;
            OptionalLong prio = OptionalLong.empty();
            int at = rest.lastIndexOf('@');
            if (at > slash) {
                prio = OptionalLong.of(priority(arg, rest.substring(at + 1)));
                rest = rest.substring(0, at);
            }
            String program = null;
            int colon = rest.lastIndexOf(':');
            if (colon > slash) {
                program = rest.substring(colon + 1);
                rest = rest.substring(0, colon);
                if (program.isEmpty()) {
                    throw new BpfException("member '" + arg + "': empty program name after ':' (want FILE[:PROG][@PRIO])");
                }
            }
            if (rest.isEmpty()) {
                throw new BpfException("member '" + arg + "': no object file (want FILE[:PROG][@PRIO])");
            }
            return new Member(Path.of(rest), program, prio);
        }

        private static long priority(String arg, String text) {
            long v;
            try {
                v = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new BpfException("member '" + arg + "': priority '" + text + "' is not an integer");
            }
            if (v < 0 || v > XdpRunConfig.MAX_RUN_PRIO) {
                throw new BpfException("member '" + arg + "': priority " + v + " out of range 0.."
                        + XdpRunConfig.MAX_RUN_PRIO + " (libxdp's run_prio is an unsigned int)");
            }
            return v;
        }
    }

    /**
     * One {@code --chain-actions} value, {@code PROG=ACTION[,ACTION...]} or {@code PROG=none}.
     *
     * @param program          the program it sets
     * @param chainCallActions the mask it sets, bit {@code 1 << action} per action
     */
    public record ChainActions(String program, int chainCallActions) {

        public static ChainActions parse(String arg) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new BpfException("chain actions '" + arg + "': want PROG=ACTION[,ACTION...] or PROG=none");
            }
            String list = arg.substring(eq + 1);
            int mask = 0;
            if (!list.equalsIgnoreCase("none")) {
                for (String word : list.split(",", -1)) {
                    mask |= 1 << action("chain actions '" + arg + "'", word).code();
                }
            }
            return new ChainActions(arg.substring(0, eq), mask);
        }
    }

    /**
     * The multi-program list these members and chain actions make: each member's object opened once
     * through {@code open}, its program found, its run config read ({@link RunConfigBtf}) and then
     * replaced by the member's PRIO and the program's {@code --chain-actions}.
     */
    public static XdpMultiProg multiProg(List<String> members, List<String> chainActions,
                                         Function<Path, ObjectSpec> open) {
        Map<Path, ObjectSpec> objects = new HashMap<>();
        List<XdpMultiProg.Program> programs = new ArrayList<>(members.size());
        for (String arg : members) {
            Member m = Member.parse(arg);
            ObjectSpec obj = objects.computeIfAbsent(m.object(), open);
            String name = program(m, obj);
            XdpRunConfig config = RunConfigBtf.read(obj, name);
            if (m.runPrio().isPresent()) {
                config = config.withRunPrio(m.runPrio().getAsLong());
            }
            programs.add(XdpMultiProg.Program.of(m.object(), name, config));
        }
        Map<String, Integer> actions = new LinkedHashMap<>();
        for (String arg : chainActions) {
            ChainActions c = ChainActions.parse(arg);
            if (actions.putIfAbsent(c.program(), c.chainCallActions()) != null) {
                throw new BpfException("chain actions '" + arg + "': " + c.program() + " given twice");
            }
            int i = indexOf(programs, c.program());
            if (i < 0) {
                throw new BpfException("chain actions '" + arg + "': " + c.program() + " is no member (members: "
                        + String.join(", ", programs.stream().map(XdpMultiProg.Program::name).toList()) + ")");
            }
            XdpMultiProg.Program p = programs.get(i);
            programs.set(i, new XdpMultiProg.Program(p.object(), p.name(), p.runPrio(), c.chainCallActions()));
        }
        return XdpMultiProg.of(programs);
    }

    /**
     * The chain-call map these entries make, {@code first} run first: each entry
     * {@code PROG:ACTION=NEXT[,ACTION=NEXT...]}; several entries may name the same PROG.
     */
    public static ChainCallMap chainCallMap(String first, List<String> entries) {
        ChainCallMap.Builder b = ChainCallMap.builder(first);
        for (String arg : entries) {
            int colon = arg.indexOf(':');
            if (colon <= 0 || colon == arg.length() - 1) {
                throw new BpfException("chain-call map entry '" + arg + "': want PROG:ACTION=NEXT[,ACTION=NEXT...]");
            }
            String prog = arg.substring(0, colon);
            for (String pair : arg.substring(colon + 1).split(",", -1)) {
                int eq = pair.indexOf('=');
                if (eq <= 0 || eq == pair.length() - 1) {
                    throw new BpfException("chain-call map entry '" + arg + "': '" + pair + "': want ACTION=NEXT, "
                            + "ACTION one of aborted, drop, pass, tx, redirect or *");
                }
                String act = pair.substring(0, eq);
                String next = pair.substring(eq + 1);
                if (act.equals("*")) {
                    b.onAny(prog, next);
                } else {
                    b.on(prog, action("chain-call map entry '" + arg + "'", act), next);
                }
            }
        }
        return b.build();
    }

    // the member's program: the one named, or the object's only XDP program for an interface
    private static String program(Member m, ObjectSpec obj) {
        List<ProgramSpec> xdp = RunConfigBtf.interfacePrograms(obj);
        List<String> names = xdp.stream().map(ProgramSpec::name).toList();
        if (m.program() == null) {
            if (xdp.size() == 1) {
                return xdp.getFirst().name();
            }
            throw new BpfException(m.object() + ": " + (xdp.isEmpty() ? "no XDP program for an interface"
                    : xdp.size() + " XDP programs (" + String.join(", ", names) + "): name one as " + m.object()
                    + ":PROG"));
        }
        if (names.contains(m.program())) {
            return m.program();
        }
        ProgramSpec p = obj.program(m.program());
        throw new BpfException(m.object() + ": " + (p != null ? "program " + m.program() + " (section " + p.section()
                + ") is not an XDP program for an interface" : "no program " + m.program())
                + (names.isEmpty() ? "" : " (its XDP programs: " + String.join(", ", names) + ")"));
    }

    private static int indexOf(List<XdpMultiProg.Program> programs, String name) {
        for (int i = 0; i < programs.size(); i++) {
            if (programs.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static XdpAction action(String where, String word) {
        String w = word.toUpperCase(Locale.ROOT);
        String bare = w.startsWith("XDP_") ? w.substring(4) : w;
        for (XdpAction a : XdpAction.values()) {
            if (XdpRunConfig.chainable(a) && a.name().equals(bare)) {
                return a;
            }
        }
        throw new BpfException(where + ": unknown action '" + word + "' (want aborted, drop, pass, tx or redirect)");
    }
}
