// jxdp bench chain's tail-call pair (seed 003's "XDP tail call" case): xdp_tailcall reads the Ethernet
// header and tail-calls slot 0 of chain_jmp, which jxdp bench fills with xdp_tail_drop, in the same object
// because a tail call stays inside its program's collection. The frame is dropped by the callee; an
// empty slot falls through to XDP_PASS.
#include "bench.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} chain_jmp SEC(".maps");

SEC("xdp")
int xdp_tailcall(struct xdp_md *ctx)
{
	if (read_eth(ctx) < 0)
		return XDP_ABORTED;
	bpf_tail_call(ctx, &chain_jmp, 0);
	return XDP_PASS;
}

// the same work as xdp_bench_basic.c's xdp_drop, so the pair costs one drop program and one tail call
SEC("xdp")
int xdp_tail_drop(struct xdp_md *ctx)
{
	return read_eth(ctx) < 0 ? XDP_ABORTED : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
