// Verifier rejection: passes a null key to bpf_map_lookup_elem().
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} table SEC(".maps");

SEC("xdp")
int xdp_null_key(struct xdp_md *ctx)
{
	return bpf_map_lookup_elem(&table, (void *)0) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
