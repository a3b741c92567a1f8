// Safe: a packet byte at a variable offset N in [14, 29], proven with p + 1 > data_end for p = data + N
// (the range goes to every copy of p, whose variable part is the same).
#include "oracle_net.h"

SEC("xdp")
int xdp_ok_pkt_var(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data + (ctx->rx_queue_index & 15) + 14;

	if (p + 1 > data_end)
		return XDP_DROP;
	return *p == 0 ? XDP_TX : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
