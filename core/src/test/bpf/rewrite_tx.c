// A reflector: swaps MACs, IPv4/IPv6 addresses and UDP/TCP ports, then bounces the frame out of the
// port it came in on (XDP_TX). Swapping leaves every checksum valid, so none is touched.
#include "oracle_net.h"

static __always_inline void swap_mac(struct ethhdr *eth)
{
	__u8 tmp[ETH_ALEN];

	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

static __always_inline int swap_ports(void *l4, void *data_end, __u8 proto)
{
	if (proto == IPPROTO_UDP) {
		struct udphdr *uh = l4;
		if ((void *)(uh + 1) > data_end)
			return -1;
		__be16 p = uh->source;
		uh->source = uh->dest;
		uh->dest = p;
		return 0;
	}
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;
		if ((void *)(th + 1) > data_end)
			return -1;
		__be16 p = th->source;
		th->source = th->dest;
		th->dest = p;
		return 0;
	}
	return 0;
}

SEC("xdp")
int xdp_reflect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);
		if ((void *)(iph + 1) > data_end)
			return XDP_PASS;
		if (iph->ihl != 5)
			return XDP_PASS;
		__be32 a = iph->saddr;
		iph->saddr = iph->daddr;
		iph->daddr = a;
		if (swap_ports(iph + 1, data_end, iph->protocol) < 0)
			return XDP_DROP;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > data_end)
			return XDP_PASS;
		struct in6_addr a = ip6->saddr;
		ip6->saddr = ip6->daddr;
		ip6->daddr = a;
		if (swap_ports(ip6 + 1, data_end, ip6->nexthdr) < 0)
			return XDP_DROP;
	} else {
		return XDP_PASS;
	}
	swap_mac(eth);
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
