package dev.jxdp.ebpf.verifier;

import dev.jxdp.ebpf.isa.HelperIds;

import java.util.HashMap;
import java.util.Map;

/**
 * A helper's prototype as the kernel declares it (struct bpf_func_proto): what it returns and what each
 * argument must be. The verifier checks every call against it (check_func_arg()), so a helper added to
 * jxdp gets the same argument checks, the same treatment of memory it writes (an output buffer on the
 * stack is clobbered over every byte it may reach) and the same register liveness as the others.
 */
record HelperProto(int id, Ret ret, Arg[] args, boolean changesPacketData) {

    /** The return types jxdp's helpers have (enum bpf_return_type). */
    enum Ret {
        INTEGER, VOID, MAP_VALUE_OR_NULL, RINGBUF_MEM_OR_NULL
    }

    /** The argument types jxdp's helpers have (enum bpf_arg_type). */
    enum Arg {
        /** no argument */
        DONTCARE,
        /** any initialised value */
        ANYTHING,
        CONST_MAP_PTR,
        /** key_size bytes the helper reads */
        PTR_TO_MAP_KEY,
        /** value_size bytes the helper reads */
        PTR_TO_MAP_VALUE,
        /** memory the helper reads, its size in the next argument (ARG_PTR_TO_MEM | MEM_RDONLY) */
        PTR_TO_MEM,
        /** the same, or NULL (PTR_MAYBE_NULL) */
        PTR_TO_MEM_OR_NULL,
        /** memory the helper reads and writes, its size in the next argument (ARG_PTR_TO_MEM | MEM_WRITE) */
        PTR_TO_MEM_WRITE,
        /** memory the helper writes, its size in the next argument (ARG_PTR_TO_UNINIT_MEM) */
        PTR_TO_UNINIT_MEM,
        /** the size of the memory argument before it, at least 1 (ARG_CONST_SIZE) */
        CONST_SIZE,
        /** the same, 0 allowed (ARG_CONST_SIZE_OR_ZERO) */
        CONST_SIZE_OR_ZERO,
        /** a known size of memory to allocate (ARG_CONST_ALLOC_SIZE_OR_ZERO) */
        CONST_ALLOC_SIZE_OR_ZERO,
        PTR_TO_CTX,
        /** a callback (ARG_PTR_TO_FUNC) */
        PTR_TO_FUNC,
        /** a callback's context: any stack pointer, or NULL (ARG_PTR_TO_STACK_OR_NULL) */
        PTR_TO_STACK_OR_NULL,
        /** a ringbuf record the helper releases (ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE) */
        RELEASE_RINGBUF_MEM,
        /** 4 initialised bytes the helper reads and writes, aligned (ARG_PTR_TO_FIXED_SIZE_MEM | MEM_WRITE | MEM_ALIGNED, arg_size 4) */
        PTR_TO_ALIGNED_INT,
        /**
         * 8 bytes the helper writes, aligned to 8 (ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE |
         * MEM_ALIGNED with arg_size 8: strtol's result)
         */
        PTR_TO_FIXED_SIZE_MEM_8,
        /** the struct bpf_spin_lock inside a map value (ARG_PTR_TO_SPIN_LOCK) */
        PTR_TO_SPIN_LOCK
    }

    private static final Map<Integer, HelperProto> PROTOS = new HashMap<>();
    private static final java.util.Set<Integer> GPL_ONLY = new java.util.HashSet<>();

    private static void proto(int id, Ret ret, boolean changesPacketData, Arg... args) {
        PROTOS.put(id, new HelperProto(id, ret, args, changesPacketData));
    }

