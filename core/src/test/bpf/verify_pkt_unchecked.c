// Verifier rejection: reads the packet with no bounds check at all.
#include "oracle_net.h"

SEC("xdp")
int xdp_pkt_unchecked(struct xdp_md *ctx)
{
	struct ethhdr *eth = (void *)(long)ctx->data;
	return eth->h_proto == bpf_htons(ETH_P_IP) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
