// Verifier rejection: an XSKMAP lookup finds an AF_XDP socket (PTR_TO_XDP_SOCK), not a map value; only its
// queue_id may be read, and a store through it is "R0 cannot write into xdp_sock". jxdp once took the
// entry for a writable 4-byte value.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

SEC("xdp")
int xdp_xsk_write(struct xdp_md *ctx)
{
	__u32 key = ctx->rx_queue_index & 3;
	__u32 *sock = bpf_map_lookup_elem(&xsks, &key);

	if (!sock)
		return XDP_PASS;
	*sock = 7;
	return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
