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
        if (addr >= stack.base() - ExecState.STACK_PER_FRAME && addr < stack.end() + 64) {
            String where = "fp" + signed(addr - (st.stackFloor() + ExecState.STACK_PER_FRAME));
            if (addr + size > stack.end()) {
                return what + where + ", above the stack's top";
            }
            return what + where + ", below the current frame (512 bytes)";
        }
        Region r = st.space().containing(addr);
        if (r == null) {
            r = nearestBelow(st, addr);
        }
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
        if (addr >= 0 && addr < 4096) {
            return what + "0x" + Long.toHexString(addr) + ": null pointer";
        }
        return what + "0x" + Long.toHexString(addr) + ", outside every region";
    }

    // the region an overrun most likely started from: the closest one ending at most a page below addr
    private static Region nearestBelow(ExecState st, long addr) {
        Region best = null;
        for (Region r : st.space().regions()) {
            if (Long.compareUnsigned(r.end(), addr) <= 0 && Long.compareUnsigned(addr - r.end(), 4096) < 0
                    && (best == null || Long.compareUnsigned(r.end(), best.end()) > 0)) {
                best = r;
            }
        }
        return best;
    }

    private static String signed(long off) {
        return off < 0 ? "-" + (-off) : "+" + off;
    }
}
