// An XSKMAP lookup gives the socket, whose queue_id (a u32 at offset 0) a program may read: steer a
// packet to the socket only when it is bound to the packet's own queue. The kernel accepts it.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

SEC("xdp")
int xdp_ok_xsk_queue(struct xdp_md *ctx)
{
	__u32 key = ctx->rx_queue_index;
	__u32 *queue_id = bpf_map_lookup_elem(&xsks, &key);

	if (queue_id && *queue_id == ctx->rx_queue_index)
		return bpf_redirect_map(&xsks, key, XDP_PASS);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
