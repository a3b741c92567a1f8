// A longest-prefix-match router: looks the destination up in an IPv4 or IPv6 trie, decrements the
// TTL / hop limit (IPv4 checksum fixed incrementally, as ip_decrease_ttl() does), rewrites both MACs
// from the route and redirects through a DEVMAP. A route whose port has no DEVMAP slot falls back
// to the action in redirect_map's flags (XDP_DROP); no route means XDP_PASS to the stack.
#include "oracle_net.h"

struct route {
	__u8 dmac[ETH_ALEN];
	__u8 smac[ETH_ALEN];
	__u32 port;
};

struct lpm_v4_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct lpm_v6_key {
	__u32 prefixlen;
	__u8 addr[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_v4_key);
	__type(value, struct route);
} routes_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_v6_key);
	__type(value, struct route);
} routes_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} tx_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} port_hits SEC(".maps");

static __always_inline void ip_decrease_ttl(struct iphdr *iph)
{
	__u32 check = iph->check;

	check += bpf_htons(0x0100);
	iph->check = (__u16)(check + (check >= 0xFFFF));
	iph->ttl--;
}

static __always_inline int forward(struct ethhdr *eth, struct route *rt)
{
	__u32 port = rt->port;
	__u64 *hits = bpf_map_lookup_elem(&port_hits, &port);

	if (hits)
		__sync_fetch_and_add(hits, 1);
	__builtin_memcpy(eth->h_dest, rt->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, rt->smac, ETH_ALEN);
	return bpf_redirect_map(&tx_ports, port, XDP_DROP);
}

SEC("xdp")
int xdp_router(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);
		if ((void *)(iph + 1) > data_end)
			return XDP_DROP;
		struct lpm_v4_key key = { .prefixlen = 32 };
		__builtin_memcpy(key.addr, &iph->daddr, 4);
		struct route *rt = bpf_map_lookup_elem(&routes_v4, &key);
		if (!rt)
			return XDP_PASS;
		if (iph->ttl <= 1)
			return XDP_PASS;
		ip_decrease_ttl(iph);
		return forward(eth, rt);
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > data_end)
			return XDP_DROP;
		struct lpm_v6_key key = { .prefixlen = 128 };
		__builtin_memcpy(key.addr, &ip6->daddr, 16);
		struct route *rt = bpf_map_lookup_elem(&routes_v6, &key);
		if (!rt)
			return XDP_PASS;
		if (ip6->hop_limit <= 1)
			return XDP_PASS;
		ip6->hop_limit--;
		return forward(eth, rt);
	}
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
