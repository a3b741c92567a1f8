// A branch over more code than a 16-bit jump offset reaches: clang-19 for cpu v4 emits gotol
// (BPF_JMP32 | BPF_JA with a 32-bit imm). The unrolled mixing loop stands for the large inline
// expansions real programs build up (unrolled parsers, crypto rounds).
// build: -mcpu=v4
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} mixed SEC(".maps");

SEC("xdp")
int xdp_long_jump(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;

	if ((void *)(p + 16) > data_end)
		return XDP_DROP;
	__u64 acc = p[14] | (p[15] << 8);
	if (p[13] & 1) {
#pragma clang loop unroll(full)
		for (int i = 0; i < 9000; i++)
			acc ^= (acc >> 3) + i;
	}
	__u32 k = 0;
	bpf_map_update_elem(&mixed, &k, &acc, BPF_ANY);
	return (acc & 1) ? XDP_TX : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
