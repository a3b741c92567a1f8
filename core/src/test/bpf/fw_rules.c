// A map-driven packet filter of the kind people deploy (the shape of xdp-filter and DDoS filters):
// Ethernet with up to two VLAN tags, IPv4 (options skipped) and IPv6 (up to three extension headers),
// TCP/UDP ports and ICMP types, every layer checked against its own rule map, in allow-list or
// deny-list mode set in a config map, with per-rule hit counters and per-action statistics. Its worth
// as a test is its size to the verifier: every parse outcome meets every lookup outcome, so the
// verifier walks thousands of instructions in hundreds of states; jxdp must
// verify it within the kernel's limits, with the kernel's count, and answer as the kernel does.
// Port and ICMP rules are hashes (xdp-filter uses 65536-entry arrays) so the recorded map dumps stay small.
#include "oracle_net.h"

#define MODE_DENY 0	// a matching rule drops, everything else passes
#define MODE_ALLOW 1	// a matching rule passes, everything else drops

#define RULE_SRC 1	// the rule matches the packet's source (address, port, MAC)
#define RULE_DST 2	// ... its destination

#define NEXTHDR_HOP 0
#define NEXTHDR_ROUTING 43
#define NEXTHDR_DEST 60
#define NEXTHDR_FRAGMENT 44

struct fw_config {
	__u32 mode;
	__u32 check_icmp;	// 0: ICMP is never matched against icmp_rules
};

struct rule {
	__u32 flags;	// RULE_SRC | RULE_DST
	__u32 pad;
	__u64 hits;
};

struct mac_key {
	__u8 addr[ETH_ALEN];
};

struct lpm4_key {
	__u32 prefixlen;
	__u32 addr;
};

struct action_stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct fw_config);
	__uint(max_entries, 1);
} fw_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct mac_key);
	__type(value, struct rule);
	__uint(max_entries, 64);
} mac_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct rule);
	__uint(max_entries, 1024);
} ip4_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct lpm4_key);
	__type(value, struct rule);
	__uint(max_entries, 256);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} net4_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct in6_addr);
	__type(value, struct rule);
	__uint(max_entries, 1024);
} ip6_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct rule);
	__uint(max_entries, 1024);
} tcp_port_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct rule);
	__uint(max_entries, 1024);
} udp_port_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct rule);
	__uint(max_entries, 256);
} icmp_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct action_stats);
	__uint(max_entries, XDP_REDIRECT + 1);
} fw_stats SEC(".maps");

// 1 when the rule applies to this direction; counts the hit
static __always_inline int hit(struct rule *r, __u32 dir)
{
	if (!r || !(r->flags & dir))
		return 0;
	__sync_fetch_and_add(&r->hits, 1);
	return 1;
}

static __always_inline int match_mac(struct ethhdr *eth)
{
	struct mac_key k = {};

	__builtin_memcpy(k.addr, eth->h_source, ETH_ALEN);
	if (hit(bpf_map_lookup_elem(&mac_rules, &k), RULE_SRC))
		return 1;
	__builtin_memcpy(k.addr, eth->h_dest, ETH_ALEN);
	return hit(bpf_map_lookup_elem(&mac_rules, &k), RULE_DST);
}

static __always_inline int match_ip4(struct iphdr *iph)
{
	struct lpm4_key k = { .prefixlen = 32 };
	__u32 addr = iph->saddr;

	if (hit(bpf_map_lookup_elem(&ip4_rules, &addr), RULE_SRC))
		return 1;
	addr = iph->daddr;
	if (hit(bpf_map_lookup_elem(&ip4_rules, &addr), RULE_DST))
		return 1;
	k.addr = iph->saddr;
	if (hit(bpf_map_lookup_elem(&net4_rules, &k), RULE_SRC))
		return 1;
	k.addr = iph->daddr;
	return hit(bpf_map_lookup_elem(&net4_rules, &k), RULE_DST);
}

static __always_inline int match_ip6(struct ipv6hdr *ip6h)
{
	struct in6_addr a = ip6h->saddr;

	if (hit(bpf_map_lookup_elem(&ip6_rules, &a), RULE_SRC))
		return 1;
	a = ip6h->daddr;
	return hit(bpf_map_lookup_elem(&ip6_rules, &a), RULE_DST);
}

