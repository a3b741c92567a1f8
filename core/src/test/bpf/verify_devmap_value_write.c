// Verifier rejection: a DEVMAP value is read-only for programs (dev_map_init_map() sets
// BPF_F_RDONLY_PROG: a lookup returns a pointer into the kernel's own entry); a store through it is
// "write into map forbidden". jxdp once allowed it.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} ports SEC(".maps");

SEC("xdp")
int xdp_devmap_value_write(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u32 *ifindex = bpf_map_lookup_elem(&ports, &key);

	if (!ifindex)
		return XDP_PASS;
	*ifindex = ctx->ingress_ifindex;
	return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
