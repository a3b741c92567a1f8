// Divides by a register that may be zero. BPF defines x / 0 = 0 and x % 0 = x, so the kernel loads it.
#include "oracle_net.h"

SEC("xdp")
int xdp_div_reg(struct xdp_md *ctx)
{
	__u32 a = ctx->ingress_ifindex, b = ctx->rx_queue_index;
	return (a / b + a % b) & 3;
}

char _license[] SEC("license") = "GPL";
