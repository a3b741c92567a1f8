// Run configs of the wrong shape, which libxdp refuses (-EINVAL): a priority that is a plain int, not
// __uint()'s pointer to an array; a variable that is an int, not a struct.
#include <linux/bpf.h>
#include <bpf_helpers.h>
#include "run_config.h"

struct {
	int priority;
} XDP_RUN_CONFIG(chain_int);

SEC("xdp")
int chain_int(struct xdp_md *ctx)
{
	return XDP_PASS;
}

int RUN_CONFIG_NAME(chain_scalar) SEC(".xdp_run_config") = 3;

SEC("xdp")
int chain_scalar(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
