// Verifier rejection: a store through the inner map pointer a map-in-map lookup found.
#include "mim_defs.h"

SEC("xdp")
int xdp_mim_write_map_ptr(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u32 *inner = bpf_map_lookup_elem(&outer_arr, &k);

	if (!inner)
		return XDP_DROP;
	*(volatile __u32 *)inner = 1;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
