// A tail-call dispatcher: the entry program classifies the frame and jumps through a PROG_ARRAY.
// Slots 0 (IPv4), 2 (UDP) and 3 (a stage that calls itself until the kernel's limit stops it) are
// set in the object with __array(values); slot 1 (IPv6) is left for the loader (map-init) to fill,
// so an unfilled slot 1 shows the fall-through path. A second entry writes metadata, strips the
// Ethernet header and tail-calls from inside a bpf-to-bpf subprogram: the next stage sees both.
#include "oracle_net.h"

enum { SLOT_IPV4 = 0, SLOT_IPV6 = 1, SLOT_UDP = 2, SLOT_LOOP = 3, SLOT_META = 4 };
enum { HIT_ENTRY, HIT_IPV4, HIT_IPV6, HIT_UDP, HIT_LOOP, HIT_FALLTHROUGH, HIT_META, HIT_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HIT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stage_hits SEC(".maps");

static __always_inline void hit(__u32 stage)
{
	__u64 *v = bpf_map_lookup_elem(&stage_hits, &stage);

	if (v)
		__sync_fetch_and_add(v, 1);
}

int xdp_stage_ipv4(struct xdp_md *ctx);
int xdp_stage_udp(struct xdp_md *ctx);
int xdp_stage_loop(struct xdp_md *ctx);
int xdp_stage_meta(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 8);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} jmp_table SEC(".maps") = {
	.values = {
		[SLOT_IPV4] = (void *)&xdp_stage_ipv4,
		[SLOT_UDP] = (void *)&xdp_stage_udp,
		[SLOT_LOOP] = (void *)&xdp_stage_loop,
		[SLOT_META] = (void *)&xdp_stage_meta,
	},
};

SEC("xdp")
int xdp_dispatch(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	hit(HIT_ENTRY);
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		bpf_tail_call(ctx, &jmp_table, SLOT_IPV4);
	else if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		bpf_tail_call(ctx, &jmp_table, SLOT_IPV6);
	else if (eth->h_proto == bpf_htons(0x88b5)) /* local experimental: the loop test */
		bpf_tail_call(ctx, &jmp_table, SLOT_LOOP);
	else if (eth->h_proto == bpf_htons(0x88b6)) /* an index past max_entries */
		bpf_tail_call(ctx, &jmp_table, 8);
	hit(HIT_FALLTHROUGH);
	return XDP_ABORTED;
}

SEC("xdp")
int xdp_stage_ipv4(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *iph = data + sizeof(struct ethhdr);

	hit(HIT_IPV4);
	if ((void *)(iph + 1) > data_end)
		return XDP_DROP;
	if (iph->protocol == IPPROTO_UDP)
		bpf_tail_call(ctx, &jmp_table, SLOT_UDP);
	return XDP_PASS;
}

SEC("xdp")
int xdp_stage_ipv6(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6 = data + sizeof(struct ethhdr);

	hit(HIT_IPV6);
	if ((void *)(ip6 + 1) > data_end)
		return XDP_DROP;
	if (ip6->nexthdr == IPPROTO_UDP)
		bpf_tail_call(ctx, &jmp_table, SLOT_UDP);
	return XDP_PASS;
}

SEC("xdp")
int xdp_stage_udp(struct xdp_md *ctx)
{
	hit(HIT_UDP);
	return XDP_TX;
}

SEC("xdp")
int xdp_stage_loop(struct xdp_md *ctx)
{
	hit(HIT_LOOP);
	bpf_tail_call(ctx, &jmp_table, SLOT_LOOP);
	return XDP_REDIRECT;
}

// What the subprogram's caller gets back: a tail call replaces only the subprogram's frame, so on
// success the called program's verdict comes back here; on failure 1000 + slot.
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __s64);
} subprog_ret SEC(".maps");

static __noinline int jump_from_subprog(struct xdp_md *ctx, __u32 slot)
{
	bpf_tail_call(ctx, &jmp_table, slot);
	return 1000 + slot;
}

SEC("xdp")
int xdp_meta_dispatch(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;

	hit(HIT_ENTRY);
	if ((void *)(p + 16) > data_end)
		return XDP_DROP;
	__u32 slot = p[14];
	__u32 tag = 0xabcd0000 | p[15];
	if (bpf_xdp_adjust_meta(ctx, -4))
		return XDP_ABORTED;
	__u32 *m = (void *)(long)ctx->data_meta;
	if ((void *)(m + 1) > (void *)(long)ctx->data)
		return XDP_ABORTED;
	*m = tag;
	if (bpf_xdp_adjust_head(ctx, ETH_HLEN))
		return XDP_DROP;
	__s64 rc = jump_from_subprog(ctx, slot);
	__u32 k = 0;
	bpf_map_update_elem(&subprog_ret, &k, &rc, BPF_ANY);
	hit(HIT_FALLTHROUGH);
	return XDP_PASS;
}

SEC("xdp")
int xdp_stage_meta(struct xdp_md *ctx)
{
	__u32 *m = (void *)(long)ctx->data_meta;
	__u8 *p = (void *)(long)ctx->data;

	hit(HIT_META);
	if ((void *)(m + 1) > (void *)p)
		return XDP_DROP;
	if ((void *)(p + 2) > (void *)(long)ctx->data_end)
		return XDP_DROP;
	*m ^= 0xffff;
	p[0] = p[1];
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
