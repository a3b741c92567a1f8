// A run config with a member libxdp does not know (an action name that is not one): libxdp refuses the
// program (-ENOTSUP) rather than ignore it.
#include <linux/bpf.h>
#include <bpf_helpers.h>
#include "run_config.h"

struct {
	__uint(priority, 5);
	__uint(XDP_REDIRECT_XSK, 1);
} XDP_RUN_CONFIG(chain_bad);

SEC("xdp")
int chain_bad(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
