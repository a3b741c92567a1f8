// Accepted: both map-in-map kinds looked up two levels deep on several paths (the state pruning of
// the kernel's "map in map state pruning"), an inner array value written, an inner hash updated.
#include "mim_defs.h"

SEC("xdp")
int xdp_mim_two_levels(struct xdp_md *ctx)
{
	__u32 k = ctx->rx_queue_index & 1, ik = 2;
	__u64 hk = ctx->ingress_ifindex;
	__u32 one = 1;
	void *inner;

	if (ctx->rx_queue_index & 2)
		inner = bpf_map_lookup_elem(&outer_arr, &k);
	else
		inner = bpf_map_lookup_elem(&outer_arr, &ik);
	if (inner) {
		__u64 *v = bpf_map_lookup_elem(inner, &ik);
		if (v)
			*v += 1;
	}
	inner = bpf_map_lookup_elem(&outer_hash, &k);
	if (!inner)
		return XDP_PASS;
	__u32 *c = bpf_map_lookup_elem(inner, &hk);
	if (c)
		return *c;
	bpf_map_update_elem(inner, &hk, &one, BPF_NOEXIST);
	bpf_map_delete_elem(inner, &hk);
	return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
