package dev.jxdp.ebpf.helpers;

import dev.jxdp.ebpf.fib.FibLookup;
import dev.jxdp.ebpf.fib.FibLookupLayout;
import dev.jxdp.ebpf.fib.NetDev;
import dev.jxdp.ebpf.isa.HelperIds;
import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.maps.Errno;
import dev.jxdp.ebpf.maps.MapType;
import dev.jxdp.ebpf.maps.PerfEventArray;
import dev.jxdp.ebpf.maps.XskMap;
import dev.jxdp.ebpf.maps.XskSocketRef;
import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.mem.Region;
import dev.jxdp.ebpf.runtime.BpfFault;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpAction;
import dev.jxdp.ebpf.runtime.XdpBuff;

/**
 * The helper functions XDP programs call, with the kernel's arguments and return codes. Each helper is one
 * static method taking the raw 64-bit argument registers (so a JIT can invokestatic it directly);
 * {@link #call} dispatches by id for the interpreter. Pointer arguments are checked with
 * {@link ExecState#checkArg} the way the verifier's argument types would have proven them; a bad one ends
 * the run with a {@link BpfFault}. bpf_tail_call (#12) changes control flow, so the engines do it themselves.
 */
public final class Helpers {
    private Helpers() {}

    /** BPF_F_BROADCAST and BPF_F_EXCLUDE_INGRESS: bpf_redirect_map's flags beyond the action bits. */
    public static final long BPF_F_BROADCAST = 1L << 3;
    public static final long BPF_F_EXCLUDE_INGRESS = 1L << 4;
    /** BPF_F_ACTION_MASK: bpf_redirect_map's low flag bits, the action for a missing entry. */
    public static final long BPF_F_ACTION_MASK = XdpAction.ABORTED | XdpAction.DROP | XdpAction.PASS | XdpAction.TX;
    /** BPF_MAX_LOOPS: bpf_loop's limit. */
    public static final long BPF_MAX_LOOPS = 1L << 23;
    /** sizeof(struct xdp_frame) on x86-64: the part of the headroom data and metadata may not grow into. */
    public static final int XDP_FRAME_SIZE = 40;
    /** type_max(skb_shared_info.meta_len): the most metadata a frame can carry. */
    public static final int META_MAX = 255;

    /** Whether jxdp implements helper {@code id} (the loader refuses programs calling any other). */
    public static boolean isSupported(int id) {
        return switch (id) {
            case HelperIds.MAP_LOOKUP_ELEM, HelperIds.MAP_UPDATE_ELEM, HelperIds.MAP_DELETE_ELEM,
                 HelperIds.KTIME_GET_NS, HelperIds.TRACE_PRINTK, HelperIds.GET_PRANDOM_U32,
                 HelperIds.GET_SMP_PROCESSOR_ID, HelperIds.TAIL_CALL, HelperIds.REDIRECT, HelperIds.CSUM_DIFF,
                 HelperIds.XDP_ADJUST_HEAD, HelperIds.REDIRECT_MAP, HelperIds.XDP_ADJUST_META,
                 HelperIds.XDP_ADJUST_TAIL, HelperIds.KTIME_GET_BOOT_NS, HelperIds.RINGBUF_OUTPUT,
                 HelperIds.RINGBUF_RESERVE, HelperIds.RINGBUF_SUBMIT, HelperIds.RINGBUF_DISCARD,
                 HelperIds.RINGBUF_QUERY, HelperIds.FOR_EACH_MAP_ELEM, HelperIds.LOOP,
                 HelperIds.XDP_GET_BUFF_LEN, HelperIds.XDP_LOAD_BYTES, HelperIds.XDP_STORE_BYTES,
                 HelperIds.CHECK_MTU, HelperIds.FIB_LOOKUP, HelperIds.PERF_EVENT_OUTPUT,
                 HelperIds.GET_NUMA_NODE_ID, HelperIds.KTIME_GET_COARSE_NS, HelperIds.KTIME_GET_TAI_NS,
                 HelperIds.JIFFIES64, HelperIds.STRTOL, HelperIds.STRTOUL, HelperIds.PROBE_READ_KERNEL,
                 HelperIds.SPIN_LOCK, HelperIds.SPIN_UNLOCK, HelperIds.JXDP_REDIRECT_XSK -> true;
            default -> false;
        };
    }

