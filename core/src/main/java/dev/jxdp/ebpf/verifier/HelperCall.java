package dev.jxdp.ebpf.verifier;

import dev.jxdp.ebpf.isa.HelperIds;
import dev.jxdp.ebpf.maps.MapSpec;
import dev.jxdp.ebpf.maps.MapType;

/**
 * Helper calls (check_helper_call()): each argument checked against the helper's prototype
 * (bpf_func_proto: map pointer, key or value memory of the map's sizes, memory and size pairs, ctx,
 * callback), the return value typed, r1-r5 cleared, packet pointers dropped after helpers that move
 * the packet, ringbuf records tracked as references until submitted or discarded.
 */
final class HelperCall {
    private HelperCall() {}

    private static final String MEM_TYPES = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_";

    static int call(AbstractInterp ai, VState st, int pc, int id) {
        int next = pc + 1;
        Reg r0 = new Reg();
        r0.markUnknown();
        boolean dropsPacket = false;
        switch (id) {
            case HelperIds.MAP_LOOKUP_ELEM -> {
                MapSpec m = mapArg(ai, st, pc, 1);
                keyOrValue(ai, st, pc, 2, m.keySize());
                compatible(ai, pc, id, m);
                r0.markPtr(RegType.PTR_TO_MAP_VALUE_OR_NULL, 0);
                r0.map = st.reg(1).map;
                r0.id = ai.newId();
            }
            case HelperIds.MAP_UPDATE_ELEM -> {
                MapSpec m = writableMapArg(ai, st, pc, 1);
                keyOrValue(ai, st, pc, 2, m.keySize());
                keyOrValue(ai, st, pc, 3, m.valueSize());
                ai.read(st, pc, 4);
                compatible(ai, pc, id, m);
            }
            case HelperIds.MAP_DELETE_ELEM -> {
                MapSpec m = writableMapArg(ai, st, pc, 1);
                keyOrValue(ai, st, pc, 2, m.keySize());
                compatible(ai, pc, id, m);
            }
            case HelperIds.KTIME_GET_NS, HelperIds.KTIME_GET_BOOT_NS -> {
            }
            case HelperIds.GET_PRANDOM_U32, HelperIds.GET_SMP_PROCESSOR_ID -> r0.markUnknownBelow(0xffffffffL);
            case HelperIds.TRACE_PRINTK -> {
                sizedMem(ai, st, pc, 1, 2, false);
            }
            case HelperIds.TAIL_CALL -> {
                ctxArg(ai, st, pc, 1);
                if (mapArg(ai, st, pc, 2).mapType() != MapType.PROG_ARRAY) {
                    throw ai.rejection(pc, "expected prog array map for tail call");
                }
                ai.read(st, pc, 3);
            }
            case HelperIds.REDIRECT -> {
                ai.read(st, pc, 1);
                ai.read(st, pc, 2);
            }
            case HelperIds.REDIRECT_MAP -> {
                MapSpec m = mapArg(ai, st, pc, 1);
                ai.read(st, pc, 2);
                ai.read(st, pc, 3);
                compatible(ai, pc, id, m);
            }
            case HelperIds.CSUM_DIFF -> {
                sizedMemOrNull(ai, st, pc, 1, 2);
                sizedMemOrNull(ai, st, pc, 3, 4);
                ai.read(st, pc, 5);
            }
            case HelperIds.XDP_ADJUST_HEAD, HelperIds.XDP_ADJUST_META, HelperIds.XDP_ADJUST_TAIL -> {
                ctxArg(ai, st, pc, 1);
                ai.read(st, pc, 2);
                dropsPacket = true;
            }
            case HelperIds.XDP_GET_BUFF_LEN -> ctxArg(ai, st, pc, 1);
            case HelperIds.XDP_LOAD_BYTES, HelperIds.XDP_STORE_BYTES -> {
                ctxArg(ai, st, pc, 1);
                ai.read(st, pc, 2);
                sizedMem(ai, st, pc, 3, 4, id == HelperIds.XDP_LOAD_BYTES);
            }
            case HelperIds.RINGBUF_OUTPUT -> {
                MapSpec m = mapArg(ai, st, pc, 1);
                sizedMem(ai, st, pc, 2, 3, false);
                ai.read(st, pc, 4);
                compatible(ai, pc, id, m);
            }
            case HelperIds.RINGBUF_RESERVE -> {
                MapSpec m = mapArg(ai, st, pc, 1);
                Reg size = scalarArg(ai, st, pc, 2);
                if (!size.isConst()) {
                    throw ai.rejection(pc, "R2 is not a known constant'");
                }
                ai.read(st, pc, 3);
                compatible(ai, pc, id, m);
                r0.markPtr(RegType.PTR_TO_MEM_OR_NULL, 0);
                r0.map = (int) size.tv;
                // as acquire_reference() after the null-check id: the reference is always id + 1
                r0.id = ai.newId();
                int ref = ai.newId();
                st.addRef(ref);
                ai.recordAlloc(ref, pc);
            }
            case HelperIds.RINGBUF_SUBMIT, HelperIds.RINGBUF_DISCARD -> {
                Reg rec = ai.read(st, pc, 1);
                if (rec.type != RegType.PTR_TO_MEM || rec.off != 0 || !rec.isConst() || rec.tv != 0) {
                    throw ai.rejection(pc, "R1 type=" + rec.type.kernelName + " expected=ringbuf_mem");
                }
                ai.read(st, pc, 2);
                int ref = rec.id + 1;
                if (!st.releaseRef(ref)) {
                    throw ai.rejection(pc, "R1 must be referenced when passed to release function");
                }
                AbstractInterp.forEachReg(st, r -> {
                    if (r.type == RegType.PTR_TO_MEM && r.id == ref - 1) {
                        r.markUnknown();
                    }
                });
                r0.markNotInit();
            }
            case HelperIds.RINGBUF_QUERY -> {
                MapSpec m = mapArg(ai, st, pc, 1);
                ai.read(st, pc, 2);
                compatible(ai, pc, id, m);
            }
            case HelperIds.LOOP -> {
                ai.read(st, pc, 1);
                int target = funcArg(ai, st, pc, 2);
                Reg ctx = ai.read(st, pc, 3).copy();
                ai.read(st, pc, 4);
                return callback(ai, st, pc, target, new Reg[] {scalar(0xffffffffL), ctx});
            }
            case HelperIds.FOR_EACH_MAP_ELEM -> {
                mapArg(ai, st, pc, 1);
                Reg map = st.reg(1).copy();
                int target = funcArg(ai, st, pc, 2);
                Reg ctx = ai.read(st, pc, 3).copy();
                ai.read(st, pc, 4);
                Reg key = new Reg();
                key.markPtr(RegType.PTR_TO_MAP_KEY, 0);
                key.map = map.map;
                Reg value = new Reg();
                value.markPtr(RegType.PTR_TO_MAP_VALUE, 0);
                value.map = map.map;
                return callback(ai, st, pc, target, new Reg[] {map, key, value, ctx});
            }
            default -> throw ai.rejection(pc, "invalid func " + AbstractInterp.helperName(id) + "#" + id);
        }
        FuncState f = st.frame();
        f.regs[0].set(r0);
        for (int r = 1; r <= 5; r++) {
            f.regs[r].markNotInit();
        }
        if (dropsPacket) {
            // mirrors clear_all_pkt_pointers(): a privileged program keeps them as plain numbers
            AbstractInterp.forEachReg(st, r -> {
                if (r.type.isPacket() || r.type == RegType.PTR_TO_PACKET_END) {
                    r.markUnknown();
                }
            });
        }
        return next;
    }

