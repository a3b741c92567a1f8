// Verifier rejection: a map value indexed by an unknown index masked to [0, 7] on a 4-element value.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32[4]);
} quads SEC(".maps");

SEC("xdp")
int xdp_map_oob_var(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u32 *v = bpf_map_lookup_elem(&quads, &key);
	if (!v)
		return XDP_PASS;
	return v[ctx->rx_queue_index & 7] ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
