// An inner ARRAY looked up with a constant key in range and read without a NULL check: whether the
// verifier elides the check for an inner map as it does for an array it knows.
#include "mim_defs.h"

SEC("xdp")
int xdp_mim_const_key(struct xdp_md *ctx)
{
	__u32 k = 0, ik = 1;
	void *inner = bpf_map_lookup_elem(&outer_arr, &k);
	__u64 *v;

	if (!inner)
		return XDP_DROP;
	v = bpf_map_lookup_elem(inner, &ik);
	asm volatile("" : "+r"(v));
	return *v ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
