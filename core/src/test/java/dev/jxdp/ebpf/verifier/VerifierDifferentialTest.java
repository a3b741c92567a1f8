package dev.jxdp.ebpf.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.kernel.JxdpExtensionObjects;
import dev.jxdp.kernel.KernelObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The verifier differential suite: for every test object (safe programs and the unsafe verify_* and
 * elf_bad_verify_* variants) jxdp's verdict in {@link Verifier.Mode#FULL} is the kernel's, and a
 * rejection is at the kernel's instruction with the kernel's reason, as
 * core/src/test/bpf/record-verifier recorded them with the kernel engine ({@code jxdp verify --engine
 * kernel --json --log}, root: the privileged verifier) in oracle/verifier.json; an accepted program's
 * processed instructions are within 10% of the kernel's. Where the machine can ask the kernel (root),
 * each object is also loaded again in the kernel, in-process through dev.jxdp.kernel, to prove the
 * recording is still the kernel's answer; with CI=true that is required. {@code -Djxdp.oracle.live=false}
 * skips it (not under CI=true).
 */
final class VerifierDifferentialTest {

    static final Path REPO = Path.of(System.getProperty("jxdp.repo", "."));
    static final Path RECORDING = REPO.resolve("core/src/test/resources/oracle/verifier.json");
    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Where jxdp knowingly differs, "object program" and why. Each entry is skipped with its reason
     * while jxdp still differs and fails once jxdp agrees, so the list cannot go stale.
     */
    static final Map<String, String> ALLOWED = Map.of(
            "elf_unsupported_helper.o xdp_sk_lookup",
            "a helper jxdp does not implement (bpf_sk_lookup_udp) is refused by name: jxdp could not run it",
            "load_partial.o xdp_sock_lookup",
            "a helper jxdp does not implement (bpf_sk_lookup_tcp: no sockets) is refused by name; the object's"
                    + " other program loads and is verified (PartialLoadTest)");

    /**
     * Objects whose recording is libbpf's answer, not the kernel verifier's: libbpf refused them (or, for
     * elf_core_kernel.o, resolved them against the running kernel's BTF) where jxdp's loader differs, so
     * the kernel engine cannot ask the kernel the same question. record-verifier keeps these as recorded.
     */
    private static final String MIM_LOADER = "libbpf refuses this map-in-map definition while creating the maps,"
            + " before the verifier; ElfMapInMapTest checks that jxdp's loader refuses it with libbpf's reason";

    static final Map<String, String> LOADER_ONLY = Map.of(
            "core/src/test/bpf/elf_core_kernel.o",
            "CO-RE against kernel types (struct sk_buff) needs the kernel's BTF, which jxdp's loader refuses"
                    + " to guess; the ELF loader's tests cover it",
            "core/src/test/bpf/elf_legacy_sections.o",
            "libbpf 1.x cannot guess the type of libbpf 0.x's xdp* section names; jxdp loads them as XDP with a"
                    + " note, and LegacySectionTest runs them in the kernel with --engine kernel",
            "core/src/test/bpf/elf_legacy.o",
            "libbpf 1.x no longer reads legacy SEC(\"maps\") definitions; jxdp's loader still does (ElfLoaderTest)",
            "core/src/test/bpf/elf_mim_mismatch.o", MIM_LOADER,
            "core/src/test/bpf/elf_mim_nested.o", MIM_LOADER,
            "core/src/test/bpf/elf_mim_no_template.o", MIM_LOADER,
            "core/src/test/bpf/elf_mim_not_a_map.o", MIM_LOADER,
            "core/src/test/bpf/elf_mim_slot_beyond.o", MIM_LOADER);

