package dev.jxdp.io.pktgen;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The Toeplitz hash against Microsoft's "Verifying the RSS Hash Calculation" suite (its default key). */
class ToeplitzTest {

    @ParameterizedTest(name = "{0}:{1} -> {2}:{3}")
    @CsvSource({
        // source,       sport, destination,     dport, addresses only, with ports
        "66.9.149.187,    2794, 161.142.100.80,  1766, 323e8fc2, 51ccc178",
        "199.92.111.2,   14230, 65.69.140.83,    4739, d718262a, c626b0ea",
        "24.19.198.95,   12898, 12.22.207.184,  38024, d2d0a5de, 5c2b394a",
        "38.27.205.30,   48228, 209.142.163.6,   2217, 82989176, afc7327f",
        "153.39.163.191, 44251, 202.188.127.2,   1303, 5d1809c5, 10e828a2",
        "3ffe:2501:200:1fff::7,               2794, 3ffe:2501:200:3::1,        1766, 2cc18cd5, 40207d3d",
        "3ffe:501:8::260:97ff:fe40:efab,     14230, ff02::1,                   4739, 0f0c461c, dde51bbf",
        "3ffe:1900:4545:3:200:f8ff:fe21:67cf, 44251, fe80::200:f8ff:fe21:67cf, 38024, 4b61e985, 02d1feef",
    })
    void verificationSuite(String src, int sport, String dst, int dport, String addrHash, String portHash)
            throws UnknownHostException {
        byte[] s = InetAddress.ofLiteral(src).getAddress();
        byte[] d = InetAddress.ofLiteral(dst).getAddress();
        byte[] addresses = ByteBuffer.allocate(s.length * 2).put(s).put(d).array();
        byte[] withPorts = ByteBuffer.allocate(s.length * 2 + 4).put(s).put(d)
                .putShort((short) sport).putShort((short) dport).array();

        assertEquals(Integer.parseUnsignedInt(addrHash, 16), Toeplitz.hash(addresses), "addresses");
        assertEquals(Integer.parseUnsignedInt(portHash, 16), Toeplitz.hash(withPorts), "addresses and ports");
    }
}
