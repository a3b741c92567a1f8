// A PROG_ARRAY whose initial slots come from __array(values, ...) relocations in .rel.maps.
#include <linux/bpf.h>
#include <bpf_helpers.h>

SEC("xdp")
int tail_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int tail_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 8);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} jumps SEC(".maps") = {
	.values = {
		[1] = (void *)&tail_pass,
		[5] = (void *)&tail_drop,
	},
};

SEC("xdp")
int tail_entry(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jumps, ctx->rx_queue_index & 7);
	return XDP_ABORTED;
}

char LICENSE[] SEC("license") = "GPL";
