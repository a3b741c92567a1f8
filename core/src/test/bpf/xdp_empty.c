// The smallest XDP program: r0 = XDP_PASS; exit. What a run costs with nothing to do in it, the
// per-run overhead of a test-run loop (bench-jit-vs-kernel's and JMH's "empty" case).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_empty(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
