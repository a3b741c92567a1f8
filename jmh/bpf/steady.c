// Benchmark programs whose main path survives BPF_PROG_TEST_RUN's repeats. All repeats share one
// buffer, so a program that rewrites the frame sees its own output the next run: csum_nat.o's
// xdp_snat rewrites 10.0.0.1 once and then only passes, encap_head.o's xdp_encap_ipip runs out of
// headroom after ten runs. These two do the same work, but leave a frame they take the same path on.
// Build: jmh/bpf/build.sh (clang -O2 -g -target bpf -mcpu=v3, as core/src/test/bpf/build.sh does).
#include "oracle_net.h"

#define PRIVATE_ADDR 0x0a000001 /* 10.0.0.1 */
#define PUBLIC_ADDR 0xc0000201  /* 192.0.2.1 */
#define TUNNEL_SRC 0xc0000201   /* 192.0.2.1 */
#define TUNNEL_DST 0xc6336401   /* 198.51.100.1 */

static __always_inline __u16 csum_fold(__u64 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

// RFC 1624 through bpf_csum_diff, as csum_nat.c does it
static __always_inline __u16 csum_replace(__u16 check, __be32 from, __be32 to)
{
	__s64 diff = bpf_csum_diff(&from, sizeof(from), &to, sizeof(to), ~((__u32)check) & 0xffff);
	return csum_fold((__u64)diff);
}

// Source NAT both ways: 10.0.0.1 becomes 192.0.2.1 and 192.0.2.1 becomes 10.0.0.1, the IP and UDP
// checksums repaired with bpf_csum_diff. Each run undoes the previous one, so every run rewrites.
SEC("xdp")
int xdp_nat_flip(struct xdp_md *ctx)
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
	if (iph->ihl != 5 || iph->protocol != IPPROTO_UDP)
		return XDP_PASS;
	struct udphdr *uh = (void *)(iph + 1);
	if ((void *)(uh + 1) > data_end)
		return XDP_DROP;
	__be32 from = iph->saddr, to;
	if (from == bpf_htonl(PRIVATE_ADDR))
		to = bpf_htonl(PUBLIC_ADDR);
	else if (from == bpf_htonl(PUBLIC_ADDR))
		to = bpf_htonl(PRIVATE_ADDR);
	else
		return XDP_PASS;
	iph->check = csum_replace(iph->check, from, to);
	iph->saddr = to;
	if (uh->check) {
		uh->check = csum_replace(uh->check, from, to);
		if (!uh->check)
			uh->check = 0xffff;
	}
	return XDP_TX;
}

static __always_inline __u16 ipv4_csum(struct iphdr *iph)
{
	__u16 *w = (__u16 *)iph;
	__u32 sum = 0;

	for (int i = 0; i < (int)sizeof(*iph) / 2; i++)
		sum += w[i];
	return csum_fold(sum);
}

// IP-in-IP encapsulation with bpf_xdp_adjust_head, as encap_head.c's xdp_encap_ipip, except that a
// frame already inside our tunnel (the previous run's output) is decapsulated first (adjust_head +20):
// every run pushes and fills one outer header, and the frame never outgrows the headroom.
SEC("xdp")
int xdp_reencap(struct xdp_md *ctx)
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
	struct ethhdr saved = *eth;
	if (iph->protocol == IPPROTO_IPIP && iph->saddr == bpf_htonl(TUNNEL_SRC) && iph->ihl == 5) {
		if (bpf_xdp_adjust_head(ctx, (int)sizeof(struct iphdr)))
			return XDP_ABORTED;
		data = (void *)(long)ctx->data;
		data_end = (void *)(long)ctx->data_end;
		iph = data + sizeof(struct ethhdr);
		if ((void *)(iph + 1) > data_end)
			return XDP_ABORTED;
	}
	__u16 inner_len = bpf_ntohs(iph->tot_len);

	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct iphdr)))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	struct iphdr *outer = (void *)(eth + 1);
	if ((void *)(outer + 1) > data_end)
		return XDP_ABORTED;
	*eth = saved;
	outer->version = 4;
	outer->ihl = 5;
	outer->tos = 0;
	outer->tot_len = bpf_htons(inner_len + sizeof(struct iphdr));
	outer->id = 0;
	outer->frag_off = bpf_htons(0x4000);
	outer->ttl = 64;
	outer->protocol = IPPROTO_IPIP;
	outer->check = 0;
	outer->saddr = bpf_htonl(TUNNEL_SRC);
	outer->daddr = bpf_htonl(TUNNEL_DST);
	outer->check = ipv4_csum(outer);
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