    @TestFactory
    Stream<DynamicNode> jxdpVerifiesAsTheKernelDoes() throws IOException {
        JsonNode rec = new ObjectMapper().readTree(RECORDING.toFile());
        boolean ci = "true".equals(System.getenv("CI"));
        boolean live = ci || !"false".equals(System.getProperty("jxdp.oracle.live"));
        String whyNot = live ? KernelObject.unavailableReason() : "-Djxdp.oracle.live=false";
        List<DynamicNode> nodes = new ArrayList<>();
        // the kernel loads run ahead on a few threads (each mostly waits on the kernel), the tests await them
        ExecutorService kernel = whyNot != null ? null : Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "record-verifier");
            t.setDaemon(true);
            return t;
        });
        if (ci && whyNot != null) {
            nodes.add(DynamicTest.dynamicTest("the kernel can be asked (required when CI=true)",
                    () -> fail("CI=true but the kernel cannot be asked: " + whyNot)));
        }
        for (JsonNode o : rec.path("objects")) {
            String obj = o.path("obj").asText();
            List<DynamicNode> tests = new ArrayList<>();
            tests.addAll(programTests(obj, o));
            if (kernel != null && !LOADER_ONLY.containsKey(obj)) {
                Future<String> answer = kernel.submit(() -> kernelDiffers(obj, o));
                tests.add(DynamicTest.dynamicTest("[kernel] still says so", () -> {
                    String differs = answer.get(10, TimeUnit.MINUTES);
                    assertTrue(differs == null, differs);
                }));
            }
            nodes.add(DynamicContainer.dynamicContainer(obj.replaceFirst(".*/", ""), tests));
        }
        return nodes.stream();
    }

    private static List<DynamicNode> programTests(String obj, JsonNode o) {
        List<DynamicNode> tests = new ArrayList<>();
        if (LOADER_ONLY.containsKey(obj)) {
            tests.add(DynamicTest.dynamicTest("loader, not verifier", () -> Assumptions.abort(LOADER_ONLY.get(obj))));
            return tests;
        }
        if (o.has("loader")) {
            tests.add(DynamicTest.dynamicTest("refused by libbpf", () -> fail("libbpf refused it before the verifier: "
                    + o.path("loader").asText() + "; name it in LOADER_ONLY with the reason jxdp differs")));
            return tests;
        }
        ObjectSpec spec;
        try {
            spec = ElfLoader.load(REPO.resolve(obj));
        } catch (RuntimeException e) {
            tests.add(DynamicTest.dynamicTest("loads", () -> fail("the kernel loads it; jxdp's loader: " + e.getMessage())));
            return tests;
        }
        Map<String, JsonNode> recorded = new HashMap<>();
        for (JsonNode p : o.path("programs")) {
            recorded.put(p.path("prog").asText(), p);
        }
        Set<String> seen = new HashSet<>();
        for (ProgramSpec p : spec.programs()) {
            seen.add(p.name());
            JsonNode k = recorded.get(p.name());
            if (!p.isXdp()) {
                tests.add(DynamicTest.dynamicTest(p.name() + " (not XDP)", () -> Assumptions.abort(
                        "section " + p.section() + ": jxdp's verifier proves XDP programs only")));
            } else if (k == null) {
                // the kernel stops at the first program it refuses; the ones after it were never verified
                tests.add(DynamicTest.dynamicTest(p.name(), () -> {
                    assertTrue(!o.path("accepted").asBoolean(), obj + ": " + p.name() + " is not in the recording");
                    Assumptions.abort("not verified by the kernel: an earlier program of the object was refused");
                }));
            } else if (JxdpExtensionObjects.OBJECTS.containsKey(obj) && !k.path("accepted").asBoolean()
                    && JxdpExtensionObjects.isExtensionRefusal(p, k.path("insn").asInt(), k.path("message").asText())) {
                tests.add(DynamicTest.dynamicTest(p.name() + " rejected by the kernel, accepted by jxdp: "
                        + JxdpExtensionObjects.OBJECTS.get(obj), () -> extensionAccepted(p, spec)));
            } else {
                tests.add(DynamicTest.dynamicTest(p.name() + (k.path("accepted").asBoolean() ? " accepted" : " rejected"),
                        () -> agrees(obj, p, spec, k)));
            }
        }
        for (String name : recorded.keySet()) {
            if (!seen.contains(name)) {
                tests.add(DynamicTest.dynamicTest(name, () -> fail("the kernel verified " + name + "; jxdp's loader did not find it")));
            }
        }
        return tests;
    }

    /**
     * A program of a jxdp-extension object the kernel refused for its call of a helper it does not have
     * (JxdpExtensionObjects): jxdp, which has the helper, accepts it.
     */
    private static void extensionAccepted(ProgramSpec p, ObjectSpec spec) {
        VerifierResult r = Verifier.verify(p, spec.maps(), spec.license(), Verifier.Mode.FULL, false);
        assertTrue(r.accepted(), () -> "the kernel refuses only jxdp's extension helper; jxdp: " + r.describe());
    }

    private static void agrees(String obj, ProgramSpec p, ObjectSpec spec, JsonNode kernel) {
        VerifierResult r = Verifier.verify(p, spec.maps(), spec.license(), Verifier.Mode.FULL, false);
        String key = obj.replaceFirst(".*/", "") + " " + p.name();
        String allowed = ALLOWED.get(key);
        try {
            assertSame(kernel, r);
        } catch (AssertionError differs) {
            if (allowed != null) {
                Assumptions.abort("allowed difference: " + allowed + "; " + differs.getMessage());
            }
            throw differs;
        }
        if (allowed != null) {
            fail(key + " now agrees with the kernel: remove it from ALLOWED");
        }
    }

    private static void assertSame(JsonNode kernel, VerifierResult r) {
        boolean accepted = kernel.path("accepted").asBoolean();
        if (accepted) {
            assertTrue(r.accepted(), () -> "the kernel accepts it; jxdp: " + r.describe());
            // the same algorithms explore the same paths: the instruction counts agree (to the
            // instruction today; 10% is the bound a kernel update may move them within)
            long k = kernel.path("processed").asLong(-1);
            if (k > 0) {
                long j = r.processed();
                assertTrue(Math.abs(j - k) * 10 <= k, () -> "processed " + j + " instructions, the kernel " + k);
            }
            return;
        }
        assertTrue(!r.accepted(), () -> "the kernel rejects it at insn " + kernel.path("insn").asInt() + ": "
                + kernel.path("message").asText() + "; jxdp accepts it");
        assertEquals(kernel.path("message").asText(), r.message(), "the reason");
        int insn = kernel.path("insn").asInt();
        // the complexity limit is hit before the kernel prints the instruction it was about to process, so
        // the recording names the one before it
        if (kernel.path("message").asText().startsWith("BPF program is too large")) {
            insn = insn >= 0 ? -1 : insn;
        }
        if (insn >= 0) {
            // -1: refused by check_cfg(), whose log line carries no instruction index
            assertEquals(insn, r.insn(), "the rejected instruction");
        }
    }

    /**
     * The kernel loads the object again, as record-verifier does, and its answer in the recording's form is
     * compared with the recording: null when they agree, else what the kernel now says.
     */
    private static String kernelDiffers(String obj, JsonNode recorded) {
        List<KernelObject.Verdict> verdicts;
        try {
            verdicts = KernelObject.verify(ElfLoader.load(REPO.resolve(obj)), null, 7);
        } catch (RuntimeException e) {
            return "the kernel engine could not load " + obj + ": " + e.getMessage();
        }
        ObjectNode now = JSON.createObjectNode();
        now.put("obj", obj);
        now.put("accepted", true);
        ArrayNode programs = now.putArray("programs");
        for (KernelObject.Verdict v : verdicts) {
            ObjectNode p = programs.addObject();
            p.put("prog", v.program());
            p.put("accepted", v.accepted());
            Matcher processed = PROCESSED.matcher(v.log());
            if (processed.find()) {
                p.put("processed", Integer.parseInt(processed.group(1)));
            }
            if (!v.accepted()) {
                KernelReason r = KernelReason.of(v.log());
                p.put("insn", r.insn());
                p.put("message", r.message());
                now.put("accepted", false);
                break;  // bpf_object__load() stops at the first program the kernel refuses
            }
        }
        return now.equals(recorded) ? null : obj + ": the kernel now says " + now;
    }

    // the verifier's statistics line: instructions processed (over the main program and its global functions)
    private static final Pattern PROCESSED = Pattern.compile("^processed (\\d+) insns", Pattern.MULTILINE);

    /**
     * The rejection in a refused program's log as record-verifier reads it: the lines after the last
     * instruction the verifier started on, up to its statistics, without precision backtracking, the two
     * states of an infinite loop, source lines and the stack liveness pass's progress; check_cfg() errors
     * come before any instruction (then everything but the function and liveness listings, and insn -1).
     */
    record KernelReason(int insn, String message) {

        // "12: (61) r2 = *(u32 *)(r1 +4)": the verifier starting on an instruction
        private static final Pattern INSN = Pattern.compile("^(\\d+): \\([0-9a-f]{2}\\) ");
        private static final List<String> TRAILER = List.of("verification time ", "stack depth ", "processed ");
        private static final List<String> NOT_REASON = List.of("mark_precise: ", "cur state: ", "old state: ", "; ");
        private static final Pattern LIVENESS = Pattern.compile("^\\([\\d,]+\\) ");
        // check_max_stack_depth() speaks after every path was walked: about no one instruction
        private static final List<String> AFTER_PATHS = List.of("combined stack size of ",
                "tail_calls are not allowed when call stack of previous frames");
        private static final Pattern FRAMES_AFTER_PATHS = Pattern.compile("^the call stack of \\d+ frames is too deep !$");

        static KernelReason of(String log) {
            List<String> body = new ArrayList<>();
            for (String l : log.lines().toList()) {
                // a message printed without its newline runs into the statistics ("...for tail callverification time 9 usec")
                if (l.indexOf("verification time ", 1) > 0) {
                    l = l.substring(0, l.indexOf("verification time "));
                }
                String line = l;
                if (TRAILER.stream().anyMatch(line::startsWith)) {
                    break;
                }
                body.add(l);
            }
            int last = -1;
            for (int i = 0; i < body.size(); i++) {
                if (INSN.matcher(body.get(i)).find()) {
                    last = i;
                }
            }
            int insn = -1;
            List<String> why = new ArrayList<>();
            if (last >= 0) {
                Matcher m = INSN.matcher(body.get(last));
                insn = m.find() ? Integer.parseInt(m.group(1)) : -1;
                why.addAll(body.subList(last + 1, body.size()));
            } else {
                for (String l : body) {
                    if (!l.matches("^func#\\d+ @\\d+$") && !l.startsWith("Live regs") && !l.matches("^\\s+\\d+: .*")) {
                        why.add(l);
                    }
                }
            }
            List<String> reason = new ArrayList<>();
            for (String l : why) {
                if (!l.isBlank() && NOT_REASON.stream().noneMatch(l::startsWith) && !LIVENESS.matcher(l).find()) {
                    reason.add(l);
                }
            }
            String message = String.join("\n", reason);
            if (AFTER_PATHS.stream().anyMatch(message::startsWith) || FRAMES_AFTER_PATHS.matcher(message).matches()) {
                insn = -1;
            }
            return new KernelReason(insn, message);
        }
    }

    /**
     * Each jxdp-extension object is recorded, and the kernel refused it for the extension helper: the list
     * excuses that refusal and no other, and an entry whose object changed fails here.
     */
    @TestFactory
    Stream<DynamicTest> jxdpExtensionObjectsAreRefusedForTheirHelperOnly() throws IOException {
        JsonNode rec = new ObjectMapper().readTree(RECORDING.toFile());
        List<DynamicTest> tests = new ArrayList<>();
        for (String obj : JxdpExtensionObjects.OBJECTS.keySet()) {
            tests.add(DynamicTest.dynamicTest(obj, () -> {
                JsonNode o = null;
                for (JsonNode x : rec.path("objects")) {
                    if (x.path("obj").asText().equals(obj)) {
                        o = x;
                    }
                }
                assertTrue(o != null, obj + " has no verifier recording");
                assertTrue(!o.path("accepted").asBoolean(), obj + ": the kernel accepts it; remove it from JxdpExtensionObjects");
                ObjectSpec spec = ElfLoader.load(REPO.resolve(obj));
                JsonNode refused = null;
                for (JsonNode p : o.path("programs")) {
                    if (!p.path("accepted").asBoolean()) {
                        refused = p;
                    }
                }
                assertTrue(refused != null, obj + ": no refused program recorded");
                ProgramSpec p = spec.program(refused.path("prog").asText());
                assertTrue(JxdpExtensionObjects.isExtensionRefusal(p, refused.path("insn").asInt(),
                        refused.path("message").asText()), obj + ": the kernel refuses it for something else: "
                        + refused.path("message").asText());
            }));
        }
        return tests.stream();
    }

    /** Every unsafe variant and test object has a recording. */
    @TestFactory
    Stream<DynamicTest> everyTestObjectIsRecorded() throws IOException {
        JsonNode rec = new ObjectMapper().readTree(RECORDING.toFile());
        Set<String> recorded = new HashSet<>();
        rec.path("objects").forEach(o -> recorded.add(o.path("obj").asText()));
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> files = Files.list(REPO.resolve("core/src/test/bpf"))) {
            for (Path f : files.filter(x -> x.toString().endsWith(".o")).sorted().toList()) {
                String rel = REPO.relativize(f).toString();
                tests.add(DynamicTest.dynamicTest(rel, () -> assertTrue(recorded.contains(rel),
                        rel + " has no verifier recording: run core/src/test/bpf/record-verifier " + f.getFileName())));
            }
        }
        tests.add(DynamicTest.dynamicTest("each reason recorded at least once", () -> {
            long rejected = 0;
            for (JsonNode o : rec.path("objects")) {
                for (JsonNode p : o.path("programs")) {
                    rejected += p.path("accepted").asBoolean() ? 0 : 1;
                }
            }
            assertTrue(rejected >= 25, rejected + " rejected programs recorded");
        }));
        return tests.stream();
    }
}
