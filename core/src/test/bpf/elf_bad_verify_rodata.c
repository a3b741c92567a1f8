// Verifier rejection: writes into a const global, which lives in the read-only .rodata map.
#include "oracle_net.h"

const volatile __u32 limit = 10;

SEC("xdp")
int xdp_write_rodata(struct xdp_md *ctx)
{
	*(volatile __u32 *)&limit = ctx->rx_queue_index;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