static __always_inline int match_ports(void *map, __u16 sport, __u16 dport)
{
	__u32 k = bpf_ntohs(sport);

	if (hit(bpf_map_lookup_elem(map, &k), RULE_SRC))
		return 1;
	k = bpf_ntohs(dport);
	return hit(bpf_map_lookup_elem(map, &k), RULE_DST);
}

// -1: truncated; 0: no rule matched; 1: a rule matched
static __always_inline int match_l4(void *l4, void *data_end, __u8 proto, struct fw_config *cfg)
{
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;
		if ((void *)(th + 1) > data_end)
			return -1;
		return match_ports(&tcp_port_rules, th->source, th->dest);
	}
	if (proto == IPPROTO_UDP) {
		struct udphdr *uh = l4;
		if ((void *)(uh + 1) > data_end)
			return -1;
		return match_ports(&udp_port_rules, uh->source, uh->dest);
	}
	if ((proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) && cfg->check_icmp) {
		struct icmphdr *ih = l4;
		__u32 k;
		if ((void *)(ih + 1) > data_end)
			return -1;
		k = ih->type;
		return hit(bpf_map_lookup_elem(&icmp_rules, &k), RULE_SRC | RULE_DST);
	}
	return 0;
}

// skips IPv6 extension headers; returns the upper-layer protocol, or -1 when truncated or fragmented
static __always_inline int skip_ip6_ext(void **cur, void *data_end, __u8 nexthdr)
{
#pragma unroll
	for (int i = 0; i < 3; i++) {
		struct ipv6_opt_hdr *opt = *cur;
		if (nexthdr != NEXTHDR_HOP && nexthdr != NEXTHDR_ROUTING && nexthdr != NEXTHDR_DEST)
			break;
		if ((void *)(opt + 1) > data_end)
			return -1;
		nexthdr = opt->nexthdr;
		*cur += (opt->hdrlen + 1) * 8;
	}
	return nexthdr == NEXTHDR_FRAGMENT ? -1 : nexthdr;
}

static __always_inline int verdict(struct xdp_md *ctx, int action)
{
	__u32 k = action;
	struct action_stats *s = bpf_map_lookup_elem(&fw_stats, &k);

	if (s) {
		s->packets++;
		s->bytes += ctx->data_end - ctx->data;
	}
	return action;
}

SEC("xdp")
int xdp_fw_rules(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *cur = eth + 1;
	__u32 zero = 0;
	struct fw_config *cfg = bpf_map_lookup_elem(&fw_cfg, &zero);
	__u16 proto;
	int matched, l4proto;

	if (!cfg)
		return XDP_ABORTED;
	if (cur > data_end)
		return verdict(ctx, XDP_DROP);
	proto = eth->h_proto;
#pragma unroll
	for (int i = 0; i < 2; i++) {
		struct vlan_hdr *vh = cur;
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > data_end)
			return verdict(ctx, XDP_DROP);
		proto = vh->encap_proto;
		cur = vh + 1;
	}
	matched = match_mac(eth);
	if (!matched && proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = cur;
		if ((void *)(iph + 1) > data_end || iph->ihl < 5)
			return verdict(ctx, XDP_DROP);
		matched = match_ip4(iph);
		cur = (void *)iph + iph->ihl * 4;
		l4proto = iph->protocol;
		// later fragments carry no L4 header
		if (!matched && !(iph->frag_off & bpf_htons(0x1fff)))
			matched = match_l4(cur, data_end, l4proto, cfg);
	} else if (!matched && proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = cur;
		if ((void *)(ip6h + 1) > data_end)
			return verdict(ctx, XDP_DROP);
		matched = match_ip6(ip6h);
		cur = ip6h + 1;
		if (!matched) {
			l4proto = skip_ip6_ext(&cur, data_end, ip6h->nexthdr);
			matched = l4proto < 0 ? -1 : match_l4(cur, data_end, l4proto, cfg);
		}
	}
	if (matched < 0)
		return verdict(ctx, XDP_DROP);
	if (cfg->mode == MODE_ALLOW)
		return verdict(ctx, matched ? XDP_PASS : XDP_DROP);
	return verdict(ctx, matched ? XDP_DROP : XDP_PASS);
}

char _license[] SEC("license") = "GPL";
