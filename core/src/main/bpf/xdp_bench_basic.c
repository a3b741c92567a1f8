// jxdp bench's built-in programs that keep the frame on its device: drop, pass, tx (xdp-bench drop,
// pass and tx with the read-data and swap-macs operations), and mixed, the traffic mix of the datapath
// suite's mixed-scalar and mixed-vector cases.
#include "bench.h"

SEC("xdp")
int xdp_drop(struct xdp_md *ctx)
{
	return read_eth(ctx) < 0 ? XDP_ABORTED : XDP_DROP;
}

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return read_eth(ctx) < 0 ? XDP_ABORTED : XDP_PASS;
}

SEC("xdp")
int xdp_tx(struct xdp_md *ctx)
{
	if (read_eth(ctx) < 0)
		return XDP_ABORTED;
	swap_macs((void *)(long)ctx->data);
	return XDP_TX;
}

// 50% XDP_DROP, 30% XDP_PASS, 20% XDP_TX by flow: the UDP source port modulo 10 picks the verdict
// (0-4 drop, 5-7 pass, 8-9 tx), so traffic over any 10 consecutive source ports (pktgen's flows step
// the port by one) splits exactly 5:3:2. Frames that are not IPv4/UDP go to the stack.
SEC("xdp")
int xdp_mixed(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct udphdr *uh = (void *)(iph + 1);

	if ((void *)(uh + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || iph->ihl != 5 || iph->protocol != IPPROTO_UDP)
		return XDP_PASS;
	__u32 bucket = bpf_ntohs(uh->source) % 10;
	if (bucket < 5)
		return XDP_DROP;
	if (bucket < 8)
		return XDP_PASS;
	swap_macs(data);
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
