// Verifier rejection: bpf_tail_call() through a hash map instead of a program array.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} progs SEC(".maps");

SEC("xdp")
int xdp_tail_call_hash(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &progs, 0);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
