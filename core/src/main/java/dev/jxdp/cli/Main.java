package dev.jxdp.cli;

import dev.jxdp.ebpf.BpfException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.io.PrintWriter;

/** The {@code jxdp} command. */
@Command(name = "jxdp", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        usageHelpAutoWidth = true,
        description = {"The Linux XDP datapath in userspace on the JVM: load, run and test XDP programs "
                + "exactly as the kernel does, without root, a kernel or a NIC.", ""},
        subcommands = {TestRunCommand.class, RunCommand.class, ChainCommand.class, XskCommand.class, DisasmCommand.class, VerifyCommand.class, JitCommand.class, DemoCommand.class, BenchCommand.class, CommandLine.HelpCommand.class},
        commandListHeading = "%nCommands:%n",
        footer = {"", "Run 'jxdp COMMAND --help' for a command's options.",
                "Errors print one line 'jxdp: FILE: what is wrong' and exit with status 2."})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (try 'jxdp demo')");
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the command line with the given streams and returns the exit status: 0 done, 1 internal error,
     * 2 bad input (arguments, files, objects the runtime cannot take).
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("jxdp: " + ex.getMessage() + suggestion(ex));
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof CliException ce) {
                err.println("jxdp: " + ce.getMessage());
                return ce.exitCode();
            }
            if (ex instanceof BpfException be) {
                err.println("jxdp: " + be.getMessage());
                return 2;
            }
            err.println("jxdp: internal error: " + ex);
            if (System.getenv("JXDP_DEBUG") != null) {
                ex.printStackTrace(err);
            } else {
                err.println("jxdp: (set JXDP_DEBUG=1 for the stack trace, and please report it)");
            }
            return 1;
        });
        return cl.execute(args);
    }

    private static String suggestion(CommandLine.ParameterException ex) {
        CommandLine c = ex.getCommandLine();
        String name = c.getCommandName();
        return " (see 'jxdp " + ("jxdp".equals(name) ? "" : name + " ") + "--help')";
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"jxdp " + (v == null ? "0.1.0-SNAPSHOT" : v) + " on Java " + Runtime.version()};
        }
    }
}
