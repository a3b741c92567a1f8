package dev.jxdp.ebpf.verifier;

import dev.jxdp.ebpf.isa.HelperIds;
import dev.jxdp.ebpf.maps.Cpus;
import dev.jxdp.ebpf.maps.MapSpec;
import dev.jxdp.ebpf.maps.MapType;

/**
 * Helper calls (check_helper_call(), check_func_arg()): each argument checked against the helper's
 * prototype ({@link HelperProto}): map pointers, key and value memory of the map's sizes, memory and size
 * pairs (the size precise, as the access depends on it; an output buffer clobbered over every byte it
 * may reach), the context, callbacks. Then r1-r5 are cleared, r0 typed, ringbuf records tracked as
 * references until submitted or discarded, and packet pointers dropped after helpers that move the
 * packet. A helper that runs a callback queues the callback's exploration (see
 * {@link AbstractInterp#pushCallback}).
 */
final class HelperCall {
    private HelperCall() {}

    private static final String MEM_TYPES = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_";
    /** BPF_MAX_VAR_SIZ */
    private static final long MAX_VAR_SIZE = 1L << 29;
    private static final long U32 = 0xffffffffL;

    /** What the argument checks learned (struct bpf_call_arg_meta). */
    private static final class Meta {
        int mapReg = -1;
        MapSpec map;
        int mapIndex;
        /** the constant key of an array lookup, or -1 */
        long constKey = -1;
        /** a constant-offset stack output buffer the helper fills: its register and size (raw mode) */
        int rawReg = -1;
        long rawSize;
        int funcTarget = -1;
        long memSize;
        int releaseRef;
    }

