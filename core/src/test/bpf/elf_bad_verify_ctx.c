// Verifier rejection: reads past the end of struct xdp_md.
#include "oracle_net.h"

SEC("xdp")
int xdp_ctx_oob(struct xdp_md *ctx)
{
	return ((volatile __u32 *)ctx)[6] == 1 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