    private static Reg scalar(long max) {
        Reg r = new Reg();
        r.markUnknownBelow(max);
        return r;
    }

    // verifies the callback once as a call from the helper (the kernel iterates it to a fixed point)
    private static int callback(AbstractInterp ai, VState st, int pc, int target, Reg[] args) {
        // one pass proves the first iteration only: what later iterations leave in the caller's stack is
        // not covered, so the facts of everything a callback can run before are withdrawn afterwards
        // (VerifierFacts.withdrawAfterCallbacks)
        FuncState caller = st.frame();
        int next = ai.pseudoCall(st, pc, target, pc);
        FuncState callee = st.frame();
        for (int i = 0; i < args.length; i++) {
            callee.regs[i + 1].set(args[i]);
        }
        for (int r = 0; r <= 5; r++) {
            caller.regs[r].markNotInit();
        }
        return next;
    }

    private static int funcArg(AbstractInterp ai, VState st, int pc, int r) {
        Reg f = ai.read(st, pc, r);
        if (f.type != RegType.PTR_TO_FUNC) {
            throw ai.rejection(pc, "R" + r + " type=" + f.type.kernelName + " expected=func");
        }
        return f.frame;
    }

    private static MapSpec mapArg(AbstractInterp ai, VState st, int pc, int r) {
        Reg m = ai.read(st, pc, r);
        if (m.type != RegType.CONST_PTR_TO_MAP) {
            throw ai.rejection(pc, "R" + r + " type=" + m.type.kernelName + " expected=map_ptr");
        }
        return ai.map(m.map);
    }

    // bpf_map_update_elem() and bpf_map_delete_elem() on a map the program may only read: .rodata (libbpf
    // sets BPF_F_RDONLY_PROG) and the device maps (dev_map_init_map() sets it: a lookup returns a pointer
    // straight into the kernel's entry)
    private static MapSpec writableMapArg(AbstractInterp ai, VState st, int pc, int r) {
        MapSpec m = mapArg(ai, st, pc, r);
        if (AbstractInterp.isReadOnly(m) || m.mapType() == MapType.DEVMAP || m.mapType() == MapType.DEVMAP_HASH) {
            throw ai.rejection(pc, "write into map forbidden");
        }
        return m;
    }