    static int call(AbstractInterp ai, VState st, int pc, int id) {
        HelperProto p = HelperProto.of(id);
        if (p == null) {
            throw ai.rejection(pc, "invalid func " + AbstractInterp.helperName(id) + "#" + id);
        }
        if (p.gplOnly() && !ai.gplCompatible) {
            throw ai.rejection(pc, "cannot call GPL-restricted function from non-GPL compatible program");
        }
        Meta meta = new Meta();
        for (int r = 1; r <= 5; r++) {
            arg(ai, st, pc, p, r, meta);
        }
        if (id == HelperIds.TAIL_CALL) {
            tailCallKey(ai, st, pc, meta);
        }
        if (meta.rawReg >= 0) {
            Stack.helperWrote(ai, st, pc, meta.rawReg, st.reg(meta.rawReg), meta.rawSize);
        }
        if (meta.releaseRef != 0) {
            int ref = meta.releaseRef;
            if (!st.releaseRef(ref)) {
                throw ai.rejection(pc, "R1 must be referenced when passed to release function");
            }
            // every copy of the released record is a plain number now (privileged: not uninitialised)
            AbstractInterp.forEachReg(st, r -> {
                if (r.refObjId == ref) {
                    r.markUnknown();
                }
            });
        }
        if (id == HelperIds.TAIL_CALL && st.refs.length > 0) {
            throw ai.rejection(pc, "tail_call would lead to reference leak");
        }
        int next = pc + 1;
        if (id == HelperIds.FOR_EACH_MAP_ELEM) {
            Reg map = new Reg();
            map.markPtr(RegType.CONST_PTR_TO_MAP, 0);
            map.map = meta.mapIndex;
            Reg key = new Reg();
            key.markPtr(RegType.PTR_TO_MAP_KEY, 0);
            key.map = meta.mapIndex;
            Reg value = new Reg();
            value.markPtr(RegType.PTR_TO_MAP_VALUE, 0);
            value.map = meta.mapIndex;
            Reg ctx = st.reg(3).copy();
            ai.facts.forEachCall(pc, meta.funcTarget);
            next = ai.pushCallback(st, pc, meta.funcTarget, new Reg[] {map, key, value, ctx}, 0, 1);
        } else if (id == HelperIds.LOOP) {
            // update_loop_inline_state(): flags known to be 0 (which makes r4 precise) and one callback on
            // every visit let the kernel inline the call
            Reg flags = st.reg(4);
            boolean flagsZero = flags.isNull();
            if (flagsZero) {
                ai.precision.markRegPrecise(st, 4);
            }
            ai.facts.loopCall(pc, meta.funcTarget, flagsZero);
            // the number of iterations bounds how often the callback is explored again; a pointer there
            // trips the kernel's precision backtracking (6.18 has no earlier type check for it)
            if (st.reg(1).type != RegType.SCALAR) {
                throw ai.rejection(pc, "verifier bug: backtracking misuse");
            }
            ai.precision.markRegPrecise(st, 1);
            if (Long.compareUnsigned(st.frame().callbackDepth, st.reg(1).umax) < 0) {
                Reg index = new Reg();
                index.markUnknown();
                Reg ctx = st.reg(3).copy();
                next = ai.pushCallback(st, pc, meta.funcTarget, new Reg[] {index, ctx}, 0, 1);
            } else {
                st.frame().callbackDepth = 0;
            }
        }
        FuncState f = st.frame();
        for (int r = 0; r <= 5; r++) {
            f.regs[r].markNotInit();
        }
        Reg r0 = f.regs[0];
        switch (p.ret()) {
            case INTEGER -> {
                r0.markUnknown();
                if (id == HelperIds.GET_SMP_PROCESSOR_ID) {
                    // do_refine_retval_range(): below nr_cpu_ids
                    long max = Cpus.possible() - 1;
                    r0.umin = 0;
                    r0.umax = max;
                    r0.smin = 0;
                    r0.smax = max;
                    r0.u32min = 0;
                    r0.u32max = max;
                    r0.s32min = 0;
                    r0.s32max = max;
                    r0.sync();
                }
            }
            case VOID -> r0.markNotInit();
            case MAP_VALUE_OR_NULL -> {
                boolean nonNull = id == HelperIds.MAP_LOOKUP_ELEM && meta.constKey >= 0
                        && (meta.map.mapType() == MapType.ARRAY || meta.map.mapType() == MapType.PERCPU_ARRAY)
                        && meta.constKey < meta.map.maxEntries();
                RegType type = nonNull ? RegType.PTR_TO_MAP_VALUE : RegType.PTR_TO_MAP_VALUE_OR_NULL;
                if (meta.map.mapType() == MapType.XSKMAP) {
                    // an XSKMAP entry is a socket, not a value the program may write
                    type = RegType.PTR_TO_XDP_SOCK_OR_NULL;
                }
                int inner = ai.innerTemplate(meta.mapIndex);
                // a map-in-map's value is an inner map: a map pointer typed by the outer map's template
                // (the kernel's inner_map_meta), NULL for an empty slot
                r0.markPtr(inner >= 0 ? RegType.CONST_PTR_TO_MAP_OR_NULL : type, 0);
                r0.map = inner >= 0 ? inner : meta.mapIndex;
                // a value holding a lock gets an id even when it cannot be null: the lock is named by it
                if (!nonNull || meta.map.hasSpinLock()) {
                    r0.id = ai.newId();
                }
            }
            case RINGBUF_MEM_OR_NULL -> {
                r0.markPtr(RegType.PTR_TO_MEM_OR_NULL, 0);
                r0.map = (int) meta.memSize;
                r0.id = ai.newId();
                int ref = ai.newId();
                st.addRef(ref, pc);
                r0.id = ref;
                r0.refObjId = ref;
            }
            default -> {
            }
        }
        if (meta.map != null) {
            compatible(ai, pc, id, meta.map);
        }
        if (p.changesPacketData()) {
            // mirrors clear_all_pkt_pointers(): a privileged program keeps them as plain numbers
            AbstractInterp.forEachReg(st, r -> {
                if (r.type.isPacket() || r.type == RegType.PTR_TO_PACKET_END) {
                    r.markUnknown();
                }
            });
        }
        if (id == HelperIds.TAIL_CALL && st.cur > 0) {
            return ai.tailCallReturns(st, pc);
        }
        return next;
    }

