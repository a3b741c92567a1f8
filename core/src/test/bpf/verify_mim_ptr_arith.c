// Verifier rejection: arithmetic on the inner map pointer (the kernel's "invalid inner map pointer").
#include "mim_defs.h"

SEC("xdp")
int xdp_mim_ptr_arith(struct xdp_md *ctx)
{
	__u32 k = 0, ik = 0;
	char *inner = bpf_map_lookup_elem(&outer_arr, &k);

	if (!inner)
		return XDP_DROP;
	inner += 8;
	asm volatile("" : "+r"(inner));
	return bpf_map_lookup_elem(inner, &ik) ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