    /** Calls helper {@code id} with the argument registers r1-r5; returns r0. */
    public static long call(int id, ExecState st, long r1, long r2, long r3, long r4, long r5) {
        return switch (id) {
            case HelperIds.MAP_LOOKUP_ELEM -> mapLookupElem(st, r1, r2);
            case HelperIds.MAP_UPDATE_ELEM -> mapUpdateElem(st, r1, r2, r3, r4);
            case HelperIds.MAP_DELETE_ELEM -> mapDeleteElem(st, r1, r2);
            case HelperIds.KTIME_GET_NS -> ktimeGetNs();
            case HelperIds.TRACE_PRINTK -> TracePrintk.tracePrintk(st, r1, r2, r3, r4, r5);
            case HelperIds.GET_PRANDOM_U32 -> getPrandomU32(st);
            case HelperIds.GET_SMP_PROCESSOR_ID -> getSmpProcessorId(st);
            case HelperIds.REDIRECT -> redirect(st, r1, r2);
            case HelperIds.CSUM_DIFF -> csumDiff(st, r1, r2, r3, r4, r5);
            case HelperIds.XDP_ADJUST_HEAD -> xdpAdjustHead(st, r1, r2);
            case HelperIds.REDIRECT_MAP -> redirectMap(st, r1, r2, r3);
            case HelperIds.XDP_ADJUST_META -> xdpAdjustMeta(st, r1, r2);
            case HelperIds.XDP_ADJUST_TAIL -> xdpAdjustTail(st, r1, r2);
            case HelperIds.KTIME_GET_BOOT_NS -> ktimeGetBootNs();
            case HelperIds.RINGBUF_OUTPUT -> ringbufOutput(st, r1, r2, r3, r4);
            case HelperIds.RINGBUF_RESERVE -> ringbufReserve(st, r1, r2, r3);
            case HelperIds.RINGBUF_SUBMIT -> ringbufSubmit(st, r1, r2);
            case HelperIds.RINGBUF_DISCARD -> ringbufDiscard(st, r1, r2);
            case HelperIds.RINGBUF_QUERY -> ringbufQuery(st, r1, r2);
            case HelperIds.FOR_EACH_MAP_ELEM -> forEachMapElem(st, r1, r2, r3, r4);
            case HelperIds.LOOP -> loop(st, r1, r2, r3, r4);
            case HelperIds.XDP_GET_BUFF_LEN -> xdpGetBuffLen(st, r1);
            case HelperIds.XDP_LOAD_BYTES -> xdpLoadBytes(st, r1, r2, r3, r4);
            case HelperIds.XDP_STORE_BYTES -> xdpStoreBytes(st, r1, r2, r3, r4);
            case HelperIds.CHECK_MTU -> checkMtu(st, r1, r2, r3, r4, r5);
            case HelperIds.FIB_LOOKUP -> fibLookup(st, r1, r2, r3, r4);
            case HelperIds.PERF_EVENT_OUTPUT -> perfEventOutput(st, r1, r2, r3, r4, r5);
            case HelperIds.GET_NUMA_NODE_ID -> getNumaNodeId();
            case HelperIds.KTIME_GET_COARSE_NS -> ktimeGetCoarseNs();
            case HelperIds.KTIME_GET_TAI_NS -> ktimeGetTaiNs();
            case HelperIds.JIFFIES64 -> jiffies64();
            case HelperIds.STRTOL -> strtol(st, r1, r2, r3, r4);
            case HelperIds.STRTOUL -> strtoul(st, r1, r2, r3, r4);
            case HelperIds.PROBE_READ_KERNEL -> probeReadKernel(st, r1, r2, r3);
            case HelperIds.SPIN_LOCK -> spinLock(st, r1);
            case HelperIds.SPIN_UNLOCK -> spinUnlock(st, r1);
            case HelperIds.JXDP_REDIRECT_XSK -> redirectXsk(st, r1, r2, r3, r4);
            case HelperIds.TAIL_CALL -> throw new BpfFault("bpf_tail_call: only the engine can make a tail call");
            default -> throw new BpfFault("invalid helper " + id);
        };
    }

    // ---- maps ----

    /** The map whose handle a register holds (an {@code r1 = map[...]} value), or null. */
    public static BpfMap mapOf(ExecState st, long handle) {
        Region r = st.space().containing(handle);
        return r != null && r.kind() == Region.Kind.MAP_OBJECT && r.owner() instanceof BpfMap m
                && r.base() == handle ? m : null;
    }

    private static BpfMap map(ExecState st, long handle, String helper) {
        return map(st, handle, helper, 1);
    }

