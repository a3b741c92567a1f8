// Verifier rejection: uses a packet pointer taken before bpf_xdp_adjust_head(), which invalidates
// every packet pointer (clear_all_pkt_pointers(); root keeps them as plain numbers).
#include "oracle_net.h"

SEC("xdp")
int xdp_stale_pkt(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (bpf_xdp_adjust_head(ctx, -4))
		return XDP_DROP;
	return ((volatile struct ethhdr *)eth)->h_proto ? XDP_TX : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