    // mirrors check_func_arg() for the argument types jxdp's helpers have
    private static void arg(AbstractInterp ai, VState st, int pc, HelperProto p, int r, Meta meta) {
        HelperProto.Arg type = p.arg(r);
        if (type == HelperProto.Arg.DONTCARE) {
            return;
        }
        Reg reg = ai.read(st, pc, r);
        switch (type) {
            case ANYTHING -> {
            }
            case CONST_MAP_PTR -> {
                if (reg.type != RegType.CONST_PTR_TO_MAP) {
                    throw ai.rejection(pc, "R" + r + " type=" + reg.typeName() + " expected=map_ptr");
                }
                meta.map = ai.map(reg.map);
                meta.mapIndex = reg.map;
                meta.mapReg = r;
                if (p.id() == HelperIds.MAP_UPDATE_ELEM || p.id() == HelperIds.MAP_DELETE_ELEM) {
                    MapType t = meta.map.mapType();
                    if (AbstractInterp.isReadOnly(meta.map) && t != MapType.CPUMAP || t == MapType.DEVMAP
                            || t == MapType.DEVMAP_HASH) {
                        throw ai.rejection(pc, "write into map forbidden");
                    }
                }
                if (p.id() == HelperIds.TAIL_CALL && meta.map.mapType() != MapType.PROG_ARRAY) {
                    throw ai.rejection(pc, "expected prog array map for tail call");
                }
            }
            case PTR_TO_MAP_KEY -> {
                if (meta.map.keySize() == 0) {
                    throw ai.rejection(pc, "invalid zero-sized read");
                }
                memType(ai, pc, r, reg, false);
                mem(ai, st, pc, r, meta.map.keySize(), false, false, null);
                MapType t = meta.map.mapType();
                if (t == MapType.ARRAY || t == MapType.PERCPU_ARRAY) {
                    meta.constKey = constantKey(ai, st, reg, meta.map.keySize());
                }
            }
            case PTR_TO_MAP_VALUE -> {
                memType(ai, pc, r, reg, false);
                mem(ai, st, pc, r, meta.map.valueSize(), false, false, null);
            }
            case PTR_TO_MEM, PTR_TO_MEM_WRITE, PTR_TO_UNINIT_MEM -> memType(ai, pc, r, reg, false);
            case PTR_TO_MEM_OR_NULL -> memType(ai, pc, r, reg, true);
            case PTR_TO_ALIGNED_INT -> {
                // ARG_PTR_TO_FIXED_SIZE_MEM | MEM_WRITE without MEM_UNINIT: read initialised, then written;
                // MEM_ALIGNED: check_ptr_alignment() in strict mode
                memType(ai, pc, r, reg, false);
                mem(ai, st, pc, r, 4, false, false, null);
                mem(ai, st, pc, r, 4, true, false, null);
                alignedInt(ai, pc, reg);
            }
            case CONST_SIZE, CONST_SIZE_OR_ZERO -> sizeArg(ai, st, pc, p, r, reg, type == HelperProto.Arg.CONST_SIZE_OR_ZERO, meta);
            case CONST_ALLOC_SIZE_OR_ZERO -> {
                if (reg.type != RegType.SCALAR) {
                    throw ai.rejection(pc, "R" + r + " type=" + reg.typeName() + " expected=scalar");
                }
                if (!reg.isConst()) {
                    throw ai.rejection(pc, "R" + r + " is not a known constant'");
                }
                meta.memSize = reg.tv;
                ai.precision.markRegPrecise(st, r);
            }
            case PTR_TO_CTX -> {
                if (reg.type != RegType.PTR_TO_CTX) {
                    throw ai.rejection(pc, "R" + r + " type=" + reg.typeName() + " expected=ctx");
                }
                if (reg.off != 0) {
                    throw ai.rejection(pc, "dereference of modified ctx ptr R" + r + " off=" + reg.off + " disallowed");
                }
            }
            case PTR_TO_FUNC -> {
                if (reg.type != RegType.PTR_TO_FUNC) {
                    throw ai.rejection(pc, "R" + r + " type=" + reg.typeName() + " expected=func");
                }
                meta.funcTarget = reg.frame;
            }
            case PTR_TO_STACK_OR_NULL -> {
                if (!reg.isNull() && reg.type != RegType.PTR_TO_STACK) {
                    throw ai.rejection(pc, "R" + r + " type=" + reg.typeName() + " expected=fp");
                }
            }
            case PTR_TO_FIXED_SIZE_MEM_8 -> fixedSizeOut(ai, st, pc, r, reg, meta);
            case PTR_TO_SPIN_LOCK -> spinLock(ai, st, pc, p.id() == HelperIds.SPIN_LOCK, r, reg);
            case RELEASE_RINGBUF_MEM -> {
                if (reg.type != RegType.PTR_TO_MEM || reg.refObjId == 0) {
                    if (reg.type == RegType.PTR_TO_MEM) {
                        throw ai.rejection(pc, "R" + r + " must be referenced when passed to release function");
                    }
                    throw ai.rejection(pc, "R" + r + " type=" + reg.typeName() + " expected=ringbuf_mem");
                }
                if (reg.off != 0 || !reg.isConst() || reg.tv != 0) {
                    throw ai.rejection(pc, "R" + r + " must have zero offset when passed to release func");
                }
                meta.releaseRef = reg.refObjId;
            }
            default -> {
            }
        }
    }

