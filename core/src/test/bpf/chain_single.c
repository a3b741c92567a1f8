// One XDP program with a run config at the largest priority libxdp takes (a u32), so a chain member
// naming only the file finds it.
#include <linux/bpf.h>
#include <bpf_helpers.h>
#include "run_config.h"

struct {
	__uint(priority, 4294967295);
	__uint(XDP_ABORTED, 1);
	__uint(XDP_REDIRECT, 1);
} XDP_RUN_CONFIG(chain_only);

SEC("xdp")
int chain_only(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