    // the map argument register `reg` holds
    private static BpfMap map(ExecState st, long handle, String helper, int reg) {
        BpfMap m = mapOf(st, handle);
        if (m == null) {
            throw new BpfFault(helper + ": r" + reg + " 0x" + Long.toHexString(handle) + " is not a map");
        }
        return m;
    }

    public static long mapLookupElem(ExecState st, long map, long key) {
        BpfMap m = map(st, map, "bpf_map_lookup_elem");
        st.checkArg(key, m.keySize(), false, "bpf_map_lookup_elem", "key");
        return m.lookup(key, st.cpu());
    }

    public static long mapUpdateElem(ExecState st, long map, long key, long value, long flags) {
        BpfMap m = map(st, map, "bpf_map_update_elem");
        st.checkArg(key, m.keySize(), false, "bpf_map_update_elem", "key");
        st.checkArg(value, m.valueSize(), false, "bpf_map_update_elem", "value");
        return m.update(key, value, flags, st.cpu());
    }

    public static long mapDeleteElem(ExecState st, long map, long key) {
        BpfMap m = map(st, map, "bpf_map_delete_elem");
        st.checkArg(key, m.keySize(), false, "bpf_map_delete_elem", "key");
        return m.delete(key, st.cpu());
    }

    // ---- time, randomness, CPU ----

    /** CLOCK_MONOTONIC, which System.nanoTime reads on Linux (the kernel's ktime_get_mono_fast_ns()). */
    public static long ktimeGetNs() {
        return System.nanoTime();
    }

    /** CLOCK_BOOTTIME; equal to CLOCK_MONOTONIC unless the machine has been suspended since boot. */
    public static long ktimeGetBootNs() {
        return System.nanoTime();
    }

    /** CLOCK_MONOTONIC_COARSE: CLOCK_MONOTONIC as of the last tick. */
    public static long ktimeGetCoarseNs() {
        return Clocks.nanos(Clocks.CLOCK_MONOTONIC_COARSE);
    }

    /** CLOCK_TAI: CLOCK_REALTIME plus the TAI offset the system set (0 until something sets it). */
    public static long ktimeGetTaiNs() {
        return Clocks.nanos(Clocks.CLOCK_TAI);
    }

    /** get_jiffies_64(), see {@link Clocks#jiffies64}. */
    public static long jiffies64() {
        return Clocks.jiffies64();
    }

    /** numa_node_id(): jxdp's CPUs (its workers) are one NUMA node. */
    public static long getNumaNodeId() {
        return 0;
    }

    public static long getPrandomU32(ExecState st) {
        return st.nextRandom() & 0xffffffffL;
    }

    public static long getSmpProcessorId(ExecState st) {
        return st.cpu();
    }

    // ---- strings, memory, locks ----

    /** mirrors bpf_strtol(), see {@link StrToL}. */
    public static long strtol(ExecState st, long buf, long bufLen, long flags, long res) {
        return StrToL.strtol(st, buf, bufLen, flags, res);
    }

    /** mirrors bpf_strtoul(), see {@link StrToL}. */
    public static long strtoul(ExecState st, long buf, long bufLen, long flags, long res) {
        return StrToL.strtoul(st, buf, bufLen, flags, res);
    }

    /** mirrors bpf_probe_read_kernel(), see {@link ProbeRead}. */
    public static long probeReadKernel(ExecState st, long dst, long size, long unsafePtr) {
        return ProbeRead.probeReadKernel(st, dst, size, unsafePtr);
    }

    /** mirrors bpf_spin_lock(), see {@link SpinLock}. */
    public static long spinLock(ExecState st, long lock) {
        return SpinLock.lock(st, lock);
    }

    /** mirrors bpf_spin_unlock(). */
    public static long spinUnlock(ExecState st, long lock) {
        return SpinLock.unlock(st, lock);
    }

    /**
     * Why a run that ends holding a bpf_spin_lock faults (only a program run without the verifier can):
     * the engine frees the lock, so the next run does not spin forever.
     */
    public static final String ENDED_HOLDING_LOCK = "the program ended holding a bpf_spin_lock";

    /** Frees the bpf_spin_lock a run held when a fault ended it (engines call this on every fault). */
    public static void releaseSpinLock(ExecState st) {
        long addr = st.heldSpinLock();
        if (addr != 0) {
            SpinLock.release(addr);
            st.heldSpinLock(0);
        }
    }

