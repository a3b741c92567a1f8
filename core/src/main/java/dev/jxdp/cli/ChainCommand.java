package dev.jxdp.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.xdp.chain.ChainPlan;
import dev.jxdp.xdp.chain.XdpMultiProg;
import dev.jxdp.xdp.chain.XdpRunConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/** {@code jxdp chain}: several XDP programs on one interface, as {@code jxdp run} would chain them. */
@Command(name = "chain", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Several XDP programs on one interface: how jxdp run would chain them.",
        subcommands = {ChainCommand.Show.class})
final class ChainCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CliException("jxdp chain: want a subcommand (show)");
    }

    @Command(name = "show", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            header = "Print the resolved order and actions of a chain, without running it.",
            description = {"The programs in the order libxdp's dispatcher would run them (run priority from @PRIO, the "
                    + "object's .xdp_run_config or 50; ties by name) with each one's run priority and the return "
                    + "codes it continues on; or, with --chain-map, the chain-call map's steps. Then, per program, "
                    + "where each return code goes. The same options and errors as jxdp run.", ""},
            footer = {"", "Examples:", "  jxdp chain show --obj fw.o --obj lb.o@10 --obj mon.o:xdp_count",
                    "  jxdp chain show --obj fw.o --obj lb.o --chain-actions xdp_fw=pass,tx --json",
                    "  jxdp chain show --obj a.o --obj b.o --chain-map 'xdp_a:pass=xdp_b,*=xdp_b'"})
    static final class Show implements Runnable {

        @Spec
        CommandSpec spec;

        @Mixin
        ChainOptions chain;

        @Mixin
        LoadOptions type;

        @Option(names = "--json", description = "one JSON object: {\"order\": [{program, object, run_prio, "
                + "chain_call_actions}], \"steps\": [{program, first, reachable, next: {code: program|return|pass}}]}")
        boolean json;

        @Override
        public void run() {
            Map<Path, ObjectSpec> specs = chain.objects(f -> Inputs.object(f, type, spec.commandLine().getErr()));
            XdpMultiProg list = chain.list(specs);
            ChainPlan plan = chain.plan(specs);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectNode o = Inputs.JSON.createObjectNode();
                o.put("mode", chain.chainMap.isEmpty() ? "priority" : "chain-call map");
                ArrayNode order = o.putArray("order");
                for (XdpMultiProg.Program p : list.programs()) {
                    ArrayNode acts = order.addObject().put("program", p.name()).put("object", p.object().toString())
                            .put("run_prio", p.runPrio()).putArray("chain_call_actions");
                    String names = XdpRunConfig.actionNames(p.chainCallActions());
                    if (!names.equals("none")) {
                        for (String a : names.split(",")) {
                            acts.add(a);
                        }
                    }
                }
                ArrayNode steps = o.putArray("steps");
                for (int i = 0; i < plan.size(); i++) {
                    ObjectNode st = steps.addObject().put("program", plan.program(i).name()).put("first", i == plan.first())
                            .put("reachable", plan.reachable(i));
                    ObjectNode next = st.putObject("next");
                    for (int slot = 0; slot < ChainPlan.SLOTS; slot++) {
                        int t = plan.next(i, slot);
                        next.put(SLOTS[slot], t == ChainPlan.RETURN_RETVAL ? "return" : t == ChainPlan.RETURN_PASS
                                ? "pass" : plan.program(t).name());
                    }
                }
                out.println(o.toString());
            } else {
                if (chain.chainMap.isEmpty()) {
                    out.printf("%-4s %-24s %-12s %-34s %s%n", "#", "program", "run_prio", "continues on", "object");
                    int k = 0;
                    for (XdpMultiProg.Program p : list.programs()) {
                        out.printf("%-4d %-24s %-12d %-34s %s%n", k++, p.name(), p.runPrio(),
                                XdpRunConfig.actionNames(p.chainCallActions()), p.object());
                    }
                    out.println();
                }
                out.print(plan.describe());
            }
            out.flush();
        }

        private static final String[] SLOTS = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT", "other"};
    }
}
