// The program the kit's own tests load: an IPv4 router step and a second program, so that tests can pick one.
//  - route: a frame whose IPv4 TTL is below MIN_TTL is dropped; UDP to a port in `blocked` is dropped;
//    any other IPv4 frame gets its TTL decremented (header checksum updated, RFC 1624) and its MACs swapped,
//    and goes back out (XDP_TX); anything else passes. `verdicts` counts frames per action.
//  - drop_all: drops everything.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

volatile const __u8 MIN_TTL = 2;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u16);   /* UDP destination port, host order */
	__type(value, __u64); /* frames dropped */
	__uint(max_entries, 64);
} blocked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 5);
} verdicts SEC(".maps");

static __always_inline int count(int action)
{
	__u32 key = action;
	__u64 *n = bpf_map_lookup_elem(&verdicts, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	return action;
}

SEC("xdp")
int route(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return count(XDP_PASS);
	if (ip->ttl < MIN_TTL)
		return count(XDP_DROP);
	if (ip->protocol == IPPROTO_UDP && ip->ihl == 5) {
		struct udphdr *udp = (void *)(ip + 1);
		if ((void *)(udp + 1) > data_end)
			return count(XDP_ABORTED);
		__u16 port = bpf_ntohs(udp->dest);
		__u64 *dropped = bpf_map_lookup_elem(&blocked, &port);
		if (dropped) {
			__sync_fetch_and_add(dropped, 1);
			return count(XDP_DROP);
		}
	}
	/* TTL is the high byte of the header's fifth word: decrementing it adds 0x0100 to the checksum */
	__u32 c = bpf_ntohs(ip->check) + 0x0100;
	ip->check = bpf_htons((c & 0xffff) + (c >> 16));
	ip->ttl--;
	__u8 mac[ETH_ALEN];
	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	return count(XDP_TX);
}

SEC("xdp")
int drop_all(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