    // check_ptr_alignment(..., strict) for 4 bytes: a packet pointer counts NET_IP_ALIGN (2) in front
    private static void alignedInt(AbstractInterp ai, int pc, Reg reg) {
        if (reg.type == RegType.PTR_TO_PACKET || reg.type == RegType.PTR_TO_PACKET_META) {
            if (((reg.tv + 2 + reg.off | reg.tm) & 3) != 0) {
                throw ai.rejection(pc, "misaligned packet access off 2+" + AbstractInterp.varOff(reg) + "+" + reg.off
                        + "+0 size 4");
            }
            return;
        }
        String what = switch (reg.type) {
            case PTR_TO_STACK -> "stack ";
            case PTR_TO_MAP_VALUE -> "value ";
            case PTR_TO_MAP_KEY -> "key ";
            default -> "";
        };
        AbstractInterp.checkAlignment(ai, pc, reg, 0, 4, what);
    }

    /**
     * An 8-byte output the helper writes through an aligned pointer (ARG_PTR_TO_FIXED_SIZE_MEM with
     * MEM_UNINIT, MEM_WRITE and MEM_ALIGNED): writable for 8 bytes, then strictly aligned to 8. On the
     * stack at a constant offset it is written byte by byte after the call, as any raw-mode output.
     */
    private static void fixedSizeOut(AbstractInterp ai, VState st, int pc, int r, Reg reg, Meta meta) {
        memType(ai, pc, r, reg, false);
        boolean raw = reg.type == RegType.PTR_TO_STACK && reg.isConst();
        mem(ai, st, pc, r, 8, true, false, raw ? meta : null);
        // check_ptr_alignment() in strict mode
        switch (reg.type) {
            case PTR_TO_PACKET, PTR_TO_PACKET_META -> {
                // check_pkt_ptr_alignment(): with NET_IP_ALIGN (2) in front, as the kernel counts
                long v = reg.tv + 2 + reg.off;
                if (((v | reg.tm) & 7) != 0) {
                    String var = reg.isConst() ? Long.toString(reg.tv) : AbstractInterp.varOff(reg);
                    throw ai.rejection(pc, "misaligned packet access off 2+" + var + "+" + reg.off + "+0 size 8");
                }
            }
            case PTR_TO_STACK -> AbstractInterp.checkAlignment(ai, pc, reg, 0, 8, "stack ");
            case PTR_TO_MAP_VALUE -> AbstractInterp.checkAlignment(ai, pc, reg, 0, 8, "value ");
            case PTR_TO_MAP_KEY -> AbstractInterp.checkAlignment(ai, pc, reg, 0, 8, "key ");
            default -> AbstractInterp.checkAlignment(ai, pc, reg, 0, 8, "");
        }
    }

