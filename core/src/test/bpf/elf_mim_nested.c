// Loader refusal: an inner map definition that is itself a map-in-map with values (one level only).
#include "oracle_net.h"

struct leaf {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};

struct mid {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct leaf);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct mid);
} outer SEC(".maps");

SEC("xdp")
int xdp_prog(struct xdp_md *ctx)
{
	__u32 k = 0;
	return bpf_map_lookup_elem(&outer, &k) ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
