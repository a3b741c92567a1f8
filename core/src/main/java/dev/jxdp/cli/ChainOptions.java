package dev.jxdp.cli;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.xdp.chain.ChainArgs;
import dev.jxdp.xdp.chain.ChainPlan;
import dev.jxdp.xdp.chain.ChainProgram;
import dev.jxdp.xdp.chain.XdpMultiProg;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The options that name a chain of programs, shared by {@code jxdp run} and {@code jxdp chain show}:
 * {@code --obj FILE.o[:PROG][@PRIO]} (several times for a chain), {@code --chain-actions} and
 * {@code --chain-map}; and the plan they resolve to.
 */
final class ChainOptions {

    @Option(names = "--obj", required = true, paramLabel = "FILE.o[:PROG][@PRIO]",
            description = "eBPF object file, and the program to run (default: its only XDP program). Given several "
                    + "times, the programs run in turn on each frame as libxdp's multi-program dispatcher runs them: "
                    + "by run priority (@PRIO, else the object's .xdp_run_config, else 50), ties by name, each "
                    + "continuing to the next on its chain_call_actions (default: XDP_PASS only)")
    List<String> objs;

    @Option(names = "--chain-actions", paramLabel = "PROG=ACTION[,ACTION...]",
            description = "with several --obj: the return codes on which PROG continues to the next program "
                    + "(aborted, drop, pass, tx, redirect, or none), replacing its .xdp_run_config")
    List<String> chainActions = new ArrayList<>();

    @Option(names = "--chain-map", paramLabel = "PROG:ACTION=NEXT[,ACTION=NEXT...]",
            description = "instead of the priority order: a chain-call map entry (seed 003), after PROG returns "
                    + "ACTION (or * for any code without an entry of its own) NEXT runs; the first --obj's program "
                    + "runs first, and a code without an entry is the frame's action")
    List<String> chainMap = new ArrayList<>();

    /** Whether the options name more than one program, or shape a chain of one. */
    boolean chained() {
        return objs.size() > 1 || !chainMap.isEmpty() || !chainActions.isEmpty();
    }

    /** Each --obj as given, parsed; a CliException naming the one that is wrong. */
    List<ChainArgs.Member> members() {
        List<ChainArgs.Member> out = new ArrayList<>();
        for (String o : objs) {
            try {
                out.add(ChainArgs.Member.parse(o));
            } catch (BpfException e) {
                throw new CliException("--obj " + o + ": " + e.getMessage());
            }
        }
        return out;
    }

    /** Each distinct object file of the members, read once, in --obj order. */
    Map<Path, ObjectSpec> objects(Function<Path, ObjectSpec> read) {
        Map<Path, ObjectSpec> out = new LinkedHashMap<>();
        for (ChainArgs.Member m : members()) {
            if (!out.containsKey(m.object())) {
                out.put(m.object(), read.apply(m.object()));
            }
        }
        return out;
    }

    /** The libxdp-style list the options give (run priorities and actions applied, in run order). */
    XdpMultiProg list(Map<Path, ObjectSpec> specs) {
        try {
            return ChainArgs.multiProg(objs, chainActions, specs::get);
        } catch (BpfException e) {
            throw new CliException(e.getMessage());
        }
    }

    /** The chain the options describe: the list's order, or the chain-call map's. */
    ChainPlan plan(Map<Path, ObjectSpec> specs) {
        if (!chainMap.isEmpty() && !chainActions.isEmpty()) {
            throw new CliException("--chain-map and --chain-actions: a chain-call map says itself where each code goes");
        }
        XdpMultiProg list = list(specs);
        try {
            if (chainMap.isEmpty()) {
                return list.toChain();
            }
            List<ChainProgram> loaded = new ArrayList<>();
            for (XdpMultiProg.Program p : list.programs()) {
                loaded.add(new ChainProgram(p.object(), p.name()));
            }
            return ChainArgs.chainCallMap(firstProgram(list), chainMap).resolve(loaded);
        } catch (BpfException e) {
            throw new CliException(e.getMessage());
        }
    }

    // the program of the first --obj: named there, or its object's only member
    private String firstProgram(XdpMultiProg list) {
        ChainArgs.Member m = members().getFirst();
        if (m.program() != null) {
            return m.program();
        }
        for (XdpMultiProg.Program p : list.programs()) {
            if (p.object().equals(m.object())) {
                return p.name();
            }
        }
        throw new CliException("--obj " + objs.getFirst() + ": no program");
    }
}
