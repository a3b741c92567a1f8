package dev.jxdp.io.pktgen;

import java.net.Inet6Address;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What pktgen generates: plain data, parsed from the compact text the CLI takes after {@code pktgen:}
 * (e.g. {@code flows=64,size=64,proto=udp,src=198.18.0.0/24,dport=53}); {@link PktGen} turns it into
 * frames. Every key is optional; the empty spec is one flow of 64-byte IPv4 UDP frames.
 *
 * <ul>
 * <li>{@code flows=N} (1..65536, default 1): flow {@code i} takes the {@code i}-th value of every range,
 *     each wrapping at its end, so all fields step together as in the kernel's pktgen. The ranges must
 *     give N distinct 5-tuples: the least common multiple of their lengths is at least N.
 * <li>{@code size=N|imix} (default 64): the frame length on the wire with the 4-byte FCS, as RFC 2544,
 *     IMIX and NIC counters count it; the frame in memory is 4 bytes shorter (64 puts 60 bytes in
 *     memory, 1518 puts 1514). A frame whose headers do not fit grows to its headers (IPv6 UDP: 62
 *     bytes in memory). {@code imix} is the classic simple IMIX 7:4:1 of 64, 594 and 1518 bytes.
 * <li>{@code proto=udp|tcp|icmp} (default udp): ICMP is an echo request (ICMPv6 with {@code ip=6}),
 *     whose identifier takes the {@code sport} range; {@code dport} does not apply to it.
 * <li>{@code ip=4|6}: by default the family of the addresses given, else 4.
 * <li>{@code vlan=ID} (1..4094; 0, the default, is untagged): an 802.1Q tag, priority 0.
 * <li>{@code src=}, {@code dst=}: an address, a prefix ({@code 198.18.0.0/24}) or a range
 *     ({@code 198.18.0.1-198.18.0.9}); only the first 2^32 addresses of a range are used. Defaults are
 *     in the benchmarking blocks (RFC 2544, RFC 5180): 198.18.0.1 to 198.19.0.1, 2001:2::1 to
 *     2001:2:0:1::1.
 * <li>{@code sport=}, {@code dport=}: a port or a range {@code A-B}; defaults 1024-65535 (so flows
 *     differ by source port unless other ranges are given) and 9 (discard).
 * <li>{@code smac=}, {@code dmac=}: defaults 02:00:00:00:00:01 and 02:00:00:00:00:02.
 * <li>{@code seed=N}: the payload bytes, a pseudo-random pattern from the seed; 0 (default) is zeros.
 * <li>{@code stamp=0|1}: write each packet's sequence number (big-endian u32, its low 32 bits) as the
 *     first payload bytes, the L4 checksum adjusted to match.
 * <li>{@code order=seq|shuffle} (default seq): seq sends the flows round robin (packet {@code n} is flow
 *     {@code n % flows}); shuffle still sends every flow once per round of {@code flows} packets, but in
 *     an order that changes from round to round, pseudo-random and the same every run: intermixed
 *     traffic, where a packet's flow cannot be told from the ones before it (as on a busy link, or from
 *     an attacker who mixes flows on purpose).
 * </ul>
 *
 * @param size the wire size in bytes with FCS, or {@link #IMIX}
 * @param ip 4 or 6
 * @param vlan the 802.1Q VLAN id, 0 for untagged
 * @param smac the source MAC as a 48-bit number ({@code 02:00:00:00:00:01} is {@code 0x020000000001})
 */
public record PktGenSpec(int flows, int size, Proto proto, int ip, int vlan, AddrRange src, AddrRange dst,
                         PortRange sport, PortRange dport, long smac, long dmac, long seed, boolean stamp,
                         boolean shuffle) {

    /** {@link #size()} for the simple IMIX. */
    public static final int IMIX = 0;
    public static final int MAX_FLOWS = 65536;
    public static final int MIN_SIZE = HeaderLayout.ETH_ZLEN_WIRE;
    public static final int MAX_SIZE = HeaderLayout.ETH_FRAME_LEN_MAX;

    private static final List<String> KEYS =
            List.of("flows", "size", "proto", "ip", "vlan", "src", "dst", "sport", "dport", "smac", "dmac",
                    "seed", "stamp", "order");

    public enum Proto {
        UDP, TCP, ICMP;

        /** Whether the protocol has ports (ICMP's flows differ by addresses and echo identifier only). */
        public boolean hasPorts() { return this != ICMP; }

        @Override
        public String toString() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    public PktGenSpec {
        if (flows < 1 || flows > MAX_FLOWS) {
            throw new PktGenSpecException("flows=" + flows + ": want 1.." + MAX_FLOWS);
        }
        if (size != IMIX && (size < MIN_SIZE || size > MAX_SIZE)) {
            throw new PktGenSpecException("size=" + size + ": want " + MIN_SIZE + ".." + MAX_SIZE
                    + " (bytes on the wire, FCS included) or imix");
        }
        if (proto == null) {
            throw new PktGenSpecException("proto: want udp, tcp or icmp");
        }
        if (ip != 4 && ip != 6) {
            throw new PktGenSpecException("ip=" + ip + ": want 4 or 6");
        }
        if (vlan < 0 || vlan > 4094) {
            throw new PktGenSpecException("vlan=" + vlan + ": want 1..4094, or 0 for untagged");
        }
        checkFamily("src", src, ip);
        checkFamily("dst", dst, ip);
        if (sport == null || dport == null) {
            throw new PktGenSpecException((sport == null ? "sport" : "dport") + ": missing");
        }
        checkMac("smac", smac);
        checkMac("dmac", dmac);
        long distinct = lcm(lcm(lcm(src.count(), dst.count()), sport.count()), proto.hasPorts() ? dport.count() : 1);
        if (distinct < flows) {
            throw new PktGenSpecException("flows=" + flows + ": the ranges give only " + distinct
                    + " distinct flows (every range steps once per flow; widen one, or make their lengths coprime)");
        }
    }

    /** The defaults: one flow of 64-byte IPv4 UDP frames. */
    public static PktGenSpec defaults() {
        return parse("");
    }

    /** The spec the text says; a {@link PktGenSpecException} naming the item otherwise. */
    public static PktGenSpec parse(String text) {
        Map<String, String> items = new HashMap<>();
        for (String item : text.split(",", -1)) {
            String s = item.strip();
            if (s.isEmpty()) {
                continue;
            }
            int eq = s.indexOf('=');
            if (eq < 0) {
                throw new PktGenSpecException("'" + s + "': want key=value (keys: " + String.join(", ", KEYS) + ")");
            }
            String key = s.substring(0, eq).strip();
            if (!KEYS.contains(key)) {
                throw new PktGenSpecException("unknown key '" + key + "' (keys: " + String.join(", ", KEYS) + ")");
            }
            if (items.putIfAbsent(key, s.substring(eq + 1).strip()) != null) {
                throw new PktGenSpecException(key + ": given twice");
            }
        }
        Proto proto = proto(items.get("proto"));
        AddrRange src = items.containsKey("src") ? AddrRange.parse("src", items.get("src")) : null;
        AddrRange dst = items.containsKey("dst") ? AddrRange.parse("dst", items.get("dst")) : null;
        int ip = items.containsKey("ip") ? number("ip", items.get("ip"))
                : src != null ? src.family() : dst != null ? dst.family() : 4;
        if (!proto.hasPorts() && items.containsKey("dport")) {
            throw new PktGenSpecException("dport: not used with proto=icmp (flows differ by src, dst and sport,"
                    + " the echo identifier)");
        }
        return new PktGenSpec(
                number("flows", items.getOrDefault("flows", "1")),
                size(items.getOrDefault("size", "64")),
                proto,
                ip,
                number("vlan", items.getOrDefault("vlan", "0")),
                src != null ? src : AddrRange.parse("src", ip == 6 ? "2001:2::1" : "198.18.0.1"),
                dst != null ? dst : AddrRange.parse("dst", ip == 6 ? "2001:2:0:1::1" : "198.19.0.1"),
                PortRange.parse("sport", items.getOrDefault("sport", "1024-65535")),
                PortRange.parse("dport", items.getOrDefault("dport", "9")),
                mac("smac", items.getOrDefault("smac", "02:00:00:00:00:01")),
                mac("dmac", items.getOrDefault("dmac", "02:00:00:00:00:02")),
                seed(items.getOrDefault("seed", "0")),
                flag("stamp", items.getOrDefault("stamp", "0")),
                shuffle(items.getOrDefault("order", "seq")));
    }

    /** Whether the sizes follow the simple IMIX rather than one fixed size. */
    public boolean imix() { return size == IMIX; }

    /** The canonical text: {@code parse(spec.toString())} equals the spec. */
    @Override
    public String toString() {
        return "flows=" + flows + ",size=" + (imix() ? "imix" : Integer.toString(size)) + ",proto=" + proto
                + ",ip=" + ip + ",vlan=" + vlan + ",src=" + src + ",dst=" + dst + ",sport=" + sport
                + (proto.hasPorts() ? ",dport=" + dport : "") + ",smac=" + macText(smac) + ",dmac=" + macText(dmac)
                + ",seed=" + seed + ",stamp=" + (stamp ? 1 : 0) + ",order=" + (shuffle ? "shuffle" : "seq");
    }

    private static boolean shuffle(String text) {
        return switch (text) {
            case "seq" -> false;
            case "shuffle" -> true;
            default -> throw new PktGenSpecException("order=" + text + ": want seq or shuffle");
        };
    }

    /** Addresses as {@code family} 4 or 6; address {@code k} of the range is (hi, lo) + k. */
    public record AddrRange(int family, long hi, long lo, long count) {
        /** No range is longer: flows never reach further, and the lengths stay exact longs. */
        public static final long MAX_COUNT = 1L << 32;

        private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

        public AddrRange {
            if (family != 4 && family != 6 || count < 1 || count > MAX_COUNT
                    || family == 4 && (hi != 0 || lo < 0 || lo + count - 1 > 0xffffffffL)
                    || family == 6 && hi == -1 && Long.compareUnsigned(lo + count - 1, lo) < 0) {
                throw new IllegalArgumentException("bad IPv" + family + " range: " + hi + ":" + lo + "+" + count);
            }
        }

        /** An address, {@code ADDR/PREFIX} or {@code FIRST-LAST}; errors name {@code key}. */
        static AddrRange parse(String key, String text) {
            int slash = text.indexOf('/');
            int dash = text.indexOf('-');
            if (slash >= 0) {
                long[] a = address(key, text, text.substring(0, slash));
                int family = (int) a[2];
                int hostBits = (family == 4 ? 32 : 128) - prefixLen(key, text, text.substring(slash + 1), family);
                return new AddrRange(family, clearLow(a[0], hostBits - 64), clearLow(a[1], hostBits),
                        hostBits >= 32 ? MAX_COUNT : 1L << hostBits);
            }
            if (dash >= 0) {
                long[] a = address(key, text, text.substring(0, dash));
                long[] b = address(key, text, text.substring(dash + 1));
                if (a[2] != b[2]) {
                    throw new PktGenSpecException(key + "=" + text + ": mixes IPv4 and IPv6");
                }
                int cmp = a[0] != b[0] ? Long.compareUnsigned(a[0], b[0]) : Long.compareUnsigned(a[1], b[1]);
                if (cmp > 0) {
                    throw new PktGenSpecException(key + "=" + text + ": the last address is before the first");
                }
                // last - first fits 64 bits when the high halves are equal, or adjacent with a borrow
                boolean fits = a[0] == b[0] || b[0] - a[0] == 1 && Long.compareUnsigned(b[1], a[1]) < 0;
                long diff = b[1] - a[1];
                long count = fits && Long.compareUnsigned(diff, MAX_COUNT - 1) < 0 ? diff + 1 : MAX_COUNT;
                return new AddrRange((int) a[2], a[0], a[1], count);
            }
            long[] a = address(key, text, text);
            return new AddrRange((int) a[2], a[0], a[1], 1);
        }

        /** Address {@code k}, as the 4 or 16 bytes the header holds. */
        public byte[] address(long k) {
            long l = lo + k;
            long h = Long.compareUnsigned(l, lo) < 0 ? hi + 1 : hi;
            byte[] out = new byte[family == 4 ? 4 : 16];
            if (family == 4) {
                putBe(out, 0, l, 4);
            } else {
                putBe(out, 0, h, 8);
                putBe(out, 8, l, 8);
            }
            return out;
        }

        /** The address flow {@code flow} takes. */
        public byte[] forFlow(int flow) {
            return address(flow % count);
        }

        @Override
        public String toString() {
            String first = text(address(0));
            return count == 1 ? first : first + "-" + text(address(count - 1));
        }

        /** {hi, lo, family} of one literal address. */
        private static long[] address(String key, String item, String text) {
            if (IPV4.matcher(text).matches()) {
                long v = 0;
                for (String part : text.split("\\.")) {
                    int octet = Integer.parseInt(part);
                    if (octet > 255) {
                        throw new PktGenSpecException(key + "=" + item + ": not an IPv4 address");
                    }
                    v = v << 8 | octet;
                }
                return new long[] {0, v, 4};
            }
            if (text.indexOf(':') >= 0 && text.indexOf('%') < 0 && text.indexOf('[') < 0) {
                try {
                    if (Inet6Address.ofLiteral(text) instanceof Inet6Address a6) {
                        byte[] b = a6.getAddress();
                        return new long[] {getBe(b, 0), getBe(b, 8), 6};
                    }
                } catch (IllegalArgumentException e) {
                    // reported below, as every other unparsable address
                }
            }
            throw new PktGenSpecException(key + "=" + item + ": not an IPv4 or IPv6 address");
        }

        /** {@code v} with its low {@code bits} bits cleared (none when bits <= 0, all when bits >= 64). */
        private static long clearLow(long v, int bits) {
            return bits <= 0 ? v : bits >= 64 ? 0 : v & -1L << bits;
        }

        private static int prefixLen(String key, String item, String text, int family) {
            int bits = family == 4 ? 32 : 128;
            try {
                int len = Integer.parseInt(text);
                if (len >= 0 && len <= bits) {
                    return len;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new PktGenSpecException(key + "=" + item + ": want a prefix length 0.." + bits);
        }

        /** Dotted quad, or RFC 5952 text (the longest run of two or more zero groups as {@code ::}). */
        private static String text(byte[] a) {
            return dev.jxdp.ebpf.fib.Inet.text(a, 0, a.length);
        }
    }

    /** Ports {@code first .. first + count - 1}. */
    public record PortRange(int first, int count) {
        public PortRange {
            if (first < 0 || count < 1 || first + count - 1 > 0xffff) {
                throw new IllegalArgumentException("bad port range: " + first + "+" + count);
            }
        }

        /** A port or {@code FIRST-LAST}; errors name {@code key}. */
        static PortRange parse(String key, String text) {
            int dash = text.indexOf('-');
            int first = port(key, text, dash < 0 ? text : text.substring(0, dash));
            int last = dash < 0 ? first : port(key, text, text.substring(dash + 1));
            if (last < first) {
                throw new PktGenSpecException(key + "=" + text + ": the last port is before the first");
            }
            return new PortRange(first, last - first + 1);
        }

        /** The port flow {@code flow} takes. */
        public int forFlow(int flow) {
            return first + flow % count;
        }

        @Override
        public String toString() {
            return count == 1 ? Integer.toString(first) : first + "-" + (first + count - 1);
        }

        private static int port(String key, String item, String text) {
            try {
                int p = Integer.parseInt(text);
                if (p >= 0 && p <= 0xffff) {
                    return p;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new PktGenSpecException(key + "=" + item + ": want a port 0..65535 or a range A-B");
        }
    }

    private static void checkFamily(String key, AddrRange range, int ip) {
        if (range == null) {
            throw new PktGenSpecException(key + ": missing");
        }
        if (range.family() != ip) {
            throw new PktGenSpecException(key + "=" + range + ": not an IPv" + ip + " address (ip=" + ip + ")");
        }
    }

    private static void checkMac(String key, long mac) {
        if (mac >>> 48 != 0) {
            throw new PktGenSpecException(key + "=0x" + Long.toHexString(mac) + ": not a 48-bit MAC address");
        }
    }

    private static long lcm(long a, long b) {
        long g = gcd(a, b);
        long m = a / g * b;
        return m / b != a / g ? Long.MAX_VALUE : m; // saturate: only "at least flows" matters
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    private static int number(String key, String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new PktGenSpecException(key + "=" + text + ": not a number");
        }
    }

    private static int size(String text) {
        return "imix".equals(text) ? IMIX : number("size", text);
    }

    private static long seed(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new PktGenSpecException("seed=" + text + ": not a number");
        }
    }

    private static boolean flag(String key, String text) {
        return switch (text) {
            case "0" -> false;
            case "1" -> true;
            default -> throw new PktGenSpecException(key + "=" + text + ": want 0 or 1");
        };
    }

    private static Proto proto(String text) {
        if (text == null) {
            return Proto.UDP;
        }
        return switch (text) {
            case "udp" -> Proto.UDP;
            case "tcp" -> Proto.TCP;
            case "icmp" -> Proto.ICMP;
            default -> throw new PktGenSpecException("proto=" + text + ": want udp, tcp or icmp");
        };
    }

    private static long mac(String key, String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 6) {
            throw new PktGenSpecException(key + "=" + text + ": want six hex bytes like 02:00:00:00:00:01");
        }
        long v = 0;
        for (String p : parts) {
            if (p.length() < 1 || p.length() > 2 || !p.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw new PktGenSpecException(key + "=" + text + ": want six hex bytes like 02:00:00:00:00:01");
            }
            v = v << 8 | Integer.parseInt(p, 16);
        }
        return v;
    }

    static String macText(long mac) {
        StringBuilder sb = new StringBuilder();
        for (int shift = 40; shift >= 0; shift -= 8) {
            if (shift != 40) {
                sb.append(':');
            }
            sb.append(String.format("%02x", mac >>> shift & 0xff));
        }
        return sb.toString();
    }

    private static void putBe(byte[] b, int off, long v, int bytes) {
        for (int i = 0; i < bytes; i++) {
            b[off + i] = (byte) (v >>> 8 * (bytes - 1 - i));
        }
    }

    private static long getBe(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | b[off + i] & 0xff;
        }
        return v;
    }
}
