// Verifier rejection, though safe: data + N > data_end for a variable N in [14, 29] proves nothing
// about data itself. find_good_pkt_pointers() gives the range only to pointers that share the
// compared pointer's id (data + N has a new one), and then only its fixed offset.
#include "oracle_net.h"

SEC("xdp")
int xdp_pkt_var_end(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 n = (ctx->rx_queue_index & 15) + 14;

	if (data + n > data_end)
		return XDP_DROP;
	return ((__u8 *)data)[13] == 0 ? XDP_TX : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
