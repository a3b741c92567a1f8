package dev.jxdp.io.pktgen;

import dev.jxdp.ebpf.mem.Mem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Frames read back with a parser of the test's own, checksums recomputed here. */
class PktGenTest {
    private static final int ROOM = 4096 - 256;
    private static Arena arena;
    private static long buf;

    @BeforeAll
    static void buffer() {
        arena = Arena.ofConfined();
        buf = arena.allocate(ROOM, 64).address();
    }

    @AfterAll
    static void free() {
        arena.close();
    }

    static List<String> specs() {
        List<String> out = new ArrayList<>();
        for (String proto : new String[] {"udp", "tcp", "icmp"}) {
            for (String ip : new String[] {"4", "6"}) {
                for (String vlan : new String[] {"0", "42"}) {
                    for (String size : new String[] {"64", "65", "1518", "imix"}) {
                        for (String stamp : new String[] {"0", "1"}) {
                            out.add("flows=5,proto=" + proto + ",ip=" + ip + ",vlan=" + vlan + ",size=" + size
                                    + ",stamp=" + stamp + (size.equals("65") ? ",seed=3" : ""));
                        }
                    }
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("specs")
    void everyFrameParsesBackWithValidChecksums(String text) {
        PktGenSpec spec = PktGenSpec.parse(text);
        try (PktGen gen = new PktGen(spec)) {
            for (long seq = 0; seq < 60; seq++) {
                byte[] f = fill(gen, seq);
                Parsed p = Parsed.of(f);
                assertEquals(spec.vlan() != 0 ? spec.vlan() : -1, p.vlan, "vlan");
                assertEquals(spec.ip(), p.ipVersion, "IP version");
                int wantProto = switch (spec.proto()) {
                    case UDP -> 17;
                    case TCP -> 6;
                    case ICMP -> spec.ip() == 4 ? 1 : 58;
                };
                assertEquals(wantProto, p.l4Proto, "protocol / next header");
                assertEquals(f.length - p.l4, p.ipPayloadLen, "IP length fields");
                if (spec.ip() == 4) {
                    assertEquals(0xffff, sum(f, p.l3, 20, 0), "IPv4 header checksum");
                }
                assertEquals(0xffff, sum(f, p.l4, f.length - p.l4, p.pseudoSum(f)), "L4 checksum");
                if (spec.proto() == PktGenSpec.Proto.UDP) {
                    assertEquals(f.length - p.l4, u16(f, p.l4 + 4), "UDP length");
                    assertTrue(u16(f, p.l4 + 6) != 0, "a UDP checksum of 0 would mean none");
                }
                if (spec.proto() == PktGenSpec.Proto.TCP) {
                    assertEquals(5, u8(f, p.l4 + 12) >>> 4, "TCP data offset");
                }
                if (spec.proto() == PktGenSpec.Proto.ICMP) {
                    assertEquals(spec.ip() == 4 ? 8 : 128, u8(f, p.l4), "echo request type");
                }
                if (spec.stamp()) {
                    assertEquals((int) seq, (int) u32(f, p.payload), "sequence stamp");
                }
                assertEquals(expectedLength(spec, seq, p.payload), f.length, "length");
            }
        }
    }

    /** The wire size less the FCS, or the headers (and stamp) when they do not fit in it. */
    private static int expectedLength(PktGenSpec spec, long seq, int headers) {
        int[] imix = {64, 594, 64, 594, 64, 64, 594, 64, 64, 594, 64, 1518};
        int wire = spec.imix() ? imix[(int) (seq % 12)] : spec.size();
        return Math.max(wire - 4, headers + (spec.stamp() ? 4 : 0));
    }

    @Test
    void sixtyFourBytesOnTheWireAreSixtyInMemory() {
        assertEquals(60, length("size=64"));
        assertEquals(1514, length("size=1518"));
        assertEquals(60, length("size=64,proto=tcp"));
    }

    @Test
    void framesTooSmallForTheirHeadersGrowToThem() {
        assertEquals(14 + 40 + 8, length("size=64,ip=6"));
        assertEquals(14 + 4 + 40 + 20, length("size=64,ip=6,proto=tcp,vlan=7"));
        assertEquals(14 + 4 + 20 + 20 + 4, length("size=64,proto=tcp,vlan=7,stamp=1"));
    }

    private static int length(String text) {
        try (PktGen gen = new PktGen(PktGenSpec.parse(text))) {
            return gen.fill(buf, ROOM, 0);
        }
    }

    @Test
    void shuffleSendsEveryFlowOncePerRoundInAnOrderThatChangesFromRoundToRound() {
        try (PktGen gen = new PktGen(PktGenSpec.parse("flows=100,order=shuffle"));
             PktGen again = new PktGen(PktGenSpec.parse("flows=100,order=shuffle"));
             PktGen seq = new PktGen(PktGenSpec.parse("flows=100"))) {
            int period = gen.period();
            assertEquals(0, period % 100, "whole rounds");
            assertTrue(period >= PktGen.SHUFFLE_MIN_PERIOD, "period " + period);
            assertEquals(100, seq.period(), "round robin repeats after one round");
            int[] first = new int[100];
            int sameAsBefore = 0;
            int inRoundRobinPlace = 0;
            for (int round = 0; round < period / 100; round++) {
                boolean[] seen = new boolean[100];
                boolean same = true;
                for (int i = 0; i < 100; i++) {
                    long s = (long) round * 100 + i;
                    int f = gen.flowOf(s);
                    assertFalse(seen[f], "flow " + f + " twice in round " + round);
                    seen[f] = true;
                    assertEquals(f, again.flowOf(s), "the same order on every run");
                    assertEquals(f, gen.flowOf(s + period), "the schedule repeats after the period");
                    assertEquals(f, gen.flowOf(s + 7L * period), "however far the stream goes");
                    same &= round == 0 || f == first[i];
                    if (round == 0) {
                        first[i] = f;
                    }
                    if (f == seq.flowOf(s)) {
                        inRoundRobinPlace++;
                    }
                }
                if (round > 0 && same) {
                    sameAsBefore++;
                }
            }
            assertEquals(0, sameAsBefore, "each round a different order from the first");
            // a random permutation fixes about one point in 100; round robin order would fix all of them
            assertTrue(inRoundRobinPlace < period / 20, inRoundRobinPlace + " packets in their round-robin place");
            // the frame carries the flow's source port
            gen.fill(buf, ROOM, 5);
            assertEquals(1024 + gen.flowOf(5), (Mem.getU8(buf + 34) << 8) | Mem.getU8(buf + 35));
        }
    }

    @Test
    void imixHoldsTheWholeMixInAnyTwelvePackets() {
        try (PktGen gen = new PktGen(PktGenSpec.parse("size=imix,flows=7"))) {
            for (long start = 0; start < 12; start++) {
                int small = 0;
                int medium = 0;
                int large = 0;
                for (long seq = start; seq < start + 12; seq++) {
                    switch (gen.fill(buf, ROOM, seq)) {
                        case 60 -> small++;
                        case 590 -> medium++;
                        case 1514 -> large++;
                        default -> throw new AssertionError("unexpected length at " + seq);
                    }
                }
                assertEquals(7, small, "64-byte frames from " + start);
                assertEquals(4, medium, "594-byte frames from " + start);
                assertEquals(1, large, "1518-byte frames from " + start);
            }
        }
    }

    @Test
    void vlanTagSitsBetweenTheMacsAndTheEthertype() {
        byte[] f = frame("vlan=1234,ip=6", 0);
        assertEquals(0x8100, u16(f, 12));
        assertEquals(1234, u16(f, 14));
        assertEquals(0x86dd, u16(f, 16));
        assertEquals(0x60, u8(f, 18) & 0xf0);
    }

    @Test
    void ipv6CarriesNextHeaderAndPayloadLength() {
        byte[] f = frame("ip=6,proto=tcp,size=1518", 0);
        assertEquals(0x86dd, u16(f, 12));
        assertEquals(6, u8(f, 14 + 6));
        assertEquals(1514 - 14 - 40, u16(f, 14 + 4));
        assertEquals(64, u8(f, 14 + 7));
    }

    @Test
    void flowsStepEveryRangeTogether() {
        String text = "flows=300,src=10.0.0.0/24,dst=10.1.0.1,sport=1024-2047,dport=53,"
                + "smac=02:00:00:00:00:0a,dmac=02:00:00:00:00:0b";
        try (PktGen gen = new PktGen(PktGenSpec.parse(text))) {
            Set<String> tuples = new HashSet<>();
            for (int seq = 0; seq < 600; seq++) {
                byte[] f = fill(gen, seq);
                int flow = seq % 300;
                assertEquals(flow, gen.flowOf(seq));
                assertArrayEquals(new byte[] {2, 0, 0, 0, 0, 0x0b, 2, 0, 0, 0, 0, 0x0a}, Arrays.copyOf(f, 12));
                assertEquals(0x0a000000L | flow % 256, u32(f, 14 + 12), "source address");
                assertEquals(0x0a010001L, u32(f, 14 + 16), "destination address");
                assertEquals(1024 + flow, u16(f, 34), "source port");
                assertEquals(53, u16(f, 36), "destination port");
                tuples.add(u32(f, 26) + ":" + u16(f, 34));
            }
            assertEquals(300, tuples.size());
        }
    }

    @Test
    void icmpFlowsDifferByEchoIdentifier() {
        try (PktGen gen = new PktGen(PktGenSpec.parse("proto=icmp,flows=3,sport=100-102"))) {
            for (int seq = 0; seq < 3; seq++) {
                assertEquals(100 + seq, u16(fill(gen, seq), 34 + 4));
            }
        }
    }

    @Test
    void payloadIsZerosOrTheSeedsPatternSharedByAllFlows() {
        byte[] zeros = frame("size=128", 0);
        for (int i = 42; i < zeros.length; i++) {
            assertEquals(0, zeros[i], "payload byte " + i);
        }
        try (PktGen gen = new PktGen(PktGenSpec.parse("size=128,seed=9,flows=2"))) {
            byte[] a = fill(gen, 0);
            byte[] b = fill(gen, 1);
            byte[] payload = Arrays.copyOfRange(a, 42, a.length);
            assertArrayEquals(payload, Arrays.copyOfRange(b, 42, b.length));
            assertFalse(Arrays.equals(payload, new byte[payload.length]), "seed 9 gives zeros");
        }
    }

    @Test
    void rssHashIsToeplitzOverTheFramesTuple() {
        for (String text : new String[] {"flows=8,src=10.0.0.0/24", "flows=8,ip=6,proto=tcp,src=2001:db8::/120",
                "flows=8,proto=icmp,src=10.0.0.0/29"}) {
            PktGenSpec spec = PktGenSpec.parse(text);
            try (PktGen gen = new PktGen(spec)) {
                for (int flow = 0; flow < 8; flow++) {
                    byte[] f = fill(gen, flow);
                    Parsed p = Parsed.of(f);
                    int addr = spec.ip() == 4 ? 4 : 16;
                    int ports = spec.proto().hasPorts() ? 4 : 0;
                    byte[] input = new byte[2 * addr + ports];
                    System.arraycopy(f, p.l3 + (spec.ip() == 4 ? 12 : 8), input, 0, 2 * addr);
                    System.arraycopy(f, p.l4, input, 2 * addr, ports);
                    assertEquals(Toeplitz.hash(input), gen.rssHash(flow), text + " flow " + flow);
                }
            }
        }
    }

    @Test
    void rssSpreads64FlowsOverEveryQueue() {
        try (PktGen gen = new PktGen(PktGenSpec.parse("flows=64,src=10.0.0.0/24,sport=1024-2047,dport=53"))) {
            int[] perQueue = new int[4];
            for (int flow = 0; flow < 64; flow++) {
                int q = gen.queueOf(flow, 4);
                assertEquals((gen.rssHash(flow) & 127) % 4, q, "indirection table i -> i % queues");
                perQueue[q]++;
            }
            for (int q = 0; q < 4; q++) {
                assertTrue(perQueue[q] > 0, "queue " + q + " gets no flow: " + Arrays.toString(perQueue));
            }
        }
    }

    @Test
    void queueCountOutsideTheIndirectionTableIsRefused() {
        try (PktGen gen = new PktGen(PktGenSpec.defaults())) {
            assertThrows(IllegalArgumentException.class, () -> gen.queueOf(0, 0));
            assertThrows(IllegalArgumentException.class, () -> gen.queueOf(0, 129));
        }
    }

    @Test
    void fillRefusesARoomTooSmall() {
        try (PktGen gen = new PktGen(PktGenSpec.parse("size=1518"))) {
            assertThrows(IllegalArgumentException.class, () -> gen.fill(buf, 1000, 0));
        }
    }

    @Test
    void fillAllocatesNothing() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        try (PktGen gen = new PktGen(PktGenSpec.parse("flows=64,size=imix,proto=tcp,stamp=1,src=10.0.0.0/24"))) {
            long sink = 0;
            for (long seq = 0; seq < 100_000; seq++) {
                sink += gen.fill(buf, ROOM, seq); // warm up: let the JIT compile fill
            }
            long before = threads.getThreadAllocatedBytes(tid);
            for (long seq = 0; seq < 100_000; seq++) {
                sink += gen.fill(buf, ROOM, seq);
            }
            long allocated = threads.getThreadAllocatedBytes(tid) - before;
            assertTrue(sink > 0);
            assertTrue(allocated < 64 * 1024, allocated + " bytes allocated over 100,000 fills");
        }
    }

    private static byte[] frame(String text, long seq) {
        try (PktGen gen = new PktGen(PktGenSpec.parse(text))) {
            return fill(gen, seq);
        }
    }

    private static byte[] fill(PktGen gen, long seq) {
        Mem.fill(buf, ROOM, (byte) 0xa5); // stale bytes from an earlier frame must not leak into this one
        int len = gen.fill(buf, ROOM, seq);
        return Mem.read(buf, len);
    }

    /** Where each header starts, and the fields the checks need. */
    private record Parsed(int vlan, int l3, int ipVersion, int l4Proto, int l4, int ipPayloadLen, int payload) {
        static Parsed of(byte[] f) {
            int type = u16(f, 12);
            int vlan = -1;
            int l3 = 14;
            if (type == 0x8100) {
                vlan = u16(f, 14) & 0xfff;
                type = u16(f, 16);
                l3 = 18;
            }
            int version = u8(f, l3) >>> 4;
            int proto;
            int l4;
            int payloadLen;
            if (type == 0x0800) {
                assertEquals(4, version);
                assertEquals(0x45, u8(f, l3));
                proto = u8(f, l3 + 9);
                l4 = l3 + 20;
                payloadLen = u16(f, l3 + 2) - 20;
            } else {
                assertEquals(0x86dd, type, "ethertype");
                proto = u8(f, l3 + 6);
                l4 = l3 + 40;
                payloadLen = u16(f, l3 + 4);
            }
            int l4Len = switch (proto) {
                case 6 -> (u8(f, l4 + 12) >>> 4) * 4;
                default -> 8;
            };
            return new Parsed(vlan, l3, version, proto, l4, payloadLen, l4 + l4Len);
        }

        /** The pseudo header's words (none for ICMPv4). */
        long pseudoSum(byte[] f) {
            int len = f.length - l4;
            if (ipVersion == 4) {
                return l4Proto == 1 ? 0 : words(f, l3 + 12, 8) + l4Proto + len;
            }
            return words(f, l3 + 8, 32) + (len >>> 16) + (len & 0xffff) + l4Proto;
        }
    }

    private static long words(byte[] b, int off, int len) {
        long s = 0;
        for (int i = 0; i < len; i++) {
            s += (i % 2 == 0 ? (b[off + i] & 0xff) << 8 : b[off + i] & 0xff);
        }
        return s;
    }

    /** The folded one's-complement sum: 0xffff when the checksum inside the range is right. */
    private static int sum(byte[] b, int off, int len, long initial) {
        long s = initial + words(b, off, len);
        while (s > 0xffff) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    private static int u8(byte[] b, int off) { return b[off] & 0xff; }

    private static int u16(byte[] b, int off) { return (b[off] & 0xff) << 8 | b[off + 1] & 0xff; }

    private static long u32(byte[] b, int off) { return (long) u16(b, off) << 16 | u16(b, off + 2); }
}