    /**
     * Mirrors process_spin_lock(): the pointer is a map value at the constant offset of the lock its
     * map's BTF declares; bpf_spin_lock takes it (one at a time), bpf_spin_unlock releases the one held,
     * taken through the same map and the same value pointer (its id).
     */
    private static void spinLock(AbstractInterp ai, VState st, int pc, boolean lock, int r, Reg reg) {
        if (reg.type != RegType.PTR_TO_MAP_VALUE) {
            throw ai.rejection(pc, "R" + r + " type=" + reg.typeName() + " expected=map_value, ptr_");
        }
        if (!reg.isConst()) {
            throw ai.rejection(pc, "R" + r + " doesn't have constant offset. bpf_spin_lock has to be at the constant offset");
        }
        MapSpec m = ai.map(reg.map);
        String name = m.name().length() > 15 ? m.name().substring(0, 15) : m.name();
        if (m.spinLockOff() == MapSpec.NO_BTF) {
            throw ai.rejection(pc, "map '" + name + "' has to have BTF in order to use bpf_spin_lock");
        }
        if (!m.hasSpinLock()) {
            throw ai.rejection(pc, "map '" + name + "' has no valid bpf_spin_lock");
        }
        long off = reg.tv + reg.off;
        if (off != m.spinLockOff()) {
            throw ai.rejection(pc, "off " + off + " doesn't point to 'struct bpf_spin_lock' that is at " + m.spinLockOff());
        }
        if (lock) {
            if (st.lockMap >= 0) {
                throw ai.rejection(pc, "Locking two bpf_spin_locks are not allowed");
            }
            st.lockMap = reg.map;
            st.lockId = reg.id;
            return;
        }
        if (st.lockMap < 0) {
            throw ai.rejection(pc, "bpf_spin_unlock without taking a lock");
        }
        if (st.lockMap != reg.map || st.lockId != reg.id) {
            throw ai.rejection(pc, "bpf_spin_unlock of different lock");
        }
        st.lockMap = -1;
        st.lockId = 0;
    }

    /**
     * check_map_access()'s walk over the value's special fields: no access, direct or through a helper,
     * may touch any byte of the bpf_spin_lock, wherever the pointer's variable part puts it.
     */
    static void spinLockUntouched(AbstractInterp ai, int pc, MapSpec m, Reg base, long off, long size) {
        int p = m.spinLockOff();
        if (p >= 0 && base.smin + off < p + MapSpec.SPIN_LOCK_SIZE && p < base.umax + off + size) {
            throw ai.rejection(pc, "bpf_spin_lock cannot be accessed directly by load/store");
        }
    }

    // the pointer types a memory argument may be (check_reg_type() for ARG_PTR_TO_MEM)
    private static void memType(AbstractInterp ai, int pc, int r, Reg reg, boolean orNull) {
        if (orNull && reg.isNull()) {
            return;
        }
        switch (reg.type) {
            case PTR_TO_STACK, PTR_TO_PACKET, PTR_TO_PACKET_META, PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE, PTR_TO_MEM -> {
            }
            default -> throw ai.rejection(pc, "R" + r + " type=" + reg.typeName() + " expected=" + MEM_TYPES);
        }
    }

