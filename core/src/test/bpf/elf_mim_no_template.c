// Loader refusal: an ARRAY_OF_MAPS without __array(values, ...) has no inner map template.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} outer SEC(".maps");

SEC("xdp")
int xdp_prog(struct xdp_md *ctx)
{
	__u32 k = 0;
	return bpf_map_lookup_elem(&outer, &k) ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
