// Verifier rejection: a BPF_MAP_TYPE_PERF_EVENT_ARRAY holds perf events, not values a program reads:
// "cannot pass map_type 4 into func bpf_map_lookup_elem#1" (check_map_func_compatibility()).
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 2);
} events SEC(".maps");

SEC("xdp")
int xdp_perf_lookup(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u32 *fd = bpf_map_lookup_elem(&events, &key);

	return fd && *fd ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
