// Verifier rejection: bpf_trace_printk() is a GPL-only helper, and this object's license ("MIT") is not
// GPL-compatible: "cannot call GPL-restricted function from non-GPL compatible program". An object with
// no license section is refused the same way. jxdp once ignored the license.
#include "oracle_net.h"

SEC("xdp")
int xdp_gpl_only_helper(struct xdp_md *ctx)
{
	char fmt[] = "queue %u\n";

	bpf_trace_printk(fmt, sizeof(fmt), ctx->rx_queue_index);
	return XDP_PASS;
}

char _license[] SEC("license") = "MIT";
