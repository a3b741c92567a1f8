package dev.jxdp.ebpf.fib;

import static dev.jxdp.ebpf.fib.FibLookupLayout.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.mem.Mem;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The FIB model and the helper on it, without a kernel: longest prefix, tables, metrics, each return code. */
final class FibLookupTest {

    static final String JSON = """
            {"interfaces": [
               {"ifindex": 2, "name": "in", "mac": "02:00:00:00:00:02", "addresses": ["10.0.0.1/24", "2001:db8::1/64"]},
               {"ifindex": 3, "name": "out", "mac": "02:00:00:00:00:03", "mtu": 1400,
                "addresses": ["10.1.0.1/24", "2001:db8:1::1/64"]},
               {"ifindex": 4, "name": "off", "forwarding": {"ipv4": false, "ipv6": true}, "addresses": ["10.2.0.1/24"]},
               {"ifindex": 5, "name": "down", "up": false, "addresses": ["10.3.0.1/24"]}],
             "routes": [
               {"dst": "default", "via": "10.1.0.254"},
               {"dst": "10.8.0.0/16", "via": "10.1.0.2"},
               {"dst": "10.8.8.0/24", "via": "10.1.0.3", "dev": "out"},
               {"dst": "10.9.0.0/16", "via": "10.1.0.2", "metric": 20},
               {"dst": "10.9.0.0/16", "via": "10.1.0.3", "metric": 10},
               {"dst": "10.7.0.0/16", "via": "10.3.0.2"},
               {"dst": "10.40.0.0/16", "type": "blackhole"},
               {"dst": "10.41.0.0/16", "type": "unreachable"},
               {"dst": "10.42.0.0/16", "type": "prohibit"},
               {"dst": "10.43.0.0/16", "type": "throw"},
               {"dst": "10.50.0.0/16", "via": "10.1.0.2", "table": 100},
               {"dst": "2001:db8:10::/48", "via": "2001:db8:1::2", "dev": "out"}],
             "neighbours": [
               {"ip": "10.1.0.2", "dev": "out", "lladdr": "02:00:00:00:01:02"},
               {"ip": "10.1.0.3", "dev": "out", "lladdr": "02:00:00:00:01:03", "state": "failed"},
               {"ip": "2001:db8:1::2", "dev": "out", "lladdr": "02:00:00:00:01:22"}]}
            """;

    final Fib fib = parse(JSON);
    final Arena arena = Arena.ofConfined();
    final MemorySegment params = arena.allocate(SIZE, 8);

    @AfterEach
    void close() {
        arena.close();
    }

