package dev.jxdp.junit;

import dev.jxdp.ebpf.fib.Inet;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.HexFormat;

/** Parses and prints the addresses the builders and views take: MACs, IPv4 dotted quads, IPv6 (RFC 5952 form). */
final class Addresses {
    private Addresses() {}

    static byte[] mac(String s) {
        String[] parts = s.split("[:-]");
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address: " + s + " (want six hex bytes, e.g. 02:00:00:00:00:01)");
        }
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            if (parts[i].isEmpty() || parts[i].length() > 2) {
                throw new IllegalArgumentException("not a MAC address: " + s);
            }
            try {
                b[i] = (byte) Integer.parseInt(parts[i], 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a MAC address: " + s);
            }
        }
        return b;
    }

    static String mac(byte[] b, int off) {
        return HexFormat.ofDelimiter(":").formatHex(b, off, off + 6);
    }

    static byte[] ipv4(String s) {
        try {
            return Inet4Address.ofLiteral(s).getAddress();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an IPv4 address: " + s);
        }
    }

    static byte[] ipv6(String s) {
        try {
            byte[] b = Inet6Address.ofLiteral(s).getAddress();
            if (b.length != 16) { // an IPv4 literal comes back as an Inet4Address
                throw new IllegalArgumentException();
            }
            return b;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an IPv6 address: " + s);
        }
    }

    static String ipv4(byte[] b, int off) {
        return Inet.text(b, off, 4);
    }

    /** RFC 5952: lower-case hex, no leading zeros, the longest run of two or more zero groups (the first) as "::". */
    static String ipv6(byte[] b, int off) {
        return Inet.text(b, off, 16);
    }
}
