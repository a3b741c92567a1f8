// Stores a packet pointer into a map value. An unprivileged program may not leak a pointer; root
// (env->allow_ptr_leaks) may, so the kernel, asked as root, loads it.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} where SEC(".maps");

SEC("xdp")
int xdp_ptr_leak(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&where, &key);
	if (!v)
		return XDP_PASS;
	*v = ctx->data;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
