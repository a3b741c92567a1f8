// Verifier rejection: the inner map an ARRAY_OF_MAPS lookup found used without a NULL check (it is a
// map_value_or_null until then, not a map pointer).
#include "mim_defs.h"

SEC("xdp")
int xdp_mim_no_null(struct xdp_md *ctx)
{
	__u32 k = ctx->rx_queue_index & 1, ik = 0;
	void *inner = bpf_map_lookup_elem(&outer_arr, &k);
	__u64 *v;

	asm volatile("" : "+r"(inner)); // keep clang from folding the missing check
	v = bpf_map_lookup_elem(inner, &ik);
	return v ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
