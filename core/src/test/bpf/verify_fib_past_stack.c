// bpf_fib_lookup's size is ARG_CONST_SIZE: a size the verifier only knows as 0..127 may be zero (and may
// reach past the 64-byte buffer at the frame's top); the kernel refuses the zero first.
#include <linux/bpf.h>
#include <bpf_helpers.h>

SEC("xdp")
int fib_past_stack(struct xdp_md *ctx)
{
	struct bpf_fib_lookup p = {};
	volatile __u32 n = 80;

	p.family = 2;
	p.ifindex = ctx->ingress_ifindex;
	return bpf_fib_lookup(ctx, &p, n & 0x7f, 0) == 0 ? XDP_TX : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
