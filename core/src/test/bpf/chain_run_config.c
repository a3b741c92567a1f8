// Three XDP programs with the run configs libxdp reads from .xdp_run_config: one with a priority and two
// chain actions, one that turns XDP_PASS off and XDP_TX on at the default priority, one with none.
#include <linux/bpf.h>
#include <bpf_helpers.h>
#include "run_config.h"

struct {
	__uint(priority, 10);
	__uint(XDP_PASS, 1);
	__uint(XDP_DROP, 1);
} XDP_RUN_CONFIG(chain_first);

SEC("xdp")
int chain_first(struct xdp_md *ctx)
{
	return XDP_PASS;
}

struct {
	__uint(XDP_PASS, 0);
	__uint(XDP_TX, 1);
} XDP_RUN_CONFIG(chain_tx);

SEC("xdp")
int chain_tx(struct xdp_md *ctx)
{
	return XDP_TX;
}

SEC("xdp")
int chain_plain(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
