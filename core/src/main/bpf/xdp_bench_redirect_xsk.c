// The AF_XDP program of jxdp xsk --mode redirect-xsk (and bench xsk's redirect-xsk cases): every frame to
// the socket of its RX queue through jxdp's bpf_redirect_xsk (include/jxdp_helpers.h), which returns
// XDP_REDIRECT_XSK when the socket is the queue's only one and otherwise does what bpf_redirect_map does.
// jxdp only: the kernel has no such helper, so this program has an object of its own and
// xdp_bench_xsk.o stays loadable by the kernel.
#include "bench.h"
#include <jxdp_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} xsks_map SEC(".maps");

SEC("xdp")
int xdp_redirect_xsk(struct xdp_md *ctx)
{
	return bpf_redirect_xsk(ctx, &xsks_map, ctx->rx_queue_index, XDP_PASS);
}

char _license[] SEC("license") = "GPL";
