package dev.jxdp;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiTest {

    static final Path REPO = Path.of(System.getProperty("jxdp.repo", "."));
    static final Path DEMO = REPO.resolve("examples/xdp_demo.o");
    static final Path BPF = REPO.resolve("core/src/test/bpf");

    @Test
    void specFromPathBytesAndResourceAgree() throws Exception {
        ObjectSpec fromPath = ObjectSpec.read(DEMO);
        ObjectSpec fromBytes = ObjectSpec.read(Files.readAllBytes(DEMO), "xdp_demo.o");
        ObjectSpec fromResource = ObjectSpec.fromResource(ApiTest.class, "/api/xdp_demo.o");
        for (ObjectSpec s : List.of(fromPath, fromBytes, fromResource)) {
            assertEquals(List.of(new ProgramSpec("xdp_demo", "xdp", s.program("xdp_demo").instructions(), true)), s.programs());
            assertEquals("GPL", s.license());
            assertEquals(new MapSpec("stats", "percpu_array", 4, 16, 5, 0, "__u32", "struct verdict_stats"), s.map("stats"));
            assertEquals(new MapSpec("blocklist", "hash", 4, 8, 1024, 0, "__u32", "__u64"), s.map("blocklist"));
        }
        assertTrue(fromPath.program("xdp_demo").instructions() > 20);
    }

    @Test
    void missingThingsAreOneLineErrors() {
        JxdpException e = assertThrows(JxdpException.class, () -> ObjectSpec.read(BPF.resolve("no_such.o")));
        assertTrue(e.getMessage().endsWith("no_such.o: no such file"), e.getMessage());
        e = assertThrows(JxdpException.class, () -> ObjectSpec.read(new byte[] {1, 2, 3}, "junk.o"));
        assertTrue(e.getMessage().startsWith("junk.o: "), e.getMessage());
        e = assertThrows(JxdpException.class, () -> ObjectSpec.fromResource(ApiTest.class, "nothing.o"));
        assertTrue(e.getMessage().startsWith("nothing.o: no such resource"), e.getMessage());
        ObjectSpec demo = ObjectSpec.read(DEMO);
        e = assertThrows(JxdpException.class, () -> demo.map("nope"));
        assertTrue(e.getMessage().endsWith("no map nope (maps: blocklist, stats)"), e.getMessage());
        try (XdpObject obj = demo.load()) {
            e = assertThrows(JxdpException.class, () -> obj.program("nope"));
            assertTrue(e.getMessage().endsWith("no program nope (programs: xdp_demo)"), e.getMessage());
        }
    }

    @Test
    void demoVerdictsOnBothEngines() {
        for (Engine engine : List.of(Engine.JIT, Engine.INTERPRETER)) {
            try (XdpObject obj = ObjectSpec.read(DEMO).load(engine)) {
                XdpProgram prog = obj.program();
                assertEquals(engine, obj.engine());
                assertEquals(XdpAction.DROP, prog.testRun(Frames.udp(9)).action());
                assertEquals(XdpAction.PASS, prog.testRun(Frames.udp(53)).action());
                assertEquals(XdpAction.PASS, prog.testRun(Frames.arp()).action());
                byte[] echo = Frames.ipv4(Frames.ICMP, 0x0a000001, 0, 0, 8);
                TestRunResult r = prog.testRun(echo);
                assertEquals(XdpAction.TX, r.action());
                assertEquals(3, r.retval());
                assertNull(r.fault());
                // the reply: MACs and IPs swapped, type 0
                assertArrayEquals(java.util.Arrays.copyOfRange(echo, 6, 12), java.util.Arrays.copyOfRange(r.dataOut(), 0, 6));
                assertEquals(0, r.dataOut()[34]);
            }
        }
    }

    @Test
    void mapsPersistAcrossRunsAndPerCpuValuesAreListed() {
        try (XdpObject obj = ObjectSpec.read(DEMO).load()) {
            XdpProgram prog = obj.program();
            byte[] discard = Frames.udp(9);
            for (int i = 0; i < 3; i++) {
                prog.testRun(discard);
            }
            prog.testRun(Frames.udp(53));
            XdpMap stats = obj.map("stats");
            int cpus = stats.cpus();
            List<?> perCpu = (List<?>) stats.lookupDecoded(1).orElseThrow();
            assertEquals(cpus, perCpu.size());
            // the test run is CPU 0's
            assertEquals(Map.of("packets", 3L, "bytes", 3L * discard.length), perCpu.getFirst());
            assertEquals(Map.of("packets", 3L, "bytes", 3L * discard.length), stats.lookupSummed(1).orElseThrow());
            for (int c = 1; c < cpus; c++) {
                assertEquals(Map.of("packets", 0L, "bytes", 0L), perCpu.get(c));
            }
            byte[] raw = stats.lookup(new byte[] {1, 0, 0, 0}).orElseThrow();
            assertEquals(cpus * 16, raw.length);
            assertEquals(3, raw[0]);
            assertEquals(Map.of("packets", 1L, "bytes", (long) Frames.udp(53).length), stats.lookupSummed(2).orElseThrow());
        }
    }

    @Test
    void blocklistDecodedUpdateChangesTheVerdict() {
        try (XdpObject obj = ObjectSpec.read(DEMO).load()) {
            XdpMap block = obj.map("blocklist");
            byte[] frame = Frames.udp(53);
            assertEquals(XdpAction.PASS, obj.program().testRun(frame).action());
            // 10.0.0.1 in network order, as the program reads ip->saddr: bytes 0a 00 00 01
            long saddr = 0x0100000aL;
            block.updateDecoded(saddr, 0);
            assertEquals(XdpAction.DROP, obj.program().testRun(frame).action());
            assertEquals(XdpAction.DROP, obj.program().testRun(frame).action());
            assertEquals(2L, block.lookupDecoded(saddr).orElseThrow());
            assertEquals(2, block.lookupLong(saddr).orElseThrow());
            assertEquals(Map.of(saddr, 2L), block.entriesDecoded());
            assertArrayEquals(new byte[] {10, 0, 0, 1}, block.keys().getFirst());
            assertTrue(block.deleteDecoded(saddr));
            assertFalse(block.deleteDecoded(saddr));
            assertEquals(Optional.empty(), block.lookupDecoded(saddr));
            assertEquals(XdpAction.PASS, obj.program().testRun(frame).action());
        }
    }

    @Test
    void rawMapErrorsNameTheMap() {
        try (XdpObject obj = ObjectSpec.read(DEMO).load()) {
            XdpMap block = obj.map("blocklist");
            JxdpException e = assertThrows(JxdpException.class, () -> block.update(new byte[3], new byte[8]));
            assertEquals("map blocklist: key of 3 bytes, want 4", e.getMessage());
            block.update(new byte[4], new byte[8], XdpMap.NOEXIST);
            e = assertThrows(JxdpException.class, () -> block.update(new byte[4], new byte[8], XdpMap.NOEXIST));
            assertTrue(e.getMessage().startsWith("map blocklist: update failed: EEXIST"), e.getMessage());
            e = assertThrows(JxdpException.class, () -> obj.map("stats").update(new byte[4], new byte[16]));
            assertTrue(e.getMessage().startsWith("map stats: value of 16 bytes, want "), e.getMessage());
            e = assertThrows(JxdpException.class, () -> block.updateDecoded("x", 1));
            assertEquals("map blocklist: key: want an integer, got String", e.getMessage());
        }
    }

    @Test
    void closeTwiceAndUseAfterClose() {
        XdpObject obj = ObjectSpec.read(DEMO).load();
        XdpProgram prog = obj.program();
        XdpMap stats = obj.map("stats");
        obj.close();
        obj.close();
        JxdpException e = assertThrows(JxdpException.class, () -> prog.testRun(Frames.udp(9)));
        assertTrue(e.getMessage().endsWith("xdp_demo.o: the object is closed"), e.getMessage());
        assertThrows(JxdpException.class, () -> stats.lookupDecoded(1));
        assertThrows(JxdpException.class, obj::maps);
    }

    @Test
    void verifierRejectionCarriesLogInsnAndLine() {
        ObjectSpec spec = ObjectSpec.read(BPF.resolve("elf_bad_verify_pkt.o"));
        VerifierException e = assertThrows(VerifierException.class, spec::load);
        assertEquals("xdp_short_check", e.program());
        assertTrue(e.insn() >= 0);
        assertTrue(e.reason().contains("invalid access to packet"), e.reason());
        assertNotNull(e.sourceLine());
        assertTrue(e.sourceLine().contains("ip->protocol") && e.sourceLine().contains("elf_bad_verify_pkt.c"), e.sourceLine());
        assertTrue(e.log().contains(e.insn() + ": ("), e.log());
        assertTrue(e.log().endsWith(e.reason()), e.log());
        assertTrue(e.getMessage().startsWith("program xdp_short_check: the verifier rejects it at insn " + e.insn() + ": "),
                e.getMessage());
        // unverified, it runs with run-time checks: the out-of-bounds read is a fault, not a crash
        try (XdpObject obj = spec.load(LoadOptions.defaults().verify(false))) {
            TestRunResult r = obj.program().testRun(new byte[14]);
            assertEquals(XdpAction.ABORTED, r.action());
            assertNotNull(r.fault());
        }
    }

    @Test
    void constantsChangeTheVerdict() {
        ObjectSpec spec = ObjectSpec.read(BPF.resolve("global_data.o"));
        byte[] telnet = Frames.ipv4(Frames.TCP, 0x0a000001, 1000, 23, 0);
        byte[] web = Frames.ipv4(Frames.TCP, 0x0a000001, 1000, 8080, 0);
        try (XdpObject obj = spec.load()) {
            assertEquals(XdpAction.DROP, obj.program().testRun(telnet).action());
            assertEquals(XdpAction.PASS, obj.program().testRun(web).action());
        }
        try (XdpObject obj = spec.withConstant("blocked_port", 8080).load()) {
            assertEquals(XdpAction.PASS, obj.program().testRun(telnet).action());
            assertEquals(XdpAction.DROP, obj.program().testRun(web).action());
        }
        JxdpException e = assertThrows(JxdpException.class, () -> spec.withConstant("nope", 1));
        assertTrue(e.getMessage().contains("no const volatile global nope"), e.getMessage());
        e = assertThrows(JxdpException.class, () -> spec.withConstant("blocked_port", 70000));
        assertTrue(e.getMessage().contains("blocked_port"), e.getMessage());
    }

    @Test
    @SuppressWarnings("unchecked")
    void globalDataDecodesAsItsVariables() {
        try (XdpObject obj = ObjectSpec.read(BPF.resolve("global_data.o")).load()) {
            assertEquals(".bss", obj.map("global_d.bss").spec().valueType());
            byte[] f = Frames.udp(53);
            obj.program().testRun(f);
            obj.program().testRun(f);
            Map<String, Object> bss = (Map<String, Object>) obj.map("global_d.bss").lookupDecoded(0).orElseThrow();
            assertEquals(List.of("packets", "last_len", "last_proto", "dropped_big"), List.copyOf(bss.keySet()));
            assertEquals(2L, bss.get("packets"));
            assertEquals((long) f.length, bss.get("last_len"));
            assertEquals(0x0800, bss.get("last_proto"));
            assertEquals(Map.of("bytes", 1000L + 2 * f.length), obj.map("global_d.data").lookupDecoded(0).orElseThrow());
            assertEquals(List.of(3L, 2L, 3L, 4L, 5L, 6L, 7L, 8L),
                    ((Map<String, Object>) obj.map(".data.hist").lookupDecoded(0).orElseThrow()).get("hist"));
            // a section's variables not given keep their value
            obj.map("global_d.bss").updateDecoded(0, Map.of("packets", 40));
            obj.program().testRun(f);
            Map<String, Object> after = (Map<String, Object>) obj.map("global_d.bss").lookupDecoded(0).orElseThrow();
            assertEquals(41L, after.get("packets"));
            assertEquals((long) f.length, after.get("last_len"));
            // .rodata is frozen: the kernel refuses user writes too
            JxdpException e = assertThrows(JxdpException.class,
                    () -> obj.map("global_d.rodata").updateDecoded(0, Map.of("max_len", 1)));
            assertTrue(e.getMessage().startsWith("map global_d.rodata: update failed: EPERM"), e.getMessage());
        }
    }

    @Test
    void withMaxEntriesResizesBeforeLoad() {
        ObjectSpec spec = ObjectSpec.read(DEMO).withMaxEntries("blocklist", 2);
        assertEquals(2, spec.map("blocklist").maxEntries());
        assertEquals(1024, ObjectSpec.read(DEMO).map("blocklist").maxEntries());
        try (XdpObject obj = spec.load()) {
            XdpMap block = obj.map("blocklist");
            block.updateDecoded(1, 0);
            block.updateDecoded(2, 0);
            JxdpException e = assertThrows(JxdpException.class, () -> block.updateDecoded(3, 0));
            assertTrue(e.getMessage().startsWith("map blocklist: update failed: E2BIG"), e.getMessage());
        }
        assertThrows(JxdpException.class, () -> ObjectSpec.read(DEMO).withMaxEntries("blocklist", 0));
    }

    /** The kernel engine, where bpf() works (root); required under CI=true, as the other kernel tests. */
    private static void requireKernel() {
        String why = dev.jxdp.kernel.KernelObject.unavailableReason();
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                org.junit.jupiter.api.Assertions.fail("CI=true but the kernel cannot load programs here: " + why);
            }
            org.junit.jupiter.api.Assumptions.abort("the kernel cannot load programs here: " + why);
        }
    }

    @Test
    void kernelEngineAnswersAsTheJit() {
        requireKernel();
        List<byte[]> frames = List.of(Frames.ipv4(Frames.UDP, 0x0a000001, 1000, 9, 8),
                Frames.ipv4(Frames.UDP, 0x0a000002, 1000, 53, 8), Frames.ipv4(Frames.TCP, 0x0a000003, 1000, 80, 0),
                new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 6, 0, 0});
        try (XdpObject jit = ObjectSpec.read(DEMO).load(); XdpObject kernel = ObjectSpec.read(DEMO).load(Engine.KERNEL)) {
            assertEquals(Engine.KERNEL, kernel.engine());
            for (XdpObject o : List.of(jit, kernel)) {
                o.map("blocklist").updateDecoded(0x0300000a, 0L);  // 10.0.0.3 in network order
            }
            for (byte[] f : frames) {
                TestRunResult a = jit.program().testRun(f);
                TestRunResult b = kernel.program().testRun(f);
                assertEquals(a.action(), b.action());
                assertArrayEquals(a.dataOut(), b.dataOut());
            }
            assertEquals(jit.map("blocklist").lookupDecoded(0x0300000a), kernel.map("blocklist").lookupDecoded(0x0300000a));
            for (int action = 0; action < 5; action++) {
                assertEquals(jit.map("stats").lookupSummed(action), kernel.map("stats").lookupSummed(action), "stats " + action);
            }
        }
    }

    @Test
    void kernelRejectionIsAVerifierException() {
        requireKernel();
        VerifierException e = assertThrows(VerifierException.class,
                () -> ObjectSpec.read(BPF.resolve("elf_bad_verify_pkt.o")).load(Engine.KERNEL));
        assertEquals("xdp_short_check", e.program());
        assertTrue(e.insn() >= 0);
        assertTrue(e.reason().contains("invalid access to packet"), e.reason());
        assertTrue(e.log().contains(e.insn() + ": ("), e.log());
        assertNotNull(e.sourceLine());
    }

    @Test
    void badFrameIsOneLine() {
        try (XdpObject obj = ObjectSpec.read(DEMO).load()) {
            JxdpException e = assertThrows(JxdpException.class, () -> obj.program().testRun(new byte[10]));
            assertTrue(e.getMessage().startsWith("program xdp_demo: frame of 10 bytes"), e.getMessage());
        }
    }

    @Test
    void tenThousandTestRunsOnOneObject() {
        List<byte[]> frames = new java.util.ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            frames.add(Frames.ipv4(Frames.UDP, 0x0a000001 + i, 1000 + i, i % 3 == 0 ? 9 : 53, i % 64));
        }
        try (XdpObject obj = ObjectSpec.read(DEMO).load()) {
            XdpProgram prog = obj.program();
            int drops = 0;
            for (byte[] f : frames) {
                drops += prog.testRun(f).action() == XdpAction.DROP ? 1 : 0;
            }
            // every third frame goes to the discard port; the per-CPU counters saw every run
            // (what the runs cost is measured by bin/bench-api, not here)
            assertEquals(3334, drops);
            assertEquals(Map.of("packets", 3334L), pick(obj.map("stats").lookupSummed(XdpAction.DROP.code())));
            assertEquals(Map.of("packets", 6666L), pick(obj.map("stats").lookupSummed(XdpAction.PASS.code())));
        }
    }

    @Test
    void xdpActionOf() {
        assertEquals(XdpAction.ABORTED, XdpAction.of(0));
        assertEquals(XdpAction.REDIRECT, XdpAction.of(4));
        assertEquals(XdpAction.REDIRECT_XSK, XdpAction.of(5));
        assertEquals(XdpAction.UNKNOWN, XdpAction.of(6));
        assertEquals(XdpAction.UNKNOWN, XdpAction.of(-1));
        assertEquals(3, XdpAction.TX.code());
    }

    private static Map<String, Object> pick(Optional<Object> summed) {
        return Map.of("packets", ((Map<?, ?>) summed.orElseThrow()).get("packets"));
    }
}