    // ---- redirect ----

    /** mirrors bpf_xdp_redirect(): any flag aborts; otherwise the target is the ifindex. */
    public static long redirect(ExecState st, long ifindex, long flags) {
        if (flags != 0) {
            return XdpAction.ABORTED;
        }
        st.redirectIfindex = (int) ifindex;
        st.redirectFlags = 0;
        st.redirectMap(null);
        st.redirectKey = 0;
        return XdpAction.REDIRECT;
    }

    /**
     * mirrors __bpf_xdp_redirect_map(): unknown flag bits abort; a missing entry returns the low flag bits
     * (unless broadcasting) and clears the target; otherwise the map and key become the target. DEVMAP and
     * DEVMAP_HASH accept BPF_F_BROADCAST / BPF_F_EXCLUDE_INGRESS, CPUMAP and XSKMAP no extra flag.
     */
    public static long redirectMap(ExecState st, long map, long key, long flags) {
        return redirectMapTo(st, map(st, map, "bpf_redirect_map"), key, flags);
    }

    /** bpf_redirect_map with the map already resolved (the JIT's call when the verifier knows the map). */
    public static long redirectMapTo(ExecState st, BpfMap m, long key, long flags) {
        if (m instanceof XskMap x) {
            return redirectXskMapTo(st, x, key, flags);  // the XSKMAP case checks its flags itself
        }
        MapType t = m.type();
        long allowed;
        if (t == MapType.DEVMAP || t == MapType.DEVMAP_HASH) {
            allowed = BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS;
        } else if (t == MapType.CPUMAP) {
            allowed = 0;
        } else {
            throw new BpfFault("bpf_redirect_map: map " + m.name() + " of type " + m.type()
                    + " cannot be a redirect target");
        }
        if ((flags & ~(BPF_F_ACTION_MASK | allowed)) != 0) {
            return XdpAction.ABORTED;
        }
        // the map callbacks take the key as u32
        long k = key & 0xffffffffL;
        if (!m.hasRedirectTarget(k) && (flags & BPF_F_BROADCAST) == 0) {
            st.redirectMap(null);
            st.redirectFlags = 0;
            return flags & BPF_F_ACTION_MASK;
        }
        st.redirectIfindex = (int) k;
        st.redirectKey = k;
        st.redirectMap(m);
        st.redirectFlags = (flags & BPF_F_BROADCAST) != 0 ? flags : 0;
        return XdpAction.REDIRECT;
    }

    /**
     * bpf_redirect_xsk(ctx, map, key, flags), jxdp's helper after the unmerged RFC "bpf: add
     * bpf_redirect_xsk helper and XDP_REDIRECT_XSK action": when the XSKMAP slot holds the socket that is
     * the only one bound to this queue ({@link ExecState#rxqXsk}) and the flags are an action only,
     * XDP_REDIRECT_XSK without touching bpf_redirect_info (the driver hands the frame to that socket);
     * otherwise exactly bpf_redirect_map(map, key, flags). The context argument only ties the call to an
     * XDP program, as the RFC's does.
     */
    public static long redirectXsk(ExecState st, long ctx, long map, long key, long flags) {
        return redirectXskTo(st, map(st, map, "bpf_redirect_xsk", 2), key, flags);
    }

    /**
     * bpf_redirect_map on an XSKMAP (the JIT's call when the verifier knows the map is one): no flag but
     * the action's, then the slot's socket. The kernel keeps the socket in bpf_redirect_info's tgt_value;
     * jxdp keeps whether it is the queue's only one, all the datapath asks (seed 002's fast path, for an
     * unchanged program).
     */
    public static long redirectXskMapTo(ExecState st, XskMap m, long key, long flags) {
        if ((flags & ~BPF_F_ACTION_MASK) != 0) {
            return XdpAction.ABORTED;
        }
        long k = key & 0xffffffffL;
        XskSocketRef s = m.socket(k);
        if (s == null) {
            st.redirectMap(null);
            st.redirectFlags = 0;
            return flags & BPF_F_ACTION_MASK;
        }
        if (s == st.rxqXskRedirect) {
            // the worker takes this frame straight to its queue's socket and reads no more of the redirect
            // info than the map and this flag: the key, ifindex and flags stores cost a tenth of the
            // packet's time (measured: transparent at 0.92 to 0.98 of redirect-xsk with them, 1.06 without)
            st.redirectToRxqXsk = true;
            st.redirectMap(m);
            return XdpAction.REDIRECT;
        }
        st.redirectToRxqXsk = false;
        st.redirectIfindex = (int) k;
        st.redirectKey = k;
        st.redirectMap(m);
        st.redirectFlags = 0;
        return XdpAction.REDIRECT;
    }

