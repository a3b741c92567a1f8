// Load refusal: the inner map placed in slot 0 has 8-byte values, the template 4-byte ones.
#include "oracle_net.h"

struct inner_def {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} wide SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner_def);
} outer SEC(".maps") = {
	.values = { [0] = (void *)&wide },
};

SEC("xdp")
int xdp_prog(struct xdp_md *ctx)
{
	__u32 k = 0;
	return bpf_map_lookup_elem(&outer, &k) ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