    // mirrors check_mem_size_reg(): the size a helper reads or writes through the argument before it
    private static void sizeArg(AbstractInterp ai, VState st, int pc, HelperProto p, int r, Reg size,
                                boolean zeroOk, Meta meta) {
        if (size.type != RegType.SCALAR) {
            throw ai.rejection(pc, "R" + r + " type=" + size.typeName() + " expected=scalar");
        }
        int memReg = r - 1;
        Reg mem = st.reg(memReg);
        HelperProto.Arg memArg = p.arg(memReg);
        boolean write = memArg == HelperProto.Arg.PTR_TO_UNINIT_MEM || memArg == HelperProto.Arg.PTR_TO_MEM_WRITE;
        if (size.smin < 0) {
            throw ai.rejection(pc, "R" + r + " min value is negative, either use unsigned or 'var &= const'");
        }
        if (size.umin == 0 && !zeroOk) {
            throw ai.rejection(pc, "R" + r + " invalid zero-sized read: u64=[" + size.umin + ","
                    + Long.toUnsignedString(size.umax) + "]");
        }
        if (Long.compareUnsigned(size.umax, MAX_VAR_SIZE) >= 0) {
            throw ai.rejection(pc, "R" + r + " unbounded memory access, use 'var &= const' or 'if (var < const)'");
        }
        if (zeroOk && size.umax == 0 && mem.isNull()) {
            ai.precision.markRegPrecise(st, r);
            return;
        }
        // a constant-size output buffer at a constant stack offset is written byte by byte after the
        // call (raw mode); any other output is clobbered over everything it may reach now
        boolean raw = memArg == HelperProto.Arg.PTR_TO_UNINIT_MEM && size.isConst() && mem.type == RegType.PTR_TO_STACK && mem.isConst();
        mem(ai, st, pc, memReg, size.umax, write, zeroOk, raw ? meta : null);
        ai.precision.markRegPrecise(st, r);
    }

    // mirrors check_helper_mem_access()
    private static void mem(AbstractInterp ai, VState st, int pc, int r, long size, boolean write, boolean zeroOk,
                            Meta raw) {
        Reg p = st.reg(r);
        switch (p.type) {
            case PTR_TO_STACK -> {
                ai.stackArgExtent(r, size);
                if (raw != null) {
                    raw.rawReg = r;
                    raw.rawSize = size;
                    Stack.rangeBounds(ai, st, pc, r, p, p.off, size, zeroOk);
                    return;
                }
                Stack.rangeInitialized(ai, st, pc, r, p, p.off, size, write, zeroOk);
            }
            case PTR_TO_PACKET, PTR_TO_PACKET_META -> {
                if (p.smin < 0) {
                    throw ai.rejection(pc, "R" + r + " min value is negative, either use unsigned index or do a if (index >=0) check.");
                }
                if (p.range < 0) {
                    throw ai.rejection(pc, "R" + r + " offset is outside of the packet");
                }
                if (!(p.off >= 0 && (size > 0 || zeroOk) && p.off + size <= p.range)) {
                    throw ai.rejection(pc, "invalid access to packet, off=" + p.off + " size=" + size + ", R" + r + "(id="
                            + p.id + ",off=" + p.off + ",r=" + p.range + ")\nR" + r + " offset is outside of the packet");
                }
            }
            case PTR_TO_MAP_KEY -> {
                if (write) {
                    throw ai.rejection(pc, "R" + r + " cannot write into " + p.typeName());
                }
                ai.region(pc, r, p, p.off, size, ai.map(p.map).keySize(), "map key", "key_size", zeroOk);
            }
            case PTR_TO_MAP_VALUE -> {
                MapSpec m = ai.map(p.map);
                ai.mapAccessType(pc, m, p.off, (int) size, write);
                ai.region(pc, r, p, p.off, size, m.valueSize(), "map value", "value_size", zeroOk);
                spinLockUntouched(ai, pc, m, p, p.off, size);
            }
            case PTR_TO_MEM -> ai.region(pc, r, p, p.off, size, p.map, "memory", "mem_size", zeroOk);
            default -> {
                if (zeroOk && size == 0 && p.isNull()) {
                    return;
                }
                throw ai.rejection(pc, "R" + r + " type=" + p.typeName() + " expected=fp");
            }
        }
    }