    /** bpf_redirect_xsk with the map already resolved (the JIT's call when the verifier knows the map). */
    public static long redirectXskTo(ExecState st, BpfMap m, long key, long flags) {
        XskSocketRef sole = st.rxqXsk;
        if (sole != null && (flags & ~BPF_F_ACTION_MASK) == 0 && m instanceof XskMap x && x.socket(key) == sole) {
            return XdpAction.REDIRECT_XSK;
        }
        return redirectMapTo(st, m, key, flags);
    }

    // ---- packet geometry ----

    private static XdpBuff xdp(ExecState st, String helper) {
        XdpBuff b = st.xdp();
        if (b == null) {
            throw new BpfFault(helper + ": no XDP packet in this run");
        }
        return b;
    }

    private static long metalen(XdpBuff b) {
        // xdp_get_metalen(): 0 when metadata is unsupported (data_meta past data)
        return b.dataMeta > b.data ? 0 : b.data - b.dataMeta;
    }

    /** mirrors bpf_xdp_adjust_head(): data may move between the xdp_frame area (plus metadata) and data_end - ETH_HLEN. */
    public static long xdpAdjustHead(ExecState st, long ctx, long offset) {
        XdpBuff b = xdp(st, "bpf_xdp_adjust_head");
        int off = (int) offset;
        long metalen = metalen(b);
        long dataStart = b.dataHardStart + XDP_FRAME_SIZE + metalen;
        long data = b.data + off;
        if (data < dataStart || data > b.dataEnd - XdpBuff.ETH_HLEN) {
            return -Errno.EINVAL;
        }
        if (metalen != 0) {
            Mem.copy(b.dataMeta, b.dataMeta + off, metalen);
        }
        b.dataMeta += off;
        b.data = data;
        return 0;
    }

    /** mirrors bpf_xdp_adjust_tail(): no further than the tailroom, no shorter than ETH_HLEN; growth is zeroed. */
    public static long xdpAdjustTail(ExecState st, long ctx, long offset) {
        XdpBuff b = xdp(st, "bpf_xdp_adjust_tail");
        int off = (int) offset;
        long dataEnd = b.dataEnd + off;
        if (dataEnd > b.dataHardEnd()) {
            return -Errno.EINVAL;
        }
        if (dataEnd < b.data + XdpBuff.ETH_HLEN) {
            return -Errno.EINVAL;
        }
        if (off > 0) {
            Mem.fill(b.dataEnd, off, (byte) 0);
        }
        b.dataEnd = dataEnd;
        return 0;
    }

    /**
     * mirrors bpf_xdp_adjust_meta(): -ENOTSUPP without metadata support, -EINVAL past the xdp_frame area or
     * beyond data, then -EACCES for a length not a multiple of 4 or over 255 (xdp_metalen_invalid()).
     */
    public static long xdpAdjustMeta(ExecState st, long ctx, long offset) {
        XdpBuff b = xdp(st, "bpf_xdp_adjust_meta");
        int off = (int) offset;
        long meta = b.dataMeta + off;
        long metalen = b.data - meta;
        if (b.dataMeta > b.data) {
            return -Errno.ENOTSUPP;
        }
        if (meta < b.dataHardStart + XDP_FRAME_SIZE || meta > b.data) {
            return -Errno.EINVAL;
        }
        if ((metalen & 3) != 0 || metalen > META_MAX) {
            return -Errno.EACCES;
        }
        b.dataMeta = meta;
        return 0;
    }

    /** xdp_get_buff_len(): the linear data's length (jxdp frames have no fragments). */
    public static long xdpGetBuffLen(ExecState st, long ctx) {
        return xdp(st, "bpf_xdp_get_buff_len").length();
    }

    // mirrors bpf_xdp_pointer()'s checks: -EFAULT for offset or length over 0xffff, -EINVAL past the end
    private static long xdpBytesCheck(XdpBuff b, long offset, long len) {
        long off = offset & 0xffffffffL;
        long n = len & 0xffffffffL;
        if (off > 0xffff || n > 0xffff) {
            return -Errno.EFAULT;
        }
        if (off + n > b.length()) {
            return -Errno.EINVAL;
        }
        return 0;
    }

