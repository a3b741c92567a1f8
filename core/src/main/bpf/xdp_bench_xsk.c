// The AF_XDP program of jxdp xsk (and its bench): every frame to the socket of its RX queue, as libxdp's
// default program and xdpsock do; XDP_PASS when the queue has no socket (bpf_redirect_map's flags).
// xdp_redirect_xsk does the same through jxdp's bpf_redirect_xsk (include/jxdp_helpers.h), which returns
// XDP_REDIRECT_XSK when the socket is the queue's only one: jxdp only, the kernel has no such helper.
#include "bench.h"
#include <jxdp_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} xsks_map SEC(".maps");

SEC("xdp")
int xdp_sock_prog(struct xdp_md *ctx)
{
	return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
}

SEC("xdp")
int xdp_redirect_xsk(struct xdp_md *ctx)
{
	return bpf_redirect_xsk(ctx, &xsks_map, ctx->rx_queue_index, XDP_PASS);
}

char _license[] SEC("license") = "GPL";
