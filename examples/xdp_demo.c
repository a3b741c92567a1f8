// The program `jxdp demo` runs: a small XDP firewall and ICMP responder.
//  - IPv4 sources in the `blocklist` hash are dropped;
//  - UDP to the discard port (9) is dropped;
//  - ICMP echo requests are answered in place (XDP_TX);
//  - frames too short for the headers they announce are XDP_ABORTED;
//  - everything else passes to the stack.
// Per-verdict packet and byte counters live in the per-CPU array `stats`.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* linux/icmp.h pulls in libc headers that do not build for -target bpf; the echo header is all we need */
struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 id;
	__be16 sequence;
};
#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8

struct verdict_stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct verdict_stats);
	__uint(max_entries, 5); /* indexed by XDP action */
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);   /* IPv4 source address, network order */
	__type(value, __u64); /* packets dropped from it */
	__uint(max_entries, 1024);
} blocklist SEC(".maps");

static __always_inline int count(struct xdp_md *ctx, int action)
{
	__u32 key = action;
	struct verdict_stats *s = bpf_map_lookup_elem(&stats, &key);

	if (s) {
		s->packets++;
		s->bytes += ctx->data_end - ctx->data;
	}
	return action;
}

/* RFC 1624 incremental update: the ICMP type changes from 8 to 0 in the high byte of the first word. */
static __always_inline void icmp_echo_to_reply(struct icmphdr *icmp)
{
	__u32 sum = (__u16)~icmp->checksum;

	icmp->type = ICMP_ECHOREPLY;
	sum += (__u16)~bpf_htons(ICMP_ECHO << 8);
	sum += bpf_htons(ICMP_ECHOREPLY << 8);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	icmp->checksum = ~sum;
}

static __always_inline void swap_addresses(struct ethhdr *eth, struct iphdr *ip)
{
	unsigned char mac[ETH_ALEN];
	__be32 addr = ip->saddr;

	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
	ip->saddr = ip->daddr;
	ip->daddr = addr;
}

SEC("xdp")
int xdp_demo(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	__u64 *dropped;

	if ((void *)(eth + 1) > data_end)
		return count(ctx, XDP_ABORTED);
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return count(ctx, XDP_PASS);

	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->ihl != 5)
		return count(ctx, XDP_ABORTED);

	dropped = bpf_map_lookup_elem(&blocklist, &ip->saddr);
	if (dropped) {
		__sync_fetch_and_add(dropped, 1);
		return count(ctx, XDP_DROP);
	}

	if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = (void *)(ip + 1);

		if ((void *)(udp + 1) > data_end)
			return count(ctx, XDP_ABORTED);
		if (udp->dest == bpf_htons(9))
			return count(ctx, XDP_DROP);
	} else if (ip->protocol == IPPROTO_ICMP) {
		struct icmphdr *icmp = (void *)(ip + 1);

		if ((void *)(icmp + 1) > data_end)
			return count(ctx, XDP_ABORTED);
		if (icmp->type == ICMP_ECHO) {
			icmp_echo_to_reply(icmp);
			swap_addresses(eth, ip);
			return count(ctx, XDP_TX);
		}
	}
	return count(ctx, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