    public static long xdpLoadBytes(ExecState st, long ctx, long offset, long buf, long len) {
        XdpBuff b = xdp(st, "bpf_xdp_load_bytes");
        st.checkArg(buf, len & 0xffffffffL, true, "bpf_xdp_load_bytes", "buf");
        long err = xdpBytesCheck(b, offset, len);
        if (err != 0) {
            return err;
        }
        Mem.copy(b.data + (offset & 0xffffffffL), buf, len & 0xffffffffL);
        return 0;
    }

    public static long xdpStoreBytes(ExecState st, long ctx, long offset, long buf, long len) {
        XdpBuff b = xdp(st, "bpf_xdp_store_bytes");
        st.checkArg(buf, len & 0xffffffffL, false, "bpf_xdp_store_bytes", "buf");
        long err = xdpBytesCheck(b, offset, len);
        if (err != 0) {
            return err;
        }
        Mem.copy(buf, b.data + (offset & 0xffffffffL), len & 0xffffffffL);
        return 0;
    }

    /** Ethernet's hard_header_len, what check_mtu adds to a device's (L3) MTU to compare the frame with. */
    private static final int ETH_HARD_HEADER_LEN = 14;
    private static final long BPF_MTU_CHK_RET_FRAG_NEEDED = 1;

    /**
     * mirrors bpf_xdp_check_mtu() (6.18): no flags for XDP (-EINVAL), ifindex 0 is the ingress device
     * (-ENODEV when there is none), both errors leaving {@code *mtu_len} as it was (the kernel 6.18 answers
     * so); else the frame's linear length, or {@code *mtu_len} (an L3 length) plus the hard header, plus
     * len_diff, against MTU plus hard header, and {@code *mtu_len} becomes the MTU.
     */
    public static long checkMtu(ExecState st, long ctx, long ifindex, long mtuLen, long lenDiff, long flags) {
        XdpBuff b = xdp(st, "bpf_check_mtu");
        st.checkArg(mtuLen, 4, true, "bpf_check_mtu", "mtu_len");
        if (flags != 0) {
            return -Errno.EINVAL;
        }
        // the devices are the run's FIB's, as bpf_fib_lookup sees them (without --fib: loopback, MTU 65536)
        NetDev dev = st.fib().device((int) ifindex == 0 ? b.ingressIfindex : (int) ifindex);
        if (dev == null) {
            return -Errno.ENODEV;
        }
        int mtu = dev.mtu();
        int in = Mem.getI32(mtuLen);
        int len = in != 0 ? in + ETH_HARD_HEADER_LEN : (int) (b.dataEnd - b.data);
        len += (int) lenDiff;  // int arithmetic as the kernel's: a length below zero passes
        Mem.putU32(mtuLen, mtu);
        return len > mtu + ETH_HARD_HEADER_LEN ? BPF_MTU_CHK_RET_FRAG_NEEDED : 0;
    }

    /** bpf_fib_lookup() against the run's FIB ({@link ExecState#fib()}); see {@link FibLookup}. */
    public static long fibLookup(ExecState st, long ctx, long params, long plen, long flags) {
        st.checkArg(params, FibLookupLayout.SIZE, true, "bpf_fib_lookup", "params");
        return FibLookup.xdp(st.fib(), params, plen, flags);
    }

    // ---- checksum ----

    /**
     * mirrors bpf_csum_diff() as Linux 6.12+ has it (the kernel engine on 6.18 agrees): no size or alignment
     * limit beyond the memory itself, the x86-64 csum_partial() of {@code to} seeded with {@code seed} minus
     * that of {@code from}, folded to 16 bits without complement (csum_from32to16()). With only {@code from}
     * it is {@code ~csum_partial(from, ~seed)}, with neither the folded seed, so the zero cases come out 0.
     */
    public static long csumDiff(ExecState st, long from, long fromSize, long to, long toSize, long seed) {
        long fs = fromSize & 0xffffffffL;
        long ts = toSize & 0xffffffffL;
        st.checkArg(from, fs, false, "bpf_csum_diff", "from");
        st.checkArg(to, ts, false, "bpf_csum_diff", "to");
        int s = (int) seed;
        int ret;
        if (fs != 0 && ts != 0) {
            ret = csumSub(csumPartial(to, ts, s), csumPartial(from, fs, 0));
        } else if (ts != 0) {
            ret = csumPartial(to, ts, s);
        } else {
            ret = ~csumPartial(from, fs, ~s);
        }
        return from32to16(ret);
    }

