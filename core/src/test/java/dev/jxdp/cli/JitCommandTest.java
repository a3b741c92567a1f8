package dev.jxdp.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JitCommandTest {

    private static final Path BPF = Path.of(System.getProperty("jxdp.repo", "."), "core/src/test/bpf");

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new JitCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        assertEquals(0, cl.execute(args), err.toString());
        return out.toString();
    }

    @Test
    void summaryNamesEveryMethodWithItsSizeUnderHotSpotsLimit() {
        String out = run(BPF.resolve("gotol_v4.o").toString());
        List<String> methods = out.lines().filter(l -> l.contains(" bytes  ")).toList();
        assertTrue(methods.size() > 6, out);
        assertTrue(methods.stream().allMatch(l -> l.contains("compiled (<= 8000)")), out);
        assertTrue(out.contains("f0_r0("), out);
        assertTrue(out.lines().noneMatch(l -> l.matches("\\s+\\d+: .*")), "no code without --dump: " + out);
    }

    @Test
    void dumpListsTheBytecodeOfEachMethod() {
        String out = run(CliTest.DEMO.toString(), "--dump");
        assertTrue(out.contains("enter(Ldev/jxdp/ebpf/jit/JitProgram;"), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("\\s+\\d+: lreturn")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("\\s+\\d+: invokestatic dev/jxdp/ebpf/jit/JitRt\\..*")), out);
    }
}
