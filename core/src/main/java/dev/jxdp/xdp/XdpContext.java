package dev.jxdp.xdp;

import dev.jxdp.ebpf.helpers.Helpers;
import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpBuff;

import java.util.Objects;

/**
 * What an {@link XdpJavaProgram} sees of the frame: the xdp_md fields, bounds-checked reads and writes of
 * the packet bytes (multi-byte fields in network byte order, as they are on the wire), and the helpers
 * that change where the frame goes or how long it is. The helpers are the very code eBPF programs call
 * (bpf_xdp_adjust_head, bpf_redirect_map...), so a Java program and an eBPF program given the same frame
 * and the same decisions leave the same frame and the same redirect target.
 *
 * <p>Offsets are from {@code data} (the first byte of the Ethernet header); an access outside
 * {@code [0, length())} throws {@link IndexOutOfBoundsException}, which aborts the run.
 */
public final class XdpContext {

    private final XdpBuff buff;
    private final ExecState st;

    XdpContext(XdpBuff buff, ExecState st) {
        this.buff = buff;
        this.st = st;
    }

    /** data_end - data. */
    public int length() { return (int) (buff.dataEnd - buff.data); }

    public int ingressIfindex() { return buff.ingressIfindex; }

    public int rxQueueIndex() { return buff.rxQueueIndex; }

    /** The worker's CPU number (bpf_get_smp_processor_id()). */
    public int cpu() { return st.cpu(); }

    public int getU8(int off) {
        return Mem.getU8(at(off, 1));
    }

    /** A big-endian (network order) u16. */
    public int getU16(int off) {
        return Short.toUnsignedInt(Short.reverseBytes((short) Mem.getU16(at(off, 2))));
    }

    /** A big-endian (network order) u32. */
    public long getU32(int off) {
        return Integer.toUnsignedLong(Integer.reverseBytes(Mem.getI32(at(off, 4))));
    }

    public void setU8(int off, int v) {
        Mem.putU8(at(off, 1), v);
    }

    /** Stores a u16 in network byte order. */
    public void setU16(int off, int v) {
        Mem.putU16(at(off, 2), Short.reverseBytes((short) v) & 0xffff);
    }

    /** Stores a u32 in network byte order. */
    public void setU32(int off, long v) {
        Mem.putU32(at(off, 4), Integer.reverseBytes((int) v) & 0xffffffffL);
    }

    /** Copies {@code len} packet bytes from {@code off} into {@code dst[dstOff..]}. */
    public void read(int off, byte[] dst, int dstOff, int len) {
        long a = at(off, len);
        Objects.checkFromIndexSize(dstOff, len, dst.length);
        for (int i = 0; i < len; i++) {
            dst[dstOff + i] = (byte) Mem.getU8(a + i);
        }
    }

    /** Swaps {@code len} bytes at {@code a} with those at {@code b} (MAC or address swaps for XDP_TX). */
    public void swap(int a, int b, int len) {
        long x = at(a, len);
        long y = at(b, len);
        for (int i = 0; i < len; i++) {
            int t = Mem.getU8(x + i);
            Mem.putU8(x + i, Mem.getU8(y + i));
            Mem.putU8(y + i, t);
        }
    }

    /** bpf_xdp_adjust_head(): moves data by {@code delta} bytes (negative grows the front); false if refused. */
    public boolean adjustHead(int delta) {
        return Helpers.xdpAdjustHead(st, st.ctxAddr(), delta) == 0;
    }

    /** bpf_xdp_adjust_tail(): moves data_end by {@code delta} bytes; false if refused. */
    public boolean adjustTail(int delta) {
        return Helpers.xdpAdjustTail(st, st.ctxAddr(), delta) == 0;
    }

    /** bpf_redirect(ifindex, 0): returns the action to return (XDP_REDIRECT). */
    public int redirect(int ifindex) {
        return (int) Helpers.redirect(st, ifindex, 0);
    }

    /**
     * bpf_redirect_map(map, key, flags): returns XDP_REDIRECT, or the low bits of {@code flags} when the
     * map has no target at {@code key}.
     */
    public int redirectMap(BpfMap map, int key, long flags) {
        return (int) Helpers.redirectMapTo(st, map, Integer.toUnsignedLong(key), flags);
    }

    /**
     * jxdp's bpf_redirect_xsk(ctx, map, key, flags): XDP_REDIRECT_XSK when {@code map} is an XSKMAP whose
     * slot {@code key} holds the AF_XDP socket that is the only one bound to this queue and {@code flags}
     * is an action only; otherwise what {@link #redirectMap} returns, with its redirect target.
     */
    public int redirectXsk(BpfMap map, int key, long flags) {
        return (int) Helpers.redirectXskTo(st, map, Integer.toUnsignedLong(key), flags);
    }

    private long at(int off, int len) {
        Objects.checkFromIndexSize(off, len, length());
        return buff.data + off;
    }
}
