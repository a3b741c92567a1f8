package dev.jxdp.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.elf.ProgramSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jxdp test-run --engine both} on every XDP program of every object the repository commits (test
 * programs, the example, the JUnit kit's and the example project's, the benches'), on ten everyday frames
 * each, with whatever the maps hold at load: beside the recorded cases, this reaches the programs that have
 * none (verifier tests that load, benches, examples). A program jxdp refuses to run (the verifier rejects it,
 * a helper jxdp lacks) is counted apart; one jxdp runs, the kernel must run too and give the same retval,
 * data_out and maps, except in the objects that call jxdp's extension helpers ({@link JxdpExtensionObjects}),
 * which the kernel refuses for that call (and only for it).
 */
final class EveryObjectBothEnginesTest {

    /** Frames most programs parse: IPv4/IPv6 UDP and TCP, ICMP echo, ARP, a VLAN tag, IP options, a fragment, a cut. */
    static final Map<String, String> FRAMES = new TreeMap<>(Map.ofEntries(
            Map.entry("udp4", "02000000000202000000000108004500002c123440004011148b0a0000010a0000021092003500188adf71756572792d00000000000000000000"),
            Map.entry("tcp4_syn", "020000000002020000000001080045000028123440004006149a0a0000010a0000021092005000000001000000005002020088fd0000"),
            Map.entry("icmp4_echo", "02000000000202000000000108004500002c123440004001149b0a0000010a00000208007cb40007000170696e6770696e6770696e6770696e67"),
            Map.entry("udp6", "02000000000202000000000186dd600000000018114020010db800000000000000000000000120010db8000000000000000000000002109200350018938200000000000000000000000000000000"),
            Map.entry("tcp6_syn", "02000000000202000000000186dd600000000014064020010db800000000000000000000000120010db8000000000000000000000002109201bb00000001000000005002020040200000"),
            Map.entry("arp", "020000000002020000000001080600010800060400010200000000010a0000010000000000000a000002000000000000000000000000000000000000"),
            Map.entry("vlan_udp4", "0200000000020200000000018100006408004500002c123440004011148b0a0000010a000002109200350018daf400000000000000000000000000000000"),
            Map.entry("ipv4_options", "020000000002020000000001080046000028123440004011118e0a0000010a00000201010100109200350010db040000000000000000"),
            Map.entry("ipv4_fragment", "02000000000202000000000108004500002412342000401134930a0000010a000002109200350010db040000000000000000"),
            Map.entry("ipv4_cut_short", "020000000002020000000001080045000028123440004006149a0a0000010a0000021092005000000001")));

    /** Where the repository keeps compiled programs. */
    static final List<String> DIRS = List.of("core/src/test/bpf", "core/src/main/resources/dev/jxdp/bench", "examples",
            "examples/junit/src/test/bpf", "junit/src/test/bpf", "jmh/bpf");

    /**
     * Programs whose answer depends on when or where they run, not on the frame: the time, a random number,
     * the CPU the kernel's test run happened on, a kernel address (the pointer-leak programs root may load);
     * and maps_lru.o, whose full LRU maps evict in the kernel by per-CPU batches and in jxdp exactly
     * (docs/runtime.md lists the difference). Their runs are counted, not compared.
     */
    static final List<String> VARYING = List.of("helper_clock.o", "helper_misc.o", "verify_ok_fastcall_stack.o",
            "verify_ptr_leak.o", "verify_return_ptr.o", "maps_lru.o");

    @TempDir
    Path tmp;

    @Test
    void jitAndTheKernelAgreeOnEveryCommittedProgram() throws IOException {
        KernelTests.requireKernel();
        int programs = 0;
        int runs = 0;
        int agreed = 0;
        int varying = 0;
        List<String> refused = new ArrayList<>();
        List<String> differ = new ArrayList<>();
        List<String> extensions = new ArrayList<>();
        for (Path obj : objects()) {
            List<String> names = new ArrayList<>();
            try {
                for (ProgramSpec p : ElfLoader.load(obj).programs()) {
                    if (p.isXdp()) {
                        names.add(p.name());
                    }
                }
            } catch (BpfException e) {
                refused.add(obj.getFileName() + ": " + e.getMessage());
                continue;
            }
            programs += names.size();
            for (String prog : names) {
                for (Map.Entry<String, String> f : FRAMES.entrySet()) {
                    String label = KernelTests.REPO.relativize(obj) + " " + prog + " " + f.getKey();
                    Path in = tmp.resolve("frame.bin");
                    Files.write(in, HexFormat.of().parseHex(f.getValue()));
                    KernelTests.Cli run = KernelTests.jxdp(List.of("test-run", "--obj", obj.toString(), "--prog", prog,
                            "--data-in", in.toString(), "--engine", "both", "--json"));
                    int exit = run.exit();
                    String stderr = run.err();
                    String extension = JxdpExtensionObjects.OBJECTS.get(KernelTests.REPO.relativize(obj).toString());
                    if (extension != null && exit == 1 && JxdpExtensionObjects.isExtensionRefusal(stderr)) {
                        // the kernel loads the object whole and refuses jxdp's helper: the same for every frame
                        extensions.add(label + ": " + extension);
                        break;
                    }
                    if (exit == 2) {
                        // refused before any run: the same for every frame, so counted once
                        refused.add(label + ": " + stderr);
                        break;
                    }
                    runs++;
                    JsonNode answer = exit == 0 || exit == 1 ? parse(run.out()) : null;
                    if (exit == 0 && answer != null && answer.path("differences").isEmpty()) {
                        agreed++;
                    } else if (VARYING.contains(obj.getFileName().toString())) {
                        varying++;
                    } else {
                        differ.add(label + ": exit " + exit + " " + (answer == null ? "" : answer.path("differences"))
                                + " " + stderr);
                    }
                }
            }
        }
        System.out.printf("--engine both on every committed program: %d objects' %d XDP programs, %d runs, %d the same on "
                + "both engines, %d differ as they may (time, CPU, addresses, LRU), %d differ, %d refused by jxdp before "
                + "running%n", objects().size(), programs, runs, agreed, varying, differ.size(), refused.size());
        refused.forEach(r -> System.out.println("  refused: " + r));
        extensions.forEach(r -> System.out.println("  the kernel has no jxdp extension helper: " + r));
        assertEquals(List.of(), differ);
        assertTrue(agreed > 500, "runs compared: " + agreed);
    }

    private static JsonNode parse(String out) {
        try {
            return KernelTests.JSON.readTree(out);
        } catch (IOException e) {
            return null;
        }
    }

    static List<Path> objects() throws IOException {
        List<Path> all = new ArrayList<>();
        for (String d : DIRS) {
            try (Stream<Path> files = Files.list(KernelTests.REPO.resolve(d))) {
                files.filter(f -> f.toString().endsWith(".o")).sorted().forEach(all::add);
            }
        }
        return all;
    }
}