    /** x86-64 csum_partial(): a 64-bit end-around-carry sum of little-endian words, the tail zero-padded. */
    public static int csumPartial(long addr, long len, int seed) {
        long sum = seed & 0xffffffffL;
        long i = 0;
        for (; i + 8 <= len; i += 8) {
            sum = addWithCarry(sum, Mem.getU64(addr + i));
        }
        if (i < len) {
            long tail = 0;
            for (long j = len - 1; j >= i; j--) {
                tail = tail << 8 | Mem.getU8(addr + j);
            }
            sum = addWithCarry(sum, tail);
        }
        return fold64to32(sum);
    }

    private static long addWithCarry(long a, long b) {
        long s = a + b;
        return s + (Long.compareUnsigned(s, a) < 0 ? 1 : 0);
    }

    // from64to32(): two end-around folds of the high half into the low
    private static int fold64to32(long x) {
        long s = (x & 0xffffffffL) + (x >>> 32);
        s = (s & 0xffffffffL) + (s >>> 32);
        return (int) s;
    }

    // csum_sub(): a + ~b with the carry wrapped around
    private static int csumSub(int a, int b) {
        long s = (a & 0xffffffffL) + (~b & 0xffffffffL);
        return (int) ((s & 0xffffffffL) + (s >>> 32));
    }

    // csum_from32to16(): the 32-bit sum folded to 16 bits, not complemented
    private static long from32to16(int x) {
        long s = (x & 0xffffL) + ((x >>> 16) & 0xffffL);
        s = (s & 0xffffL) + (s >>> 16);
        return s;
    }

    // ---- ring buffer ----

    private static BpfMap ringbuf(ExecState st, long handle, String helper) {
        BpfMap m = map(st, handle, helper);
        if (m.type() != MapType.RINGBUF) {
            throw new BpfFault(helper + ": map " + m.name() + " is not a ring buffer");
        }
        return m;
    }

    // the ring buffer a reserved record belongs to
    private static BpfMap ringbufOfRecord(ExecState st, long addr, String helper) {
        Region r = st.space().containing(addr);
        if (r == null || r.kind() != Region.Kind.RINGBUF || !(r.owner() instanceof BpfMap m)) {
            throw new BpfFault(helper + ": 0x" + Long.toHexString(addr) + " is not a reserved ring buffer record");
        }
        return m;
    }

    public static long ringbufOutput(ExecState st, long ringbuf, long data, long size, long flags) {
        BpfMap m = ringbuf(st, ringbuf, "bpf_ringbuf_output");
        st.checkArg(data, size, false, "bpf_ringbuf_output", "data");
        return m.output(data, size, flags);
    }

    public static long ringbufReserve(ExecState st, long ringbuf, long size, long flags) {
        return ringbuf(st, ringbuf, "bpf_ringbuf_reserve").reserve(size, flags);
    }

    public static long ringbufSubmit(ExecState st, long data, long flags) {
        if (!ringbufOfRecord(st, data, "bpf_ringbuf_submit").submit(data, flags)) {
            throw notReserved(data, "bpf_ringbuf_submit");
        }
        return 0;
    }

    public static long ringbufDiscard(ExecState st, long data, long flags) {
        if (!ringbufOfRecord(st, data, "bpf_ringbuf_discard").discard(data, flags)) {
            throw notReserved(data, "bpf_ringbuf_discard");
        }
        return 0;
    }

    private static BpfFault notReserved(long addr, String helper) {
        return new BpfFault(helper + ": 0x" + Long.toHexString(addr) + " is not a reserved ring buffer record");
    }

    public static long ringbufQuery(ExecState st, long ringbuf, long flags) {
        return ringbuf(st, ringbuf, "bpf_ringbuf_query").query(flags);
    }

    // ---- perf events ----

