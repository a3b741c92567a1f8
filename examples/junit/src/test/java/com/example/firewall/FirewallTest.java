package com.example.firewall;

import static dev.jxdp.junit.XdpAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jxdp.Engine;
import dev.jxdp.XdpMap;
import dev.jxdp.XdpProgram;
import dev.jxdp.junit.EngineTest;
import dev.jxdp.junit.LoadObject;
import dev.jxdp.junit.Map;
import dev.jxdp.junit.Packets;
import dev.jxdp.junit.XdpTest;
import java.util.Arrays;

/**
 * The firewall of src/test/bpf/firewall.c, tested frame by frame. Every test gets a freshly loaded object, so the
 * maps start empty; each runs in jxdp's JIT and, when the tests run as root, in the Linux kernel too.
 */
@XdpTest(engines = {Engine.JIT, Engine.KERNEL})
@LoadObject("firewall.o")
class FirewallTest {

    @EngineTest
    void udpToAnOpenPortPasses(XdpProgram firewall) {
        byte[] query = Packets.udp4().dst("10.0.0.2", 53).payload("query").build();

        assertThat(firewall.testRun(query)).isPass().frameEquals(query);
    }

    @EngineTest
    void udpToABlockedPortIsDropped(XdpProgram firewall, @Map("blocked_ports") XdpMap blocked) {
        blocked.updateDecoded(53, 0L);

        assertThat(firewall.testRun(Packets.udp4().dst("10.0.0.2", 53).build())).isDrop();
        assertThat(firewall.testRun(Packets.udp4().dst("10.0.0.2", 54).build())).isPass();
    }

    @EngineTest
    void blockedPortsCountTheirDrops(XdpProgram firewall, @Map("blocked_ports") XdpMap blocked) {
        blocked.updateDecoded(123, 0L);
        byte[] ntp = Packets.udp4().dst("10.0.0.2", 123).build();

        for (int i = 0; i < 3; i++) {
            firewall.testRun(ntp);
        }

        assertEquals(3, blocked.lookupLong(123).orElseThrow());
    }

    @EngineTest
    void blockingCoversIpv6AndVlanTags(XdpProgram firewall, @Map("blocked_ports") XdpMap blocked) {
        blocked.updateDecoded(5353, 0L);

        assertThat(firewall.testRun(Packets.udp6().dst("ff02::fb", 5353).build())).isDrop();
        assertThat(firewall.testRun(Packets.udp4().vlan(100).dstPort(5353).build())).isDrop();
        assertThat(firewall.testRun(Packets.udp4().qinq(10, 20).dstPort(5353).build())).isDrop();
    }

    @EngineTest
    void pingIsAnsweredInPlace(XdpProgram firewall) {
        byte[] ping = Packets.icmp4Echo().src("192.0.2.7").dst("10.0.0.2").ttl(57).echoId(0x77).sequence(9)
                .payload("are you there?").build();

        assertThat(firewall.testRun(ping)).isTx().frame()
                .eth().src(Packets.MAC_B).dst(Packets.MAC_A)
                .ipv4().src("10.0.0.2").dst("192.0.2.7").ttl(64)
                .icmp().isEchoReply().echoId(0x77).sequence(9)
                .payload("are you there?")
                .checksumsValid();
    }

    @EngineTest
    @LoadObject(value = "firewall.o", constants = "REPLY_TTL=255")
    void replyTtlIsSetAtLoadTime(XdpProgram firewall) {
        assertThat(firewall.testRun(Packets.icmp4Echo().build())).isTx().frame()
                .ipv4().ttl(255)
                .checksumsValid();
    }

    @EngineTest
    void otherIcmpPassesUntouched(XdpProgram firewall) {
        byte[] reply = Packets.icmp4Echo().reply().build();
        byte[] unreachable = Packets.icmp4Echo().type(3).code(1).build();

        assertThat(firewall.testRun(reply)).isPass().frameEquals(reply);
        assertThat(firewall.testRun(unreachable)).isPass().frameEquals(unreachable);
    }

    @EngineTest
    void tcpArpAndNeighborDiscoveryPass(XdpProgram firewall, @Map("blocked_ports") XdpMap blocked) {
        blocked.updateDecoded(80, 0L); // a UDP block: TCP to the same port is not affected

        assertThat(firewall.testRun(Packets.tcp4().dst("10.0.0.2", 80).build())).isPass();
        assertThat(firewall.testRun(Packets.arpRequest().build())).isPass();
        assertThat(firewall.testRun(Packets.neighborSolicitation("2001:db8::2").build())).isPass();
    }

    @EngineTest
    void framesCutShortAreAborted(XdpProgram firewall) {
        byte[] udp = Packets.udp4().build();
        byte[] noUdpHeader = Arrays.copyOf(udp, 14 + 20 + 4);
        byte[] noIpHeader = Arrays.copyOf(udp, 14 + 10);

        assertThat(firewall.testRun(noUdpHeader)).isAborted();
        assertThat(firewall.testRun(noIpHeader)).isAborted();
    }

    @EngineTest
    void statsCountEveryVerdict(XdpProgram firewall, @Map("blocked_ports") XdpMap blocked, @Map("stats") XdpMap stats) {
        blocked.updateDecoded(9, 0L);
        firewall.testRun(Packets.udp4().dstPort(9).build());     // drop
        firewall.testRun(Packets.icmp4Echo().build());           // tx
        firewall.testRun(Packets.tcp4().build());                // pass
        firewall.testRun(Packets.tcp6().build());                // pass

        assertEquals(0, stats.lookupLong(0).orElseThrow(), "aborted");
        assertEquals(1, stats.lookupLong(1).orElseThrow(), "drop");
        assertEquals(2, stats.lookupLong(2).orElseThrow(), "pass");
        assertEquals(1, stats.lookupLong(3).orElseThrow(), "tx");
    }
}
