// Verifier rejection: programs may only look up a map-in-map, not update it.
#include "mim_defs.h"

SEC("xdp")
int xdp_mim_update_outer(struct xdp_md *ctx)
{
	__u32 k = 1, v = 0;

	return bpf_map_update_elem(&outer_arr, &k, &v, BPF_ANY) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