    static {
        proto(HelperIds.MAP_LOOKUP_ELEM, Ret.MAP_VALUE_OR_NULL, false, Arg.CONST_MAP_PTR, Arg.PTR_TO_MAP_KEY);
        proto(HelperIds.MAP_UPDATE_ELEM, Ret.INTEGER, false, Arg.CONST_MAP_PTR, Arg.PTR_TO_MAP_KEY,
                Arg.PTR_TO_MAP_VALUE, Arg.ANYTHING);
        proto(HelperIds.MAP_DELETE_ELEM, Ret.INTEGER, false, Arg.CONST_MAP_PTR, Arg.PTR_TO_MAP_KEY);
        proto(HelperIds.KTIME_GET_NS, Ret.INTEGER, false);
        proto(HelperIds.KTIME_GET_BOOT_NS, Ret.INTEGER, false);
        // the format arguments after the size are not declared: the kernel checks them in the helper
        proto(HelperIds.TRACE_PRINTK, Ret.INTEGER, false, Arg.PTR_TO_MEM, Arg.CONST_SIZE);
        GPL_ONLY.add(HelperIds.TRACE_PRINTK);
        proto(HelperIds.GET_PRANDOM_U32, Ret.INTEGER, false);
        proto(HelperIds.GET_SMP_PROCESSOR_ID, Ret.INTEGER, false);
        proto(HelperIds.TAIL_CALL, Ret.VOID, false, Arg.PTR_TO_CTX, Arg.CONST_MAP_PTR, Arg.ANYTHING);
        proto(HelperIds.REDIRECT, Ret.INTEGER, false, Arg.ANYTHING, Arg.ANYTHING);
        proto(HelperIds.CSUM_DIFF, Ret.INTEGER, false, Arg.PTR_TO_MEM_OR_NULL, Arg.CONST_SIZE_OR_ZERO,
                Arg.PTR_TO_MEM_OR_NULL, Arg.CONST_SIZE_OR_ZERO, Arg.ANYTHING);
        proto(HelperIds.XDP_ADJUST_HEAD, Ret.INTEGER, true, Arg.PTR_TO_CTX, Arg.ANYTHING);
        proto(HelperIds.XDP_ADJUST_META, Ret.INTEGER, true, Arg.PTR_TO_CTX, Arg.ANYTHING);
        proto(HelperIds.XDP_ADJUST_TAIL, Ret.INTEGER, true, Arg.PTR_TO_CTX, Arg.ANYTHING);
        proto(HelperIds.REDIRECT_MAP, Ret.INTEGER, false, Arg.CONST_MAP_PTR, Arg.ANYTHING, Arg.ANYTHING);
        // jxdp's bpf_redirect_xsk: the context ties it to an XDP program; the map must be an XSKMAP (compatible())
        proto(HelperIds.JXDP_REDIRECT_XSK, Ret.INTEGER, false, Arg.PTR_TO_CTX, Arg.CONST_MAP_PTR, Arg.ANYTHING,
                Arg.ANYTHING);
        proto(HelperIds.RINGBUF_OUTPUT, Ret.INTEGER, false, Arg.CONST_MAP_PTR, Arg.PTR_TO_MEM,
                Arg.CONST_SIZE_OR_ZERO, Arg.ANYTHING);
        proto(HelperIds.RINGBUF_RESERVE, Ret.RINGBUF_MEM_OR_NULL, false, Arg.CONST_MAP_PTR,
                Arg.CONST_ALLOC_SIZE_OR_ZERO, Arg.ANYTHING);
        proto(HelperIds.RINGBUF_SUBMIT, Ret.VOID, false, Arg.RELEASE_RINGBUF_MEM, Arg.ANYTHING);
        proto(HelperIds.RINGBUF_DISCARD, Ret.VOID, false, Arg.RELEASE_RINGBUF_MEM, Arg.ANYTHING);
        proto(HelperIds.RINGBUF_QUERY, Ret.INTEGER, false, Arg.CONST_MAP_PTR, Arg.ANYTHING);
        proto(HelperIds.FOR_EACH_MAP_ELEM, Ret.INTEGER, false, Arg.CONST_MAP_PTR, Arg.PTR_TO_FUNC,
                Arg.PTR_TO_STACK_OR_NULL, Arg.ANYTHING);
        proto(HelperIds.LOOP, Ret.INTEGER, false, Arg.ANYTHING, Arg.PTR_TO_FUNC, Arg.PTR_TO_STACK_OR_NULL,
                Arg.ANYTHING);
        proto(HelperIds.XDP_GET_BUFF_LEN, Ret.INTEGER, false, Arg.PTR_TO_CTX);
        proto(HelperIds.XDP_LOAD_BYTES, Ret.INTEGER, false, Arg.PTR_TO_CTX, Arg.ANYTHING, Arg.PTR_TO_UNINIT_MEM,
                Arg.CONST_SIZE);
        proto(HelperIds.FIB_LOOKUP, Ret.INTEGER, false, Arg.PTR_TO_CTX, Arg.PTR_TO_MEM_WRITE, Arg.CONST_SIZE,
                Arg.ANYTHING);
        GPL_ONLY.add(HelperIds.FIB_LOOKUP);
        proto(HelperIds.XDP_STORE_BYTES, Ret.INTEGER, false, Arg.PTR_TO_CTX, Arg.ANYTHING, Arg.PTR_TO_MEM,
                Arg.CONST_SIZE);
        // bpf_xdp_check_mtu_proto: ifindex, mtu_len (in and out), len_diff, flags
        proto(HelperIds.CHECK_MTU, Ret.INTEGER, false, Arg.PTR_TO_CTX, Arg.ANYTHING, Arg.PTR_TO_ALIGNED_INT,
                Arg.ANYTHING, Arg.ANYTHING);
        GPL_ONLY.add(HelperIds.CHECK_MTU);
        // bpf_xdp_event_output_proto: the map, flags (index and frame bytes), the meta bytes and their size
        proto(HelperIds.PERF_EVENT_OUTPUT, Ret.INTEGER, false, Arg.PTR_TO_CTX, Arg.CONST_MAP_PTR, Arg.ANYTHING,
                Arg.PTR_TO_MEM, Arg.CONST_SIZE_OR_ZERO);
        GPL_ONLY.add(HelperIds.PERF_EVENT_OUTPUT);
        // bpf_base_func_proto()'s helpers every program type may call
        proto(HelperIds.GET_NUMA_NODE_ID, Ret.INTEGER, false);
        proto(HelperIds.KTIME_GET_COARSE_NS, Ret.INTEGER, false);
        proto(HelperIds.KTIME_GET_TAI_NS, Ret.INTEGER, false);
        proto(HelperIds.STRTOL, Ret.INTEGER, false, Arg.PTR_TO_MEM, Arg.CONST_SIZE, Arg.ANYTHING,
                Arg.PTR_TO_FIXED_SIZE_MEM_8);
        proto(HelperIds.STRTOUL, Ret.INTEGER, false, Arg.PTR_TO_MEM, Arg.CONST_SIZE, Arg.ANYTHING,
                Arg.PTR_TO_FIXED_SIZE_MEM_8);
        // ... with CAP_BPF, which jxdp's loader has
        proto(HelperIds.SPIN_LOCK, Ret.VOID, false, Arg.PTR_TO_SPIN_LOCK);
        proto(HelperIds.SPIN_UNLOCK, Ret.VOID, false, Arg.PTR_TO_SPIN_LOCK);
        proto(HelperIds.JIFFIES64, Ret.INTEGER, false);
        // ... with CAP_PERFMON, which it has too
        proto(HelperIds.PROBE_READ_KERNEL, Ret.INTEGER, false, Arg.PTR_TO_UNINIT_MEM, Arg.CONST_SIZE_OR_ZERO,
                Arg.ANYTHING);
        GPL_ONLY.add(HelperIds.PROBE_READ_KERNEL);
    }

    /** gpl_only: callable only from programs whose license is GPL-compatible */
    boolean gplOnly() {
        return GPL_ONLY.contains(id);
    }

    /** The prototype of helper {@code id}, or null when jxdp has none. */
    static HelperProto of(int id) {
        return PROTOS.get(id);
    }

    /** The number of declared arguments (the kernel's num_params: the leading ones not DONTCARE). */
    int params() {
        int n = 0;
        while (n < args.length && args[n] != Arg.DONTCARE) {
            n++;
        }
        return n;
    }

    /** The type of argument register {@code r} (1-5). */
    Arg arg(int r) {
        return r - 1 < args.length ? args[r - 1] : Arg.DONTCARE;
    }
}
