// bpf_fib_lookup() from a router's point of view: the L3 header of the frame fills struct bpf_fib_lookup
// (addresses, tos / flowinfo, protocol, tot_len from the header's length field), params.ifindex is
// ctx->ingress_ifindex, and the request after the L3 header says how to call the helper:
//   u32 flags   BPF_FIB_LOOKUP_* passed as they are, plus three test bits taken out first:
//               1 << 31 plen 63 (-EINVAL), 1 << 30 family 0 (-EAFNOSUPPORT), 1 << 29 ifindex = arg
//   u32 arg     tbid with BPF_FIB_LOOKUP_TBID, mark with BPF_FIB_LOOKUP_MARK (1 << 5), ifindex with 1 << 29
// The answer overwrites the request and what follows it: s64 return code, then the 64 bytes of params as
// the helper left them. The frame goes back out (XDP_TX) so data_out carries the answer.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf_helpers.h>
#include <bpf_endian.h>

#define AF_INET 2
#define AF_INET6 10
#define TEST_SHORT_PLEN (1u << 31)
#define TEST_NO_FAMILY (1u << 30)
#define TEST_IFINDEX (1u << 29)
#define FIB_TBID (1u << 3)
#define FIB_MARK (1u << 5)

struct answer {
	__u32 flags;
	__u32 arg;
	__s64 ret;
	__u8 params[64];
};

SEC("xdp")
int fib_fwd(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct bpf_fib_lookup p = {};
	struct answer *a;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end)
			return XDP_DROP;
		p.family = AF_INET;
		p.tos = ip->tos;
		p.l4_protocol = ip->protocol;
		p.tot_len = bpf_ntohs(ip->tot_len);
		p.ipv4_src = ip->saddr;
		p.ipv4_dst = ip->daddr;
		a = (void *)(ip + 1);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end)
			return XDP_DROP;
		p.family = AF_INET6;
		p.flowinfo = *(__be32 *)ip6 & bpf_htonl(0x0fffffff);
		p.l4_protocol = ip6->nexthdr;
		p.tot_len = bpf_ntohs(ip6->payload_len) + sizeof(*ip6);
		__builtin_memcpy(p.ipv6_src, &ip6->saddr, 16);
		__builtin_memcpy(p.ipv6_dst, &ip6->daddr, 16);
		a = (void *)(ip6 + 1);
	} else {
		return XDP_PASS;
	}
	if ((void *)(a + 1) > data_end)
		return XDP_DROP;

	__u32 flags = a->flags;
	p.ifindex = ctx->ingress_ifindex;
	if (flags & FIB_TBID)
		p.tbid = a->arg;
	if (flags & FIB_MARK)
		*(__u32 *)p.smac = a->arg;
	if (flags & TEST_IFINDEX)
		p.ifindex = a->arg;
	if (flags & TEST_NO_FAMILY)
		p.family = 0;

	__s64 ret;
	if (flags & TEST_SHORT_PLEN)
		ret = bpf_fib_lookup(ctx, &p, sizeof(p) - 1, flags & 0x1fffffff);
	else
		ret = bpf_fib_lookup(ctx, &p, sizeof(p), flags & 0x1fffffff);
	a->ret = ret;
	__builtin_memcpy(a->params, &p, sizeof(p));
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
