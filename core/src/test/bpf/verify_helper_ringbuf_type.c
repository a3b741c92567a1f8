// Verifier rejection: bpf_ringbuf_output() on an array map.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} slots SEC(".maps");

SEC("xdp")
int xdp_ringbuf_on_array(struct xdp_md *ctx)
{
	__u32 v = ctx->rx_queue_index;
	return bpf_ringbuf_output(&slots, &v, sizeof(v), 0) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
