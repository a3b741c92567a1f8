package dev.jxdp.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One case of a table suite in a JVM of its own, driven over its standard input and output: the parent asks for
 * timed slices, the child ({@link CaseProcessMain}) polls the case's datapath and answers with the
 * frames received and the nanoseconds taken.
 *
 * <p>Why a JVM per case, as JMH forks per benchmark: HotSpot compiles the poll loop with the types it has
 * seen at each call, so in one JVM the program call that every case goes through becomes megamorphic once
 * ten programs have passed it, and each case's figure would depend on which cases ran before it (by a
 * third or more on the mixed cases). In the kernel a program's figure does not depend on which programs
 * ran earlier. The child JVMs are all started (and warmed up) first and then stay idle, blocked on their
 * input, while another one runs, so trials still go round-robin over the cases in one run.
 */
final class CaseProcess implements AutoCloseable {

    private final BenchCase which;
    private final Process process;
    private final PrintWriter to;
    private final BufferedReader from;
    private final Path errLog;

    private CaseProcess(BenchCase which, Process process, Path errLog) {
        this.which = which;
        this.process = process;
        this.errLog = errLog;
        this.to = new PrintWriter(process.outputWriter(StandardCharsets.US_ASCII), true);
        this.from = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
    }

    /** Starts the case's JVM and waits until its datapath is built. */
    static CaseProcess start(BenchCase which) {
        return start(which, false);
    }

    /** As {@link #start(BenchCase)}; with {@code dispatcher} the child's worker enters its program through the BPF dispatcher. */
    static CaseProcess start(BenchCase which, boolean dispatcher) {
        Path errLog;
        try {
            errLog = Files.createTempFile("jxdp-bench-" + which.label() + "-", ".log");
            errLog.toFile().deleteOnExit();  // also after Ctrl-C, when close() does not run
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ProcessBuilder pb = new ProcessBuilder(command(which, dispatcher)).redirectError(errLog.toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            deleteQuietly(errLog);
            throw new BenchException(which.label() + ": cannot start a JVM for it: " + e.getMessage());
        }
        CaseProcess c = new CaseProcess(which, p, errLog);
        try {
            c.expect(CaseProcessMain.READY);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** The child's command line: this JVM's java, class path, memory-access options and jxdp.* properties. */
    static List<String> command(BenchCase which) {
        return command(which, false);
    }

    /** As {@link #command(BenchCase)}, with {@link CaseProcessMain#DISPATCHER} after the case's name when {@code dispatcher}. */
    static List<String> command(BenchCase which, boolean dispatcher) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("--sun-misc-unsafe-memory-access=allow");
        for (Map.Entry<Object, Object> e : System.getProperties().entrySet()) {
            String k = e.getKey().toString();
            if (k.startsWith("jxdp.")) {
                cmd.add("-D" + k + "=" + e.getValue());
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(CaseProcessMain.class.getName());
        cmd.add(which.label());
        if (dispatcher) {
            cmd.add(CaseProcessMain.DISPATCHER);
        }
        return cmd;
    }

    BenchCase which() { return which; }

    /** Polls for {@code nanos} in the child; returns Mpps over the slice. */
    double measure(long nanos) {
        to.println(CaseProcessMain.RUN + " " + nanos);
        String[] answer = expect(CaseProcessMain.DONE).split(" ");
        long packets = Long.parseLong(answer[1]);
        long ns = Long.parseLong(answer[2]);
        return packets * 1e3 / ns;
    }

    // the next line of the child, which must start with the word given
    private String expect(String word) {
        String line;
        try {
            line = from.readLine();
        } catch (IOException e) {
            line = null;
        }
        if (line == null || !line.startsWith(word)) {
            String why = line != null && line.startsWith(CaseProcessMain.ERROR) ? line.substring(CaseProcessMain.ERROR.length()).strip()
                    : "its JVM ended" + lastErrorLine();
            throw new BenchException(which.label() + ": " + why);
        }
        return line;
    }

    private String lastErrorLine() {
        try {
            List<String> lines = Files.readAllLines(errLog);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank() && !lines.get(i).startsWith("WARNING")) {
                    return ": " + lines.get(i).strip();
                }
            }
        } catch (IOException e) {
            // nothing to add
        }
        return "";
    }

    /** Asks the child to close its datapath and end; kills it if it does not within a few seconds. */
    @Override
    public void close() {
        to.println(CaseProcessMain.QUIT);
        to.close();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        deleteQuietly(errLog);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // a temp file left behind is not worth failing a benchmark for
        }
    }
}
