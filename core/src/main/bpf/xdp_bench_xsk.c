// The AF_XDP program of jxdp xsk (and its bench): every frame to the socket of its RX queue, as libxdp's
// default program and xdpsock do; XDP_PASS when the queue has no socket (bpf_redirect_map's flags).
#include "bench.h"

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

char _license[] SEC("license") = "GPL";
