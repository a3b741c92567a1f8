package dev.jxdp.cli;

import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.runtime.XdpAction;
import dev.jxdp.ebpf.testrun.MapJson;
import dev.jxdp.ebpf.testrun.Engine;
import dev.jxdp.ebpf.testrun.ProgTestRun;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.verifier.Verifier;
import dev.jxdp.ebpf.verifier.VerifierResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** {@code jxdp demo}: runs the repo's example XDP program on built-in frames and shows what happened. */
@Command(name = "demo", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Run the example XDP program on built-in frames and show what happened.",
        description = {"The example is examples/xdp_demo.c, a firewall and ICMP responder compiled by clang for "
                + "the kernel; jxdp's verifier proves it safe, the JIT compiles it to JVM bytecode and runs it on "
                + "a few frames, and the demo shows each frame's action, the program's counters and its code.", ""})
final class DemoCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--obj", paramLabel = "FILE.o", description = "the object to run (default: examples/xdp_demo.o in the jxdp tree)")
    Path obj;

    private record Frame(String what, byte[] bytes) {}

    private static final byte[] HOST_A = Frames.ipv4(10, 0, 0, 1);
    private static final byte[] HOST_B = Frames.ipv4(10, 0, 0, 2);
    private static final byte[] BLOCKED = Frames.ipv4(192, 0, 2, 66);

    private static List<Frame> frames() {
        byte[] truncated = Arrays.copyOf(Frames.udp(HOST_A, HOST_B, 5353, 53, "x"), 24);
        return List.of(
                new Frame("IPv4 ICMP echo request 10.0.0.1 > 10.0.0.2", Frames.icmpEcho(HOST_A, HOST_B, 7, 1)),
                new Frame("IPv4 UDP 10.0.0.1:5353 > 10.0.0.2:53 (DNS)", Frames.udp(HOST_A, HOST_B, 5353, 53, "query")),
                new Frame("IPv4 UDP 10.0.0.1:4000 > 10.0.0.2:9 (discard)", Frames.udp(HOST_A, HOST_B, 4000, 9, "junk")),
                new Frame("IPv4 TCP SYN 192.0.2.66:40000 > 10.0.0.2:22", Frames.tcpSyn(BLOCKED, HOST_B, 40000, 22)),
                new Frame("IPv4 UDP 192.0.2.66:123 > 10.0.0.2:123 (NTP)", Frames.udp(BLOCKED, HOST_B, 123, 123, "ntp")),
                new Frame("ARP who-has 10.0.0.2 tell 10.0.0.1", Frames.arpRequest(HOST_A, HOST_B)),
                new Frame("IPv6 UDP 2001:db8::1 > 2001:db8::2:7", Frames.ipv6Udp(7)),
                new Frame("IPv4 header cut short (24-byte frame)", truncated),
                new Frame("IPv4 TCP SYN 10.0.0.1:51000 > 10.0.0.2:443", Frames.tcpSyn(HOST_A, HOST_B, 51000, 443)));
    }

    @Override
    public void run() {
        Path file = obj != null ? obj : defaultObject();
        PrintWriter out = spec.commandLine().getOut();
        ObjectSpec objSpec = Inputs.object(file);
        try (BpfCollection c = Inputs.load(file, objSpec)) {
            BpfProgram prog = Inputs.program(file, c, null);
            out.printf("jxdp demo: %s, program %s (section %s, %d instructions)%n",
                    file, prog.name(), prog.section(), prog.insns().length);
            VerifierResult v = Verifier.verify(prog, Verifier.Mode.FULL, false);
            if (!v.accepted()) {
                throw new CliException(Inputs.rejection(file, prog, v));
            }
            out.printf("verifier: safe (%d instructions processed); run by the JIT, the checks the proof covers dropped%n",
                    v.processed());
            JitCompiler jit = JitCompiler.using(p -> p == prog ? v.facts() : null);
            BpfMap blocklist = c.map("blocklist");
            if (blocklist != null) {
                blocklist.userUpdate(BLOCKED, new byte[blocklist.valueSize()], 0);
                out.println("setup: blocklist[192.0.2.66] = 0, as 'bpftool map update' would do it");
            }
            out.println();
            out.printf("  #  %-46s %5s  %-12s %s%n", "frame", "bytes", "action", "what the program did to it");
            int n = 1;
            for (Frame f : frames()) {
                ProgTestRun.Result r = ProgTestRun.run(c, prog, f.bytes(), 1, false, Engine.JIT, null, jit);
                out.printf("%3d  %-46s %5d  %-12s %s%n", n++, f.what(), f.bytes().length, XdpAction.name(r.retval()),
                        effect(f.bytes(), r));
            }
            out.println();
            printCounters(out, c);
            out.println();
            int shown = Math.min(prog.insns().length, 28);
            out.printf("The first %d of its %d instructions (all of them: ./jxdp disasm %s):%n", shown,
                    prog.insns().length, file);
            out.print(Listing.of(objSpec, prog.spec(), true, 0, shown).lines().skip(1)
                    .map(l -> "  " + l + "\n").reduce("", String::concat));
            out.println();
            out.println("Next: ./jxdp test-run --obj " + file + " --data-in FRAME.bin --json   (./jxdp test-run --help)");
            out.flush();
        }
    }

    private static String effect(byte[] in, ProgTestRun.Result r) {
        if (r.fault() != null) {
            return "stopped: " + r.fault().getMessage();
        }
        byte[] outBytes = r.dataOut();
        if (Arrays.equals(in, outBytes)) {
            return "unchanged";
        }
        if (outBytes.length != in.length) {
            return "resized to " + outBytes.length + " bytes";
        }
        int changed = 0;
        for (int i = 0; i < in.length; i++) {
            if (in[i] != outBytes[i]) {
                changed++;
            }
        }
        return changed + " bytes rewritten" + (in.length > 34 && in[34] == 8 && outBytes[34] == 0
                ? " (now an echo reply, MACs and IPs swapped)" : "");
    }

    private static void printCounters(PrintWriter out, BpfCollection c) {
        BpfMap stats = c.map("stats");
        if (stats != null) {
            out.println("Counters in map 'stats' (per-CPU array, summed over CPUs):");
            for (int action = 0; action < stats.maxEntries(); action++) {
                byte[] key = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(action).array();
                byte[] v = stats.userLookup(key);
                if (v == null) {
                    continue;
                }
                ByteBuffer sum = ByteBuffer.wrap(MapJson.sumPerCpu(v, stats.valueSize())).order(ByteOrder.LITTLE_ENDIAN);
                out.printf("  %-13s %3d packets %6d bytes%n", XdpAction.name(action), sum.getLong(0), sum.getLong(8));
            }
        }
        BpfMap blocklist = c.map("blocklist");
        if (blocklist != null) {
            for (byte[] k = blocklist.userNextKey(null); k != null; k = blocklist.userNextKey(k)) {
                long dropped = ByteBuffer.wrap(blocklist.userLookup(k)).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
                out.printf("Map 'blocklist': %d.%d.%d.%d dropped %d packets%n", k[0] & 0xff, k[1] & 0xff, k[2] & 0xff,
                        k[3] & 0xff, dropped);
            }
        }
    }

    private static Path defaultObject() {
        Path home = Path.of(System.getProperty("jxdp.home", "."));
        Path p = home.resolve("examples/xdp_demo.o");
        if (!Files.isRegularFile(p)) {
            throw new CliException(p + ": no such file (run ./jxdp from the jxdp tree, or pass --obj)");
        }
        // shown relative to the working directory when it is below it, so the hints can be pasted
        Path cwd = Path.of("").toAbsolutePath();
        Path abs = p.toAbsolutePath().normalize();
        return abs.startsWith(cwd) ? cwd.relativize(abs) : abs;
    }
}