    static Fib parse(String json) {
        try {
            return FibJson.parse(new ObjectMapper().readTree(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    long v4(String dst, int totLen, int ifindex, int flags) {
        params.fill((byte) 0);
        long p = params.address();
        Mem.putU8(p + FAMILY, AF_INET);
        Mem.putU16(p + TOT_LEN, totLen);
        Mem.putU32(p + IFINDEX, ifindex);
        byte[] d = Inet.parse(dst);
        for (int i = 0; i < 4; i++) {
            Mem.putU8(p + DST + i, d[i]);
        }
        return FibLookup.xdp(fib, p, SIZE, flags);
    }

    String dst4() {
        long p = params.address();
        return (Mem.getU8(p + DST)) + "." + Mem.getU8(p + DST + 1) + "." + Mem.getU8(p + DST + 2) + "." + Mem.getU8(p + DST + 3);
    }

    int u32(int off) {
        return (int) Mem.getU32(params.address() + off);
    }

    @Test
    void longestPrefixWinsThenLowestMetric() {
        assertEquals(RET_SUCCESS, v4("10.8.1.1", 100, 2, 0));
        assertEquals("10.1.0.2", dst4());
        assertEquals(RET_NO_NEIGH, v4("10.8.8.1", 100, 2, 0), "the /24's gateway, whose neighbour entry failed");
        assertEquals("10.1.0.3", dst4());
        assertEquals(RET_NO_NEIGH, v4("10.9.1.1", 100, 2, 0), "metric 10 before metric 20");
        assertEquals("10.1.0.3", dst4());
        assertEquals(RET_NO_NEIGH, v4("192.0.2.1", 100, 2, 0), "the default route");
        assertEquals("10.1.0.254", dst4());
    }

    @Test
    void successWritesEgressMacsMetricAndMtu() {
        assertEquals(RET_SUCCESS, v4("10.8.1.1", 100, 2, 0));
        assertEquals(3, u32(IFINDEX));
        assertEquals(1400, Mem.getU16(params.address() + TOT_LEN));
        assertEquals(0x02, Mem.getU8(params.address() + SMAC));
        assertEquals(0x03, Mem.getU8(params.address() + SMAC + 5));
        assertEquals(0x02, Mem.getU8(params.address() + DMAC + 5));
        assertEquals(0, u32(TOS));
    }

    @Test
    void rejectRoutesAnswerTheirCode() {
        assertEquals(RET_BLACKHOLE, v4("10.40.0.1", 100, 2, 0));
        assertEquals(RET_UNREACHABLE, v4("10.41.0.1", 100, 2, 0));
        assertEquals(RET_PROHIBIT, v4("10.42.0.1", 100, 2, 0));
        assertEquals(RET_NOT_FWDED, v4("10.43.0.1", 100, 2, 0));
    }

    @Test
    void localAndBroadcastAreNotForwarded() {
        assertEquals(RET_NOT_FWDED, v4("10.0.0.1", 100, 2, 0));
        assertEquals(RET_NOT_FWDED, v4("10.0.0.255", 100, 2, 0));
    }

    @Test
    void tableIdNeedsDirect() {
        assertEquals(RET_NO_NEIGH, v4("10.50.0.1", 100, 2, 0), "main: the default route (no neighbour for its gateway)");
        assertEquals("10.1.0.254", dst4());
        long p = params.address();
        params.fill((byte) 0);
        Mem.putU8(p + FAMILY, AF_INET);
        Mem.putU32(p + IFINDEX, 2);
        Mem.putU32(p + DST, Integer.reverseBytes((10 << 24) | (50 << 16) | 1) & 0xffffffffL);
        Mem.putU32(p + TBID, 100);
        assertEquals(RET_SUCCESS, FibLookup.xdp(fib, p, SIZE, DIRECT | TBID_FLAG));
        assertEquals("10.1.0.2", dst4());
        Mem.putU32(p + TBID, 101);
        Mem.putU32(p + DST, Integer.reverseBytes((10 << 24) | (50 << 16) | 1) & 0xffffffffL);
        assertEquals(RET_NOT_FWDED, FibLookup.xdp(fib, p, SIZE, DIRECT | TBID_FLAG), "no table 101");
        assertEquals(0, u32(TBID), "the kernel zeroes tbid once it has read it");
    }

    @Test
    void mtuAndFragNeeded() {
        assertEquals(RET_SUCCESS, v4("10.8.1.1", 1400, 2, 0));
        assertEquals(RET_FRAG_NEEDED, v4("10.8.1.1", 1401, 2, 0));
        assertEquals(1400, Mem.getU16(params.address() + TOT_LEN));
    }

    @Test
    void ingressDeviceChecks() {
        assertEquals(RET_FWD_DISABLED, v4("10.8.1.1", 100, 4, 0));
        assertEquals(-FibLookup.ENODEV, v4("10.8.1.1", 100, 9, 0));
    }

    @Test
    void routesThroughADeviceThatIsDownAreDead() {
        assertEquals(RET_NO_NEIGH, v4("10.7.0.1", 100, 2, 0), "falls through to the default route");
        assertEquals("10.1.0.254", dst4());
    }

    @Test
    void outputPassesOverRoutesThroughOtherDevices() {
        assertEquals(RET_NOT_FWDED, v4("10.8.1.1", 100, 2, OUTPUT));
        assertEquals(RET_SUCCESS, v4("10.8.1.1", 100, 3, OUTPUT | SKIP_NEIGH));
    }

    @Test
    void skipNeighAndSrc() {
        assertEquals(RET_SUCCESS, v4("10.8.8.1", 100, 2, SKIP_NEIGH | SRC_FLAG));
        assertEquals(Integer.reverseBytes((10 << 24) | (1 << 16) | 1), u32(SRC), "the out device's address");
        assertEquals(0, Mem.getU8(params.address() + DMAC), "no neighbour looked up, no MAC written");
    }

    @Test
    void badArguments() {
        long p = params.address();
        assertEquals(-FibLookup.EINVAL, FibLookup.xdp(fib, p, SIZE - 1, 0));
        assertEquals(-FibLookup.EINVAL, FibLookup.xdp(fib, p, SIZE, 1 << 6));
        params.fill((byte) 0);
        assertEquals(-FibLookup.EAFNOSUPPORT, FibLookup.xdp(fib, p, SIZE, 0));
    }

    @Test
    void ipv6GatewayAndNeverForwardedAddresses() {
        long p = params.address();
        params.fill((byte) 0);
        Mem.putU8(p + FAMILY, AF_INET6);
        Mem.putU32(p + IFINDEX, 2);
        byte[] d = Inet.parse("2001:db8:10::1");
        for (int i = 0; i < 16; i++) {
            Mem.putU8(p + DST + i, d[i]);
        }
        assertEquals(RET_SUCCESS, FibLookup.xdp(fib, p, SIZE, 0));
        assertEquals(0x22, Mem.getU8(p + DMAC + 5));
        assertEquals(2, Mem.getU8(p + DST + 15), "the gateway 2001:db8:1::2");
        Mem.putU8(p + DST, 0xfe);
        Mem.putU8(p + DST + 1, 0x80);
        assertEquals(RET_NOT_FWDED, FibLookup.xdp(fib, p, SIZE, 0), "link-local");
    }

    @Test
    void emptyFibKnowsOnlyLoopback() {
        params.fill((byte) 0);
        long p = params.address();
        Mem.putU8(p + FAMILY, AF_INET);
        Mem.putU32(p + IFINDEX, 1);
        assertEquals(RET_NOT_FWDED, FibLookup.xdp(Fib.EMPTY, p, SIZE, 0));
        Mem.putU32(p + IFINDEX, 2);
        assertEquals(-FibLookup.ENODEV, FibLookup.xdp(Fib.EMPTY, p, SIZE, 0));
    }

    @Test
    void badJsonIsOneLineNamingTheEntry() {
        String[][] bad = {
            {"[]", "want a JSON object"},
            {"{\"interfaces\": [{\"name\": \"x\"}]}", "interfaces[0]: \"ifindex\" is required"},
            {"{\"interfaces\": [{\"ifindex\": 2, \"mac\": \"zz\"}]}", "interfaces[0].mac: want a MAC address"},
            {"{\"interfaces\": [{\"ifindex\": 2, \"addresses\": [\"10.0.0.1\"]}]}", "wants a prefix length"},
            {"{\"routes\": [{\"dst\": \"10.0.0.0/33\", \"type\": \"blackhole\"}]}", "bad prefix length"},
            {"{\"routes\": [{\"dst\": \"10.0.0.1/8\", \"type\": \"blackhole\"}]}", "host bits set"},
            {"{\"routes\": [{\"dst\": \"10.0.0.0/8\", \"type\": \"teleport\"}]}", "routes[0].type: 'teleport' is not a route type"},
            {"{\"routes\": [{\"dst\": \"10.0.0.0/8\"}]}", "needs \"dev\""},
            {"{\"routes\": [{\"dst\": \"10.0.0.0/8\", \"dev\": \"eth9\"}]}", "no interface is named \"eth9\""},
            {"{\"routes\": [{\"dst\": \"example.com\"}]}", "not an IP address"},
            {"{\"neighbours\": [{\"ip\": \"10.0.0.2\"}]}", "neighbours[0]: \"dev\" is required"},
            {"{\"colour\": 1}", "unknown key \"colour\""},
        };
        for (String[] b : bad) {
            BpfException e = assertThrows(BpfException.class, () -> parse(b[0]), b[0]);
            assertTrue(e.getMessage().contains(b[1]), b[0] + " -> " + e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
