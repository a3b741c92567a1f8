package dev.jxdp.bench;

import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.runtime.XdpBuff;
import dev.jxdp.xdp.PassSink;

/**
 * The "network stack" XDP_PASS frames reach in the benchmarks: a little of what ip_rcv() does first, so
 * PASS costs something real and the same in every case: for an IPv4 frame, check the header (version,
 * length) and its checksum (ip_fast_csum()), then count the packet under its protocol; anything else is
 * counted as other. No allocation, no state but counters.
 */
public final class StackStage implements PassSink {

    private static final int ETH_HLEN = 14;
    private static final int ETH_P_IP = 0x0800;

    private long udp;
    private long tcp;
    private long icmp;
    private long other;
    private long badHeader;

    @Override
    public void pass(XdpBuff buff) {
        long p = buff.data;
        int len = (int) (buff.dataEnd - p);
        if (len < ETH_HLEN + 20 || etherType(p) != ETH_P_IP) {
            other++;
            return;
        }
        long ip = p + ETH_HLEN;
        int vihl = Mem.getU8(ip);
        int ihl = (vihl & 0xf) << 2;
        if (vihl >>> 4 != 4 || ihl < 20 || ETH_HLEN + ihl > len || checksum(ip, ihl) != 0xffff) {
            badHeader++;  // ip_rcv_core() drops it: IPSTATS_MIB_INHDRERRORS
            return;
        }
        switch (Mem.getU8(ip + 9)) {
            case 17 -> udp++;
            case 6 -> tcp++;
            case 1 -> icmp++;
            default -> other++;
        }
    }

    private static int etherType(long frame) {
        return Mem.getU8(frame + 12) << 8 | Mem.getU8(frame + 13);
    }

    /** The ones'-complement sum of the header's 16-bit words, folded: 0xffff for a valid header. */
    private static int checksum(long ip, int len) {
        long sum = 0;
        for (int i = 0; i < len; i += 4) {
            sum += Mem.getU32(ip + i);  // little-endian words: the folded sum is the byte-swapped one, and 0xffff either way
        }
        sum = (sum & 0xffffffffL) + (sum >>> 32);
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        return (int) ((sum & 0xffff) + (sum >>> 16));
    }

    /** IPv4 UDP packets taken. */
    public long udp() { return udp; }

    public long tcp() { return tcp; }

    public long icmp() { return icmp; }

    /** Frames that are not IPv4, or IPv4 of another protocol. */
    public long other() { return other; }

    /** IPv4 frames with a bad version, length or header checksum. */
    public long badHeader() { return badHeader; }

    /** Every frame seen. */
    public long total() { return udp + tcp + icmp + other + badHeader; }
}