    /**
     * check_mem_reg(): a global function may read and write {@code size} bytes through argument
     * {@code r}; both are checked, and memory on the stack is clobbered.
     */
    static void memForCallee(AbstractInterp ai, VState st, int pc, int r, int size) {
        mem(ai, st, pc, r, size, false, true, null);
        mem(ai, st, pc, r, size, true, true, null);
    }

    // get_constant_map_key(): the key on the stack is a known zero or a spilled constant of its size
    private static long constantKey(AbstractInterp ai, VState st, Reg key, int keySize) {
        if (key.type != RegType.PTR_TO_STACK || !key.isConst()) {
            return -1;
        }
        FuncState f = st.frames[key.frame];
        long off = key.off + key.tv;
        int at = (int) off + FuncState.MAX_STACK;
        if (at < 0 || at >= FuncState.MAX_STACK) {
            return -1;
        }
        int spi = FuncState.spiOf(at);
        int base = FuncState.slotBase(spi);
        // the kernel counts from the key's first byte up to the slot's last
        int zeros = 0;
        for (int b = at; b <= base + 7 && f.stack[b] == FuncState.ZERO; b++) {
            zeros++;
        }
        if (zeros >= keySize) {
            return 0;
        }
        if (!f.isSpilledScalar(spi)) {
            return -1;
        }
        int spill = 0;
        for (int b = at; b <= base + 7 && f.stack[b] == FuncState.SPILL; b++) {
            spill++;
        }
        if (spill != keySize) {
            return -1;
        }
        Reg v = f.spill(spi);
        if (!v.isConst()) {
            return -1;
        }
        // the lookup depends on the constant: it must be precise
        ai.precision.resetBatch();
        ai.precision.setFrameSlot(key.frame, spi);
        ai.precision.markBatch(st, null);
        return v.tv;
    }

    // record_func_key(): a constant index into the program array is precise
    private static void tailCallKey(AbstractInterp ai, VState st, int pc, Meta meta) {
        Reg k = st.reg(3);
        if (k.type == RegType.SCALAR && k.isConst() && Long.compareUnsigned(k.tv, meta.map.maxEntries()) < 0) {
            ai.precision.markRegPrecise(st, 3);
            ai.facts.tailCallKey(pc, k.tv);
        } else {
            ai.facts.tailCallKey(pc, -1);
        }
    }

