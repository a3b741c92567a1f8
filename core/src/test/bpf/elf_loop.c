// bpf_loop with a static callback: the callback's address is an lddw PSEUDO_FUNC.
#include <linux/bpf.h>
#include <bpf_helpers.h>

struct loop_ctx { __u32 sum; };

static int add_index(__u32 index, void *data)
{
	struct loop_ctx *c = data;
	c->sum += index;
	return 0;
}

SEC("xdp")
int loop_prog(struct xdp_md *ctx)
{
	struct loop_ctx c = { 0 };
	bpf_loop(10, add_index, &c, 0);
	return c.sum == 45 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
