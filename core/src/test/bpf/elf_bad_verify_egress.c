// Verifier rejection: a plain XDP program (not SEC("xdp/devmap")) reads egress_ifindex, which
// xdp_is_valid_access() allows only to programs attached to DEVMAP entries.
#include "oracle_net.h"

SEC("xdp")
int xdp_reads_egress(struct xdp_md *ctx)
{
	return ctx->egress_ifindex == 1 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
