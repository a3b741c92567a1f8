// Verifier rejection: reads the IP header after checking only the Ethernet header's bounds.
#include "oracle_net.h"

SEC("xdp")
int xdp_short_check(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	struct iphdr *ip = (void *)(eth + 1);
	return ip->protocol == 17 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
