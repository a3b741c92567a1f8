// Verifier rejection: bpf_map_update_elem() on a DEVMAP, which programs may only read
// (dev_map_init_map() makes it BPF_F_RDONLY_PROG).
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} ports SEC(".maps");

SEC("xdp")
int xdp_devmap_update(struct xdp_md *ctx)
{
	__u32 key = 0, ifindex = ctx->ingress_ifindex;
	return bpf_map_update_elem(&ports, &key, &ifindex, BPF_ANY) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
