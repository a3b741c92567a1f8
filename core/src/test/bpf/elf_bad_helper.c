// Bad input for the loader: a call to helper 999, which no kernel has: refused at load with one line.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static long (*const no_such_helper)(void) = (void *)999;

SEC("xdp")
int xdp_bad_helper(struct xdp_md *ctx)
{
	return no_such_helper() ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
