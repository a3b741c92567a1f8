package dev.jxdp.io.pktgen;

import dev.jxdp.ebpf.mem.Mem;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The in-memory packet generator: frames for a {@link PktGenSpec}, written into off-heap buffers with no
 * allocation per packet.
 *
 * <p>Packet {@code seq} belongs to flow {@code seq % flows} (round robin), or with {@code order=shuffle}
 * to the flow at position {@code seq % period} of a schedule built once: {@link #period()} / flows
 * rounds, each a different pseudo-random permutation of the flows (at least {@link #SHUFFLE_MIN_PERIOD}
 * packets in all, so no predictor learns the pattern), and the same for every run. Either way each
 * round of {@code flows} packets holds every flow once. With IMIX it takes size
 * {@code IMIX_ORDER[seq % 12]}: 64, 594 and 1518 bytes on the wire 7:4:1, interleaved so any 12
 * consecutive packets hold the whole mix. A flow count that shares a factor with 12 gives each flow a
 * subset of the sizes; the mix over all flows stays exact.
 *
 * <p>Each flow's headers at each size are built once, checksums included; {@link #fill} copies them and
 * the shared payload. With {@code stamp=1} it then writes the sequence number into the payload and
 * adjusts the L4 checksum incrementally (RFC 1624), a few instructions per packet.
 *
 * <p>RSS: each flow's Toeplitz hash ({@link Toeplitz}, the default key) over source and destination
 * address and, for UDP and TCP, source and destination port, in that order (the NIC's 4-tuple hash;
 * ICMP hashes the addresses only). The queue comes from a 128-entry indirection table filled as
 * {@code ethtool_rxfh_indir_default()} fills it ({@code entry i -> i % queues}), indexed by the hash's
 * low 7 bits, as NICs do.
 *
 * <p>Thread-safe for {@link #fill}: the templates are read-only after construction. {@link #close()}
 * frees them; no fill may run then.
 */
public final class PktGen implements AutoCloseable {
    /** The simple IMIX sizes on the wire, FCS included. */
    private static final int[] IMIX_SIZES = {64, 594, 1518};
    /** Indexes into IMIX_SIZES: seven small, four medium, one large, spread over 12 packets. */
    private static final int[] IMIX_ORDER = {0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 2};
    /** Entries of the NIC's RSS indirection table (ETH_RXFH_INDIR_DEFAULT size in most drivers). */
    public static final int RSS_INDIR_SIZE = 128;
    /**
     * The shortest period of a shuffled schedule, in packets: tens of thousands of branches in the
     * programs that read them, more than a branch predictor can learn, in a schedule small enough (2
     * bytes a packet) to stay out of the way of the frames in the L1 cache.
     */
    public static final int SHUFFLE_MIN_PERIOD = 2048;
    /** The schedule's permutations come from this seed: the same traffic on every run and machine. */
    private static final long SHUFFLE_SEED = 0x5eed_0f_f10e5L;

    private final PktGenSpec spec;
    private final Arena arena;
    private final int flows;
    /** flows - 1 when flows is a power of two (a mask instead of a 64-bit division per packet), else -1. */
    private final long flowMask;
    private final int headerLen;
    private final int stride;
    private final int l4ChecksumAt;
    private final boolean udp;
    private final boolean stamp;
    /** Per position in the size pattern: the size class (index into frameLen and the templates). */
    private final int[] order;
    /** Per size class: the frame length in memory. */
    private final int[] frameLen;
    private final int classes;
    private final long headers;
    private final long payload;
    /** Per template (flow, size class): its L4 checksum, so the stamp need not read it back from the frame. */
    private final int[] l4Check;
    private final int[] rssHash;
    /** Packets before the flow sequence repeats: flows, or a whole shuffled schedule. */
    private final int period;
    /** order=shuffle: per position of the period, its flow (flows fit 16 bits); null for round robin. */
    private final char[] schedule;

    public PktGen(PktGenSpec spec) {
        this.spec = spec;
        this.flows = spec.flows();
        this.flowMask = Integer.bitCount(flows) == 1 ? flows - 1 : -1;
        this.schedule = spec.shuffle() ? shuffledSchedule(flows) : null;
        this.period = schedule == null ? flows : schedule.length;
        this.headerLen = FrameTemplate.headerLen(spec);
        this.stride = (headerLen + 15) & ~15;
        this.l4ChecksumAt = FrameTemplate.l4ChecksumOffset(spec);
        this.udp = spec.proto() == PktGenSpec.Proto.UDP;
        this.stamp = spec.stamp();
        int[] wire = spec.imix() ? IMIX_SIZES : new int[] {spec.size()};
        this.order = spec.imix() ? IMIX_ORDER : new int[] {0};
        this.classes = wire.length;
        this.frameLen = new int[classes];
        int minLen = headerLen + (stamp ? HeaderLayout.STAMP_LEN : 0);
        int maxLen = 0;
        for (int c = 0; c < classes; c++) {
            frameLen[c] = Math.max(wire[c] - HeaderLayout.ETH_FCS_LEN, minLen);
            maxLen = Math.max(maxLen, frameLen[c]);
        }

        byte[] pattern = new byte[maxLen - headerLen];
        if (spec.seed() != 0) {
            new SplittableRandom(spec.seed()).nextBytes(pattern);
        }
        if (stamp) {
            Arrays.fill(pattern, 0, HeaderLayout.STAMP_LEN, (byte) 0); // summed as zero; fill() adds it
        }
        long[] payloadSum = new long[classes];
        for (int c = 0; c < classes; c++) {
            payloadSum[c] = InetChecksum.partial(pattern, 0, frameLen[c] - headerLen, 0);
        }

        this.arena = Arena.ofShared();
        MemorySegment mem = arena.allocate((long) flows * classes * stride + pattern.length, 64);
        this.headers = mem.address();
        this.payload = headers + (long) flows * classes * stride;
        Mem.write(payload, pattern);
        this.l4Check = new int[flows * classes];
        this.rssHash = new int[flows];
        for (int f = 0; f < flows; f++) {
            for (int c = 0; c < classes; c++) {
                byte[] h = FrameTemplate.headers(spec, f, frameLen[c], payloadSum[c]);
                Mem.write(template(f, c), h);
                l4Check[f * classes + c] = (h[l4ChecksumAt] & 0xff) << 8 | h[l4ChecksumAt + 1] & 0xff;
            }
            rssHash[f] = Toeplitz.hash(FrameTemplate.rssInput(spec, f));
        }
    }

    public PktGenSpec spec() { return spec; }

    public int flows() { return flows; }

    /** The longest frame {@link #fill} writes, in bytes. */
    public int maxFrameLen() {
        int max = 0;
        for (int len : frameLen) {
            max = Math.max(max, len);
        }
        return max;
    }

    /** The flow packet {@code seq} belongs to. */
    public int flowOf(long seq) {
        if (schedule != null) {
            return schedule[(int) Long.remainderUnsigned(seq, period)];
        }
        return flowMask >= 0 ? (int) (seq & flowMask) : (int) Long.remainderUnsigned(seq, flows);
    }

    /** Packets after which the flow of each sequence number repeats: {@code flowOf(seq + period) == flowOf(seq)}. */
    public int period() { return period; }

    // rounds of whole permutations (Fisher-Yates), enough of them to make the period at least the minimum
    private static char[] shuffledSchedule(int flows) {
        int rounds = Math.max(1, (SHUFFLE_MIN_PERIOD + flows - 1) / flows);
        char[] s = new char[rounds * flows];
        SplittableRandom r = new SplittableRandom(SHUFFLE_SEED);
        for (int k = 0; k < rounds; k++) {
            int base = k * flows;
            for (int i = 0; i < flows; i++) {
                s[base + i] = (char) i;
            }
            for (int i = flows - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                char t = s[base + i];
                s[base + i] = s[base + j];
                s[base + j] = t;
            }
        }
        return s;
    }

    /** The length in memory (no FCS) of packet {@code seq}. */
    public int lengthOf(long seq) {
        return frameLen[sizeClassOf(seq)];
    }

    /**
     * Writes packet {@code seq} at {@code dst} and returns its length; {@code maxLen} is the room there
     * ({@link #maxFrameLen()} always fits).
     */
    public int fill(long dst, int maxLen, long seq) {
        int flow = flowOf(seq);
        int c = sizeClassOf(seq);
        int len = frameLen[c];
        if (len > maxLen) {
            throw noRoom(len, maxLen);
        }
        Mem.copy(template(flow, c), dst, headerLen);
        Mem.copy(payload, dst + headerLen, len - headerLen);
        if (stamp) {
            stamp(dst, l4Check[flow * classes + c], seq);
        }
        return len;
    }

    /** Flow {@code flow}'s Toeplitz hash, as the NIC would report it ({@code skb->hash}). */
    public int rssHash(int flow) {
        return rssHash[flow];
    }

    /** The RX queue out of {@code queues} that a NIC with the default indirection table puts the flow on. */
    public int queueOf(int flow, int queues) {
        if (queues < 1 || queues > RSS_INDIR_SIZE) {
            throw new IllegalArgumentException("queues=" + queues + ": want 1.." + RSS_INDIR_SIZE);
        }
        return (rssHash[flow] & (RSS_INDIR_SIZE - 1)) % queues;
    }

    /**
     * The flows a NIC with {@code queues} RX queues puts on {@code queue}, in increasing order: packet
     * {@code seq} arrives on that queue exactly when {@code flowOf(seq)} is one of them.
     */
    public int[] flowsOnQueue(int queue, int queues) {
        Objects.checkIndex(queue, queues);
        return IntStream.range(0, flows).filter(f -> queueOf(f, queues) == queue).toArray();
    }

    /**
     * The positions {@code p} in {@code 0..period-1}, increasing, whose packets a NIC with {@code queues}
     * RX queues puts on {@code queue}: packet {@code seq} arrives there exactly when {@code seq % period}
     * is one of them. Round robin, these are the queue's flows.
     */
    public int[] positionsOnQueue(int queue, int queues) {
        Objects.checkIndex(queue, queues);
        return IntStream.range(0, period).filter(p -> queueOf(flowOf(p), queues) == queue).toArray();
    }

    /** How many of the packets {@code 0..count-1} arrive on {@code queue} out of {@code queues}. */
    public long packetsOnQueue(long count, int queue, int queues) {
        int[] own = positionsOnQueue(queue, queues);
        long rounds = count / period;
        int rest = (int) (count % period);
        long n = rounds * own.length;
        for (int p : own) {
            if (p < rest) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() {
        arena.close();
    }

    private int sizeClassOf(long seq) {
        return order.length == 1 ? 0 : order[(int) Long.remainderUnsigned(seq, order.length)];
    }

    private long template(int flow, int sizeClass) {
        return headers + ((long) flow * classes + sizeClass) * stride;
    }

    /** Writes seq's low 32 bits as the first payload bytes and folds them into the L4 checksum. */
    private void stamp(long frame, int check, long seq) {
        int hi = (int) (seq >>> 16) & 0xffff;
        int lo = (int) seq & 0xffff;
        putBe16(frame + headerLen, hi);
        putBe16(frame + headerLen + 2, lo);
        // RFC 1624 eqn. 3 with the old words zero: HC' = ~(~HC + m')
        int sum = (~check & 0xffff) + hi + lo;
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        int csum = ~sum & 0xffff;
        putBe16(frame + l4ChecksumAt, csum == 0 && udp ? 0xffff : csum);
    }

    private static void putBe16(long addr, int v) {
        Mem.putU16(addr, Short.reverseBytes((short) v));
    }

    private static IllegalArgumentException noRoom(int len, int maxLen) {
        return new IllegalArgumentException("frame of " + len + " bytes does not fit in " + maxLen);
    }
}
