// An ACL as people write it with a five-argument bpf-to-bpf call: the 5-tuple is parsed once, then a
// __noinline matcher is called for each of 16 rules (a bounded loop over a global rule table, the
// first match decides). Every argument travels in r1-r5 and the loop's state in callee-saved r6-r9,
// the calling convention's whole width. Hits are counted per rule in a per-CPU array. Also the bench
// case for subprogram calls (jmh/cases.json "acl_calls").
#include "oracle_net.h"

#define NRULES 16

struct rule {
	__u32 saddr, smask;
	__u32 daddr, dmask;
	__u16 dport_lo, dport_hi;
	__u8 proto;
	__u8 action;
	__u16 pad;
};

struct rule acl_rules[NRULES] = {
	{ .saddr = 0x0a0000ff, .smask = 0xffffffff, .proto = 17, .dport_lo = 0, .dport_hi = 65535, .action = XDP_DROP },
	{ .daddr = 0xc0a80000, .dmask = 0xffff0000, .proto = 6, .dport_lo = 22, .dport_hi = 22, .action = XDP_DROP },
	{ .daddr = 0x0a000063, .dmask = 0xffffffff, .proto = 17, .dport_lo = 53, .dport_hi = 53, .action = XDP_PASS },
	{ .saddr = 0xac100000, .smask = 0xfff00000, .proto = 6, .dport_lo = 0, .dport_hi = 1023, .action = XDP_DROP },
	{ .daddr = 0x0a000002, .dmask = 0xffffffff, .proto = 6, .dport_lo = 80, .dport_hi = 80, .action = XDP_PASS },
	{ .daddr = 0x0a000002, .dmask = 0xffffffff, .proto = 6, .dport_lo = 443, .dport_hi = 443, .action = XDP_PASS },
	{ .saddr = 0x0b000000, .smask = 0xff000000, .proto = 17, .dport_lo = 0, .dport_hi = 65535, .action = XDP_DROP },
	{ .daddr = 0x0a0000fe, .dmask = 0xffffffff, .proto = 1, .dport_lo = 0, .dport_hi = 65535, .action = XDP_DROP },
	{ .saddr = 0x0a000005, .smask = 0xffffffff, .proto = 17, .dport_lo = 1000, .dport_hi = 2000, .action = XDP_TX },
	{ .daddr = 0x0a000009, .dmask = 0xffffffff, .proto = 17, .dport_lo = 123, .dport_hi = 123, .action = XDP_PASS },
	{ .saddr = 0x0c000000, .smask = 0xff000000, .proto = 6, .dport_lo = 0, .dport_hi = 65535, .action = XDP_DROP },
	{ .daddr = 0x0a000003, .dmask = 0xffffffff, .proto = 17, .dport_lo = 5000, .dport_hi = 6000, .action = XDP_TX },
	{ .saddr = 0x0a000001, .smask = 0xffffffff, .proto = 6, .dport_lo = 8080, .dport_hi = 8080, .action = XDP_DROP },
	{ .daddr = 0x0a000000, .dmask = 0xffffff00, .proto = 17, .dport_lo = 5678, .dport_hi = 5678, .action = XDP_PASS },
	{ .saddr = 0, .smask = 0, .proto = 17, .dport_lo = 9, .dport_hi = 9, .action = XDP_DROP },
	{ .saddr = 0, .smask = 0, .proto = 0, .dport_lo = 0, .dport_hi = 65535, .action = XDP_PASS },
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NRULES + 1);
	__type(key, __u32);
	__type(value, __u64);
} acl_hits SEC(".maps");

// 1 when rule i matches: five arguments, the most a BPF call passes in registers
static __noinline int rule_match(__u32 i, __u32 saddr, __u32 daddr, __u32 dport, __u32 proto)
{
	struct rule *r;

	if (i >= NRULES)
		return 0;
	r = &acl_rules[i];
	if (r->proto && r->proto != proto)
		return 0;
	if ((saddr & r->smask) != r->saddr)
		return 0;
	if ((daddr & r->dmask) != r->daddr)
		return 0;
	return dport >= r->dport_lo && dport <= r->dport_hi;
}

SEC("xdp")
int xdp_acl(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	__u32 dport = 0, i, k;
	__u64 *hits;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->ihl != 5)
		return XDP_PASS;
	if (ip->protocol == IPPROTO_UDP || ip->protocol == IPPROTO_TCP) {
		struct udphdr *l4 = (void *)(ip + 1);

		if ((void *)(l4 + 1) > data_end)
			return XDP_DROP;
		dport = bpf_ntohs(l4->dest);
	}
	for (i = 0; i < NRULES; i++) {
		if (rule_match(i, bpf_ntohl(ip->saddr), bpf_ntohl(ip->daddr), dport, ip->protocol))
			break;
	}
	k = i;
	hits = bpf_map_lookup_elem(&acl_hits, &k);
	if (hits)
		*hits += 1;
	return i < NRULES ? acl_rules[i & (NRULES - 1)].action : XDP_ABORTED;
}

char _license[] SEC("license") = "GPL";
