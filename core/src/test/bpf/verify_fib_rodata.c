// bpf_fib_lookup writes its params (ARG_PTR_TO_MEM | MEM_WRITE): params in .rodata are refused.
#include <linux/bpf.h>
#include <bpf_helpers.h>

static const struct bpf_fib_lookup params = {.family = 2};

SEC("xdp")
int fib_rodata(struct xdp_md *ctx)
{
	return bpf_fib_lookup(ctx, (void *)&params, sizeof(params), 0) == 0 ? XDP_TX : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
