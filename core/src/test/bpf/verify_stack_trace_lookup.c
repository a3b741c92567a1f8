// Verifier rejection: a BPF_MAP_TYPE_STACK_TRACE map is only for bpf_get_stackid(); looking an entry up
// from a program is "cannot pass map_type 7 into func bpf_map_lookup_elem#1" (check_map_func_compatibility()).
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 8 * sizeof(__u64));
} stacks SEC(".maps");

SEC("xdp")
int xdp_stack_trace_lookup(struct xdp_md *ctx)
{
	__u32 key = 1;
	__u64 *ips = bpf_map_lookup_elem(&stacks, &key);

	return ips && ips[0] ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
