// A stateless firewall as XDP developers write it: Ethernet, up to two VLAN tags, IPv4 (with options
// and fragments), IPv6 (one hop-by-hop extension header), then UDP/TCP/ICMP rules. No maps: every
// decision shows in the return value, so the differential test checks the parser's branches.
#include "oracle_net.h"

#define IP_MF 0x2000
#define IP_OFFSET 0x1fff

static __always_inline int l4_verdict(void *l4, void *data_end, __u8 proto)
{
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;
		if ((void *)(th + 1) > data_end)
			return XDP_DROP;
		if (th->doff < 5)
			return XDP_ABORTED;
		if (th->syn && th->fin)
			return XDP_DROP;
		if (th->dest == bpf_htons(23) || th->source == bpf_htons(23))
			return XDP_DROP;
		if (th->dest == bpf_htons(22) && th->syn && !th->ack)
			return XDP_PASS;
		return XDP_PASS;
	}
	if (proto == IPPROTO_UDP) {
		struct udphdr *uh = l4;
		if ((void *)(uh + 1) > data_end)
			return XDP_DROP;
		if (uh->dest == 0 || uh->source == 0)
			return XDP_DROP;
		if (bpf_ntohs(uh->len) < sizeof(*uh))
			return XDP_ABORTED;
		if (uh->dest == bpf_htons(53))
			return XDP_PASS;
		if (bpf_ntohs(uh->dest) >= 33434 && bpf_ntohs(uh->dest) <= 33534)
			return XDP_TX;
		return XDP_PASS;
	}
	if (proto == IPPROTO_ICMP) {
		struct icmphdr *ih = l4;
		if ((void *)(ih + 1) > data_end)
			return XDP_DROP;
		if (ih->type == ICMP_ECHO && ih->code == 0)
			return XDP_TX;
		if (ih->type == ICMP_REDIRECT)
			return XDP_DROP;
		return XDP_PASS;
	}
	if (proto == IPPROTO_ICMPV6)
		return XDP_PASS;
	return XDP_DROP;
}

SEC("xdp")
int xdp_firewall(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *cur = eth + 1;
	__u16 proto;

	if (cur > data_end)
		return XDP_DROP;
	proto = eth->h_proto;
#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		struct vlan_hdr *vh = cur;
		if ((void *)(vh + 1) > data_end)
			return XDP_DROP;
		if ((bpf_ntohs(vh->tci) & 0x0fff) == 4095)
			return XDP_DROP;
		proto = vh->encap_proto;
		cur = vh + 1;
	}

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = cur;
		if ((void *)(iph + 1) > data_end)
			return XDP_DROP;
		if (iph->version != 4 || iph->ihl < 5)
			return XDP_ABORTED;
		if (iph->ttl <= 1)
			return XDP_DROP;
		if (iph->frag_off & bpf_htons(IP_OFFSET))
			return XDP_PASS;
		void *l4 = cur + iph->ihl * 4;
		if (l4 > data_end)
			return XDP_DROP;
		return l4_verdict(l4, data_end, iph->protocol);
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = cur;
		if ((void *)(ip6 + 1) > data_end)
			return XDP_DROP;
		if (ip6->version != 6)
			return XDP_ABORTED;
		if (ip6->hop_limit <= 1)
			return XDP_DROP;
		__u8 next = ip6->nexthdr;
		void *l4 = ip6 + 1;
		if (next == 0 /* hop-by-hop */) {
			__u8 *ext = l4;
			if ((void *)(ext + 2) > data_end)
				return XDP_DROP;
			next = ext[0];
			l4 = ext + (ext[1] + 1) * 8;
		}
		return l4_verdict(l4, data_end, next);
	}
	if (proto == bpf_htons(ETH_P_ARP))
		return XDP_PASS;
	return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