    /**
     * mirrors bpf_xdp_event_output(): flag bits beyond the index and the frame length are -EINVAL, more
     * frame bytes than the frame has -EFAULT; then the sample (meta, then the first bytes of the frame) goes
     * to the event at the flags' index, or the running CPU's for BPF_F_CURRENT_CPU
     * ({@link PerfEventArray#output}).
     */
    public static long perfEventOutput(ExecState st, long ctx, long map, long flags, long meta, long size) {
        BpfMap m = map(st, map, "bpf_perf_event_output");
        if (!(m instanceof PerfEventArray events)) {
            throw new BpfFault("bpf_perf_event_output: map " + m.name() + " is not a perf event array");
        }
        st.checkArg(meta, size, false, "bpf_perf_event_output", "data");
        XdpBuff b = xdp(st, "bpf_perf_event_output");
        if ((flags & ~(PerfEventArray.BPF_F_CTXLEN_MASK | PerfEventArray.BPF_F_INDEX_MASK)) != 0) {
            return -Errno.EINVAL;
        }
        long frameBytes = (flags & PerfEventArray.BPF_F_CTXLEN_MASK) >>> 32;
        if (frameBytes > b.length()) {
            return -Errno.EFAULT;
        }
        return events.output(st.cpu(), flags & PerfEventArray.BPF_F_INDEX_MASK, meta, size, b.data, frameBytes);
    }

    // ---- callbacks ----

    /**
     * mirrors the bpf_loop() helper, which the kernel calls where its verifier could not inline the call
     * (flags not known to be 0, or the callback differs between paths): flags must be 0, nr_loops is a u32
     * of at most 1 << 23 (else -E2BIG as a 64-bit -7); a non-zero callback return stops the loop. The
     * calls the verifier inlined run {@link #loopInlined} instead.
     */
    public static long loop(ExecState st, long nrLoops, long callbackFn, long callbackCtx, long flags) {
        if (flags != 0) {
            return -Errno.EINVAL;
        }
        long n = nrLoops & 0xffffffffL;
        if (n > BPF_MAX_LOOPS) {
            return -Errno.E2BIG;
        }
        return loopCalls(st, n, callbackFn, callbackCtx);
    }

    /**
     * A bpf_loop call as the kernel's verifier inlines it (inline_bpf_loop(): the callback the same and flags
     * 0 on every path): the whole 64-bit nr_loops is compared with BPF_MAX_LOOPS, and -E2BIG is a 32-bit
     * move, so the program sees 0xfffffff9 rather than -7 (both recorded against the kernel in loop_inline).
     */
    public static long loopInlined(ExecState st, long nrLoops, long callbackFn, long callbackCtx) {
        if (Long.compareUnsigned(nrLoops, BPF_MAX_LOOPS) > 0) {
            return -Errno.E2BIG & 0xffffffffL;
        }
        return loopCalls(st, nrLoops, callbackFn, callbackCtx);
    }

    /** The bpf_loop call at {@code pc} of {@code prog}: inlined when the verifier's acceptance said so, else the helper. */
    public static long loopAt(ExecState st, BpfProgram prog, int pc, long nrLoops, long callbackFn,
                              long callbackCtx, long flags) {
        return prog.loopInlined(pc) ? loopInlined(st, nrLoops, callbackFn, callbackCtx)
                : loop(st, nrLoops, callbackFn, callbackCtx, flags);
    }

    private static long loopCalls(ExecState st, long n, long callbackFn, long callbackCtx) {
        for (long i = 0; i < n; i++) {
            if (st.caller().callFunction(st, callbackFn, i, callbackCtx, 0, 0, 0) != 0) {
                return i + 1;
            }
        }
        return n;
    }

    /** mirrors bpf_for_each_map_elem(): flags must be 0; the map's own walk calls back (map, key, value, ctx). */
    public static long forEachMapElem(ExecState st, long map, long callbackFn, long callbackCtx, long flags) {
        BpfMap m = map(st, map, "bpf_for_each_map_elem");
        if (flags != 0) {
            return -Errno.EINVAL;
        }
        // the worker's visitor, unless a callback walks a map again (then a new one for the inner walk)
        ForEachCallback cb = st.helperScratch() instanceof ForEachCallback f && !f.busy ? f : new ForEachCallback();
        if (st.helperScratch() == null) {
            st.helperScratch(cb);
        }
        cb.st = st;
        cb.map = map;
        cb.fn = callbackFn;
        cb.ctx = callbackCtx;
        cb.busy = true;
        try {
            return m.forEachElem(st.cpu(), cb);
        } finally {
            cb.busy = false;
        }
    }

    /** One bpf_for_each_map_elem walk: calls the program's callback for each element. */
    private static final class ForEachCallback implements BpfMap.ElemVisitor {
        ExecState st;
        long map;
        long fn;
        long ctx;
        boolean busy;

        @Override
        public boolean visit(long keyAddr, long valueAddr) {
            return st.caller().callFunction(st, fn, map, keyAddr, valueAddr, ctx, 0) == 0;
        }
    }
}
