// Verifier rejection: a map value indexed by a signed index checked against the upper end only.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32[4]);
} quads SEC(".maps");

SEC("xdp")
int xdp_map_oob_neg(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u32 *v = bpf_map_lookup_elem(&quads, &key);
	if (!v)
		return XDP_PASS;
	int i = (int)ctx->rx_queue_index - 8;
	if (i >= 4)
		return XDP_PASS;
	return v[i] ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
