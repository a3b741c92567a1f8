package dev.jxdp.ebpf.runtime;

/**
 * Calls a function of the running program by its address (a {@code PSEUDO_FUNC} lddw value), for the
 * helpers that take callbacks: bpf_loop, bpf_for_each_map_elem. Each engine implements it.
 */
public interface FunctionCaller {
    long callFunction(ExecState st, long fnAddr, long r1, long r2, long r3, long r4, long r5);
}
