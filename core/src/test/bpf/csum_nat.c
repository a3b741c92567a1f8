// Source NAT of IPv4 with incremental checksum repair through bpf_csum_diff(): the address change
// is folded into the IP header checksum and into the UDP/TCP checksum (pseudo-header), as a NAT
// does it. A second program computes whole-header checksums with csum_diff and records them.
#include "oracle_net.h"

#define PRIVATE_ADDR 0x0a000001 /* 10.0.0.1 */
#define PUBLIC_ADDR 0xc0000201  /* 192.0.2.1 */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __s64);
} csum_seen SEC(".maps");

static __always_inline __u16 csum_fold(__u64 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

// RFC 1624: HC' = ~(~HC + ~m + m'), with csum_diff doing ~m + m'.
static __always_inline __u16 csum_replace(__u16 check, __be32 from, __be32 to)
{
	__s64 diff = bpf_csum_diff(&from, sizeof(from), &to, sizeof(to), ~((__u32)check) & 0xffff);

	return csum_fold((__u64)diff);
}

SEC("xdp")
int xdp_snat(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return XDP_DROP;
	if (iph->ihl != 5)
		return XDP_PASS;
	__be32 from = iph->saddr, to = bpf_htonl(PUBLIC_ADDR);
	if (from != bpf_htonl(PRIVATE_ADDR))
		return XDP_PASS;
	iph->check = csum_replace(iph->check, from, to);
	iph->saddr = to;
	if (iph->protocol == IPPROTO_UDP) {
		struct udphdr *uh = (void *)(iph + 1);
		if ((void *)(uh + 1) > data_end)
			return XDP_DROP;
		if (uh->check) {
			uh->check = csum_replace(uh->check, from, to);
			if (!uh->check)
				uh->check = 0xffff;
		}
	} else if (iph->protocol == IPPROTO_TCP) {
		struct tcphdr *th = (void *)(iph + 1);
		if ((void *)(th + 1) > data_end)
			return XDP_DROP;
		th->check = csum_replace(th->check, from, to);
	}
	return XDP_TX;
}

// csum_diff over the whole IPv4 header (seed 0 and a seed), over an empty "from" and "to", and
// the folded header checksum: 0 means the header's checksum was right.
SEC("xdp")
int xdp_csum_check(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	struct iphdr *iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return XDP_DROP;
	__u32 k = 0;
	__s64 raw = bpf_csum_diff(0, 0, (void *)iph, sizeof(*iph), 0);
	bpf_map_update_elem(&csum_seen, &k, &raw, BPF_ANY);
	k = 1;
	__s64 seeded = bpf_csum_diff(0, 0, (void *)iph, sizeof(*iph), 0xfffffff0);
	bpf_map_update_elem(&csum_seen, &k, &seeded, BPF_ANY);
	k = 2;
	__s64 neg = bpf_csum_diff((void *)iph, sizeof(*iph), 0, 0, 0);
	bpf_map_update_elem(&csum_seen, &k, &neg, BPF_ANY);
	k = 3;
	__s64 folded = (__u16)~csum_fold((__u64)raw);
	bpf_map_update_elem(&csum_seen, &k, &folded, BPF_ANY);
	return folded == 0xffff ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
