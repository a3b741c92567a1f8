package dev.jxdp.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The child side of {@link CaseProcess}: builds the datapath of the case named by its first argument
 * (through the BPF dispatcher when the second is {@value #DISPATCHER}), says
 * {@code ready}, then answers each {@code run NANOS} line with {@code done PACKETS NANOS} until
 * {@code quit} or the end of its input (the parent gone), when it closes the datapath and ends. Anything
 * that goes wrong is one {@code error ...} line and exit status 2. Nothing else is written to stdout.
 */
public final class CaseProcessMain {

    static final String READY = "ready";
    static final String RUN = "run";
    static final String DONE = "done";
    static final String QUIT = "quit";
    static final String ERROR = "error";
    /** The optional second argument: the worker enters its program through the BPF dispatcher. */
    static final String DISPATCHER = "dispatcher";

    private CaseProcessMain() {}

    public static void main(String[] args) throws IOException {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.US_ASCII);
        boolean dispatcher = args.length == 2 && args[1].equals(DISPATCHER);
        BenchCase which = args.length == 1 || dispatcher ? BenchCase.byLabel(args[0]) : null;
        if (which == null) {
            out.println(ERROR + " want one case name (and " + DISPATCHER + "), got " + String.join(" ", args));
            System.exit(2);
        }
        BenchCase.Polled p;
        try {
            p = which.open(dispatcher);
        } catch (RuntimeException e) {
            out.println(ERROR + " " + e.getMessage());
            System.exit(2);
            return;
        }
        out.println(READY);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        try (p) {
            for (String line; (line = in.readLine()) != null && !line.equals(QUIT); ) {
                if (!line.startsWith(RUN + " ")) {
                    out.println(ERROR + " unknown command: " + line);
                    System.exit(2);
                }
                long nanos = Long.parseLong(line.substring(RUN.length() + 1).strip());
                long t0 = System.nanoTime();
                long n = p.run(nanos, () -> false);
                long t1 = System.nanoTime();
                out.println(DONE + " " + n + " " + (t1 - t0));
            }
        }
    }
}
