package dev.jxdp.ebpf.fib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jxdp.cli.Main;
import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.testrun.ProgTestRun;
import dev.jxdp.io.netlink.HostFib;
import dev.jxdp.kernel.KernelObject;
import dev.jxdp.kernel.KernelProgram;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * bpf_fib_lookup() held to the kernel: the router namespace of router-netns.sh (gateways with and without a
 * neighbour, on-link routes, a small MTU, blackhole / unreachable / prohibit, a second table, metrics,
 * forwarding off on one device, IPv4 and IPv6), fib_fwd.c run on each frame in the kernel there
 * (BPF_PROG_TEST_RUN with ctx_in naming the ingress device, through the kernel engine) and in jxdp with
 * {@code --fib host} from inside the namespace and with {@code --fib router.json} (the same namespace
 * written down); retval and data_out (the helper's return code and params) must agree. The namespace is
 * also read back through rtnetlink and compared with what the script built. Needs root; with CI=true a
 * machine that cannot build the namespace fails.
 */
final class FibLookupKernelTest {

    static final Path OBJ = RouterNetns.REPO.resolve("core/src/test/bpf/fib_fwd.o");
    static final int R0 = 3;
    static final int R1 = 5;
    static final int R2 = 7;
    // the helper's flags and fib_fwd.c's test bits
    static final int DIRECT = 1;
    static final int OUTPUT = 2;
    static final int SKIP_NEIGH = 4;
    static final int TBID = 8;
    static final int SRC = 16;
    static final int MARK = 32;
    static final int SHORT_PLEN = 1 << 31;
    static final int NO_FAMILY = 1 << 30;
    static final int IFINDEX = 1 << 29;

    record Case(String name, String src, String dst, int totLen, int flags, int arg, int ingress) {
        boolean v6() {
            return dst.contains(":");
        }
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        // IPv4
        c.add(new Case("v4 gateway with neighbour", "10.0.0.2", "10.10.1.1", 100, 0, 0, R0));
        c.add(new Case("v4 longest prefix", "10.0.0.2", "10.10.5.1", 100, 0, 0, R0));
        c.add(new Case("v4 gateway without neighbour", "10.0.0.2", "10.20.1.1", 100, 0, 0, R0));
        c.add(new Case("v4 skip neigh", "10.0.0.2", "10.20.1.1", 100, SKIP_NEIGH, 0, R0));
        c.add(new Case("v4 on link, small mtu", "10.0.0.2", "10.30.0.5", 1300, 0, 0, R0));
        c.add(new Case("v4 frag needed", "10.0.0.2", "10.30.0.5", 1301, 0, 0, R0));
        c.add(new Case("v4 stale neighbour", "10.0.0.2", "10.30.0.6", 100, 0, 0, R0));
        c.add(new Case("v4 on link, no neighbour", "10.0.0.2", "10.30.0.7", 100, 0, 0, R0));
        c.add(new Case("v4 blackhole", "10.0.0.2", "10.40.1.1", 100, 0, 0, R0));
        c.add(new Case("v4 unreachable", "10.0.0.2", "10.41.1.1", 100, 0, 0, R0));
        c.add(new Case("v4 prohibit", "10.0.0.2", "10.42.1.1", 100, 0, 0, R0));
        c.add(new Case("v4 no route", "10.0.0.2", "10.99.1.1", 100, 0, 0, R0));
        c.add(new Case("v4 local address", "10.0.0.2", "10.0.0.1", 100, 0, 0, R0));
        c.add(new Case("v4 local address, direct", "10.0.0.2", "10.0.0.1", 100, DIRECT, 0, R0));
        c.add(new Case("v4 broadcast", "10.0.0.2", "10.0.0.255", 100, 0, 0, R0));
        c.add(new Case("v4 other table, not asked", "10.0.0.2", "10.50.1.1", 100, 0, 0, R0));
        c.add(new Case("v4 tbid 100", "10.0.0.2", "10.50.1.1", 100, DIRECT | TBID, 100, R0));
        c.add(new Case("v4 tbid 100 blackhole", "10.0.0.2", "10.51.1.1", 100, DIRECT | TBID, 100, R0));
        c.add(new Case("v4 tbid without direct", "10.0.0.2", "10.50.1.1", 100, TBID, 100, R0));
        c.add(new Case("v4 tbid of no table", "10.0.0.2", "10.10.1.1", 100, DIRECT | TBID, 200, R0));
        c.add(new Case("v4 tbid 0 is main", "10.0.0.2", "10.10.1.1", 100, DIRECT | TBID, 0, R0));
        c.add(new Case("v4 direct main", "10.0.0.2", "10.10.1.1", 100, DIRECT, 0, R0));
        c.add(new Case("v4 metric", "10.0.0.2", "10.60.1.1", 100, 0, 0, R0));
        c.add(new Case("v4 output, no route through it", "10.0.0.2", "10.60.1.1", 100, OUTPUT, 0, R0));
        c.add(new Case("v4 output on link", "10.0.0.2", "10.0.0.9", 100, OUTPUT, 0, R0));
        c.add(new Case("v4 output through r2", "10.0.0.2", "10.60.1.1", 100, OUTPUT | IFINDEX, R2, R0));
        c.add(new Case("v4 forwarding off", "10.1.0.2", "10.10.1.1", 100, 0, 0, R1));
        c.add(new Case("v4 src from route", "10.0.0.2", "10.70.1.1", 100, SRC, 0, R0));
        c.add(new Case("v4 src from device", "10.0.0.2", "10.10.1.1", 100, SRC, 0, R0));
        c.add(new Case("v4 mark", "10.0.0.2", "10.10.1.1", 100, MARK, 7, R0));
        c.add(new Case("v4 all flags", "10.0.0.2", "10.50.1.1", 100, DIRECT | TBID | SKIP_NEIGH | SRC | MARK, 100, R0));
        c.add(new Case("v4 unknown flag", "10.0.0.2", "10.10.1.1", 100, 64, 0, R0));
        c.add(new Case("v4 short plen", "10.0.0.2", "10.10.1.1", 100, SHORT_PLEN, 0, R0));
        c.add(new Case("v4 no family", "10.0.0.2", "10.10.1.1", 100, NO_FAMILY, 0, R0));
        c.add(new Case("v4 no device", "10.0.0.2", "10.10.1.1", 100, IFINDEX, 99, R0));
        c.add(new Case("v4 from lo", "127.0.0.1", "10.10.1.1", 100, 0, 0, 0));
        // IPv6
        c.add(new Case("v6 gateway with neighbour", "2001:db8::2", "2001:db8:10::1", 100, 0, 0, R0));
        c.add(new Case("v6 longest prefix", "2001:db8::2", "2001:db8:10:5::1", 100, 0, 0, R0));
        c.add(new Case("v6 gateway without neighbour", "2001:db8::2", "2001:db8:20::1", 100, 0, 0, R0));
        c.add(new Case("v6 skip neigh", "2001:db8::2", "2001:db8:20::1", 100, SKIP_NEIGH, 0, R0));
        c.add(new Case("v6 on link, small mtu", "2001:db8::2", "2001:db8:30::5", 1300, 0, 0, R0));
        c.add(new Case("v6 frag needed", "2001:db8::2", "2001:db8:30::5", 1301, 0, 0, R0));
        c.add(new Case("v6 on link, no neighbour", "2001:db8::2", "2001:db8:30::6", 100, 0, 0, R0));
        c.add(new Case("v6 blackhole", "2001:db8::2", "2001:db8:40::1", 100, 0, 0, R0));
        c.add(new Case("v6 unreachable", "2001:db8::2", "2001:db8:41::1", 100, 0, 0, R0));
        c.add(new Case("v6 prohibit", "2001:db8::2", "2001:db8:42::1", 100, 0, 0, R0));
        c.add(new Case("v6 no route", "2001:db8::2", "2001:db8:99::1", 100, 0, 0, R0));
        c.add(new Case("v6 local address", "2001:db8::2", "2001:db8::1", 100, 0, 0, R0));
        c.add(new Case("v6 local address, direct main", "2001:db8::2", "2001:db8::1", 100, DIRECT, 0, R0));
        c.add(new Case("v6 subnet-router anycast", "2001:db8::2", "2001:db8::", 100, 0, 0, R0));
        c.add(new Case("v6 link-local destination", "2001:db8::2", "fe80::1", 100, 0, 0, R0));
        c.add(new Case("v6 multicast destination", "2001:db8::2", "ff02::1", 100, 0, 0, R0));
        c.add(new Case("v6 link-local source", "fe80::2", "2001:db8:10::1", 100, 0, 0, R0));
        c.add(new Case("v6 tbid 100", "2001:db8::2", "2001:db8:50::1", 100, DIRECT | TBID, 100, R0));
        c.add(new Case("v6 tbid of no table", "2001:db8::2", "2001:db8:10::1", 100, DIRECT | TBID, 200, R0));
        c.add(new Case("v6 metric", "2001:db8::2", "2001:db8:60::1", 100, 0, 0, R0));
        c.add(new Case("v6 output on link", "2001:db8::2", "2001:db8::9", 100, OUTPUT, 0, R0));
        c.add(new Case("v6 forwarding off", "2001:db8:1::2", "2001:db8:10::1", 100, 0, 0, R1));
        c.add(new Case("v6 src from device", "2001:db8::2", "2001:db8:10::1", 100, SRC, 0, R0));
        c.add(new Case("v6 src on link", "2001:db8::2", "2001:db8:30::5", 100, SRC, 0, R0));
        c.add(new Case("v6 no device", "2001:db8::2", "2001:db8:10::1", 100, IFINDEX, 99, R0));
        return c;
    }

    /**
     * What the kernel answers each case (BPF_FIB_LKUP_RET_* or -errno), in the order of {@link #cases()}:
     * checks that the namespace is the one the cases were written for before jxdp is compared with it.
     */
    static final long[] KERNEL_CODES = {
        0, 0, 7, 0, 0, 8, 0, 7, 1, 2, 3, 4, 4, 4, 4, 4, 0, 1, 4, 4, 0, 0, 0, 4, 0, 0, 5, 0, 0, 0, 0, -22, -22, -97, -19, 0,
        0, 0, 7, 0, 0, 8, 7, 1, 2, 3, 4, 4, 7, 4, 4, 4, 4, 0, 4, 0, 7, 5, 0, 0, -19};

    @Test
    void theKernelGivesTheCodesTheCasesWereWrittenFor() {
        List<Case> cases = cases();
        assertEquals(KERNEL_CODES.length, cases.size());
        for (int i = 0; i < cases.size(); i++) {
            String hex = kernel.get(i).dataOut();
            int at = 2 * ((cases.get(i).v6() ? 54 : 34) + 8);
            long ret = ByteBuffer.wrap(HexFormat.of().parseHex(hex.substring(at, at + 16))).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(KERNEL_CODES[i], ret, cases.get(i).name());
        }
    }

    record Answer(long retval, String dataOut) {}

    static RouterNetns ns;
    static List<Answer> kernel;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void buildNamespaceAndAskTheKernel() throws Exception {
        String why = RouterNetns.whyNot();
        why = why != null ? why : KernelObject.unavailableReason();
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true but the router namespace cannot be built or the kernel asked: " + why);
            }
            Assumptions.abort("the router namespace cannot be built or the kernel asked here: " + why);
        }
        ns = RouterNetns.up();
        kernel = runInKernel(cases());
    }

    @AfterAll
    static void deleteNamespace() {
        if (ns != null) {
            ns.close();
        }
    }

    // the kernel engine on a thread inside the namespace: BPF_PROG_TEST_RUN finds ctx_in's ingress device
    // in the calling thread's network namespace; the program loaded once for all cases
    static List<Answer> runInKernel(List<Case> cases) throws Exception {
        return ns.inside(() -> {
            try (KernelObject k = KernelObject.load(ElfLoader.load(OBJ))) {
                KernelProgram p = k.program("fib_fwd");
                List<Answer> out = new ArrayList<>();
                for (Case c : cases) {
                    ProgTestRun.Result r = p.testRun(frame(c), 1, c.ingress(), 0);
                    out.add(new Answer(r.retval(), HexFormat.of().formatHex(r.dataOut())));
                }
                return out;
            }
        });
    }

    static byte[] frame(Case c) {
        byte[] src = Inet.parse(c.src());
        byte[] dst = Inet.parse(c.dst());
        ByteBuffer b = ByteBuffer.allocate(14 + (c.v6() ? 40 : 20) + 80).order(ByteOrder.BIG_ENDIAN);
        b.put(HexFormat.of().parseHex("020000000001020000000002"));
        if (c.v6()) {
            b.putShort((short) 0x86dd);
            b.putInt(0x60012345).putShort((short) (c.totLen() - 40)).put((byte) 17).put((byte) 64).put(src).put(dst);
        } else {
            b.putShort((short) 0x0800);
            b.put((byte) 0x45).put((byte) 0x10).putShort((short) c.totLen()).putInt(0).put((byte) 64).put((byte) 17)
                    .putShort((short) 0).put(src).put(dst);
        }
        b.order(ByteOrder.LITTLE_ENDIAN).putInt(c.flags()).putInt(c.arg());
        return b.array();
    }

    static Answer runJxdp(Case c, String fib, String engine) throws Exception {
        Path in = Files.createTempFile(tmp, "frame", ".bin");
        Files.write(in, frame(c));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = Main.run(new String[] {"test-run", "--obj", OBJ.toString(), "--data-in", in.toString(), "--fib", fib,
                "--ingress-ifindex", Integer.toString(c.ingress()), "--engine", engine, "--json"}, o, e);
        }
        assertEquals(0, exit, "jxdp test-run failed: " + err.toString(StandardCharsets.UTF_8));
        JsonNode j = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        return new Answer(j.get("retval").asLong(), j.get("data_out").asText());
    }

    @TestFactory
    Stream<DynamicTest> jxdpAnswersAsTheKernel() {
        List<Case> cases = cases();
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            int k = i;
            tests.add(DynamicTest.dynamicTest(c.name() + " [--fib host]", () ->
                    assertAgrees(c, kernel.get(k), ns.inside(() -> runJxdp(c, "host", "interp")))));
            tests.add(DynamicTest.dynamicTest(c.name() + " [--fib router.json]", () ->
                    assertAgrees(c, kernel.get(k), runJxdp(c, RouterNetns.ROUTER_JSON.toString(), "interp"))));
            tests.add(DynamicTest.dynamicTest(c.name() + " [--fib router.json, jit]", () ->
                    assertAgrees(c, kernel.get(k), runJxdp(c, RouterNetns.ROUTER_JSON.toString(), "jit"))));
        }
        return tests.stream();
    }

    static void assertAgrees(Case c, Answer want, Answer got) {
        assertEquals(want.retval(), got.retval(), c.name() + ": retval");
        // the answer: s64 return code, then struct bpf_fib_lookup, after the request's 8 bytes
        int at = 2 * ((c.v6() ? 54 : 34) + 8);
        assertEquals(describe(want.dataOut(), at), describe(got.dataOut(), at), c.name() + ": the helper's answer");
        assertEquals(want.dataOut(), got.dataOut(), c.name() + ": data_out");
    }

    static String describe(String hex, int at) {
        if (hex.length() < at + 2 * 72) {
            return hex;
        }
        ByteBuffer b = ByteBuffer.wrap(HexFormat.of().parseHex(hex.substring(at, at + 2 * 72))).order(ByteOrder.LITTLE_ENDIAN);
        return "ret " + b.getLong(0) + " tot_len/mtu " + (b.getShort(8 + 6) & 0xffff) + " ifindex " + b.getInt(8 + 8)
                + " metric " + Integer.toUnsignedString(b.getInt(8 + 12)) + " params " + hex.substring(at + 16, at + 2 * 72);
    }

    /** The rtnetlink reader sees what router-netns.sh built, and router.json says the same of the devices. */
    @Test
    void hostFibReadsTheNamespace() throws Exception {
        Fib host = ns.inside(HostFib::read);
        Fib file = FibJson.parse(new ObjectMapper().readTree(RouterNetns.ROUTER_JSON.toFile()));
        for (NetDev want : file.devices()) {
            NetDev got = host.device(want.ifindex());
            assertNotNull(got, "no device " + want.ifindex());
            assertEquals(want.name(), got.name());
            assertEquals(want.mac(), got.mac(), want.name() + " mac");
            assertEquals(want.mtu(), got.mtu(), want.name() + " mtu");
            assertEquals(want.forwarding4(), got.forwarding4(), want.name() + " ipv4 forwarding");
            assertEquals(want.forwarding6(), got.forwarding6(), want.name() + " ipv6 forwarding");
            assertEquals(want.rxQueues(), got.rxQueues(), want.name() + " rx queues");
        }
        assertEquals(1300, host.device(R2).mtu6());
        Route t100 = host.lookup4(100, Inet.lo(Inet.parse("10.50.1.1")), 0);
        assertEquals(R2, t100.oif());
        assertEquals(Inet.lo(Inet.parse("10.2.0.2")), t100.gwLo());
        assertEquals(Route.RTN_BLACKHOLE, host.lookup4(-1, Inet.lo(Inet.parse("10.40.0.1")), 0).type());
        byte[] v6 = Inet.parse("2001:db8:41::1");
        assertEquals(Route.RTN_UNREACHABLE, host.lookup6(-1, Inet.hi(v6), Inet.lo(v6), 0).type());
        Neighbour stale = host.neighbour(FibLookupLayout.AF_INET, R2, 0, Inet.lo(Inet.parse("10.30.0.6")));
        assertEquals(Neighbour.NUD_STALE, stale.state());
        assertEquals(0x020000003006L, stale.mac());
    }
}
