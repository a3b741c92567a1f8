package dev.jxdp.ebpf.interp;

import dev.jxdp.ebpf.mem.Region;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpBuff;

/**
 * Says why an access was refused, naming the address relative to the thing it was meant for:
 * {@code invalid read of 4 bytes at packet+120, beyond data_end (len 100)}. Only fault paths call it.
 */
public final class AccessExplainer {
    private AccessExplainer() {}

    public static String explain(ExecState st, long addr, long size, boolean write) {
        String what = "invalid " + (write ? "write" : "read") + " of " + size + " byte" + (size == 1 ? "" : "s") + " at ";
        Region ctx = st.ctxRegion();
        if (ctx.contains(addr, 1)) {
            String where = "ctx" + signed(addr - ctx.base());
            return what + where + (write ? ": the context is read-only"
                    : ": xdp_md fields are read with aligned 4-byte loads only");
        }
        XdpBuff b = st.xdp();
        if (b != null && addr >= b.dataHardStart && addr < b.dataHardStart + b.frameSize) {
            String where = "packet" + signed(addr - b.data);
            if (addr < b.dataMeta) {
                return what + where + ", before data_meta (meta " + (b.data - b.dataMeta) + " bytes)";
            }
            return what + where + ", beyond data_end (len " + (b.dataEnd - b.data) + ")";
        }
        Region stack = st.stackRegion();
        if (stack.contains(addr, 1)) {
            String where = "fp" + signed(addr - (st.stackFloor() + ExecState.STACK_PER_FRAME));
            if (addr + size > stack.end()) {
                return what + where + ", above the stack's top";
            }
            return what + where + ", below the current frame (512 bytes)";
        }
        Region r = st.space().containing(addr);
        if (r != null) {
            String where = r.kind().verifierName() + " " + r.name() + signed(addr - r.base());
            if (r.kind() == Region.Kind.MAP_OBJECT || r.kind() == Region.Kind.CODE) {
                return what + where + ": not memory a program may access";
            }
            if (write && !r.writable()) {
                return what + where + ": read-only";
            }
            return what + where + ", beyond its end (size " + r.size() + ")";
        }
        // outside everything: a pointer moved past the end of what it was derived from, so name the
        // closest region ending at or below the address, be it the stack, the context, the packet or another
        long below = nearestEndBelow(st, addr);
        if (addr < stack.base() && addr >= stack.base() - ExecState.STACK_PER_FRAME
                && (below == NONE || addr - below >= stack.base() - addr)) {
            return what + "fp" + signed(addr - (st.stackFloor() + ExecState.STACK_PER_FRAME))
                    + ", below the current frame (512 bytes)";
        }
        if (below != NONE) {
            String past = addr == below ? "just past its end" : (addr - below) + " bytes past its end";
            if (below == stack.end()) {
                return what + "fp" + signed(addr - (st.stackFloor() + ExecState.STACK_PER_FRAME))
                        + ", above the stack's top";
            }
            if (b != null && below == b.dataHardStart + b.frameSize) {
                return what + "packet" + signed(addr - b.data) + ", beyond data_end (len " + (b.dataEnd - b.data) + ")";
            }
            if (below == ctx.end()) {
                return what + "ctx" + signed(addr - ctx.base()) + ", " + past + " (xdp_md, size " + ctx.size() + ")";
            }
            Region n = regionEndingAt(st, below);
            return what + n.kind().verifierName() + " " + n.name() + signed(addr - n.base()) + ", " + past
                    + " (size " + n.size() + ")";
        }
        if (addr >= 0 && addr < 4096) {
            return what + "0x" + Long.toHexString(addr) + ": null pointer";
        }
        return what + "0x" + Long.toHexString(addr) + ", outside every region";
    }

    private static final long NONE = Long.MIN_VALUE;

    // the end of the memory an overrun most likely started from: the highest end at most a page below addr,
    // over the collection's regions, the stack, the context and the packet's frame
    private static long nearestEndBelow(ExecState st, long addr) {
        long best = NONE;
        best = closer(best, st.stackRegion().end(), addr);
        best = closer(best, st.ctxRegion().end(), addr);
        XdpBuff b = st.xdp();
        if (b != null) {
            best = closer(best, b.dataHardStart + b.frameSize, addr);
        }
        for (Region r : st.space().regions()) {
            best = closer(best, r.end(), addr);
        }
        return best;
    }

    private static long closer(long best, long end, long addr) {
        if (Long.compareUnsigned(end, addr) <= 0 && Long.compareUnsigned(addr - end, 4096) < 0
                && (best == NONE || Long.compareUnsigned(end, best) > 0)) {
            return end;
        }
        return best;
    }

    private static Region regionEndingAt(ExecState st, long end) {
        Region best = null;
        for (Region r : st.space().regions()) {
            // of regions ending together (an empty one at another's end), the one with bytes is the likelier source
            if (r.end() == end && (best == null || r.size() > best.size())) {
                best = r;
            }
        }
        return best;
    }

    private static String signed(long off) {
        return off < 0 ? "-" + (-off) : "+" + off;
    }
}