    /**
     * Mirrors check_map_func_compatibility(): map types that only some helpers may take (program arrays,
     * perf event arrays, ring buffers, stack traces, redirect maps, map-in-map, socket maps, queues,
     * storages), and helpers that only take some map types. Helpers are named by their uapi ids (and
     * jxdp's bpf_redirect_xsk, which takes an XSKMAP only).
     */
    private static void compatible(AbstractInterp ai, int pc, int id, MapSpec m) {
        MapType t = m.mapType() == null ? MapType.UNSPEC : m.mapType();
        boolean ok = switch (t) {
            case PROG_ARRAY -> id == HelperIds.TAIL_CALL;
            case PERF_EVENT_ARRAY -> id == 22 || id == HelperIds.PERF_EVENT_OUTPUT || id == 111 || id == 55
                    || id == HelperIds.XDP_OUTPUT;
            case RINGBUF -> id == HelperIds.RINGBUF_OUTPUT || id == HelperIds.RINGBUF_RESERVE
                    || id == HelperIds.RINGBUF_QUERY || id == 198 || id == 199 || id == 200;
            case USER_RINGBUF -> id == 209;
            case STACK_TRACE -> id == 27;
            case CGROUP_ARRAY -> id == 33 || id == 37;
            case CGROUP_STORAGE, PERCPU_CGROUP_STORAGE -> id == 81;
            case DEVMAP, DEVMAP_HASH -> id == HelperIds.REDIRECT_MAP || id == HelperIds.MAP_LOOKUP_ELEM;
            case XSKMAP -> id == HelperIds.REDIRECT_MAP || id == HelperIds.MAP_LOOKUP_ELEM
                    || id == HelperIds.JXDP_REDIRECT_XSK;
            case CPUMAP -> id == HelperIds.REDIRECT_MAP;
            case ARRAY_OF_MAPS, HASH_OF_MAPS -> id == HelperIds.MAP_LOOKUP_ELEM;
            // may_update_sockmap(): XDP programs may update and delete socket map entries
            case SOCKMAP -> id == 52 || id == 53 || id == 60 || id == 82 || id == HelperIds.MAP_LOOKUP_ELEM
                    || id == HelperIds.MAP_UPDATE_ELEM || id == HelperIds.MAP_DELETE_ELEM;
            case SOCKHASH -> id == 72 || id == 70 || id == 71 || id == 82 || id == HelperIds.MAP_LOOKUP_ELEM
                    || id == HelperIds.MAP_UPDATE_ELEM || id == HelperIds.MAP_DELETE_ELEM;
            case REUSEPORT_SOCKARRAY -> id == 82;
            case QUEUE, STACK -> id == HelperIds.MAP_PEEK_ELEM || id == HelperIds.MAP_POP_ELEM
                    || id == HelperIds.MAP_PUSH_ELEM;
            case SK_STORAGE -> id == 107 || id == 108;
            case INODE_STORAGE -> id == 145 || id == 146;
            case TASK_STORAGE -> id == 156 || id == 157;
            case CGRP_STORAGE -> id == 210 || id == 211;
            case BLOOM_FILTER -> id == HelperIds.MAP_PEEK_ELEM || id == HelperIds.MAP_PUSH_ELEM;
            default -> true;
        };
        ok &= switch (id) {
            case HelperIds.TAIL_CALL -> t == MapType.PROG_ARRAY;
            case 22, HelperIds.PERF_EVENT_OUTPUT, 55, 111, HelperIds.XDP_OUTPUT -> t == MapType.PERF_EVENT_ARRAY;
            case HelperIds.RINGBUF_OUTPUT, HelperIds.RINGBUF_RESERVE, HelperIds.RINGBUF_QUERY, 198, 199, 200 ->
                    t == MapType.RINGBUF;
            case 209 -> t == MapType.USER_RINGBUF;
            case 27 -> t == MapType.STACK_TRACE;
            case 33, 37 -> t == MapType.CGROUP_ARRAY;
            case HelperIds.REDIRECT_MAP -> t == MapType.DEVMAP || t == MapType.DEVMAP_HASH || t == MapType.CPUMAP
                    || t == MapType.XSKMAP;
            // jxdp's bpf_redirect_xsk goes to an AF_XDP socket: only an XSKMAP holds those
            case HelperIds.JXDP_REDIRECT_XSK -> t == MapType.XSKMAP;
            case 52, 53, 60 -> t == MapType.SOCKMAP;
            case 70, 71, 72 -> t == MapType.SOCKHASH;
            case 81 -> t == MapType.CGROUP_STORAGE || t == MapType.PERCPU_CGROUP_STORAGE;
            case 82 -> t == MapType.REUSEPORT_SOCKARRAY || t == MapType.SOCKMAP || t == MapType.SOCKHASH;
            case HelperIds.MAP_POP_ELEM -> t == MapType.QUEUE || t == MapType.STACK;
            case HelperIds.MAP_PEEK_ELEM, HelperIds.MAP_PUSH_ELEM -> t == MapType.QUEUE || t == MapType.STACK
                    || t == MapType.BLOOM_FILTER;
            case 195 -> t == MapType.PERCPU_ARRAY || t == MapType.PERCPU_HASH || t == MapType.LRU_PERCPU_HASH;
            case 107, 108 -> t == MapType.SK_STORAGE;
            case 145, 146 -> t == MapType.INODE_STORAGE;
            case 156, 157 -> t == MapType.TASK_STORAGE;
            case 210, 211 -> t == MapType.CGRP_STORAGE;
            default -> true;
        };
        if (!ok) {
            throw ai.rejection(pc, "cannot pass map_type " + m.type() + " into func " + AbstractInterp.helperName(id) + "#" + id);
        }
    }
}
