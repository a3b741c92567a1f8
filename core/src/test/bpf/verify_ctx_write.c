// Verifier rejection: writes a field of the XDP context (xdp_md is read-only to the program).
#include "oracle_net.h"

SEC("xdp")
int xdp_ctx_write(struct xdp_md *ctx)
{
	((volatile struct xdp_md *)ctx)->rx_queue_index = 1;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
