// Verifier rejection: uses a 2-byte map value as the 12-byte key of another map.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u16);
} shorts SEC(".maps");

struct key12 { __u32 a, b, c; };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, struct key12);
	__type(value, __u32);
} table SEC(".maps");

SEC("xdp")
int xdp_small_key(struct xdp_md *ctx)
{
	__u32 zero = 0;
	void *k = bpf_map_lookup_elem(&shorts, &zero);
	if (!k)
		return XDP_PASS;
	return bpf_map_lookup_elem(&table, k) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