    /**
     * Mirrors check_map_func_compatibility() for the helpers and map types jxdp has: a map type that only
     * some helpers may take (program arrays, ring buffers, the redirect maps), and helpers that only take
     * some map types.
     */
    private static void compatible(AbstractInterp ai, int pc, int id, MapSpec m) {
        MapType t = m.mapType();
        boolean ok = switch (t == null ? MapType.UNSPEC : t) {
            case PROG_ARRAY -> id == HelperIds.TAIL_CALL;
            case RINGBUF -> id == HelperIds.RINGBUF_OUTPUT || id == HelperIds.RINGBUF_RESERVE || id == HelperIds.RINGBUF_QUERY;
            case DEVMAP, DEVMAP_HASH, XSKMAP -> id == HelperIds.REDIRECT_MAP || id == HelperIds.MAP_LOOKUP_ELEM;
            case CPUMAP -> id == HelperIds.REDIRECT_MAP;
            default -> true;
        };
        ok &= switch (id) {
            case HelperIds.REDIRECT_MAP -> t == MapType.DEVMAP || t == MapType.DEVMAP_HASH || t == MapType.CPUMAP
                    || t == MapType.XSKMAP;
            case HelperIds.RINGBUF_OUTPUT, HelperIds.RINGBUF_RESERVE, HelperIds.RINGBUF_QUERY -> t == MapType.RINGBUF;
            default -> true;
        };
        if (!ok) {
            throw ai.rejection(pc, "cannot pass map_type " + m.type() + " into func " + AbstractInterp.helperName(id) + "#" + id);
        }
    }

    // a map key or value argument: the map's size, which is never zero for a map with keys
    private static void keyOrValue(AbstractInterp ai, VState st, int pc, int r, int size) {
        if (size == 0) {
            ai.read(st, pc, r);
            throw ai.rejection(pc, "invalid zero-sized read");
        }
        mem(ai, st, pc, r, size, false);
    }

    private static void ctxArg(AbstractInterp ai, VState st, int pc, int r) {
        Reg c = ai.read(st, pc, r);
        if (c.type != RegType.PTR_TO_CTX) {
            throw ai.rejection(pc, "R" + r + " type=" + c.type.kernelName + " expected=ctx");
        }
        if (c.off != 0) {
            throw ai.rejection(pc, "dereference of modified ctx ptr R" + r + " off=" + c.off + " disallowed");
        }
    }

    private static Reg scalarArg(AbstractInterp ai, VState st, int pc, int r) {
        Reg s = ai.read(st, pc, r);
        if (s.type != RegType.SCALAR) {
            throw ai.rejection(pc, "R" + r + " type=" + s.type.kernelName + " expected=scalar");
        }
        return s;
    }

    private static void sizedMem(AbstractInterp ai, VState st, int pc, int memReg, int sizeReg, boolean write) {
        Reg size = scalarArg(ai, st, pc, sizeReg);
        if (size.smin < 0) {
            throw ai.rejection(pc, "R" + sizeReg + " min value is negative, either use unsigned index or do a if (index >=0) check.");
        }
        if (Long.compareUnsigned(size.umax, 1L << 29) >= 0) {
            throw ai.rejection(pc, "R" + sizeReg + " unbounded memory access, use 'var &= const' or 'if (var < const)'");
        }
        mem(ai, st, pc, memReg, size.umax, write);
    }

    private static void sizedMemOrNull(AbstractInterp ai, VState st, int pc, int memReg, int sizeReg) {
        Reg m = ai.read(st, pc, memReg);
        if (m.type == RegType.SCALAR && m.isConst() && m.tv == 0) {
            ai.read(st, pc, sizeReg);
            return;
        }
        sizedMem(ai, st, pc, memReg, sizeReg, false);
    }

    // mirrors check_helper_mem_access()
    private static void mem(AbstractInterp ai, VState st, int pc, int r, long size, boolean write) {
        Reg p = ai.read(st, pc, r);
        switch (p.type) {
            case PTR_TO_STACK -> {
                ai.stackArgExtent(r, size);
                if (write) {
                    Stack.helperWrite(ai, st, pc, r, p, size);
                } else {
                    Stack.helperRead(ai, st, pc, r, p, size);
                }
            }
            case PTR_TO_PACKET, PTR_TO_PACKET_META, PTR_TO_MAP_VALUE, PTR_TO_MEM, PTR_TO_MAP_KEY -> {
                if (size == 0) {
                    return;
                }
                Reg v = new Reg();
                v.markUnknown();
                // the whole range as one access, as check_helper_mem_access() does (its message names the size)
                ai.access(st, pc, r, p, 0, (int) size, write, v, new Reg());
            }
            default -> throw ai.rejection(pc, "R" + r + " type=" + p.type.kernelName + " expected=" + MEM_TYPES);
        }
    }
}
