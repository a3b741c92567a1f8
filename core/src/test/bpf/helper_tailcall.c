// bpf_tail_call's limit: tries empty slots first, then chains into a program that calls itself. Whether
// the empty-slot attempts count towards MAX_TAIL_CALL_CNT shows in cnt[0] (runs of tc_self) and retval.
#include <linux/bpf.h>
#include <bpf_helpers.h>

int tc_self(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct xdp_md *));
} jmp SEC(".maps") = {
	.values = { [0] = (void *)&tc_self },
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} cnt SEC(".maps");

SEC("xdp")
int tc_self(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *c = bpf_map_lookup_elem(&cnt, &k);
	if (c)
		*c += 1;
	bpf_tail_call(ctx, &jmp, 0);
	return XDP_TX;
}

SEC("xdp")
int tc_entry(struct xdp_md *ctx)
{
#pragma unroll
	for (int i = 0; i < 40; i++)
		bpf_tail_call(ctx, &jmp, 1);
	bpf_tail_call(ctx, &jmp, 0);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
