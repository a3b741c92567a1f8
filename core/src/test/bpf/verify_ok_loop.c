// Safe: a bounded loop (16 iterations) over packet bytes, each read bounds-checked.
#include "oracle_net.h"

SEC("xdp")
int xdp_ok_loop(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *data_end = (void *)(long)ctx->data_end;
	__u32 sum = 0;

	for (int i = 0; i < 16; i++) {
		if (data + i + 1 > data_end)
			break;
		sum += data[i];
	}
	return sum & 1 ? XDP_PASS : XDP_TX;
}

char _license[] SEC("license") = "GPL";
