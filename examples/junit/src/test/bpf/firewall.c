// A small XDP firewall and ping responder, the program the example tests exercise.
//  - UDP (over IPv4 or IPv6) to a destination port listed in the `blocked_ports` hash is dropped, and the
//    entry counts the drop;
//  - an ICMP echo request is answered in place: MACs and addresses swapped, type 0, TTL reset to REPLY_TTL,
//    both checksums updated incrementally (RFC 1624), sent back out with XDP_TX;
//  - a frame too short for the headers it announces is XDP_ABORTED;
//  - everything else (TCP, ARP, other ICMP, IPv6 without UDP, ...) passes to the stack.
// One 802.1Q or 802.1ad tag, or a QinQ pair, is skipped. `stats` counts frames per XDP action.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* linux/icmp.h pulls in libc headers that do not build for -target bpf; the echo header is all we need */
struct icmp_echo {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 id;
	__be16 sequence;
};

struct vlan_tag {
	__be16 tci;
	__be16 proto; /* the EtherType (or next TPID) after the tag */
};

#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8

/* TTL of the echo replies; a test may set it at load time (a "REPLY_TTL=VALUE" constant) */
volatile const __u8 REPLY_TTL = 64;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u16);   /* UDP destination port, host order */
	__type(value, __u64); /* frames dropped for it */
	__uint(max_entries, 256);
} blocked_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);   /* XDP action */
	__type(value, __u64); /* frames that got it */
	__uint(max_entries, 5);
} stats SEC(".maps");

static __always_inline int verdict(int action)
{
	__u32 key = action;
	__u64 *n = bpf_map_lookup_elem(&stats, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	return action;
}

/* RFC 1624 eqn. 3: the checksum after one 16-bit word of what it covers changed from `from` to `to` */
static __always_inline void csum_replace(__sum16 *sum, __u16 from, __u16 to)
{
	__u32 c = (~bpf_ntohs(*sum) & 0xffff) + (~from & 0xffff) + to;
	c = (c & 0xffff) + (c >> 16);
	c = (c & 0xffff) + (c >> 16);
	*sum = bpf_htons(~c & 0xffff);
}

static __always_inline int udp_verdict(struct udphdr *udp, void *data_end)
{
	if ((void *)(udp + 1) > data_end)
		return XDP_ABORTED;
	__u16 port = bpf_ntohs(udp->dest);
	__u64 *dropped = bpf_map_lookup_elem(&blocked_ports, &port);
	if (dropped) {
		__sync_fetch_and_add(dropped, 1);
		return XDP_DROP;
	}
	return XDP_PASS;
}

static __always_inline int echo_reply(struct ethhdr *eth, struct iphdr *ip, void *data_end)
{
	struct icmp_echo *icmp = (void *)ip + ip->ihl * 4;
	if ((void *)(icmp + 1) > data_end)
		return XDP_ABORTED;
	if (icmp->type != ICMP_ECHO || icmp->code != 0)
		return XDP_PASS;

	__u8 mac[ETH_ALEN];
	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);

	__be32 addr = ip->daddr; /* swapping the addresses leaves the header's sum as it was */
	ip->daddr = ip->saddr;
	ip->saddr = addr;
	csum_replace(&ip->check, ip->ttl << 8 | ip->protocol, REPLY_TTL << 8 | ip->protocol);
	ip->ttl = REPLY_TTL;

	icmp->type = ICMP_ECHOREPLY;
	csum_replace(&icmp->checksum, ICMP_ECHO << 8, ICMP_ECHOREPLY << 8);
	return XDP_TX;
}

SEC("xdp")
int firewall(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return verdict(XDP_ABORTED);

	void *l3 = eth + 1;
	__u16 proto = bpf_ntohs(eth->h_proto);
#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (proto != ETH_P_8021Q && proto != ETH_P_8021AD)
			break;
		struct vlan_tag *tag = l3;
		if ((void *)(tag + 1) > data_end)
			return verdict(XDP_ABORTED);
		proto = bpf_ntohs(tag->proto);
		l3 = tag + 1;
	}

	if (proto == ETH_P_IP) {
		struct iphdr *ip = l3;
		if ((void *)(ip + 1) > data_end || ip->ihl < 5)
			return verdict(XDP_ABORTED);
		if (ip->protocol == IPPROTO_UDP)
			return verdict(udp_verdict((void *)ip + ip->ihl * 4, data_end));
		if (ip->protocol == IPPROTO_ICMP)
			return verdict(echo_reply(eth, ip, data_end));
	} else if (proto == ETH_P_IPV6) {
		struct ipv6hdr *ip6 = l3;
		if ((void *)(ip6 + 1) > data_end)
			return verdict(XDP_ABORTED);
		if (ip6->nexthdr == IPPROTO_UDP)
			return verdict(udp_verdict((void *)(ip6 + 1), data_end));
	}
	return verdict(XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
