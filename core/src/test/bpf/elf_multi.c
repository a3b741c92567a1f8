// Several programs in one section and in several sections, global and static subprograms with nested
// calls, BTF maps of several types and every kind of global data: the ELF loader's main fixture.
#include <linux/bpf.h>
#include <bpf_helpers.h>

struct flow { __u32 saddr; __u32 daddr; __u16 port; };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct flow);
	__type(value, __u64);
	__uint(max_entries, 1024);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 16);
	__uint(max_entries, 4);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 128);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__uint(pinning, LIBBPF_PIN_NONE);
} recent SEC(".maps");

__u64 packets = 7;               /* .data */
const volatile __u32 limit = 100; /* .rodata */
__u32 drops;                     /* .bss */
__u8 table[8] SEC(".data.table") = {1, 2, 3, 4, 5, 6, 7, 8};

static __noinline int leaf(int x)
{
	return x * 3 + (int)limit;
}

__noinline int global_sub(int x)
{
	return leaf(x) + 1;
}

static __noinline int stat_bump(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);
	if (v)
		*v += 1;
	return 0;
}

SEC("xdp")
int xdp_first(struct xdp_md *ctx)
{
	packets++;
	stat_bump(0);
	return global_sub(ctx->data_end - ctx->data) > 0 ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int xdp_second(struct xdp_md *ctx)
{
	struct flow f = { .saddr = 1, .daddr = 2, .port = 3 };
	__u64 one = 1;
	bpf_map_update_elem(&flows, &f, &one, BPF_ANY);
	drops += table[ctx->rx_queue_index & 7];
	return XDP_DROP;
}

SEC("xdp/devmap")
int xdp_third(struct xdp_md *ctx)
{
	__u32 k = ctx->ingress_ifindex;
	bpf_map_update_elem(&recent, &k, &k, BPF_ANY);
	return leaf(k) > 5 ? XDP_TX : XDP_PASS;
}

SEC("xdp.frags")
int xdp_frags(struct xdp_md *ctx)
{
	const char *msg = "frag";
	return msg[ctx->rx_queue_index & 3] == 'r' ? XDP_PASS : XDP_ABORTED;
}

SEC("tc")
int tc_prog(struct __sk_buff *skb)
{
	return global_sub(skb->len);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
