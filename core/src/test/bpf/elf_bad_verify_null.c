// Verifier rejection: dereferences a map lookup's result without the null check.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

SEC("xdp")
int xdp_no_null_check(struct xdp_md *ctx)
{
	__u32 key = ctx->ingress_ifindex;
	__u64 *v = bpf_map_lookup_elem(&hits, &key);
	return *v ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
