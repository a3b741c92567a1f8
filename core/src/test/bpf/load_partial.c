// Two programs, one of which jxdp cannot run: xdp_sock_lookup asks the kernel's socket tables
// (bpf_sk_lookup_tcp, bpf_sk_release), which the kernel allows XDP programs and jxdp, having no sockets,
// does not implement. The object still loads, as libbpf loads an object program by program; xdp_udp_count
// runs (and is compared with the kernel), xdp_sock_lookup fails only when chosen.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 2);
} udp_seen SEC(".maps");

// a program jxdp cannot load cannot be put here either (--map-init "prog"): libbpf has no fd for it
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 2);
} next_stage SEC(".maps");

SEC("xdp")
int xdp_udp_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	__u32 key = 0;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	key = ip->protocol == IPPROTO_UDP ? 1 : 0;
	__u64 *n = bpf_map_lookup_elem(&udp_seen, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	if (!key)
		bpf_tail_call(ctx, &next_stage, 0);
	return key ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int xdp_sock_lookup(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct tcphdr *tcp = (void *)(ip + 1);
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk;

	if ((void *)(tcp + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->protocol != IPPROTO_TCP)
		return XDP_PASS;
	t.ipv4.saddr = ip->saddr;
	t.ipv4.daddr = ip->daddr;
	t.ipv4.sport = tcp->source;
	t.ipv4.dport = tcp->dest;
	sk = bpf_sk_lookup_tcp(ctx, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return XDP_PASS;
	bpf_sk_release(sk);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
