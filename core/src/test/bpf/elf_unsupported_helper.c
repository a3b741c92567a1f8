// Bad input for the loader: bpf_fib_lookup (69), a helper the kernel has and jxdp does not implement
// (it needs the kernel's routing tables): refused at load with one line naming it.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_fib(struct xdp_md *ctx)
{
	struct bpf_fib_lookup params = {};

	return bpf_fib_lookup(ctx, &params, sizeof(params), 0) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
