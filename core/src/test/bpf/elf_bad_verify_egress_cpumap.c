// Verifier rejection: a CPUMAP entry program reads egress_ifindex, which only DEVMAP entry programs may.
#include "oracle_net.h"

SEC("xdp/cpumap")
int xdp_cpumap_reads_egress(struct xdp_md *ctx)
{
	return ctx->egress_ifindex == 1 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
