// Section names of the libbpf 0.x era, as xdp-tutorial's programs have them: SEC("xdp_patch_ports"),
// SEC("xdp_pass"). libbpf 0.x took any name starting with "xdp" for an XDP program; libbpf 1.x takes only
// the exact names (SEC("xdp"), ...), and bpftool loads these only with 'type xdp'. jxdp loads them as XDP
// with a note. xdp_patch_ports_func swaps the UDP ports; xdp_pass_func passes.
#include "oracle_net.h"

SEC("xdp_patch_ports")
int xdp_patch_ports_func(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct udphdr *udp = (void *)(ip + 1);

	if ((void *)(udp + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->protocol != IPPROTO_UDP)
		return XDP_ABORTED;
	__be16 s = udp->source;
	udp->source = udp->dest;
	udp->dest = s;
	return XDP_TX;
}

SEC("xdp_pass")
int xdp_pass_func(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
